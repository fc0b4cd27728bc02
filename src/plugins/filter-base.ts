// What every filter shares, as Logstash's filters/base.rb: the common options (add_field, add_tag,
// remove_field, remove_tag) applied by filterMatched() when the filter did its work, failure tags,
// and the counters the exit summary prints. A filter extends it and implements filter().
import type { Event } from '../event/event.ts';
import { filterMatchedDecorator } from './common-options.ts';
import type { Filter, Logger, PluginContext } from './types.ts';

export interface FilterCounters {
  /** Events the filter succeeded on (filter_matched ran). */
  matched: number;
  /** Events tagged with a failure tag. */
  failures: number;
}

export abstract class FilterBase<O extends Readonly<Record<string, unknown>>> implements Filter {
  protected readonly log: Logger;
  readonly counters: FilterCounters = { matched: 0, failures: 0 };
  private readonly decorateMatched: (event: Event) => void;

  constructor(
    protected readonly options: O,
    protected readonly ctx: PluginContext,
  ) {
    this.log = ctx.log;
    this.decorateMatched = filterMatchedDecorator(options);
  }

  abstract filter(event: Event): Event | Event[] | Promise<Event[]>;

  /** Logstash's filter_matched: add_field, remove_field, add_tag, remove_tag — only on success. */
  protected filterMatched(event: Event): void {
    this.counters.matched++;
    this.decorateMatched(event);
  }

  /** Adds each failure tag once (Logstash's `tag_on_failure` handling), and counts the failure. */
  protected tagFailure(event: Event, tags: unknown): void {
    this.counters.failures++;
    if (tags === undefined || tags === null) return;
    for (const t of Array.isArray(tags) ? tags : [tags]) event.tag(String(t));
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }
}
