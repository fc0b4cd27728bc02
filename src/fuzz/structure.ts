// A tolerant look at a NetFlow/IPFIX datagram's layout, so mutations can aim at length fields,
// template sets and set boundaries instead of only random bytes.

export interface SetView {
  offset: number;
  id: number;
  length: number;
}

export interface DatagramView {
  version: number;
  headerLength: number;
  sets: SetView[];
  /** Offsets of 16-bit length-like fields: message/set lengths, template field counts and lengths. */
  lengthFields: number[];
  /** Offsets of template field specifiers (element id, then length). */
  fieldSpecifiers: number[];
}

const HEADER: Record<number, number> = { 5: 24, 9: 20, 10: 16 };

export function isTemplateSet(version: number, id: number): boolean {
  return version === 9 ? id === 0 || id === 1 : version === 10 ? id === 2 || id === 3 : false;
}

export function viewDatagram(b: Buffer): DatagramView {
  const version = b.length >= 2 ? b.readUInt16BE(0) : -1;
  const headerLength = HEADER[version] ?? 0;
  const view: DatagramView = { version, headerLength, sets: [], lengthFields: [], fieldSpecifiers: [] };
  if (version === 5) {
    if (b.length >= 4) view.lengthFields.push(2);
    return view;
  }
  if (version !== 9 && version !== 10) return view;
  if (version === 10 && b.length >= 4) view.lengthFields.push(2);
  if (version === 9 && b.length >= 4) view.lengthFields.push(2); // record count
  let off = headerLength;
  while (off + 4 <= b.length) {
    const id = b.readUInt16BE(off);
    const length = b.readUInt16BE(off + 2);
    view.sets.push({ offset: off, id, length });
    view.lengthFields.push(off + 2);
    if (isTemplateSet(version, id)) {
      // Template records: (id, count[, scope count]) then (type, length[, pen]) pairs.
      const end = Math.min(b.length, off + Math.max(length, 4));
      let p = off + 4;
      const options = version === 10 ? id === 3 : id === 1;
      while (p + 4 <= end) {
        const count = b.readUInt16BE(p + 2);
        view.lengthFields.push(p + 2);
        p += 4;
        let fields = count;
        if (options) {
          if (p + 2 > end) break;
          view.lengthFields.push(p);
          if (version === 9) fields = (b.readUInt16BE(p - 2) + b.readUInt16BE(p)) / 4;
          p += 2;
        }
        for (let i = 0; i < fields && p + 4 <= end; i++) {
          const type = b.readUInt16BE(p);
          view.fieldSpecifiers.push(p);
          view.lengthFields.push(p + 2);
          p += 4 + (version === 10 && type & 0x8000 ? 4 : 0);
        }
        if (count === 0) break;
      }
    }
    if (length < 4) break;
    off += length;
  }
  return view;
}
