// The throttle filter (logstash-filter-throttle 4.0). Events are counted per `key` (sprintf) in
// timeslots of `period` seconds (sprintf, unparsable → 60) anchored at the key's first event
// timestamp, by event time. An event whose count is below `before_count` or above `after_count`
// is "throttled": filter_matched runs (add_tag …); the others pass untouched. Timeslots older
// than `max_age` behind the key's newest are dropped; the periodic flush forgets keys idle for
// longer than max_age and, past `max_counters`, shrinks max_age in steps of 5% (down to 5%) and
// grows it back once below 80% of the limit — the plugin's memory control.
import type { Event } from '../../../event/event.ts';
import { rubyToI } from '../../../event/ruby-strings.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { ThrottleFilterOptions } from './schema.ts';

const MIN_PCT = 5;
const MAX_PCT = 100;
const GROW_BELOW_PCT = 80;
const STEP_PCT = 5;

interface Timeslots {
  /** Epoch second of the key's first event: slots are aligned on it. */
  created: number;
  /** Newest event epoch seen for the key. */
  latest: number;
  /** Slot start epoch → events counted in it. */
  counts: Map<number, number>;
}

export class ThrottleFilter extends FilterBase<ThrottleFilterOptions> {
  readonly periodicFlush: boolean;
  private readonly key: Interpolator;
  private readonly period: Interpolator;
  private readonly keys = new Map<string, Timeslots>();
  private readonly maxAgeOrig: number;
  private maxAge: number;

  constructor(options: ThrottleFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.key = compileSprintf(options.key);
    this.period = compileSprintf(String(options.period));
    this.maxAgeOrig = this.maxAge = options.max_age;
    this.periodicFlush = options.periodic_flush;
  }

  /** The current max_age (memory control may have lowered it). */
  get currentMaxAge(): number {
    return this.maxAge;
  }

  filter(event: Event): Event[] {
    const key = this.key(event);
    let period = Number(rubyToI(this.period(event)));
    if (period === 0) period = 60;
    const epoch = event.timestamp.seconds;

    let slots = this.keys.get(key);
    if (!slots) this.keys.set(key, (slots = { created: epoch, latest: epoch, counts: new Map() }));
    if (epoch > slots.latest) slots.latest = epoch;

    const slot = epoch - rubyMod(epoch - slots.created, period);
    const count = (slots.counts.get(slot) ?? 0) + 1;
    slots.counts.set(slot, count);
    this.log.debug('counter incremented', { key, epoch, timeslot: slot, count });

    const { before_count: before, after_count: after } = this.options;
    if ((before !== -1 && count < before) || (after !== -1 && count > after)) {
      this.log.debug('throttling event', { key, epoch });
      this.filterMatched(event);
    }

    const newest = Math.max(...slots.counts.keys());
    for (const s of [...slots.counts.keys()]) if (s < newest - this.maxAge) slots.counts.delete(s);
    return [event];
  }

  flush(): Event[] {
    let maxLatest = 0;
    for (const slots of this.keys.values()) if (slots.latest > maxLatest) maxLatest = slots.latest;
    let total = 0;
    for (const [key, slots] of [...this.keys]) {
      if (slots.latest < maxLatest - this.maxAge) this.keys.delete(key);
      else total += slots.counts.size;
    }
    this.log.debug('statistics', { total_counters: total, max_age: this.maxAge });

    const limit = this.options.max_counters;
    if (limit !== -1) {
      const over = total - limit;
      if (over > 0 && this.maxAge > this.pctOfMaxAge(MIN_PCT)) {
        this.maxAge -= this.pctOfMaxAge(STEP_PCT);
        this.log.warn(
          `Decreased timeslot max_age to ${this.maxAge} because max_counters exceeded by ${over}. Use a better key to prevent too many unique event counters.`,
        );
      } else if (this.maxAge < this.pctOfMaxAge(MAX_PCT) && total < (limit * GROW_BELOW_PCT) / 100) {
        this.maxAge += this.pctOfMaxAge(STEP_PCT);
        this.log.warn(`Increased timeslot max_age to ${this.maxAge} because max_counters no longer exceeded.`);
      }
    }
    return [];
  }

  /** `max_age * pct / 100` with Ruby arithmetic: integer division when max_age is an integer. */
  private pctOfMaxAge(pct: number): number {
    const x = (this.maxAgeOrig * pct) / 100;
    return Number.isInteger(this.maxAgeOrig) ? Math.floor(x) : x;
  }

  stats(): Record<string, number> {
    return { ...super.stats(), keys: this.keys.size };
  }
}

/** Ruby's Integer#% (the result takes the divisor's sign): events older than the key's first still land in a slot. */
function rubyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export function create(options: ThrottleFilterOptions, ctx: PluginContext): Filter {
  return new ThrottleFilter(options, ctx);
}
