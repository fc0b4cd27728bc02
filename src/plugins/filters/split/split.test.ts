// Expected values from logstash-filter-split's spec/filters/split_spec.rb samples and split.rb.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import type { FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create, rubySplitKeepTrailing } from './split.ts';
import { splitSchema, type SplitFilterOptions } from './schema.ts';

function split(options: Record<string, unknown>, data: FieldMap, log = recorder()): { out: Event[]; original: Event } {
  const original = new Event(data);
  const out = create(withDefaults<SplitFilterOptions>(splitSchema, options), context('v8', log)).filter(original) as Event[];
  return { out, original };
}

describe('split filter', () => {
  it('splits a message on newlines into one event per non-empty line; the original is dropped', () => {
    const { out, original } = split({}, { message: 'big\nbird\n\nsesame street\n', other: { a: 1 } });
    expect(out.map((e) => e.get('message'))).toEqual(['big', 'bird', 'sesame street']);
    for (const e of out) expect(e.get('other')).toEqual({ a: 1 });
    out[0]!.set('[other][a]', 2);
    expect(out[1]!.get('[other][a]')).toBe(1);
    expect(original.cancelled).toBe(true);
  });
  it('custom terminator, field and target', () => {
    expect(split({ terminator: ',' }, { message: 'big,bird,sesame street' }).out.map((e) => e.get('message'))).toEqual(['big', 'bird', 'sesame street']);
    const t = split({ field: 'custom', terminator: 'ZZ', target: 'piece' }, { custom: 'fooZZbarZZbaz' }).out;
    expect(t.map((e) => [e.get('piece'), e.get('custom')])).toEqual([
      ['foo', 'fooZZbarZZbaz'], ['bar', 'fooZZbarZZbaz'], ['baz', 'fooZZbarZZbaz'],
    ]);
  });
  it('an array field gives one event per element, skipping empty ones', () => {
    const { out } = split({ field: 'array' }, { array: ['big', '', 'bird', 7, [], { k: 'v' }] });
    expect(out.map((e) => e.get('array'))).toEqual(['big', 'bird', 7, { k: 'v' }]);
  });
  it('a string without the terminator passes unchanged, not cancelled, no add_tag', () => {
    const { out, original } = split({ add_tag: ['split'] }, { message: 'one line' });
    expect(out).toEqual([original]);
    expect(original.cancelled).toBe(false);
    expect(original.get('tags')).toBeUndefined();
  });
  it('add_tag / add_field apply to each piece', () => {
    const { out } = split({ add_tag: ['split'], add_field: { n: '%{message}!' } }, { message: 'a\nb' });
    expect(out.map((e) => [e.get('tags'), e.get('n')])).toEqual([[['split'], 'a!'], [['split'], 'b!']]);
  });
  it('a field that is neither string nor array: _split_type_failure and a WARN', () => {
    const log = recorder();
    const { out, original } = split({}, { message: 42 }, log);
    expect(out).toEqual([original]);
    expect(original.get('tags')).toEqual(['_split_type_failure']);
    expect(log.lines[0]!.msg).toBe('Only String and Array types are splittable. field:message is of type = Integer');
    expect(split({ field: 'missing' }, { message: 'x' }).original.get('tags')).toEqual(['_split_type_failure']);
  });
  it("Ruby String#split(sep, -1): awk-style space, characters for '', nothing for ''", () => {
    expect(rubySplitKeepTrailing('  a  b ', ' ')).toEqual(['a', 'b', '']);
    expect(rubySplitKeepTrailing('abc', '')).toEqual(['a', 'b', 'c']);
    expect(rubySplitKeepTrailing('', '\n')).toEqual([]);
    expect(rubySplitKeepTrailing('a\n\n', '\n')).toEqual(['a', '', '']);
    expect(split({}, { message: '' }).out).toEqual([]);
  });
});
