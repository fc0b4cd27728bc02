// Internet checksum (RFC 1071) and incremental update (RFC 1624), on Buffer offsets.

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Below this many bytes the plain byte loop is as fast as setting up the word loop. */
const WORD_LOOP_MIN = 64;

/** One's-complement sum of data[start, end) folded to 16 bits, added to `initial` (not inverted). */
export function onesSum(data: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  if (end - start >= WORD_LOOP_MIN && LITTLE_ENDIAN_HOST) {
    // Leading bytes up to a 4-byte boundary of the ArrayBuffer, then aligned 32-bit loads.
    for (; ((data.byteOffset + i) & 3) !== 0; i++) sum += ((i - start) & 1) === 0 ? data[i]! << 8 : data[i]!;
    const words = (end - i) >>> 2;
    sum += alignedWordSum(data, i, words, ((data.byteOffset + start) & 1) === 0);
    i += words * 4;
    if (((i - start) & 1) !== 0 && i < end) {
      // An odd number of leading bytes: the next byte is the low half of a packet word.
      sum += data[i]!;
      i++;
    }
  }
  const last = end - 1;
  for (; i < last; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < end) sum += data[i]! << 8;
  return fold(sum);
}

/** End-around-carry fold to 16 bits (a positive sum never folds to 0). */
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

// The last ArrayBuffer's word view: packets of one capture chunk share it.
let wordView: Uint32Array | null = null;

/**
 * One's-complement sum of `words` 32-bit words at data[at] (4-aligned in the ArrayBuffer), as
 * big-endian 16-bit words of the packet whose first byte is at an even (`packetStartsEven`) or
 * odd absolute offset. On a little-endian host the 16-bit halves of each load pair an even
 * absolute byte (low) with the next odd one (high); the sum is byte-order independent (RFC 1071
 * 2(B)), so it is swapped when the packet's high bytes are the even ones.
 */
function alignedWordSum(data: Buffer, at: number, words: number, packetStartsEven: boolean): number {
  const ab = data.buffer;
  if (wordView === null || wordView.buffer !== ab) wordView = new Uint32Array(ab, 0, ab.byteLength >>> 2);
  const view = wordView;
  let s = 0;
  const first = (data.byteOffset + at) >>> 2;
  const stop = first + words;
  for (let k = first; k < stop; k++) {
    const w = view[k]!;
    s += (w & 0xffff) + (w >>> 16);
  }
  s = fold(s);
  return packetStartsEven ? ((s & 0xff) << 8) | (s >>> 8) : s;
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
  for (let i = 0; i < 16; i += 4) w = csumAdd32(w, ~word32(oldBytes, oldOffset + i) >>> 0);
  for (let i = 0; i < 16; i += 4) w = csumAdd32(w, word32(newBytes, newOffset + i));
  return fold32(w);
}

/** Big-endian 32-bit word at o (unsigned), without readUInt32BE's bounds check call. */
function word32(b: Buffer, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function csum16Add(a: number, b: number): number {
  const res = (a + b) & 0xffff;
  return (res + (res < b ? 1 : 0)) & 0xffff;
}

/** Incremental update of a 16-bit field, as tcprewrite's `csum_replace2`. */
export function csumReplace2(check: number, oldValue: number, newValue: number): number {
  return ~csum16Add(csum16Add(~check & 0xffff, ~oldValue & 0xffff), newValue) & 0xffff;
}
