import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BatchReader, BatchWriter } from '../../src/replay/batch.ts';

interface Rec {
  keyId: number;
  wireBytes: number;
  dueNs: number | undefined;
  payload: Uint8Array;
}

const record = fc.record({
  keyId: fc.nat({ max: 0xffffffff }),
  wireBytes: fc.nat({ max: 0xffffffff }),
  dueNs: fc.option(fc.double({ min: 0, max: 1e15, noNaN: true }), { nil: undefined }),
  payload: fc.uint8Array({ maxLength: 300 }),
});

/** Writes the records through a small writer (taking batches as they fill), reads every batch back. */
function roundTrip(recs: Rec[], capacity: number): Rec[] {
  const w = new BatchWriter(capacity);
  const batches = [];
  for (const r of recs) {
    if (!w.fits(r.payload.length) && w.count > 0) batches.push(w.take());
    w.add(r.keyId, r.wireBytes, r.dueNs, Buffer.from(r.payload));
  }
  if (w.count > 0) batches.push(w.take());
  const out: Rec[] = [];
  for (const b of batches) {
    const reader = new BatchReader(b.data, b.length);
    let n = 0;
    for (let r = reader.next(); r; r = reader.next()) {
      out.push({ keyId: r.keyId, wireBytes: r.wireBytes, dueNs: Number.isNaN(r.dueNs) ? undefined : r.dueNs, payload: new Uint8Array(r.payload) });
      n++;
    }
    expect(n).toBe(b.count);
  }
  return out;
}

describe('replay batches', () => {
  it('property: every record comes back, in order, whatever the batch size', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), fc.integer({ min: 64, max: 4096 }), (recs, capacity) => {
        expect(roundTrip(recs, capacity)).toEqual(recs);
      }),
      { numRuns: 200 },
    );
  });

  it('a record larger than the batch capacity travels alone', () => {
    const big = Buffer.alloc(5000, 7);
    expect(roundTrip([{ keyId: 1, wireBytes: 5042, dueNs: 5, payload: big }], 256)).toEqual([
      { keyId: 1, wireBytes: 5042, dueNs: 5, payload: new Uint8Array(big) },
    ]);
  });

  it('reuses recycled buffers and rejects a truncated batch with the offset', () => {
    const w = new BatchWriter(1024);
    w.add(1, 2, undefined, Buffer.from('abc'));
    const first = w.take();
    w.recycle(first.data);
    w.add(3, 4, 1, Buffer.from('de'));
    const second = w.take();
    // The writer moved on to a fresh buffer at the first take(); the recycled one comes next.
    w.add(3, 4, 1, Buffer.from('de'));
    const third = w.take();
    expect(third.data).toBe(first.data);
    expect(second.data).not.toBe(first.data);
    const bad = new BatchReader(third.data, third.length - 1);
    expect(() => bad.next()).toThrow(/record at offset 0 claims 2 payload bytes, 1 left/);
  });
});
