// Any byte string decodes without throwing, terminates, and every datagram is accounted for.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import { ipfix, set, templateRecord, u16, u32, v9, v9Template, varlen } from './build.ts';

const EXPORTER = { host: '198.51.100.7', port: 2055 };

function fresh() {
  const errors: string[] = [];
  const dec = createNetflowDecoder({ pending_data: true }, { log: (level, m) => level === 'error' && errors.push(m) });
  return { dec, errors };
}

// Valid messages to mutate: templates with varlen, lists, options, v9 and v5.
const SEEDS: Buffer[] = [
  ipfix([
    set(2, Buffer.concat([
      templateRecord(256, [{ id: 8, length: 4 }, { id: 96, length: 65535 }, { id: 291, length: 65535 }]),
      templateRecord(257, [{ id: 292, length: 65535 }, { id: 293, length: 65535 }]),
    ])),
    set(256, Buffer.concat([u32(0x0a000001), varlen(Buffer.from('dns')), varlen(Buffer.concat([Buffer.from([3]), u16(7), u16(2), u16(53)]))])),
    set(257, Buffer.concat([varlen(Buffer.concat([Buffer.from([3]), u16(256), u32(1), varlen(Buffer.from('x')), varlen(Buffer.alloc(0))])), varlen(Buffer.concat([Buffer.from([3]), u16(256), u16(12), u32(2), Buffer.from([1, 0x41]), Buffer.from([0])]))])),
  ]),
  v9([set(0, v9Template(300, [{ id: 1, length: 4 }, { id: 89, length: 1 }, { id: 95, length: 4 }])), set(300, Buffer.alloc(18, 7))]),
  Buffer.concat([u16(5), u16(1), Buffer.alloc(20), Buffer.alloc(48, 3)]),
];

describe('robustness (fast-check)', () => {
  it('random bytes never throw and every datagram is counted', () => {
    const { dec, errors } = fresh();
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(5, 9, 10, 7), (bytes, version) => {
        const b = Buffer.from(bytes);
        if (b.length >= 2) b.writeUInt16BE(version, 0);
        dec.decode(b, EXPORTER);
        n++;
      }),
      { numRuns: 3000 },
    );
    expect(errors).toEqual([]);
    expect(dec.stats()['packets']).toBe(n);
  });

  it('mutated valid messages never throw (bit flips, truncation, length fields)', () => {
    const { dec, errors } = fresh();
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        (seed, flips, cut) => {
          const b = Buffer.from(seed);
          for (const [pos, val] of flips) b[pos % b.length] = val;
          const t = b.subarray(0, Math.max(2, b.length - (cut % 24)));
          for (const m of [seed, t]) dec.decode(Buffer.from(m), EXPORTER);
        },
      ),
      { numRuns: 3000 },
    );
    expect(errors).toEqual([]);
  });
});
