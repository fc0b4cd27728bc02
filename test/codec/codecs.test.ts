import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Event } from '../../src/event/event.ts';
import { JsonCodec } from '../../src/plugins/codecs/json/json.ts';
import { JsonLinesCodec } from '../../src/plugins/codecs/json_lines/json_lines.ts';
import { LineCodec } from '../../src/plugins/codecs/line/line.ts';
import { PlainCodec } from '../../src/plugins/codecs/plain/plain.ts';
import { DotsCodec } from '../../src/plugins/codecs/dots/dots.ts';
import { parseJsonValue } from '../../src/event/json-parse.ts';
import { jsonMap } from '../../src/event/json.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap, type FieldValue } from '../../src/event/values.ts';
import { arbitraryFieldMap } from '../pipeline/arbitraries.ts';

const ts = new Timestamp(Date.UTC(2024, 4, 1, 12, 34, 56) / 1000, 789_000_000);

function decodeAll(codec: { decode: LineCodec['decode']; flush?: LineCodec['flush'] }, chunks: Buffer[]): Event[] {
  const out: Event[] = [];
  for (const c of chunks) codec.decode(c, {}, (e) => out.push(e));
  codec.flush?.({}, (e) => out.push(e));
  return out;
}

/** JSON's view of a value: timestamps become their string. */
function viaJson(v: FieldValue): FieldValue {
  if (v instanceof Timestamp) return v.toString();
  if (Array.isArray(v)) return v.map(viaJson);
  if (v !== null && typeof v === 'object' && !(v instanceof Float)) {
    const out: FieldMap = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: viaJson(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('json / json_lines encoding', () => {
  it('writes Jackson-style values, without @metadata or newline', () => {
    const e = new Event({ '@timestamp': ts, f: new Float(1), g: new Float(1e20), h: new Float(1e-4), big: 2n ** 64n, s: 'é"\n' });
    e.set('[@metadata][secret]', 1);
    const json = new JsonCodec().encode(e);
    expect(json).toBe(
      '{"@timestamp":"2024-05-01T12:34:56.789Z","@version":"1","f":1.0,"g":1.0E20,"h":1.0E-4,"big":18446744073709551616,"s":"é\\"\\n"}',
    );
    expect(new JsonLinesCodec('\n').encode(e)).toBe(json + '\n');
  });
  it('round-trips random nested events losslessly (bigint and Float included)', () => {
    fc.assert(
      fc.property(arbitraryFieldMap, (map) => {
        const text = jsonMap(map);
        expect(parseJsonValue(text)).toEqual(viaJson(map));
      }),
      { numRuns: 300 },
    );
  });
});

describe('json decoding', () => {
  it('parses objects and arrays of objects; bad JSON becomes a tagged event', () => {
    const c = new JsonLinesCodec('\n');
    const events = decodeAll(c, [Buffer.from('{"a":1,"@timestamp":"2024-05-01T12:34:56.789Z"}\n[{"b":2},{"b":3}]\n{oops\n')]);
    expect(events.map((e) => e.get('a') ?? e.get('b') ?? e.get('message'))).toEqual([1, 2, 3, '{oops']);
    expect(events[0]!.timestamp.toString()).toBe('2024-05-01T12:34:56.789Z');
    expect(events[3]!.get('tags')).toEqual(['_jsonparsefailure']);
    expect(c.stats()).toEqual({ json_parse_failures: 1, invalid_utf8: 0 });
  });
});

describe('charset and target', () => {
  it('line converts a non-UTF-8 charset', () => {
    const events = decodeAll(new LineCodec('\n', undefined, undefined, false, 'ISO-8859-1'), [Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]);
    expect(events[0]!.get('message')).toBe('café');
    expect(() => new LineCodec('\n', undefined, undefined, false, 'no-such-charset')).toThrow("Unsupported charset 'no-such-charset'");
  });
  it('json target puts the document under a field', () => {
    const events = decodeAll(new JsonLinesCodec('\n', undefined, { target: '[doc]' }), [Buffer.from('{"a":1}\n')]);
    expect(events[0]!.get('[doc][a]')).toBe(1);
  });
});

describe('line / plain / dots', () => {
  it('line splits across chunks, flushes the tail, keeps [event][original]', () => {
    const events = decodeAll(new LineCodec('\n', undefined), [Buffer.from('ab'), Buffer.from('c\nd\n\ne')]);
    expect(events.map((e) => e.get('message'))).toEqual(['abc', 'd', '', 'e']);
    expect(events[0]!.get('[event][original]')).toBe('abc');
  });
  it('line handles a multi-byte delimiter split between chunks', () => {
    const events = decodeAll(new LineCodec('||', undefined, undefined, false), [Buffer.from('a|'), Buffer.from('|b||')]);
    expect(events.map((e) => e.get('message'))).toEqual(['a', 'b']);
    expect(events[0]!.get('event')).toBeUndefined();
  });
  it('a 1 MB line arrives whole', () => {
    const big = 'x'.repeat(1 << 20);
    const chunks: Buffer[] = [];
    const data = Buffer.from(big + '\n');
    for (let i = 0; i < data.length; i += 65536) chunks.push(data.subarray(i, i + 65536));
    const events = decodeAll(new LineCodec('\n', undefined), chunks);
    expect(events).toHaveLength(1);
    expect((events[0]!.get('message') as string).length).toBe(1 << 20);
  });
  it('invalid UTF-8 becomes Ruby-escaped text, counted', () => {
    const c = new LineCodec('\n', undefined);
    const events = decodeAll(c, [Buffer.from([0x61, 0xff, 0x22, 0xc3, 0xa9, 0x0a])]);
    expect(events[0]!.get('message')).toBe('a\\xFF\\"é');
    expect(c.stats()).toEqual({ invalid_utf8: 1 });
  });
  it('encodes with format (sprintf) or event.to_s, with/without delimiter', () => {
    const e = new Event({ '@timestamp': ts, message: 'm', host: 'h' });
    expect(new LineCodec('\n', '%{message}-%{host}').encode(e)).toBe('m-h\n');
    expect(new LineCodec('\n', undefined).encode(e)).toBe('2024-05-01T12:34:56.789Z h m\n');
    expect(new PlainCodec(undefined).encode(e)).toBe('2024-05-01T12:34:56.789Z h m');
    expect(new DotsCodec().encode()).toBe('.');
    // A map-valued host (stdin under ECS) prints as Java's Map.toString.
    expect(new LineCodec('\n', undefined).encode(new Event({ '@timestamp': ts, message: 'm', host: { hostname: 'h', ip: ['a', 'b'] } }))).toBe(
      '2024-05-01T12:34:56.789Z {hostname=h, ip=[a, b]} m\n',
    );
  });
});
