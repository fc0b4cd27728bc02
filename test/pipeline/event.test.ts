import { describe, expect, it } from 'vitest';
import { Event, FieldSetError } from '../../src/event/event.ts';
import { parseFieldReference } from '../../src/event/fieldref.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, javaDoubleToString, rubyFloatToString } from '../../src/event/values.ts';

describe('field references (strict, like FieldReference.java)', () => {
  it('parses paths and literal names', () => {
    expect(parseFieldReference('a.b')).toEqual(['a.b']);
    expect(parseFieldReference('[a][b]')).toEqual(['a', 'b']);
    expect(parseFieldReference('[[a][b]]')).toEqual(['a', 'b']);
    expect(parseFieldReference('[a b]')).toEqual(['a b']);
  });
  it.each(['a[b]', '[a]b', '[]', '[a', 'a]', '[a][b]c'])('rejects %s with Logstash’s message', (ref) => {
    expect(() => parseFieldReference(ref)).toThrow(`Invalid FieldReference: \`${ref}\``);
  });
});

describe('Event', () => {
  it('gets @timestamp and @version first', () => {
    const e = new Event({ message: 'x' });
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'message']);
    expect(e.get('@version')).toBe('1');
  });
  it('sets nested fields, keeps insertion order, reads lists with negative indexes', () => {
    const e = new Event({});
    e.set('[a][b]', 1);
    e.set('z', [1, 2, 3]);
    expect(e.get('[a][b]')).toBe(1);
    expect(e.get('[z][-1]')).toBe(3);
    expect(e.get('[z][5]')).toBeUndefined();
    expect(Object.keys(e.data).slice(2)).toEqual(['a', 'z']);
  });
  it('pads lists with nulls when setting past the end', () => {
    const e = new Event({ l: [1] });
    e.set('[l][3]', 4);
    expect(e.get('l')).toEqual([1, null, null, 4]);
  });
  it('fails on a sub-field of a scalar with Logstash’s exact text', () => {
    const e = new Event({ a: 'str' });
    expect(() => e.set('[a][b]', 'v')).toThrow(
      "Could not set field 'b' on object 'str' to value 'v'.This is probably due to trying to set a field like [foo][bar] = someValuewhen [foo] is not either a map or a string",
    );
    expect(e.get('[a][b]')).toBeUndefined();
  });
  it('guards tags and @timestamp', () => {
    const e = new Event({});
    expect(() => e.set('tags', { x: 1 })).toThrow(
      "Could not set the reserved tags field '[tags]' to value '{\"x\":1}'. The tags field only accepts string or array of string.",
    );
    expect(() => e.set('[tags][x]', 'y')).toThrow(FieldSetError);
    expect(() => e.set('@timestamp', 'now')).toThrow('wrong argument type String (expected LogStash::Timestamp)');
    e.tag('a');
    e.tag('a');
    e.tag('b');
    expect(e.get('tags')).toEqual(['a', 'b']);
  });
  it('keeps @metadata apart', () => {
    const e = new Event({});
    e.set('[@metadata][x]', 1);
    expect(e.get('[@metadata][x]')).toBe(1);
    expect(e.data['@metadata']).toBeUndefined();
    expect(e.includes('[@metadata]')).toBe(true);
  });
  it('removes fields and list elements', () => {
    const e = new Event({ a: { b: 1, c: 2 }, l: [1, 2, 3] });
    expect(e.remove('[a][b]')).toBe(1);
    expect(e.remove('[l][0]')).toBe(1);
    expect(e.data['a']).toEqual({ c: 2 });
    expect(e.data['l']).toEqual([2, 3]);
  });
  it('builds from parsed JSON with Logstash’s failure tags', () => {
    const ok = Event.fromParsed({ '@timestamp': '2024-05-01T12:34:56.789123Z', a: 1 });
    expect(ok.timestamp.toString()).toBe('2024-05-01T12:34:56.789123Z');
    const bad = Event.fromParsed({ '@timestamp': 'yesterday', tags: { a: 1 } });
    expect(bad.get('_@timestamp')).toBe('yesterday');
    expect(bad.get('_tags')).toEqual({ a: 1 });
    expect(bad.get('tags')).toEqual(['_timestampparsefailure', '_tagsparsefailure']);
  });
  it('to_s is "<@timestamp> <host> <message>" with literal placeholders', () => {
    const e = new Event({ '@timestamp': new Timestamp(0), message: 'hi' });
    expect(e.toString()).toBe('1970-01-01T00:00:00.000Z %{host} hi');
  });
});

describe('number rendering', () => {
  it.each([
    [0.5, '0.5', '0.5'],
    [100, '100.0', '100.0'],
    [1e20, '1.0e+20', '1.0E20'],
    [1e-5, '1.0e-05', '1.0E-5'],
    [0.0001, '0.0001', '1.0E-4'],
    [1e16, '1.0e+16', '1.0E16'],
    [1e15, '1000000000000000.0', '1.0E15'],
    [1234567.5, '1234567.5', '1234567.5'],
    [12345678.5, '12345678.5', '1.23456785E7'],
    [-2.5e-7, '-2.5e-07', '-2.5E-7'],
  ])('%d → Ruby %s, Java %s', (x, ruby, java) => {
    expect(rubyFloatToString(x)).toBe(ruby);
    expect(javaDoubleToString(x)).toBe(java);
  });
  it('Float wraps values', () => expect(new Float(2).valueOf()).toBe(2));
});

describe('Event.set through names Object.prototype also has', () => {
  it('creates [constructor][x] and [toString][y] like any other nested field', () => {
    const e = new Event({ '@timestamp': new Timestamp(0) });
    e.set('[constructor][x]', 1);
    e.set('[toString][y]', 'z');
    expect(e.get('[constructor][x]')).toBe(1);
    expect(e.data['toString']).toEqual({ y: 'z' });
  });
});

describe('Event.clone of a field named __proto__', () => {
  it('copies it as a field (a clone filter copies every field), never as the copy’s prototype', () => {
    const e = new Event({ '@timestamp': new Timestamp(0) });
    e.set('[a][__proto__]', { polluted: true });
    const c = e.clone();
    const a = c.data['a'] as Record<string, unknown>;
    expect(Object.keys(a)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(c.get('[a][__proto__][polluted]')).toBe(true);
    expect((a as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
