import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { MutateFilter } from '../../src/plugins/filters/mutate/mutate.ts';
import { Float, type FieldMap } from '../../src/event/values.ts';
import type { Logger } from '../../src/plugins/types.ts';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (msg: string): void => void lines.push(msg);
  return { lines, trace: log, debug: log, info: log, warn: log, error: log, isEnabled: () => true };
}

function run(options: Record<string, unknown>, data: FieldMap): Event {
  const e = new Event(data);
  new MutateFilter(options, recorder()).filter(e);
  return e;
}

describe('mutate operations', () => {
  it('coerce sets a default only on a present nil field', () => {
    const e = run({ coerce: { a: 'dflt', b: 'dflt' } }, { a: null });
    expect(e.get('a')).toBe('dflt');
    expect(e.includes('b')).toBe(false);
  });
  it('rename moves values (sprintf names), skipping missing ones', () => {
    const e = run({ rename: { old: '[new][%{k}]', missing: 'x' } }, { old: 1, k: 'z' });
    expect(e.get('[new][z]')).toBe(1);
    expect(e.includes('old')).toBe(false);
    expect(e.includes('x')).toBe(false);
  });
  it('update only existing fields, replace always', () => {
    const e = run({ update: { a: '%{b}!', c: 'no' }, replace: { d: 'v-%{b}' } }, { a: 1, b: 'x' });
    expect(e.get('a')).toBe('x!');
    expect(e.includes('c')).toBe(false);
    expect(e.get('d')).toBe('v-x');
  });
  it('convert integer/float/string/boolean (and their _eu forms), element-wise on lists', () => {
    const e = run(
      {
        convert: {
          i: 'integer',
          i2: 'integer',
          f: 'float',
          s: 'string',
          b: 'boolean',
          l: 'integer',
          eu: 'float_eu',
          ieu: 'integer_eu',
          hex: 'integer',
          sci: 'integer',
          h: 'integer',
        },
      },
      {
        i: '1,234.9',
        i2: 'abc',
        f: '3',
        s: new Float(1.5),
        b: 'yes',
        l: ['1', '2', null],
        eu: '1.234,5',
        ieu: '1.234',
        hex: '0x1A',
        sci: '1e3',
        h: { a: '1' },
      },
    );
    expect(e.get('i')).toBe(1234);
    expect(e.get('i2')).toBe(0);
    expect(e.get('f')).toEqual(new Float(3));
    expect(e.get('s')).toBe('1.5');
    expect(e.get('b')).toBe(true);
    expect(e.get('l')).toEqual([1, 2, null]);
    expect(e.get('eu')).toEqual(new Float(1234.5));
    expect(e.get('ieu')).toBe(1234);
    expect(e.get('hex')).toBe(26);
    expect(e.get('sci')).toBe(1000);
    expect(e.get('h')).toEqual({ a: '1' });
  });
  it('a failing float conversion tags _mutate_error and skips add_tag', () => {
    const e = run({ convert: { f: 'float' }, add_tag: ['ok'] }, { f: 'abc' });
    expect(e.get('tags')).toEqual(['_mutate_error']);
  });
  it('gsub with Ruby regexps and backreferences, on strings and string lists', () => {
    const e = run({ gsub: ['a', '(\\w+)@(\\w+)', '\\2 at \\1', 'l', '[aeiou]', '_', 'n', 'x', 'y'] }, {
      a: 'me@host',
      l: ['abc', 5],
      n: 7,
    });
    expect(e.get('a')).toBe('host at me');
    expect(e.get('l')).toEqual(['_bc', 5]);
    expect(e.get('n')).toBe(7);
  });
  it('uppercase, capitalize, lowercase, strip', () => {
    const e = run(
      { uppercase: ['u'], capitalize: ['c'], lowercase: ['l'], strip: ['s', 'sl'] },
      { u: ['ab', 1], c: 'hELLO world', l: 'ÉCOLE', s: '  x \t\n', sl: [' a ', 'b '] },
    );
    expect(e.get('u')).toEqual(['AB', 1]);
    expect(e.get('c')).toBe('Hello world');
    expect(e.get('l')).toBe('école');
    expect(e.get('s')).toBe('x');
    expect(e.get('sl')).toEqual(['a', 'b']);
  });
  it('split like Ruby String#split, join like Array#join', () => {
    const e = run({ split: { a: ',', w: ' ' }, join: { j: '/', notlist: '-' } }, {
      a: 'x,y,,',
      w: '  one  two ',
      j: ['a', 1, null, ['b']],
      notlist: 's',
    });
    expect(e.get('a')).toEqual(['x', 'y']);
    expect(e.get('w')).toEqual(['one', 'two']);
    expect(e.get('j')).toBe('a/1//b');
    expect(e.get('notlist')).toBe('s');
  });
  it('merge arrays, strings and hashes; refuses hash with non-hash', () => {
    const e = run({ merge: { a: 'b', s: 't', h: 'g', x: 'h' } }, {
      a: [1],
      b: [2, 3],
      s: 'x',
      t: 'y',
      h: { k: 1 },
      g: { k: 2, m: 3 },
    });
    expect(e.get('a')).toEqual([1, 2, 3]);
    expect(e.get('s')).toEqual(['x', 'y']);
    expect(e.get('h')).toEqual({ k: 2, m: 3 });
    expect(e.includes('x')).toBe(false);
  });
  it('copy deep-clones', () => {
    const e = run({ copy: { src: 'dst' } }, { src: { a: [1] } });
    (e.get('src') as { a: number[] }).a.push(2);
    expect(e.get('dst')).toEqual({ a: [1] });
  });
  it('runs in Logstash’s order: rename before replace, split before join, copy last', () => {
    const e = run({ copy: { a: 'c' }, join: { a: '+' }, split: { a: ',' }, replace: { b: '%{a}' }, rename: { x: 'a' } }, {
      x: '1,2',
    });
    expect(e.get('b')).toBe('1,2');
    expect(e.get('a')).toBe('1+2');
    expect(e.get('c')).toBe('1+2');
  });
  it('common options on success: add_field, remove_field, add_tag, remove_tag', () => {
    const e = run(
      { add_field: { 'f_%{k}': 'v-%{k}', k: 'second' }, remove_field: ['gone'], add_tag: ['t_%{k}', 'u_%{j}'], remove_tag: ['old'] },
      { k: 'z', j: 'y', gone: 1, tags: ['old', 'keep'] },
    );
    expect(e.get('f_z')).toBe('v-z');
    expect(e.get('k')).toEqual(['z', 'second']);
    expect(e.includes('gone')).toBe(false);
    // add_tag runs after add_field, so %{k} already sees the list.
    expect(e.get('tags')).toEqual(['keep', 't_z,second', 'u_y']);
  });
  it('a mutate on a missing field leaves the event as it was', () => {
    const e = run({ uppercase: ['nope'], convert: { nope: 'integer' }, strip: ['nope'] }, { a: 1 });
    expect(e.includes('nope')).toBe(false);
    expect(e.get('tags')).toBeUndefined();
  });
  it('rejects an unknown conversion at start', () => {
    expect(() => new MutateFilter({ convert: { a: 'int' } })).toThrow(/Invalid conversion type 'int'/);
  });
});
