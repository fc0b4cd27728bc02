import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, setOwn } from '../../src/event/values.ts';
import { decodeEvents, encodeEvents, EventWireError } from '../../src/pipeline/threads/event-wire.ts';

// ---- strict sameness: classes, Object.is for numbers, own keys in order ----

function sameValue(a: unknown, b: unknown, at: string): void {
  if (typeof a !== typeof b) throw new Error(`${at}: ${typeof a} vs ${typeof b}`);
  if (typeof a !== 'object' || a === null) {
    if (!Object.is(a, b)) throw new Error(`${at}: ${String(a)} vs ${String(b)}`);
    return;
  }
  if (b === null) throw new Error(`${at}: object vs null`);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) throw new Error(`${at}: different prototypes`);
  if (a instanceof Float) {
    if (!Object.is(a.value, (b as Float).value)) throw new Error(`${at}: Float ${a.value} vs ${(b as Float).value}`);
    return;
  }
  if (a instanceof Timestamp) {
    const t = b as Timestamp;
    if (!Object.is(a.seconds, t.seconds) || !Object.is(a.nanos, t.nanos)) throw new Error(`${at}: ${String(a)} vs ${String(t)}`);
    if (a.toString() !== t.toString()) throw new Error(`${at}: text differs`);
    sameKeys(a, t, at);
    return;
  }
  if (Array.isArray(a)) {
    const l = b as unknown[];
    if (a.length !== l.length) throw new Error(`${at}: length ${a.length} vs ${l.length}`);
    for (let i = 0; i < a.length; i++) sameValue(a[i], l[i], `${at}[${i}]`);
    return;
  }
  sameKeys(a, b as object, at);
  for (const k of Object.keys(a)) {
    sameValue(Object.getOwnPropertyDescriptor(a, k)!.value, Object.getOwnPropertyDescriptor(b, k)!.value, `${at}[${k}]`);
  }
}

function sameKeys(a: object, b: object, at: string): void {
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) {
    throw new Error(`${at}: keys ${JSON.stringify(ka.map(String))} vs ${JSON.stringify(kb.map(String))}`);
  }
}

function sameEvents(sent: readonly Event[], got: readonly Event[]): void {
  expect(got.length).toBe(sent.length);
  sent.forEach((e, i) => {
    expect(got[i]).toBeInstanceOf(Event);
    expect(got[i]!.cancelled).toBe(e.cancelled);
    sameValue(e.data, got[i]!.data, `event ${i} data`);
    sameValue(e.metadata, got[i]!.metadata, `event ${i} metadata`);
  });
}

function roundTrip(events: readonly Event[]): Event[] {
  return decodeEvents(encodeEvents(events));
}

// ---- arbitraries over the whole FieldValue space ----

const loneSurrogateString = fc.string({ unit: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a', 'é', '😀', '€') });
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  loneSurrogateString,
  fc.string({ minLength: 100, maxLength: 400 }),
  fc.string({ unit: 'binary', minLength: 100, maxLength: 300 }),
);
const key = fc.oneof(
  text,
  fc.constantFrom('__proto__', '', '@timestamp', '@version', 'tags', 'host', 'constructor', '0', '10', 'toString', 'é', '\uD800'),
);
const timestamp = fc.oneof(
  fc
    .record({ s: fc.integer({ min: -62_000_000_000, max: 250_000_000_000 }), n: fc.integer({ min: 0, max: 999_999_999 }) })
    .map(({ s, n }) => new Timestamp(s, n)),
  fc.constant(new Timestamp(Number.NaN)),
  fc.double().map((ms) => Timestamp.fromMillis(ms)),
);
const scalar: fc.Arbitrary<FieldValue> = fc.oneof(
  text,
  fc.integer(),
  fc.integer({ min: 0, max: 200 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 64, 0.1, 1e-320, Number.MAX_VALUE),
  fc.double().map((d) => new Float(d)),
  fc.constantFrom(new Float(-0), new Float(Number.NaN), new Float(1)),
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.constantFrom(2n ** 63n, -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 63n) - 1n, 0n, -1n),
  fc.boolean(),
  fc.constant(null),
  timestamp,
);

function mapOf(entries: readonly [string, FieldValue][]): FieldMap {
  const m: FieldMap = {};
  for (const [k, v] of entries) setOwn(m, k, v);
  return m;
}

const { value: arbitraryValue, map: arbitraryMap } = fc.letrec<{ value: FieldValue; map: FieldMap }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 8 }), tie('map')),
  map: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map(mapOf),
}));

const arbitraryEvent = fc
  .record({
    data: fc.array(fc.tuple(key, arbitraryValue), { maxLength: 8 }).map(mapOf),
    metadata: arbitraryMap,
    cancelled: fc.boolean(),
    adopted: fc.boolean(),
  })
  .map(({ data, metadata, cancelled, adopted }) => {
    // Either shape the constructor adopts as is, or fields set directly (any order, any @timestamp).
    const event = new Event(adopted ? data : {}, metadata);
    if (!adopted) event.data = data;
    event.cancelled = cancelled;
    return event;
  });

function flowEvent(i: number): Event {
  return new Event({
    '@timestamp': new Timestamp(1_700_000_000 + i, (i * 1_000_003) % 1e9),
    '@version': '1',
    host: '10.0.0.1',
    type: 'ipfix',
    ipfix: {
      version: 10,
      sourceIPv4Address: `192.168.${i % 256}.${(i * 7) % 256}`,
      destinationIPv4Address: '10.1.2.3',
      sourceTransportPort: 1024 + i,
      destinationTransportPort: 443,
      protocolIdentifier: 6,
      octetDeltaCount: 2 ** 40 + i,
      packetDeltaCount: i,
      flowStartMilliseconds: new Timestamp(1_700_000_000, 123_000_000),
      rate: new Float(i / 3),
      big: 2n ** 64n + BigInt(i),
    },
    tags: ['a', 'b'],
  });
}

// ---- tests ----

describe('event wire: round trip', () => {
  it('carries any events exactly: values, classes, key order, metadata, cancelled', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 6 }), (events) => {
        sameEvents(events, roundTrip(events));
      }),
      { numRuns: 400 },
    );
  });

  it('carries any single value exactly', () => {
    fc.assert(
      fc.property(arbitraryValue, (v) => {
        const event = new Event({ '@timestamp': new Timestamp(0), '@version': '1', v });
        sameEvents([event], roundTrip([event]));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps -0, NaN, infinities, fractions, large integers and bigints apart', () => {
    const values: FieldValue[] = [-0, 0, NaN, Infinity, -Infinity, 0.5, -1, 63, 64, 127, 128, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e300];
    const bigs: FieldValue[] = [0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n) - 1n, 10n ** 40n];
    const floats = [new Float(1), new Float(-0), new Float(NaN)];
    const event = new Event({ '@timestamp': new Timestamp(1, 5), '@version': '1', values, bigs, floats });
    const [back] = roundTrip([event]);
    sameEvents([event], [back!]);
    expect(typeof (back!.data.bigs as FieldValue[])[0]).toBe('bigint');
  });

  it('makes "__proto__" an own field and leaves prototypes alone', () => {
    const inner: FieldMap = {};
    setOwn(inner, '__proto__', { polluted: true });
    const data: FieldMap = { '@timestamp': new Timestamp(0), '@version': '1' };
    setOwn(data, '__proto__', inner);
    setOwn(data, '', 'empty key');
    const [back] = roundTrip([new Event(data)]);
    expect(Object.keys(back!.data)).toEqual(['@timestamp', '@version', '__proto__', '']);
    expect(Object.getPrototypeOf(back!.data)).toBe(Object.prototype);
    const innerBack = Object.getOwnPropertyDescriptor(back!.data, '__proto__')!.value as FieldMap;
    expect(Object.getPrototypeOf(innerBack)).toBe(Object.prototype);
    expect(Object.keys(innerBack)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('carries lone surrogates and non-ASCII text exactly (UTF-8 would make them U+FFFD)', () => {
    const strings = ['\uD800', 'a\uDC00b', '😀', '😀\uD83D', 'é'.repeat(200), '\uDFFF'.repeat(300), 'x'.repeat(127), 'x'.repeat(128)];
    const data: FieldMap = { '@timestamp': new Timestamp(0), '@version': '1', strings };
    for (const s of strings) setOwn(data, s, s);
    const [back] = roundTrip([new Event(data)]);
    sameEvents([new Event(data)], [back!]);
  });

  it('does not rebuild data the Event constructor would reorder or fill in', () => {
    const event = new Event({});
    event.data = { b: 1, '@version': '2', a: 'x' };
    const other = new Event({});
    other.data = { '@timestamp': 'not a timestamp' as unknown as FieldValue, x: 1 };
    const back = roundTrip([event, other]);
    expect(Object.keys(back[0]!.data)).toEqual(['b', '@version', 'a']);
    expect(back[0]!.data['@timestamp']).toBeUndefined();
    expect(back[1]!.data).toEqual({ '@timestamp': 'not a timestamp', x: 1 });
  });

  it('gives events the event API works on as before (get, set, remove, clone)', () => {
    const [back] = roundTrip([flowEvent(4), flowEvent(5)]);
    expect(back!.get('[ipfix][sourceTransportPort]')).toBe(1028);
    back!.set('[ipfix][new]', 'x');
    back!.remove('[ipfix][version]');
    expect(Object.keys(back!.data.ipfix as FieldMap).slice(-1)).toEqual(['new']);
    expect(back!.get('[ipfix][version]')).toBeUndefined();
    expect(back!.timestamp.toString()).toBe(flowEvent(4).timestamp.toString());
    sameValue(back!.clone().data, back!.data, 'clone');
  });

  it('keeps key order for maps of every size, integer-like keys included', () => {
    for (const n of [1, 2, 63, 64, 65, 300]) {
      const map: FieldMap = {};
      for (let i = n - 1; i >= 0; i--) setOwn(map, i % 3 === 0 ? String(i) : `k${i}`, i);
      setOwn(map, '__proto__', 'own');
      const event = new Event({ '@timestamp': new Timestamp(0), '@version': '1', map });
      const twice = roundTrip([event, event]);
      sameEvents([event, event], twice);
      expect(twice[0]!.data.map).not.toBe(twice[1]!.data.map);
    }
  });

  it('carries a batch of many events sharing keys, each key written once', () => {
    const events = Array.from({ length: 500 }, (_, i) => flowEvent(i));
    events[7]!.cancelled = true;
    events[9]!.metadata = { input: { port: 2055 } };
    const bytes = encodeEvents(events);
    sameEvents(events, decodeEvents(bytes));
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.split('sourceTransportPort').length - 1).toBe(1);
    expect(bytes.length / events.length).toBeLessThan(250);
  });

  it('encodes an empty batch and returns a buffer of exactly its bytes', () => {
    const bytes = encodeEvents([]);
    expect(decodeEvents(bytes)).toEqual([]);
    const full = encodeEvents([flowEvent(1)]);
    expect(full.byteOffset).toBe(0);
    expect(full.buffer.byteLength).toBe(full.byteLength);
  });

  it('survives a transfer between realms (structuredClone with transfer, as postMessage does)', () => {
    const events = [flowEvent(1), flowEvent(2)];
    const bytes = encodeEvents(events);
    const moved = structuredClone(bytes, { transfer: [bytes.buffer] });
    expect(bytes.byteLength).toBe(0);
    sameEvents(events, decodeEvents(moved));
  });

  it('reads a view into a larger buffer', () => {
    const bytes = encodeEvents([flowEvent(3)]);
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    sameEvents([flowEvent(3)], decodeEvents(big.subarray(7, 7 + bytes.length)));
  });
});

describe('event wire: damaged buffers', () => {
  it('throws EventWireError for a truncation at every offset', () => {
    const events = [flowEvent(1), flowEvent(2)];
    events[1]!.data.odd = ['\uD800x', 'é'.repeat(50), 2n ** 100n, new Timestamp(NaN), -5, 3.5, [], {}];
    const bytes = encodeEvents(events);
    for (let n = 0; n < bytes.length; n++) {
      let caught: unknown;
      try {
        decodeEvents(bytes.slice(0, n));
      } catch (err) {
        caught = err;
      }
      expect(caught, `prefix of ${n} bytes`).toBeInstanceOf(EventWireError);
    }
  });

  it('names the offset and what was expected', () => {
    const bytes = encodeEvents([flowEvent(1)]);
    expect(() => decodeEvents(bytes.slice(0, 3))).toThrow(/at byte 2: expected the event count \(1 items cannot fit in the 0 bytes left\)/);
    expect(() => decodeEvents(bytes.slice(0, 6))).toThrow(/at byte 4: expected a map size \(6 items cannot fit in the 1 bytes left\)/);
    expect(() => decodeEvents(new Uint8Array([1, 2]))).toThrow(/at byte 0: expected the batch header/);
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(() => decodeEvents(extra)).toThrow(/expected the end of the batch \(1 bytes left over\)/);
  });

  it('throws only EventWireError (or decodes) when any byte is corrupted', () => {
    const events = [flowEvent(1)];
    events[0]!.data.odd = ['\uD800x', 2n ** 100n, -(2 ** 40), new Float(2)];
    const bytes = encodeEvents(events);
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const damaged = bytes.slice();
        damaged[at] = value;
        try {
          decodeEvents(damaged);
        } catch (err) {
          if (!(err instanceof EventWireError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects runaway counts and nesting without allocating or overflowing the stack', () => {
    expect(() => decodeEvents(new Uint8Array([0xf5, 1, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(EventWireError);
    const deep = new Uint8Array(2 + 1 + 1 + 2 + 200_000 * 2);
    deep.set([0xf5, 1, 1, 0, 1, 3]);
    for (let i = 6; i < deep.length; i += 2) deep.set([0x0b, 1], i);
    expect(() => decodeEvents(deep)).toThrow(/nesting deeper than 1000/);
  });
});

describe('event wire: values that are not field values', () => {
  class Custom {}
  const cases: [string, unknown, RegExp][] = [
    ['undefined', undefined, /cannot encode undefined at \[ipfix\]\[list\]\[1\]/],
    ['a function', () => 1, /cannot encode a function at \[ipfix\]\[list\]\[1\]/],
    ['a symbol', Symbol('s'), /cannot encode a symbol/],
    ['a Buffer', Buffer.from('x'), /cannot encode a Buffer at \[ipfix\]\[list\]\[1\]/],
    ['a Uint8Array', new Uint8Array(1), /cannot encode a Uint8Array/],
    ['a Date', new Date(0), /cannot encode a Date/],
    ['a Map', new Map(), /cannot encode a Map/],
    ['a class instance', new Custom(), /cannot encode a Custom/],
  ];
  it.each(cases)('throws a TypeError naming the field path for %s', (_name, bad, message) => {
    const event = flowEvent(1);
    (event.data.ipfix as FieldMap).list = [1, bad as FieldValue];
    expect(() => encodeEvents([event])).toThrow(TypeError);
    expect(() => encodeEvents([event])).toThrow(message);
    // The encoder is left usable.
    sameEvents([flowEvent(2)], roundTrip([flowEvent(2)]));
  });

  it('names @metadata paths and rejects cycles', () => {
    const event = flowEvent(1);
    event.metadata = { a: undefined as unknown as FieldValue };
    expect(() => encodeEvents([event])).toThrow(/at \[@metadata\]\[a\]/);
    const cyclic: FieldMap = {};
    cyclic.self = cyclic;
    expect(() => encodeEvents([new Event({ cyclic })])).toThrow(/nesting deeper than 1000/);
  });

  it('writes a hole in a list (which the event code never makes) as nil', () => {
    // eslint-disable-next-line no-sparse-arrays
    const event = new Event({ '@timestamp': new Timestamp(0), '@version': '1', list: [1, , 3] as FieldValue[] });
    expect(roundTrip([event])[0]!.data.list).toEqual([1, null, 3]);
  });
});
