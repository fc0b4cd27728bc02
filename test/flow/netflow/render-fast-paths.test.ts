// The decode hot path's shortcuts give exactly what the straightforward code gives: cached ISO
// time text vs Timestamp#toString, v9 switched-time arithmetic, byte-wise integer reads in the
// compiled record decoder vs Buffer's readers.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { isoTime, ipv4At, millisTs, secondsTs, u64At, v9Switched } from '../../../src/flow/netflow/render.ts';
import { compileRecordDecoder } from '../../../src/flow/netflow/compile.ts';
import type { FieldSpec } from '../../../src/flow/netflow/field-spec.ts';

const header = { version: 9, seq: 0, flowsetId: 256, uptime: 0, unixSec: 0 };

/** The v9 switched arithmetic written out through Timestamp (the reference rendering). */
function v9SwitchedReference(uptime: number, unixSec: number, v: number): string {
  const millis = uptime - v;
  const seconds = unixSec - Math.floor(millis / 1000);
  const micros = 1000000 - (((millis % 1000) + 1000) % 1000) * 1000;
  return new Timestamp(seconds, micros * 1000).toString();
}

describe('isoTime', () => {
  it('renders like Timestamp#toString for any second and nanosecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.7e12, max: 8.7e12 }), fc.integer({ min: 0, max: 999_999_999 }), (s, n) => {
        expect(isoTime(s, n)).toBe(new Timestamp(s, n).toString());
      }),
    );
  });

  it('stays right when many seconds share cache slots', () => {
    const base = 1_502_190_000;
    for (let i = 0; i < 20_000; i += 7) {
      const s = base + (i % 3 === 0 ? i : -i) * 4096;
      expect(isoTime(s, (i % 1000) * 1e6)).toBe(new Timestamp(s, (i % 1000) * 1e6).toString());
    }
  });

  it('handles out-of-range and fractional input the way Timestamp does', () => {
    for (const [s, n] of [[9e15, 0], [-9e15, 5], [1.5, 0], [10, 1e9], [10, -1], [10, 0.5]] as const) {
      expect(isoTime(s, n)).toBe(new Timestamp(s, n).toString());
    }
  });

  it('is what secondsTs and millisTs render', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (s, ms) => {
        expect(secondsTs(s)).toBe(new Timestamp(s, 0).toString());
        expect(millisTs(ms)).toBe(Timestamp.fromMillis(ms).toString());
      }),
    );
  });
});

describe('v9Switched', () => {
  it('matches the Timestamp arithmetic for any uptime, export time and switched value', () => {
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(fc.property(u32, u32, u32, (uptime, unixSec, v) => {
      expect(v9Switched(uptime, unixSec, v)).toBe(v9SwitchedReference(uptime, unixSec, v));
    }));
  });
});

describe('compiled integer and address reads', () => {
  const spec = (name: string, kind: FieldSpec['kind'], length: number): FieldSpec =>
    ({ pen: 0, id: 1, length, name, kind, time: 'none' }) as FieldSpec;
  const specs = [spec('a', 'uint', 1), spec('b', 'uint', 2), spec('c', 'uint', 3), spec('d', 'uint', 4), spec('e', 'ipv4', 4), spec('f', 'uint', 4)];
  const decode = compileRecordDecoder(specs, 'bare');

  it('read the same values as Buffer#readUIntBE at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 18, maxLength: 18 }), fc.nat({ max: 5 }), (bytes, pad) => {
        const b = Buffer.concat([Buffer.alloc(pad, 0xff), Buffer.from(bytes)]);
        const rt = { pos: 0, depth: 0, lists: undefined };
        const r = decode(b, pad, b.length, header, rt);
        expect(r).toEqual({
          a: b.readUIntBE(pad, 1), b: b.readUIntBE(pad + 1, 2), c: b.readUIntBE(pad + 3, 3),
          d: b.readUInt32BE(pad + 6), e: [...b.subarray(pad + 10, pad + 14)].join('.'), f: b.readUInt32BE(pad + 14),
        });
        expect(rt.pos).toBe(b.length);
      }),
    );
  });

  it('return null rather than read past the end', () => {
    const rt = { pos: 0, depth: 0, lists: undefined };
    expect(decode(Buffer.alloc(17), 0, 17, header, rt)).toBeNull();
  });

  it('u64At is a number up to 2^53 and a bigint beyond, like readBigUInt64BE', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const b = Buffer.alloc(9);
        b.writeBigUInt64BE(v, 1);
        expect(u64At(b, 1)).toStrictEqual(v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
      }),
    );
    expect(() => u64At(Buffer.alloc(8), 1)).toThrow(RangeError);
  });

  it('ipv4At renders dotted quads', () => {
    expect(ipv4At(Buffer.from([0, 10, 255, 1]), 0)).toBe('0.10.255.1');
  });
});
