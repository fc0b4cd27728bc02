// Tiny hand-rolled message builders for decoder unit tests (bytes written field by field, so the
// tests do not depend on the encoder they would otherwise verify).

export interface IeRef {
  id: number;
  length: number;
  pen?: number;
}

export function u8(n: number): Buffer {
  return Buffer.from([n & 255]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
export function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}
export function ipv4(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}
/** RFC 7011 variable-length encoding of `data`. */
export function varlen(data: Buffer): Buffer {
  return data.length < 255 ? Buffer.concat([u8(data.length), data]) : Buffer.concat([u8(255), u16(data.length), data]);
}

export function set(id: number, body: Buffer, padTo = 0): Buffer {
  const pad = padTo > 0 ? (padTo - ((body.length + 4) % padTo)) % padTo : 0;
  return Buffer.concat([u16(id), u16(body.length + 4 + pad), body, Buffer.alloc(pad)]);
}

function fieldSpecifiers(fields: IeRef[]): Buffer {
  return Buffer.concat(
    fields.map((f) => (f.pen ? Buffer.concat([u16(f.id | 0x8000), u16(f.length), u32(f.pen)]) : Buffer.concat([u16(f.id), u16(f.length)]))),
  );
}

export function templateRecord(id: number, fields: IeRef[]): Buffer {
  return Buffer.concat([u16(id), u16(fields.length), fieldSpecifiers(fields)]);
}

export function optionsTemplateRecord(id: number, scope: IeRef[], fields: IeRef[]): Buffer {
  return Buffer.concat([u16(id), u16(scope.length + fields.length), u16(scope.length), fieldSpecifiers([...scope, ...fields])]);
}

export function ipfix(sets: Buffer[], opts: { domain?: number; seq?: number; time?: number } = {}): Buffer {
  const body = Buffer.concat(sets);
  return Buffer.concat([u16(10), u16(16 + body.length), u32(opts.time ?? 1700000000), u32(opts.seq ?? 0), u32(opts.domain ?? 0), body]);
}

/** A v9 packet; its header count is `opts.count` or, by default, the number of flowsets. */
export function v9(flowsets: Buffer[], opts: { sourceId?: number; seq?: number; time?: number; uptime?: number; count?: number } = {}): Buffer {
  const body = Buffer.concat(flowsets);
  return Buffer.concat([u16(9), u16(opts.count ?? flowsets.length), u32(opts.uptime ?? 100000), u32(opts.time ?? 1700000000), u32(opts.seq ?? 0), u32(opts.sourceId ?? 0), body]);
}

export function v9Template(id: number, fields: IeRef[]): Buffer {
  return Buffer.concat([u16(id), u16(fields.length), fieldSpecifiers(fields)]);
}
