// The byte writer behind json_lines must produce exactly what jsonMap renders, for any event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonLinesCodec } from '../../src/plugins/codecs/json_lines/json_lines.ts';
import { Event } from '../../src/event/event.ts';
import { jsonMap } from '../../src/event/json.ts';
import { type BatchLease, JsonBatchWriter } from '../../src/event/json-writer.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, setOwn } from '../../src/event/values.ts';
import { arbitraryFieldMap, arbitraryValue } from './arbitraries.ts';

const edgeNumbers = [
  0, -0, 1, -1, 9, 10, 99, 100, 101, 2147483647, 2147483648, -2147483649, 4294967295, 1734294381253,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 53, 1e21, -1e22, 0.5, -1.25e-7, 1e300,
  Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN,
];

function writeAll(maps: FieldMap[], terminator = '\n', slab?: number): Buffer {
  const w = new JsonBatchWriter(slab);
  for (const m of maps) w.writeLine(m, terminator);
  return w.take();
}

describe('JsonBatchWriter', () => {
  it('writes the same bytes as jsonMap for random events', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFieldMap, { maxLength: 3 }), (maps) => {
        expect(writeAll(maps).toString('utf8')).toBe(maps.map((m) => jsonMap(m) + '\n').join(''));
        expect(writeAll(maps)).toEqual(Buffer.from(maps.map((m) => jsonMap(m) + '\n').join('')));
      }),
      { numRuns: 100 },
    );
  });

  it('renders integer edge cases, floats, bigint and timestamps like jsonMap', () => {
    for (const n of edgeNumbers) {
      const m: FieldMap = { n, list: [n, -n], f: new Float(n) };
      expect(writeAll([m]).toString()).toBe(jsonMap(m) + '\n');
    }
    const m: FieldMap = { big: 2n ** 64n, neg: -(2n ** 70n), ts: new Timestamp(1735689600, 123456000), t: true, f: false, z: null };
    expect(writeAll([m]).toString()).toBe(jsonMap(m) + '\n');
  });

  it('escapes control characters, quotes, backslashes, DEL, non-ASCII and lone surrogates like JSON.stringify', () => {
    const strings = ['a"b', 'c\\d', 'tab\there', '\u0000\u001f', '\u007f', 'é ü 日本', '😀', 'lone \ud800 x', '\udfff', ''];
    for (const s of strings) {
      const m: FieldMap = {};
      setOwn(m, s, s);
      expect(writeAll([m], '\r\n')).toEqual(Buffer.from(jsonMap(m) + '\r\n'));
    }
  });

  it('keeps insertion order, integer-like keys first, and an own __proto__ key', () => {
    const m: FieldMap = { b: 1, '2': 2, a: 3, '1': 4 };
    setOwn(m, '__proto__', 'x');
    expect(writeAll([m]).toString()).toBe('{"1":4,"2":2,"b":1,"a":3,"__proto__":"x"}\n');
  });

  it('keeps each taken batch intact while later batches fill new slabs', () => {
    const w = new JsonBatchWriter(64);
    const maps = Array.from({ length: 50 }, (_, i) => ({ i, text: 'x'.repeat(i * 7), nested: { i } }) as FieldMap);
    const taken = maps.map((m) => {
      w.writeLine(m, '\n');
      return w.take();
    });
    taken.forEach((b, i) => expect(b.toString()).toBe(jsonMap(maps[i]!) + '\n'));
  });

  it('reset() drops a half-written batch', () => {
    const w = new JsonBatchWriter();
    w.writeLine({ a: 1 }, '\n');
    w.reset();
    w.writeLine({ b: 2 }, '\n');
    expect(w.take().toString()).toBe('{"b":2}\n');
  });
});

// Maps of one kind repeat their keys in one order (the flows of a template); the writer learns those
// sequences. Events here come from a few shapes, some altered the way a filter would alter them.
const shapeKey = fc.oneof(
  fc.constantFrom('@timestamp', '@version', 'netflow', 'version', 'sourceIPv4Address', 'octetDeltaCount', '__proto__', '', 'é', 'a"b', '1', '10'),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const baseShape = fc.uniqueArray(shapeKey, { minLength: 0, maxLength: 7 });
/** Shapes close to a base one (same length, same last key...), which a compiled shape must tell apart. */
const shapeFamily = fc
  .record({ base: baseShape, edits: fc.array(fc.record({ kind: fc.constantFrom('swap', 'replace', 'append', 'drop-first'), i: fc.nat(), j: fc.nat(), key: shapeKey }), { maxLength: 3 }) })
  .map(({ base, edits }) => [
    base,
    ...edits.map(({ kind, i, j, key }) => {
      const keys = [...base];
      const n = keys.length;
      if (kind === 'swap' && n > 1) [keys[i % n], keys[j % n]] = [keys[j % n]!, keys[i % n]!];
      if (kind === 'replace' && n > 0 && !keys.includes(key)) keys[i % n] = key;
      if (kind === 'append' && !keys.includes(key)) keys.push(key);
      if (kind === 'drop-first') keys.shift();
      return keys;
    }),
  ]);
/** Values as flows have them most (unsigned integers, address strings, timestamps), and any other. */
const flowValue: fc.Arbitrary<FieldValue> = fc.oneof(
  { arbitrary: fc.nat({ max: 2 ** 32 + 5 }), weight: 3 },
  { arbitrary: fc.constantFrom('10.0.0.1', '2001:db8::1', '', 'ens3', 'é', 'a"b'), weight: 2 },
  { arbitrary: fc.constantFrom(-0, -1, 2 ** 53, 0.5), weight: 1 },
  { arbitrary: fc.constantFrom(new Timestamp(0), new Timestamp(1735689600, 123000000)), weight: 1 },
  { arbitrary: arbitraryValue, weight: 2 },
);
const alteration = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 4 },
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), key: shapeKey }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat() }),
);
const shapedEvents = fc
  .record({
    shapes: fc.array(shapeFamily, { minLength: 1, maxLength: 2 }).map((families) => families.flat()),
    events: fc.array(fc.record({ shape: fc.nat({ max: 11 }), values: fc.array(flowValue, { minLength: 8, maxLength: 8 }), alteration }), {
      minLength: 10,
      maxLength: 40,
    }),
  })
  .map(({ shapes, events }) =>
    events.map(({ shape: i, values, alteration: alt }) => {
      const keys = shapes[i % shapes.length]!;
      const m: FieldMap = {};
      keys.forEach((k, j) => setOwn(m, k, values[j]!));
      if (alt.kind === 'drop' && keys.length > 0) delete m[keys[alt.at % keys.length]!];
      if (alt.kind === 'add') setOwn(m, alt.key, values[0]!);
      if (alt.kind === 'nest' && keys.length > 0) setOwn(m, keys[alt.at % keys.length]!, { inner: m[keys[0]!]! } as FieldMap);
      // Events carry their flow under a key, as the netflow codec's do.
      return i % 3 === 0 ? m : ({ '@timestamp': new Timestamp(i), netflow: m, '@version': '1' } as FieldMap);
    }),
  );

describe('JsonBatchWriter key sequences', () => {
  it('writes what jsonMap writes for events of repeated, altered and nested shapes, batch after batch', () => {
    fc.assert(
      fc.property(shapedEvents, fc.constantFrom(undefined, 0, 1, 3), fc.integer({ min: 1, max: 6 }), (maps, maxKeySteps, batchSize) => {
        const w = new JsonBatchWriter(256, maxKeySteps);
        for (let i = 0; i < maps.length; i += batchSize) {
          const batch = maps.slice(i, i + batchSize);
          for (const m of batch) w.writeLine(m, '\n');
          expect(w.take()).toEqual(Buffer.from(batch.map((m) => jsonMap(m) + '\n').join('')));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart maps with the same keys in another order, or one key replaced, at the same place', () => {
    const shapes = [['a', 'b', 'c'], ['b', 'a', 'c'], ['a', 'x', 'c'], ['a', 'b'], ['a', 'b', 'c', 'd'], ['c', 'b', 'a']];
    const maps: FieldMap[] = [];
    for (let i = 0; i < 60; i++) {
      const m: FieldMap = {};
      shapes[(i * 7) % shapes.length]!.forEach((k, j) => (m[k] = i * 10 + j));
      maps.push(i % 2 ? m : { netflow: m });
    }
    const w = new JsonBatchWriter();
    for (const m of maps) w.writeLine(m, '\n');
    expect(w.take().toString()).toBe(maps.map((m) => jsonMap(m) + '\n').join(''));
  });

  it('writes only own keys when a map inherits enumerable ones that complete a known shape', () => {
    const maps: FieldMap[] = [];
    for (let i = 0; i < 8; i++) maps.push({ a: i, b: i, c: i });
    const inheriting = Object.create({ c: 'inherited' }) as FieldMap;
    inheriting['a'] = 1;
    inheriting['b'] = 2;
    maps.push(inheriting, { a: 9, b: 9, c: 9 });
    const w = new JsonBatchWriter();
    for (const m of maps) w.writeLine(m, '\n');
    expect(w.take().toString()).toBe(maps.map((m) => jsonMap(m) + '\n').join(''));
    expect(jsonMap(inheriting)).toBe('{"a":1,"b":2}');
  });

  it('follows a shape again after a map that left it, and after a full stop of learning', () => {
    const flow = (n: number, extra?: string): FieldMap => {
      const m: FieldMap = { version: 10, sourceIPv4Address: `10.0.0.${n}`, octetDeltaCount: n * 1000 };
      if (extra !== undefined) m[extra] = true;
      return { '@timestamp': new Timestamp(1735689600 + (n % 2), n), netflow: m, '@version': '1' };
    };
    for (const maxKeySteps of [undefined, 5]) {
      const w = new JsonBatchWriter(64, maxKeySteps);
      const maps = [flow(1), flow(2), flow(3, 'tag'), flow(4), flow(5, 'other'), {}, flow(6), { netflow: {} }, flow(7)];
      for (const m of maps) w.writeLine(m, '\n');
      expect(w.take().toString()).toBe(maps.map((m) => jsonMap(m) + '\n').join(''));
    }
  });

  it('renders each distinct timestamp, also when equal instants are different objects', () => {
    const w = new JsonBatchWriter();
    const stamps = [new Timestamp(0), new Timestamp(0), new Timestamp(0, 1), new Timestamp(-1, 999_999_999), new Timestamp(1e13), new Timestamp(0), new Timestamp(8), new Timestamp(0), new Timestamp(2 ** 32), new Timestamp(-8, 5)];
    for (const ts of stamps) w.writeLine({ '@timestamp': ts }, '\n');
    expect(w.take().toString()).toBe(stamps.map((ts) => jsonMap({ '@timestamp': ts }) + '\n').join(''));
  });
});

describe('JsonBatchWriter leases', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('lease' as const), maps: fc.array(arbitraryFieldMap, { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('take' as const), maps: fc.array(arbitraryFieldMap, { maxLength: 2 }) }),
    fc.record({ kind: fc.constant('release' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('abandon' as const), maps: fc.array(arbitraryFieldMap, { minLength: 1, maxLength: 2 }) }),
  );

  it('never writes over a batch that is lent out or taken, and reuses memory given back', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.constantFrom(64, 512, 4096), (ops, slab) => {
        const w = new JsonBatchWriter(slab);
        const lent: { lease: BatchLease; text: string }[] = [];
        const kept: { data: Buffer; text: string }[] = [];
        for (const o of ops) {
          if (o.kind === 'release') {
            const [item] = lent.splice(o.which % Math.max(1, lent.length), 1);
            item?.lease.release();
            item?.lease.release(); // a second release changes nothing
          } else {
            w.reset();
            for (const m of o.maps) w.writeLine(m, '\n');
            const text = o.maps.map((m) => jsonMap(m) + '\n').join('');
            if (o.kind === 'lease') lent.push({ lease: w.lease(), text });
            if (o.kind === 'take') kept.push({ data: w.take(), text });
          }
          for (const l of lent) expect(l.lease.data.toString()).toBe(l.text);
          for (const k of kept) expect(k.data.toString()).toBe(k.text);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('writes batch after batch into the same memory while each is given back before the next', () => {
    const w = new JsonBatchWriter(1024);
    const first = w.lease();
    first.release();
    w.reset();
    w.writeLine({ a: 1 }, '\n');
    const one = w.lease();
    expect(one.data.toString()).toBe('{"a":1}\n');
    one.release();
    for (let i = 0; i < 200; i++) {
      w.reset();
      w.writeLine({ i, pad: 'x'.repeat(i) }, '\n');
      const l = w.lease();
      expect(l.data.toString()).toBe(jsonMap({ i, pad: 'x'.repeat(i) }) + '\n');
      expect(l.data.buffer).toBe(one.data.buffer);
      l.release();
    }
  });
});

describe('json_lines encodeBatch', () => {
  it('equals encode() of each event concatenated, @metadata left out', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFieldMap, { maxLength: 3 }), fc.constantFrom('\n', '|', '\u2028'), (maps, delimiter) => {
        const codec = new JsonLinesCodec(delimiter);
        const events = maps.map((m) => new Event(m, { secret: 'never written' }));
        const one = events.map((e) => codec.encode(e)).join('');
        expect(codec.encodeBatch(events)).toEqual(Buffer.from(one));
        const lease = codec.encodeBatchLease(events);
        expect(lease.data).toEqual(Buffer.from(one));
        lease.release();
      }),
      { numRuns: 60 },
    );
  });
});
