// The word-at-a-time checksum must equal the RFC 1071 definition word by word, at every
// alignment of the packet in its ArrayBuffer and every length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csumReplace16, internetChecksum, onesSum } from '../../src/packet/checksum.ts';

function referenceSum(data: Buffer, start: number, end: number, initial: number): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (data[i]! << 8) | (i + 1 < end ? data[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function referenceReplace16(check: number, old: Buffer, now: Buffer): number {
  let w = ~check >>> 0;
  const add = (a: number, b: number): number => {
    const r = (a + b) >>> 0;
    return r < b ? r + 1 : r;
  };
  for (let i = 0; i < 16; i += 4) w = add(w, ~old.readUInt32BE(i) >>> 0);
  for (let i = 0; i < 16; i += 4) w = add(w, now.readUInt32BE(i));
  let s = (w & 0xffff) + (w >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

describe('onesSum', () => {
  it('equals the word-by-word sum at any alignment, length and initial value', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000, size: 'max' }),
        fc.nat(7),
        fc.nat(3000),
        fc.nat(3000),
        fc.nat(0xffff),
        (bytes, shift, a, b, initial) => {
          // Place the bytes at `shift` in a fresh ArrayBuffer so every 4-byte alignment occurs.
          const ab = new ArrayBuffer(bytes.length + 8);
          const data = Buffer.from(ab, shift, bytes.length);
          data.set(bytes);
          const start = Math.min(a, b, data.length);
          const end = Math.min(Math.max(a, b), data.length);
          expect(onesSum(data, start, end, initial)).toBe(referenceSum(data, start, end, initial));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles all-0xff data (carries on every word) and all-zero data', () => {
    for (const fill of [0, 0xff]) {
      for (const len of [63, 64, 65, 1500, 9000, 65535]) {
        const data = Buffer.alloc(len + 3, fill).subarray(3);
        expect(onesSum(data, 0, len)).toBe(referenceSum(data, 0, len, 0));
        expect(internetChecksum(data, 0, len)).toBe(~referenceSum(data, 0, len, 0) & 0xffff);
      }
    }
  });
});

describe('csumReplace16', () => {
  it('equals the readUInt32BE formulation of tcprewrite csum_replace16', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(0xffff), (o, n, check) => {
        const old = Buffer.from(o);
        const now = Buffer.from(n);
        expect(csumReplace16(check, old, 0, now, 0)).toBe(referenceReplace16(check, old, now));
      }),
      { numRuns: 300 },
    );
  });
});
