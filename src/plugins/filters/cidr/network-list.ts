// The configured networks as plain numbers, so the per-event test is a few comparisons: an address
// written the plain way (IPv4 `a.b.c.d`, IPv6 of hex groups and colons) is read straight into
// numbers with no regexp, BigInt or allocation; any other text (a prefix, brackets, a zone, an
// embedded IPv4 tail, something invalid) goes through parseIpRange, which gives IPAddr's answer
// and its error. Both roads give what IPAddr#include? gives.
import type { IpRange } from './ip-range.ts';

const DOT = 0x2e;
const COLON = 0x3a;

/** The IPv4 address `text` reads as (0 … 2^32-1), or -1 when it is not a plain dotted quad IPAddr accepts. */
export function plainIpv4(text: string): number {
  const n = text.length;
  let value = 0;
  let octets = 0;
  let i = 0;
  while (true) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
      if (i - start > 3) return -1;
    }
    const digits = i - start;
    // Empty, zero-filled ("ambiguous") or above 255: the general reading reports it.
    if (digits === 0 || (digits > 1 && text.charCodeAt(start) === 0x30) || octet > 255) return -1;
    value = value * 256 + octet;
    if (++octets === 4) return i === n ? value : -1;
    if (i >= n || text.charCodeAt(i) !== DOT) return -1;
    i++;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Reads a plain IPv6 address (1–4 hex digits per group, at most one `::`) into `words` (four 32-bit
 * words, most significant first); false when the text is not one (the general reading decides).
 */
export function plainIpv6(text: string, words: Uint32Array): boolean {
  const groups = SCRATCH_GROUPS;
  const n = text.length;
  if (n < 2) return false;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  if (i < n) {
    while (true) {
      let group = 0;
      const start = i;
      while (i < n) {
        const h = hexDigit(text.charCodeAt(i));
        if (h < 0) break;
        group = group * 16 + h;
        i++;
      }
      const digits = i - start;
      if (digits === 0 || digits > 4 || count === 8) return false;
      groups[count++] = group;
      if (i === n) break;
      if (text.charCodeAt(i) !== COLON) return false;
      i++;
      if (i === n) return false;
      if (text.charCodeAt(i) === COLON) {
        if (gap >= 0) return false;
        gap = count;
        i++;
        if (i === n) break;
      }
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    // The groups after `::` move to the end; the gap is zeros.
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let w = 0; w < 4; w++) words[w] = groups[2 * w]! * 0x10000 + groups[2 * w + 1]!;
  return true;
}

const SCRATCH_GROUPS = new Uint16Array(8);
const SCRATCH_WORDS = new Uint32Array(4);

function wordsOf(value: bigint): number[] {
  return [96n, 64n, 32n, 0n].map((shift) => Number((value >> shift) & 0xffffffffn));
}

/** -1, 0, 1 as `a` (four words) sorts before, with, after `b` at `at`. */
function compareWords(a: Uint32Array, b: Float64Array, at: number): number {
  for (let w = 0; w < 4; w++) {
    const x = a[w]!;
    const y = b[at + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A list of networks (IpRange) asked whether an address is inside any of them. */
export class NetworkList {
  /** IPv4 networks as [first, last] pairs. */
  private readonly v4: Float64Array;
  /** IPv6 networks as [first (4 words), last (4 words)]. */
  private readonly v6: Float64Array;

  constructor(readonly ranges: readonly IpRange[]) {
    const v4: number[] = [];
    const v6: number[] = [];
    for (const r of ranges) {
      if (r.family === 4) v4.push(Number(r.first), Number(r.last));
      else v6.push(...wordsOf(r.first), ...wordsOf(r.last));
    }
    this.v4 = Float64Array.from(v4);
    this.v6 = Float64Array.from(v6);
  }

  get length(): number {
    return this.ranges.length;
  }

  /**
   * Whether the address text is inside a network; undefined when the text is not a plain address
   * (then parseIpRange reads it, and includesRange answers or the text is invalid).
   */
  includesText(text: string): boolean | undefined {
    const v4 = plainIpv4(text);
    if (v4 >= 0) {
      const nets = this.v4;
      for (let k = 0; k < nets.length; k += 2) if (nets[k]! <= v4 && v4 <= nets[k + 1]!) return true;
      return false;
    }
    const words = SCRATCH_WORDS;
    if (!plainIpv6(text, words)) return undefined;
    const nets = this.v6;
    for (let k = 0; k < nets.length; k += 8) if (compareWords(words, nets, k) >= 0 && compareWords(words, nets, k + 4) <= 0) return true;
    return false;
  }

  /** IPAddr#include? against every network: same family and the whole range inside. */
  includesRange(range: IpRange): boolean {
    for (const n of this.ranges) if (n.family === range.family && n.first <= range.first && range.last <= n.last) return true;
    return false;
  }
}
