// Internet checksum (RFC 1071) and incremental update (RFC 1624), on Buffer offsets.

/** One's-complement sum of data[start, end) folded to 16 bits, added to `initial` (not inverted). */
export function onesSum(data: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < end) sum += data[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum field value for data[start, end) (sum inverted). */
export function internetChecksum(data: Buffer, start: number, end: number, initial = 0): number {
  return ~onesSum(data, start, end, initial) & 0xffff;
}

/** Sum of the IPv4 or IPv6 pseudo-header (addresses taken from the packet). */
export function pseudoHeaderSum(
  data: Buffer,
  version: 4 | 6,
  srcOffset: number,
  protocol: number,
  l4Length: number,
): number {
  const addrLen = version === 4 ? 4 : 16;
  let sum = onesSum(data, srcOffset, srcOffset + 2 * addrLen);
  sum += protocol;
  sum += l4Length & 0xffff;
  sum += l4Length >>> 16;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit field changing from `old` to `now`. */
export function checksumReplace16(check: number, old: number, now: number): number {
  let sum = (~check & 0xffff) + (~old & 0xffff) + now;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** 32-bit add with end-around carry (the Linux/tcpreplay `csum_add`). */
function csumAdd32(a: number, b: number): number {
  const res = (a + b) >>> 0;
  return res < b >>> 0 ? res + 1 : res;
}

function fold32(w: number): number {
  let s = (w & 0xffff) + (w >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * Incremental update for 4 bytes changing from data[o..o+4) = old to new, as tcprewrite's
 * `csum_replace4` computes it (a result that is zero is written 0x0000).
 */
export function csumReplace4(check: number, oldWord: number, newWord: number): number {
  let w = ~check >>> 0;
  w = csumAdd32(w, ~oldWord >>> 0);
  w = csumAdd32(w, newWord >>> 0);
  return fold32(w);
}

/** Incremental update for 16 bytes (IPv6 addresses), as tcprewrite's `csum_replace16`. */
export function csumReplace16(check: number, oldBytes: Buffer, oldOffset: number, newBytes: Buffer, newOffset: number): number {
  let w = ~check >>> 0;
  for (let i = 0; i < 16; i += 4) w = csumAdd32(w, ~oldBytes.readUInt32BE(oldOffset + i) >>> 0);
  for (let i = 0; i < 16; i += 4) w = csumAdd32(w, newBytes.readUInt32BE(newOffset + i));
  return fold32(w);
}

function csum16Add(a: number, b: number): number {
  const res = (a + b) & 0xffff;
  return (res + (res < b ? 1 : 0)) & 0xffff;
}

/** Incremental update of a 16-bit field, as tcprewrite's `csum_replace2`. */
export function csumReplace2(check: number, oldValue: number, newValue: number): number {
  return ~csum16Add(csum16Add(~check & 0xffff, ~oldValue & 0xffff), newValue) & 0xffff;
}
