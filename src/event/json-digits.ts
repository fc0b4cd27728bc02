// Decimal digits written straight into bytes, as String(n) writes them, for the JSON byte writer and
// the shapes it compiles.

/** "00".."99" as ASCII bytes. */
export const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** Writes 0 ≤ n < 2^32 (or −0, as "0") at `p`, which has 10 bytes of room; returns the end. 32-bit arithmetic only. */
export function writeUint32(u: Uint8Array, p: number, n: number): number {
  const digits =
    n < 100000
      ? n < 100
        ? n < 10
          ? 1
          : 2
        : n < 1000
          ? 3
          : n < 10000
            ? 4
            : 5
      : n < 10000000
        ? n < 1000000
          ? 6
          : 7
        : n < 100000000
          ? 8
          : n < 1000000000
            ? 9
            : 10;
  const end = p + digits;
  let at = end;
  while (n >= 100) {
    const q = (n / 100) >>> 0;
    const r = (n - q * 100) << 1;
    at -= 2;
    u[at] = DIGIT_PAIRS[r]!;
    u[at + 1] = DIGIT_PAIRS[r + 1]!;
    n = q;
  }
  if (n >= 10) {
    u[at - 2] = DIGIT_PAIRS[2 * n]!;
    u[at - 1] = DIGIT_PAIRS[2 * n + 1]!;
  } else u[at - 1] = 0x30 + n;
  return end;
}
