// The field walk takes one lookup per step and trusts a hit only on a map's own data; the path APIs
// (getPath/includesPath/setPath/removePath/addValue) must answer exactly like the string ones.
import { describe, expect, it } from 'vitest';
import { Event, FieldSetError } from './event.ts';
import { fieldPath, interpolated, interpolatedFieldPath } from './compiled-ref.ts';
import { parseFieldReference } from './fieldref.ts';
import { Timestamp } from './timestamp.ts';
import { Float } from './values.ts';

const ev = (data: Record<string, unknown> = {}): Event =>
  new Event({ '@timestamp': new Timestamp(0), '@version': '1', ...(data as object) } as never);

describe('walk: names Object.prototype has, and values that are not maps', () => {
  it('never finds inherited properties', () => {
    const e = ev({ a: {} });
    for (const k of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__']) {
      expect(e.get(k)).toBeUndefined();
      expect(e.get(`[a][${k}]`)).toBeUndefined();
      expect(e.get(`[a][${k}][x]`)).toBeUndefined();
      expect(e.includes(`[a][${k}]`)).toBe(false);
      expect(e.remove(`[a][${k}]`)).toBeUndefined();
    }
  });
  it('finds own fields named like Object.prototype members, __proto__ included', () => {
    const e = ev();
    e.set('[a][__proto__][b]', 1);
    e.set('constructor', 'c');
    e.set('[toString][x]', 2);
    expect(e.get('[a][__proto__][b]')).toBe(1);
    expect(e.get('[a][__proto__]')).toEqual(JSON.parse('{"b":1}'));
    expect(Object.getPrototypeOf(e.data['a'])).toBe(Object.prototype);
    expect(e.get('constructor')).toBe('c');
    expect(e.get('[toString][x]')).toBe(2);
    expect(e.remove('[a][__proto__]')).toEqual({ b: 1 });
    expect(e.includes('[a][__proto__]')).toBe(false);
  });
  it('does not step into strings, numbers, Floats or Timestamps', () => {
    const e = ev({ s: 'abc', n: 5, f: new Float(1.5), t: new Timestamp(7), b: true, z: null });
    expect(e.get('[s][0]')).toBeUndefined();
    expect(e.get('[s][length]')).toBeUndefined();
    expect(e.get('[n][toFixed]')).toBeUndefined();
    expect(e.get('[f][value]')).toBeUndefined();
    expect(e.get('[f][valueOf]')).toBeUndefined();
    expect(e.get('[t][seconds]')).toBeUndefined();
    expect(e.get('[t][nanos]')).toBeUndefined();
    expect(e.get('[b][x]')).toBeUndefined();
    expect(e.get('[z][x]')).toBeUndefined();
    expect(e.get('z')).toBeNull();
    expect(e.includes('z')).toBe(true);
  });
  it('indexes lists by integer text only (negative from the end), never by their properties', () => {
    const e = ev({ l: [{ x: 1 }, 'b', [3]] });
    expect(e.get('[l][0][x]')).toBe(1);
    expect(e.get('[l][-1][0]')).toBe(3);
    expect(e.get('[l][-3][x]')).toBe(1);
    expect(e.get('[l][-4]')).toBeUndefined();
    expect(e.get('[l][3]')).toBeUndefined();
    expect(e.get('[l][length]')).toBeUndefined();
    expect(e.get('[l][map]')).toBeUndefined();
    expect(e.get('[l][1][0]')).toBeUndefined();
  });
  it('reads @metadata apart', () => {
    const e = ev({ a: 1 });
    e.set('[@metadata][a]', 2);
    expect(e.get('[@metadata][a]')).toBe(2);
    expect(e.get('[@metadata][toString]')).toBeUndefined();
    expect(e.includes('[@metadata]')).toBe(true);
    expect(e.includesPath(['@metadata'])).toBe(true);
  });
});

describe('set through Object.prototype names creates maps', () => {
  it('[hasOwnProperty][x], [__proto__][x], and fails on a scalar in the way', () => {
    const e = ev({ s: 'x' });
    e.set('[hasOwnProperty][x]', 1);
    e.set('[__proto__][y]', 2);
    expect(e.data['hasOwnProperty']).toEqual({ x: 1 });
    expect(e.get('[__proto__][y]')).toBe(2);
    expect(Object.getPrototypeOf(e.data)).toBe(Object.prototype);
    expect(() => e.set('[s][x]', 1)).toThrow(FieldSetError);
  });
});

describe('addValue (add_field): set when absent, else appended', () => {
  it('sets, appends to a value (nil too) or a list, through missing parents', () => {
    const e = ev({ a: 'x', n: null, l: ['p'] });
    e.addValue(['new'], 'v');
    e.addValue(['a'], 'y');
    e.addValue(['n'], 'z');
    e.addValue(['l'], 'q');
    e.addValue(['m', 'k'], 'deep');
    e.addValue(['m', 'k'], 'deeper');
    expect(e.data['new']).toBe('v');
    expect(e.data['a']).toEqual(['x', 'y']);
    expect(e.data['n']).toEqual([null, 'z']);
    expect(e.data['l']).toEqual(['p', 'q']);
    expect(e.get('[m][k]')).toEqual(['deep', 'deeper']);
  });
  it('adds under an own __proto__ and beside inherited names', () => {
    const e = ev();
    e.addValue(['__proto__'], 'a');
    e.addValue(['__proto__'], 'b');
    e.addValue(['x', 'constructor'], 'c');
    expect(e.get('__proto__')).toEqual(['a', 'b']);
    expect(Object.getPrototypeOf(e.data)).toBe(Object.prototype);
    expect(e.get('[x][constructor]')).toBe('c');
  });
  it('goes through list elements and @metadata', () => {
    const e = ev({ l: [{}, 'b'] });
    e.addValue(['l', '0', 'k'], 1);
    e.addValue(['l', '-1'], 'c');
    e.addValue(['@metadata', 'm'], 'x');
    e.addValue(['@metadata', 'm'], 'y');
    expect(e.get('[l][0][k]')).toBe(1);
    expect(e.get('[l][1]')).toEqual(['b', 'c']);
    expect(e.metadata['m']).toEqual(['x', 'y']);
  });
  it('keeps the reserved fields’ checks', () => {
    const e = ev();
    e.addValue(['tags'], 'a');
    e.addValue(['tags'], 'b');
    expect(e.data['tags']).toEqual(['a', 'b']);
    // @timestamp exists: appending makes a list, which set() refuses.
    expect(() => e.addValue(['@timestamp'], 'x')).toThrow('wrong argument type Array (expected LogStash::Timestamp)');
    expect(() => e.addValue(['@metadata'], 'x')).toThrow('wrong argument type Array (expected Hash)');
    const s = ev({ s: 'str' });
    expect(() => s.addValue(['s', 'x'], 1)).toThrow(FieldSetError);
    expect(() => s.addValue(['s', 'x', 'y'], 1)).toThrow("Could not set field 'x' on object 'str' to value '1'");
    const f = ev({ f: new Float(1) });
    expect(() => f.addValue(['f', 'x'], 1)).toThrow(FieldSetError);
  });
});

describe('compiled references', () => {
  it('a static reference is parsed once; an invalid one throws per event', () => {
    const e = ev({ a: { b: 1 } });
    expect(fieldPath('[a][b]')(e)).toBe(parseFieldReference('[a][b]'));
    const bad = fieldPath('a[b]');
    expect(() => bad(e)).toThrow('Invalid FieldReference: `a[b]`');
  });
  it('an interpolated reference is sprintf’d per event, then parsed', () => {
    const e = ev({ n: 'x', m: 'a[' });
    expect(interpolatedFieldPath('[f][%{n}]')(e)).toEqual(['f', 'x']);
    expect(() => interpolatedFieldPath('%{m}b')(e)).toThrow('Invalid FieldReference: `a[b`');
    expect(interpolated('v-%{n}')(e)).toBe('v-x');
    expect(interpolated('plain')(e)).toBe('plain');
  });
  it('a template that does not compile fails per event', () => {
    const t = interpolated('%{a[b}');
    expect(() => t(ev())).toThrow('Invalid FieldReference');
  });
});

describe('removing a top-level field (the map is rebuilt, not given a delete)', () => {
  it('keeps the order of the others; a field set again goes last', () => {
    const e = ev({ a: 1, b: { c: 2 }, d: [3], f: null });
    const b = e.data['b'];
    expect(e.remove('b')).toBe(b);
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'a', 'd', 'f']);
    expect(e.remove('f')).toBeNull();
    e.set('b', 'again');
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'a', 'd', 'b']);
    expect(e.removePath(['@timestamp'])).toBeInstanceOf(Timestamp);
    expect(Object.keys(e.data)).toEqual(['@version', 'a', 'd', 'b']);
  });
  it('misses leave the map as it is: absent names and Object.prototype members', () => {
    const e = ev({ a: 1 });
    const before = e.data;
    for (const k of ['nope', 'constructor', 'toString', '__proto__']) expect(e.remove(k)).toBeUndefined();
    expect(e.data).toBe(before);
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'a']);
  });
  it('an own __proto__ field is removed, or kept as a field when another goes', () => {
    const e = ev({ a: 1 });
    e.set('__proto__', 'p');
    e.set('z', 2);
    expect(e.remove('a')).toBe(1);
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', '__proto__', 'z']);
    expect(Object.getPrototypeOf(e.data)).toBe(Object.prototype);
    expect(e.get('__proto__')).toBe('p');
    expect(e.remove('__proto__')).toBe('p');
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'z']);
  });
});

describe('set(ref): a reference set often gets a compiled setter, with the same effects', () => {
  it('before and after compiling: creates maps, overwrites in place, raises the same errors', () => {
    for (let i = 0; i < 20; i++) {
      const e = ev({ a: { x: 1, b: 'old' }, s: 'scalar' });
      e.set('[a][b]', i);
      e.set('[n][m]', 'new');
      expect(Object.keys(e.data['a'] as object)).toEqual(['x', 'b']);
      expect(e.get('[a][b]')).toBe(i);
      expect(e.get('[n][m]')).toBe('new');
      expect(() => e.set('[s][t]', 1)).toThrow(FieldSetError);
      expect(() => e.set('tags', 1 as never)).toThrow(/reserved tags field/);
      expect(() => e.set('@timestamp', 'x')).toThrow(/expected LogStash::Timestamp/);
      expect(() => e.set('a[b]', 1)).toThrow(/Invalid FieldReference/);
      e.set('[@metadata][k]', i);
      expect(e.metadata['k']).toBe(i);
      e.set('[l][1]', 'y');
      expect(e.get('l')).toEqual({ 1: 'y' });
    }
    const listed = ev({ l: ['a'] });
    for (let i = 0; i < 10; i++) listed.set('[l][2]', i);
    expect(listed.get('l')).toEqual(['a', null, 9]);
  });
});

describe('get(ref): a reference read often gets a compiled getter, with the same answers', () => {
  it('before and after compiling: own fields, lists, scalars in the way, @metadata, invalid references', () => {
    for (let i = 0; i < 20; i++) {
      const e = ev({ a: { b: i, l: ['x', { y: 'z' }] }, s: 'scalar', o: {} });
      e.metadata['m'] = { n: i };
      expect(e.get('[a][b]')).toBe(i);
      expect(e.get('[a][l][-1][y]')).toBe('z');
      expect(e.get('[s][length]')).toBeUndefined();
      expect(e.get('[o][constructor]')).toBeUndefined();
      expect(e.get('[@metadata][m][n]')).toBe(i);
      expect(e.get('@metadata')).toBe(e.metadata);
      expect(e.get('missing')).toBeUndefined();
      expect(() => e.get('a[b]')).toThrow(/Invalid FieldReference/);
    }
  });
});
