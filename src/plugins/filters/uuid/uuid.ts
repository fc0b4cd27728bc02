// The uuid filter (logstash-filter-uuid 3.0): a random (version 4) UUID in `target`, unless the field
// already holds a value and `overwrite` is false (Ruby's `||=`: nil and false count as empty).
import { randomUUID } from 'node:crypto';
import type { Event } from '../../../event/event.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { UuidFilterOptions } from './schema.ts';

export class UuidFilter extends FilterBase<UuidFilterOptions> {
  filter(event: Event): Event[] {
    const current = event.get(this.options.target);
    if (this.options.overwrite || current === undefined || current === null || current === false) event.set(this.options.target, randomUUID());
    this.filterMatched(event);
    return [event];
  }
}

export function create(options: UuidFilterOptions, ctx: PluginContext): Filter {
  return new UuidFilter(options, ctx);
}
