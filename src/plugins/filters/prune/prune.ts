// The prune filter (logstash-filter-prune 3.0): removes top-level fields whose names do not match any
// whitelist_names regexp or match a blacklist_names one (default: names holding an unresolved
// `%{…}`), and fields whose value does not match (whitelist_values) or matches (blacklist_values) the
// regexp given for that field; for an array value only the offending elements go, or the whole field
// when all of them do. Removals are collected first, then applied. With `interpolate`, names, keys and
// patterns are sprintf'd per event. Regexps are Ruby's (the project's regexp helper); they match
// anywhere in the text. A value that is neither a string nor an array is left alone.
import type { Event } from '../../../event/event.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { deepEqual, type FieldValue } from '../../../event/values.ts';
import { compileRegexpAsync, compileRegexp, type Regexp } from '../../../regexp/regexp.ts';
import { ensureRegexpEngine } from '../../../regexp/regexp.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { PruneFilterOptions } from './schema.ts';

type Removal = string | { key: string; values: FieldValue[] };

const strings = (v: unknown[]): string[] => v.map(String);

export class PruneFilter extends FilterBase<PruneFilterOptions> {
  private whitelistNames: Regexp[] = [];
  private blacklistNames: Regexp[] = [];
  private whitelistValues: [string, Regexp][] = [];
  private blacklistValues: [string, Regexp][] = [];

  async register(): Promise<void> {
    const o = this.options;
    if (o.interpolate) {
      await ensureRegexpEngine();
      return;
    }
    const compile = (xs: string[]): Promise<Regexp[]> => Promise.all(xs.map((x) => compileRegexpAsync(x)));
    this.whitelistNames = await compile(strings(o.whitelist_names));
    this.blacklistNames = await compile(strings(o.blacklist_names));
    const pairs = async (h: Record<string, unknown>): Promise<[string, Regexp][]> =>
      Promise.all(Object.entries(h).map(async ([k, v]) => [k, await compileRegexpAsync(String(v))] as [string, Regexp]));
    this.whitelistValues = await pairs(o.whitelist_values);
    this.blacklistValues = await pairs(o.blacklist_values);
  }

  filter(event: Event): Event[] {
    const o = this.options;
    const names = Object.keys(event.toObject());
    const dynamic = (x: string): Regexp => compileRegexp(sprintf(event, x));
    const remove: Removal[] = [];
    if (o.whitelist_names.length > 0) {
      const res = o.interpolate ? strings(o.whitelist_names).map(dynamic) : this.whitelistNames;
      for (const n of names) if (!res.some((r) => r.test(n))) remove.push(n);
    }
    if (o.blacklist_names.length > 0) {
      const res = o.interpolate ? strings(o.blacklist_names).map(dynamic) : this.blacklistNames;
      for (const n of names) if (res.some((r) => r.test(n))) remove.push(n);
    }
    const byValue = (pairs: [string, Regexp][], raw: Record<string, unknown>, keepWhenMatching: boolean): void => {
      const list = o.interpolate ? Object.entries(raw).map(([k, v]) => [sprintf(event, k), dynamic(String(v))] as [string, Regexp]) : pairs;
      for (const [key, re] of list) {
        const value = event.toObject()[key];
        if (value === undefined || value === null || value === false) continue;
        const offends = (x: FieldValue): boolean => typeof x === 'string' && re.test(x) !== keepWhenMatching;
        if (Array.isArray(value)) {
          const bad = value.filter(offends);
          if (bad.length > 0) remove.push(bad.length === value.length ? key : { key, values: bad });
        } else if (offends(value)) remove.push(key);
      }
    };
    byValue(this.whitelistValues, o.whitelist_values, true);
    byValue(this.blacklistValues, o.blacklist_values, false);
    for (const r of remove) {
      if (typeof r === 'string') delete event.toObject()[r];
      else {
        const current = event.toObject()[r.key];
        if (Array.isArray(current)) event.toObject()[r.key] = current.filter((x) => !r.values.some((b) => deepEqual(b, x)));
      }
    }
    this.filterMatched(event);
    return [event];
  }
}

export function create(options: PruneFilterOptions, ctx: PluginContext): Filter {
  return new PruneFilter(options, ctx);
}
