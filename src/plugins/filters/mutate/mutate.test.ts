// Expected values from logstash-filter-mutate's lib/logstash/filters/mutate.rb (3.5.8+: the strict
// conversions of Logstash 8.14 and later) and spec/filters/mutate_spec.rb.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float, type FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { MutateFilter } from './mutate.ts';
import { mutateSchema, type MutateFilterOptions } from './schema.ts';

const make = (options: Record<string, unknown>, log = recorder()): MutateFilter =>
  new MutateFilter(withDefaults<MutateFilterOptions>(mutateSchema, options), context('v8', log));

function run(options: Record<string, unknown>, data: FieldMap, log = recorder()): Event {
  const e = new Event(data);
  make(options, log).filter(e);
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
  it('gsub with a %{field} needle compiles the interpolated pattern per event', async () => {
    const filter = make({ gsub: ['m', '%{pat}', '_'] });
    await filter.register();
    for (const [pat, want] of [['a+', 'b_c_'], ['c', 'baa_aa']] as const) {
      const e = new Event({ m: 'baacaa', pat });
      filter.filter(e);
      expect(e.get('m')).toBe(want);
    }
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
    expect(() => make({ convert: { a: 'int' } })).toThrow(/Invalid conversion type 'int'/);
  });
});

describe('mutate convert (Logstash ≥ 8.14 strict rules)', () => {
  it('integer: commas dropped, to_i for plain strings, BigDecimal for strings with e, exact hex', () => {
    const e = run(
      { convert: { a: 'integer', b: 'integer', c: 'integer', d: 'integer', f: 'integer', g: 'integer', h: 'integer', i: 'integer', j: 'integer', k: 'integer' } },
      { a: ' 1,234.9 ', b: 'abc', c: '12abc', d: '1e3', f: '1.5e3', g: '1E3', h: '-0x1A', i: '0xFFFFFFFFFFFFFFFFFF', j: new Float(-7.9), k: [true, false, 3] },
    );
    expect([e.get('a'), e.get('b'), e.get('c'), e.get('d'), e.get('f'), e.get('g'), e.get('h'), e.get('i'), e.get('j'), e.get('k')]).toEqual([
      1234, 0, 12, 1000, 1500, 1, -26, 4722366482869645213695n, -7, [1, 0, 3],
    ]);
    expect(e.get('tags')).toBeUndefined();
  });
  it('spec "basics": intme ["1234","7890.4","7.9"] → [1234,7890,7], floatme ["1234.455"] → [1234.455]', () => {
    const e = run({ convert: { intme: 'integer', floatme: 'float' } }, { intme: ['1234', '7890.4', '7.9'], floatme: ['1234.455'] });
    expect(e.get('intme')).toEqual([1234, 7890, 7]);
    expect(e.get('floatme')).toEqual([new Float(1234.455)]);
  });
  it('float: strict Float() after comma removal; hex signed; booleans and integers widen', () => {
    const e = run(
      { convert: { a: 'float', b: 'float', c: 'float', d: 'float', f: 'float', g: 'float' } },
      { a: '1,000.5', b: '1e3', c: '-0x1A', d: true, f: 5, g: '  2.5\t' },
    );
    expect([e.get('a'), e.get('b'), e.get('c'), e.get('d'), e.get('f'), e.get('g')]).toEqual([
      new Float(1000.5), new Float(1000), new Float(-26), new Float(1), new Float(5), new Float(2.5),
    ]);
  });
  it('_eu forms swap the separators first', () => {
    const e = run({ convert: { a: 'integer_eu', b: 'float_eu', c: 'integer_eu', d: 'float_eu' } }, { a: '1.234,56', b: '1.234,5', c: 'abc', d: 2 });
    expect([e.get('a'), e.get('b'), e.get('c'), e.get('d')]).toEqual([1234, new Float(1234.5), 0, new Float(2)]);
  });
  for (const [type, bad] of [
    ['float', 'abc'],
    ['float', ''],
    ['float', '1e'],
    ['float_eu', 'abc'],
    ['integer', 'none'],
    ['integer', '1e3x'],
    ['integer_eu', 'three'],
  ] as const) {
    it(`${type} of ${JSON.stringify(bad)} fails the event: value kept, tag, WARN with Ruby's message`, () => {
      const log = recorder();
      const e = run({ convert: { v: type }, add_tag: ['ok'] }, { v: bad }, log);
      expect(e.get('v')).toBe(bad);
      expect(e.get('tags')).toEqual(['_mutate_error']);
      const warns = log.lines.filter((l) => l.level === 'warn');
      expect(warns.map((l) => l.msg)).toEqual(['Exception caught while applying mutate filter']);
      expect(String(warns[0]!.data?.['exception'])).toMatch(/^invalid value for (Float|BigDecimal)\(\): /);
    });
  }
  it('a failing element leaves the whole array unconverted', () => {
    const e = run({ convert: { l: 'float' } }, { l: ['1', 'x', '3'] });
    expect(e.get('l')).toEqual(['1', 'x', '3']);
    expect(e.get('tags')).toEqual(['_mutate_error']);
    const h = run({ convert: { l: 'integer' } }, { l: ['1', { a: 1 }] });
    expect(h.get('l')).toEqual(['1', { a: 1 }]);
    expect(h.get('tags')).toEqual(['_mutate_error']);
  });
  it('on failure: earlier operations and conversions stay, later ones and the common options do not run', () => {
    const log = recorder();
    const e = run(
      {
        rename: { old: 'renamed' },
        replace: { r: 'replaced' },
        convert: { first: 'integer', bad: 'float', after: 'integer' },
        uppercase: ['u'],
        copy: { u: 'copied' },
        add_tag: ['ok'],
        add_field: { added: 'yes' },
        tag_on_failure: 'convert_failed',
      },
      { old: 1, first: '5', bad: 'abc', after: '6', u: 'low' },
      log,
    );
    expect(e.get('renamed')).toBe(1);
    expect(e.get('r')).toBe('replaced');
    expect(e.get('first')).toBe(5);
    expect(e.get('bad')).toBe('abc');
    expect(e.get('after')).toBe('6');
    expect(e.get('u')).toBe('low');
    expect(e.includes('copied')).toBe(false);
    expect(e.includes('added')).toBe(false);
    expect(e.get('tags')).toEqual(['convert_failed']);
    expect(make({}).stats()).toEqual({ matched: 0, failures: 0 });
  });
  it('boolean, as spec "convert strings to boolean values"', () => {
    const log = recorder();
    const data: FieldMap = {
      true_field: 'true', false_field: 'false', true_upper: 'True', false_upper: 'False', true_one: '1', false_zero: '0',
      true_yes: 'yes', false_no: 'no', true_y: 'Y', false_n: 'N', wrong_field: 'none of the above',
      integer_false: 0, integer_true: 1, integer_negative: -1, integer_wrong: 2,
      float_true: new Float(1), float_false: new Float(0), float_negative: new Float(-1), float_wrong: new Float(1.0123), float_wrong2: new Float(0.01),
      array: ['1', '0', 0, 1, 2], hash: { a: 0 },
    };
    const e = run({ convert: Object.fromEntries(Object.keys(data).map((k) => [k, 'boolean'])) }, data, log);
    expect(e.data).toMatchObject({
      true_field: true, false_field: false, true_upper: true, false_upper: false, true_one: true, false_zero: false,
      true_yes: true, false_no: false, true_y: true, false_n: false, wrong_field: 'none of the above',
      integer_false: false, integer_true: true, integer_negative: -1, integer_wrong: 2,
      float_true: true, float_false: false, float_negative: new Float(-1), float_wrong: new Float(1.0123), float_wrong2: new Float(0.01),
      array: [true, false, false, true, 2], hash: { a: 0 },
    });
    expect(e.get('tags')).toBeUndefined();
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toContain('Failed to convert none of the above into boolean.');
  });
  it('string of numbers, floats and booleans (Ruby to_s)', () => {
    const e = run({ convert: { a: 'string', b: 'string', c: 'string' } }, { a: 1234, b: new Float(1), c: false });
    expect([e.get('a'), e.get('b'), e.get('c')]).toEqual(['1234', '1.0', 'false']);
  });
});


// References prepared once at construction (static) or per event (`%{…}`) behave as when parsed per event.
describe('mutate field references', () => {
  it('rename moves nil values, list elements and the new name is sprintf’d after the removal', () => {
    const e = run({ rename: { n: 'nn', '[l][-1]': 'last', '[a][constructor]': 'x', old: '%{old}-new' } }, { n: null, l: [1, 2], a: {}, old: 'v' });
    expect(e.includes('nn')).toBe(true);
    expect(e.get('nn')).toBeNull();
    expect(e.includes('n')).toBe(false);
    expect(e.get('l')).toEqual([1]);
    expect(e.get('last')).toBe(2);
    expect(e.includes('x')).toBe(false);
    expect(e.get('%{old}-new')).toBe('v');
  });
  it('rename of [@metadata] moves the whole metadata', () => {
    const e = new Event({ a: 1 }, { m: 1 });
    make({ rename: { '[@metadata]': 'meta' } }).filter(e);
    expect(e.get('meta')).toEqual({ m: 1 });
    expect(e.metadata).toEqual({});
  });
  it('an invalid static reference fails per event with _mutate_error, not at construction', () => {
    const log = recorder();
    const f = make({ replace: { 'a[b]': 'x' } }, log);
    const e = new Event({});
    f.filter(e);
    expect(e.get('tags')).toEqual(['_mutate_error']);
    expect(log.lines.some((l) => JSON.stringify(l).includes('Invalid FieldReference: `a[b]`'))).toBe(true);
    const r = run({ rename: { a: '%{k}' } }, { a: 1, k: 'x[y' });
    expect(r.get('tags')).toEqual(['_mutate_error']);
    expect(r.includes('a')).toBe(false); // removed before the new name failed, as when parsed per event
  });
  it('add_field with an invalid name fails per event, with no values it is never parsed', () => {
    const e = run({ add_field: { 'a[b]': 'x', 'c[d]': [] } }, {});
    expect(e.get('tags')).toEqual(['_mutate_error']);
    const ok = run({ add_field: { 'c[d]': [] }, add_tag: ['t'] }, {});
    expect(ok.get('tags')).toEqual(['t']);
  });
  it('add_field appends to existing values, remove_field takes static and sprintf’d names', () => {
    const e = run(
      { add_field: { a: ['x', 'y'], '[m][%{k}]': 'z', '[@metadata][q]': '1' }, remove_field: ['r', '[s][%{k}]', '[@metadata][gone]'] },
      { a: 'w', k: 'kk', r: 1, s: { kk: 2, other: 3 } },
    );
    expect(e.get('a')).toEqual(['w', 'x', 'y']);
    expect(e.get('[m][kk]')).toBe('z');
    expect(e.get('[@metadata][q]')).toBe('1');
    expect(e.includes('r')).toBe(false);
    expect(e.get('s')).toEqual({ other: 3 });
  });
  it('convert skips [@metadata] (a hash) and absent fields; copy and merge through nested names', () => {
    const e = run({ convert: { '[@metadata]': 'string', missing: 'integer' }, copy: { '[a][b]': '[c][d]' }, merge: { '[l]': '[a][b]' } }, { a: { b: 'x' }, l: ['y'] });
    expect(e.includes('missing')).toBe(false);
    expect(e.get('[c][d]')).toBe('x');
    expect(e.get('l')).toEqual(['y', 'x']);
    expect(e.get('tags')).toBeUndefined();
  });
});

describe('mutate remove_tag and convert fast paths', () => {
  it('remove_tag: a string tags becomes a list, a kept list stays equal, non-string tags fail the set', () => {
    expect(run({ remove_tag: ['y'] }, { tags: 'x' }).data['tags']).toEqual(['x']);
    expect(run({ remove_tag: ['x'] }, { tags: 'x' }).data['tags']).toEqual([]);
    expect(run({ remove_tag: ['b', '%{k}'] }, { tags: ['a', 'b', 'c', 'b'], k: 'c' }).data['tags']).toEqual(['a']);
    expect(run({ remove_tag: ['z'] }, { tags: ['a', 'b'] }).data['tags']).toEqual(['a', 'b']);
    expect(run({ remove_tag: ['z'] }, { tags: null }).data['tags']).toBeNull();
    expect(run({ remove_tag: ['z'] }, { tags: [1, 'a'] }).data['tags']).toEqual([1, 'a', '_mutate_error']);
  });
  it('convert integer: plain digits, and the strings around them that take the general path', () => {
    const e = run(
      { convert: { a: 'integer', b: 'integer', c: 'integer', d: 'integer', f: 'integer', g: 'integer', h: 'integer', i: 'integer', j: 'integer' } },
      { a: '0', b: '007', c: '123456789012345', d: '1234567890123456789', f: ' 12', g: '1,234', h: '-5', i: '', j: '12abc' },
    );
    expect([e.get('a'), e.get('b'), e.get('c'), e.get('d'), e.get('f'), e.get('g'), e.get('h'), e.get('i'), e.get('j')]).toEqual([
      0, 7, 123456789012345, 1234567890123456789n, 12, 1234, -5, 0, 12,
    ]);
  });
});

describe('mutate and common options: only the configured parts run, in their order', () => {
  it('one add_field value alone, one remove_field alone, one remove_tag alone', () => {
    expect(run({ add_field: { '[x][y]': 'v-%{k}' } }, { k: 1, x: { y: 'w' } }).get('[x][y]')).toEqual(['w', 'v-1']);
    const r = run({ remove_field: ['[x][y]'] }, { x: { y: 1, z: 2 } });
    expect(r.data).toEqual({ '@timestamp': r.data['@timestamp'], '@version': '1', x: { z: 2 } });
    expect(run({ remove_tag: ['%{k}'] }, { k: 'a', tags: ['a', 'b'] }).get('tags')).toEqual(['b']);
  });
  it('two parts (remove_field then add_tag), and a failing add_field stops what follows it', () => {
    const two = run({ remove_field: ['a', 'b'], add_tag: ['t'] }, { a: 1, b: 2, c: 3 });
    expect(Object.keys(two.data)).toEqual(['@timestamp', '@version', 'c', 'tags']);
    const failed = run({ add_field: { '[c][d]': 'x' }, remove_field: ['a'], add_tag: ['t'] }, { a: 1, c: 'scalar' });
    expect(failed.get('a')).toBe(1);
    expect(failed.get('tags')).toEqual(['_mutate_error']);
  });
  it('several operation kinds run in mutate order whatever order they are written in', () => {
    const e = run({ copy: { a: 'c' }, uppercase: ['a'], rename: { b: 'a' }, coerce: { b: 'filled' } }, { b: null });
    // coerce fills b, rename moves it to a, uppercase, then copy.
    expect([e.get('a'), e.get('b'), e.get('c')]).toEqual(['FILLED', undefined, 'FILLED']);
  });
});
