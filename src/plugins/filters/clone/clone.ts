// The clone filter (logstash-filter-clone 4.2): one copy of the event per `clones` entry, after the
// original. With ECS compatibility disabled a copy's `type` is set to the entry; in ECS mode the
// entry is added to the copy's tags instead. The common options apply to the copies only (the
// original is passed through untouched).
import type { Event } from '../../../event/event.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { CloneFilterOptions } from './schema.ts';

export class CloneFilter extends FilterBase<CloneFilterOptions> {
  private readonly clones: string[];

  constructor(options: CloneFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.clones = options.clones.map(String);
    if (this.clones.length === 0) this.log.warn("The parameter 'clones' is empty, so no clones will be created.");
  }

  filter(event: Event): Event[] {
    const out = [event];
    for (const name of this.clones) {
      const copy = event.clone();
      if (this.ctx.ecsCompatibility === 'disabled') copy.set('type', name);
      else copy.tag(name);
      this.filterMatched(copy);
      out.push(copy);
    }
    return out;
  }
}

export function create(options: CloneFilterOptions, ctx: PluginContext): Filter {
  return new CloneFilter(options, ctx);
}
