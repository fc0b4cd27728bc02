// Expected values from logstash-filter-clone's spec/filters/clone_spec.rb and clone.rb (4.2: ECS
// mode tags the copies instead of setting `type`).
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create } from './clone.ts';
import { cloneSchema, type CloneFilterOptions } from './schema.ts';
import type { EcsCompatibility } from '../../types.ts';

function clone(options: Record<string, unknown>, ecs: EcsCompatibility, log = recorder()): Event[] {
  const f = create(withDefaults<CloneFilterOptions>(cloneSchema, options), context(ecs, log));
  return f.filter(new Event({ message: 'hello world', type: 'original', nested: { a: [1] } })) as Event[];
}

describe('clone filter', () => {
  it('ECS disabled: the original first, then one copy per clone with its type set; common options on copies only', () => {
    const out = clone({ clones: ['nginx-access-clone1', 'nginx-access-clone2'], add_tag: ['RABBIT'], remove_field: ['nested'] }, 'disabled');
    expect(out.map((e) => e.get('type'))).toEqual(['original', 'nginx-access-clone1', 'nginx-access-clone2']);
    expect(out.map((e) => e.get('tags'))).toEqual([undefined, ['RABBIT'], ['RABBIT']]);
    expect(out[0]!.get('nested')).toEqual({ a: [1] });
    expect(out[1]!.includes('nested')).toBe(false);
    expect(out.every((e) => e.get('message') === 'hello world')).toBe(true);
  });
  it('ECS v1/v8: copies get the clone name as a tag, type untouched', () => {
    for (const ecs of ['v1', 'v8'] as const) {
      const out = clone({ clones: ['c1'] }, ecs);
      expect(out[1]!.get('type')).toBe('original');
      expect(out[1]!.get('tags')).toEqual(['c1']);
      expect(out[0]!.get('tags')).toBeUndefined();
    }
  });
  it('copies are deep', () => {
    const out = clone({ clones: ['c1'] }, 'disabled');
    (out[1]!.get('[nested][a]') as number[]).push(2);
    expect(out[0]!.get('[nested][a]')).toEqual([1]);
  });
  it('no clones: a WARN at start, the event alone', () => {
    const log = recorder();
    expect(clone({}, 'v8', log).length).toBe(1);
    expect(log.lines.map((l) => l.msg)).toEqual(["The parameter 'clones' is empty, so no clones will be created."]);
  });
});
