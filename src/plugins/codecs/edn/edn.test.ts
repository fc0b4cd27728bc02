// The edn and edn_lines codecs, from logstash-codec-edn's spec (spec/codecs/edn_spec.rb) and the edn
// gem's writer (lib/edn/core_ext.rb: `{k v, k v}`, `[a b]`, strings escaping only `"` and `\`).
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { standaloneContext } from '../../context.ts';
import type { Logger } from '../../types.ts';
import { EdnCodec } from './edn.ts';
import { EdnLinesCodec } from '../edn_lines/edn_lines.ts';
import { readEdn, writeEdn } from './edn-format.ts';

const src = { host: '127.0.0.1', port: 1 };

function recording(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push(`${level} ${msg} ${JSON.stringify(data ?? {})}`);
  return { lines, log: { trace: keep('trace'), debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error'), isEnabled: () => true } };
}

function decodeAll(codec: { decode: EdnCodec['decode']; flush?: EdnLinesCodec['flush'] }, text: string): Event[] {
  const out: Event[] = [];
  codec.decode(Buffer.from(text), src, (e) => out.push(e));
  codec.flush?.(src, (e) => out.push(e));
  return out;
}

// The spec's document: data.to_edn of {"foo" => "bar", "baz" => {"bah" => ["a","b","c"]}, "@timestamp" => "2014-05-30T02:52:17.929Z"}
const SPEC_DOC = '{"foo" "bar", "baz" {"bah" ["a" "b" "c"]}, "@timestamp" "2014-05-30T02:52:17.929Z"}';

describe('edn codec', () => {
  it('decodes the spec document: fields at the root, @timestamp parsed', () => {
    const [e] = decodeAll(new EdnCodec({ target: undefined } as never, standaloneContext()), SPEC_DOC);
    expect(e!.get('foo')).toBe('bar');
    expect(e!.get('baz')).toEqual({ bah: ['a', 'b', 'c'] });
    expect(e!.timestamp.toString()).toBe('2014-05-30T02:52:17.929Z');
  });

  it('with target [doc]: fields under the target, @timestamp stays the string it was', () => {
    const [e] = decodeAll(new EdnCodec({ target: '[doc]' } as never, standaloneContext()), SPEC_DOC);
    expect(e!.includes('foo')).toBe(false);
    expect(e!.get('[doc][foo]')).toBe('bar');
    expect(e!.get('[doc][baz]')).toEqual({ bah: ['a', 'b', 'c'] });
    expect(e!.get('[doc][@timestamp]')).toBe('2014-05-30T02:52:17.929Z');
  });

  it('encodes as the gem writes a Hash, @timestamp as ISO8601 text', () => {
    const e = new Event({ '@timestamp': Timestamp.fromMillis(Date.UTC(2014, 4, 30, 2, 52, 17, 929)), foo: 'bar', baz: { bah: ['a', 'b', 'c'] } });
    const out = new EdnCodec({ target: undefined } as never, standaloneContext()).encode(e);
    expect(out).toBe('{"@timestamp" "2014-05-30T02:52:17.929Z", "@version" "1", "foo" "bar", "baz" {"bah" ["a" "b" "c"]}}');
    expect(readEdn(out)).toMatchObject({ foo: 'bar', baz: { bah: ['a', 'b', 'c'] }, '@timestamp': '2014-05-30T02:52:17.929Z' });
  });

  it('a document that does not parse falls back to plain text with Logstash\'s WARN', () => {
    const { log, lines } = recording();
    const codec = new EdnCodec({ target: undefined } as never, standaloneContext({ log }));
    const [e] = decodeAll(codec, '{"a" 1');
    expect(e!.get('message')).toBe('{"a" 1');
    expect(lines[0]).toMatch(/^warn EDN parse failure\. Falling back to plain-text .*"data":"\{\\"a\\" 1"/);
    expect(codec.stats()).toEqual({ edn_parse_failures: 1 });
  });

  it('values an event cannot hold (a symbol, a set, #inst) fall back too; keywords become strings', () => {
    const codec = new EdnCodec({ target: undefined } as never, standaloneContext());
    for (const doc of ['{"a" sym}', '{"a" #{1 2}}', '{"a" #inst "2020-01-01T00:00:00Z"}', '[1 2]']) {
      expect(decodeAll(codec, doc)[0]!.get('message')).toBe(doc);
    }
    expect(decodeAll(codec, '{:level :warn}')[0]!.get('level')).toBe('warn');
  });
});

describe('EDN values', () => {
  it('keeps Float and Integer apart, big integers exact, escapes as the gem', () => {
    const v = readEdn('{"f" 2.0 "i" 2 "big" 123456789012345678901N "n" nil "t" true "s" "a\\"b\\\\c\\n" "c" \\x "l" (1 2) "u" #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"} trailing') as Record<string, unknown>;
    expect(v['f']).toBeInstanceOf(Float);
    expect(v['i']).toBe(2);
    expect(v['big']).toBe(123456789012345678901n);
    expect(v).toMatchObject({ n: null, t: true, s: 'a"b\\c\n', c: 'x', l: [1, 2], u: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6' });
    expect(writeEdn({ s: 'q"\\\n', f: new Float(2), e: new Float(1e20), a: [], h: {} })).toBe('{"s" "q\\"\\\\\n", "f" 2.0, "e" 1.0e+20, "a" [], "h" {}}');
  });

  it('rejects malformed text with an offset', () => {
    expect(() => readEdn('[1 2')).toThrow(/unterminated collection.*offset 4/);
    expect(() => readEdn('{"a"}')).toThrow(/key without a value at offset 1/);
    expect(() => readEdn('"abc')).toThrow(/unterminated string at offset 0/);
    expect(() => readEdn('')).toThrow(/unexpected end of input/);
    expect(() => readEdn('1.2.3')).toThrow(/invalid number/);
  });
});

describe('edn_lines codec', () => {
  it('one event per line; a failing line carries the whole chunk, as Logstash does', () => {
    const { log } = recording();
    const events = decodeAll(new EdnLinesCodec({ target: undefined } as never, standaloneContext({ log })), '{"a" 1}\n{"b" \n');
    expect(events[0]!.get('a')).toBe(1);
    expect(events[1]!.get('message')).toBe('{"a" 1}\n{"b" \n');
  });

  it('an unterminated last line is decoded at the end (Logstash loses it)', () => {
    const events = decodeAll(new EdnLinesCodec({ target: undefined } as never, standaloneContext()), '{"a" 1}\n{"b" 2}');
    expect(events.map((e) => e.get('a') ?? e.get('b'))).toEqual([1, 2]);
  });

  it('encodes one document per line', () => {
    const e = new Event({ '@timestamp': Timestamp.fromMillis(0), x: 1 });
    expect(new EdnLinesCodec({ target: undefined } as never, standaloneContext()).encode(e)).toBe('{"@timestamp" "1970-01-01T00:00:00.000Z", "@version" "1", "x" 1}\n');
  });
});
