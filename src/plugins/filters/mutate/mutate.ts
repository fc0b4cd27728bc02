// The mutate filter, in Logstash's fixed order: coerce, rename, update, replace, convert, gsub,
// uppercase, capitalize, lowercase, strip, split, join, merge, copy; then the common
// add_field/remove_field/add_tag/remove_tag. An exception (a conversion that cannot apply, a field
// that cannot be set) stops the chain where it happened — what ran before stays, nothing after runs,
// the common options are not applied — logs a WARN and tags the event with tag_on_failure
// (`_mutate_error`); the event itself always goes on (mutate.rb#filter's rescue).
import type { Event } from '../../../event/event.ts';
import { deepClone } from '../../../event/event.ts';
import { compileRegexp, ensureRegexpEngine, regexpNeedsEngine, type Regexp } from '../../../regexp/regexp.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import { type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { rubyCapitalize, rubyJoin, rubySplit, rubyStrip } from '../../../event/ruby-strings.ts';
import { CONVERSIONS, type Conversion, converter } from './convert.ts';
import type { MutateFilterOptions } from './schema.ts';

type Pairs = [string, FieldValue][];

/** A `:hash` option as ordered pairs; the old array form `[k1, v1, k2, v2]` is accepted too. */
function pairs(v: unknown): Pairs {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    const out: Pairs = [];
    for (let i = 0; i + 1 < v.length; i += 2) out.push([String(v[i]), v[i + 1] as FieldValue]);
    return out;
  }
  return Object.entries(v as Record<string, FieldValue>);
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function template(v: FieldValue): string {
  return typeof v === 'string' ? v : valueToString(v);
}

export class MutateConfigurationError extends Error {
  constructor(why: string) {
    super(`Invalid setting for mutate filter plugin: ${why}`);
    this.name = 'MutateConfigurationError';
  }
}

export class MutateFilter extends FilterBase<MutateFilterOptions> {
  private readonly coerce: Pairs;
  private readonly rename: Pairs;
  private readonly update: Pairs;
  private readonly replace: Pairs;
  private readonly convert: [string, (v: FieldValue) => FieldValue][];
  /** needle: the compiled regexp, or the pattern text (compiled in register(), or per event when it holds %{…}). */
  private readonly gsub: { field: string; needle: Regexp | string; replacement: string; dynamic: boolean }[];
  private readonly dynamicNeedles = new Map<string, Regexp>();
  private readonly uppercase: string[];
  private readonly capitalize: string[];
  private readonly lowercase: string[];
  private readonly strip: string[];
  private readonly split: Pairs;
  private readonly join: Pairs;
  private readonly merge: Pairs;
  private readonly copy: Pairs;

  constructor(options: MutateFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.coerce = pairs(options['coerce']);
    this.rename = pairs(options['rename']);
    this.update = pairs(options['update']);
    this.replace = pairs(options['replace']);
    this.convert = pairs(options['convert']).map(([field, type]) => {
      const t = String(type);
      if (!(CONVERSIONS as readonly string[]).includes(t)) {
        throw new MutateConfigurationError(`Invalid conversion type '${t}', expected one of '${CONVERSIONS.join(',')}'`);
      }
      return [field, converter(t as Conversion, this.log)];
    });
    const g = list(options['gsub']);
    if (g.length % 3 !== 0) {
      throw new MutateConfigurationError(`Invalid gsub configuration ${JSON.stringify(g)}. gsub requires 3 non-nil elements per config entry`);
    }
    this.gsub = [];
    for (let i = 0; i < g.length; i += 3) {
      const needle = g[i + 1]!;
      const dynamic = needle.includes('%{');
      this.gsub.push({
        field: g[i]!,
        needle: dynamic || regexpNeedsEngine(needle) ? needle : compileRegexp(needle),
        replacement: g[i + 2]!,
        dynamic,
      });
    }
    this.uppercase = list(options['uppercase']);
    this.capitalize = list(options['capitalize']);
    this.lowercase = list(options['lowercase']);
    this.strip = list(options['strip']);
    this.split = pairs(options['split']);
    this.join = pairs(options['join']);
    this.merge = pairs(options['merge']);
    this.copy = pairs(options['copy']);
  }

  /** Loads the regexp engine when a gsub pattern needs it, and compiles the patterns left. */
  async register(): Promise<void> {
    if (!this.gsub.some((g) => typeof g.needle === 'string')) return;
    await ensureRegexpEngine();
    for (const g of this.gsub) if (!g.dynamic && typeof g.needle === 'string') g.needle = compileRegexp(g.needle);
  }

  filter(event: Event): Event[] {
    try {
      this.apply(event);
      this.filterMatched(event);
    } catch (e) {
      this.log.warn('Exception caught while applying mutate filter', { exception: (e as Error).message });
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return [event];
  }

  private apply(event: Event): void {
    for (const [field, def] of this.coerce) {
      if (event.includes(field) && event.get(field) === null) event.set(field, sprintf(event, template(def)));
    }
    for (const [from, to] of this.rename) {
      const old = sprintf(event, from);
      if (!event.includes(old)) continue;
      const v = event.remove(old)!;
      event.set(sprintf(event, template(to)), v);
    }
    for (const [field, v] of this.update) if (event.includes(field)) event.set(field, sprintf(event, template(v)));
    for (const [field, v] of this.replace) event.set(field, sprintf(event, template(v)));
    for (const [field, convert] of this.convert) this.convertField(event, field, convert);
    for (const g of this.gsub) this.gsubField(event, g.field, g.dynamic ? this.dynamicNeedle(sprintf(event, g.needle as string)) : g.needle, g.replacement);
    for (const f of this.uppercase) mapStrings(event, f, (s) => s.toUpperCase());
    for (const f of this.capitalize) mapStrings(event, f, rubyCapitalize);
    for (const f of this.lowercase) mapStrings(event, f, (s) => s.toLowerCase());
    for (const f of this.strip) {
      const v = event.get(f);
      if (typeof v === 'string') event.set(f, rubyStrip(v));
      else if (Array.isArray(v)) {
        event.set(
          f,
          v.map((s) => {
            if (typeof s !== 'string') throw new Error(`undefined method \`strip' for ${valueToString(s)}`);
            return rubyStrip(s);
          }),
        );
      }
    }
    for (const [f, sep] of this.split) {
      const v = event.get(f);
      if (typeof v === 'string') event.set(f, rubySplit(v, template(sep)));
    }
    for (const [f, sep] of this.join) {
      const v = event.get(f);
      if (Array.isArray(v)) event.set(f, rubyJoin(v, template(sep)));
    }
    for (const [dest, added] of this.merge) this.mergeFields(event, dest, added);
    for (const [src, dest] of this.copy) {
      const v = event.get(src);
      if (v === undefined || v === null) continue;
      event.set(template(dest), deepClone(v));
    }
  }

  private convertField(event: Event, field: string, convert: (v: FieldValue) => FieldValue): void {
    if (!event.includes(field)) return;
    const v = event.get(field);
    if (v === null || v === undefined) return;
    if (isFieldMap(v)) {
      this.log.debug("I don't know how to type convert a hash, skipping", { field, value: valueToString(v) });
      return;
    }
    // A failing element leaves the whole array as it was (the map raises before the set).
    event.set(field, Array.isArray(v) ? v.map((x) => (x === null ? x : convert(x))) : convert(v));
  }

  /** A `%{…}` needle, compiled once per distinct interpolated text. */
  private dynamicNeedle(source: string): Regexp {
    let re = this.dynamicNeedles.get(source);
    if (re === undefined) {
      re = compileRegexp(source);
      if (this.dynamicNeedles.size >= 1000) this.dynamicNeedles.clear();
      this.dynamicNeedles.set(source, re);
    }
    return re;
  }

  private gsubField(event: Event, field: string, needle: Regexp | string, replacement: string): void {
    const v = event.get(field);
    const re = typeof needle === 'string' ? compileRegexp(needle) : needle;
    const sub = (s: string): string => re.gsub(s, sprintf(event, replacement));
    if (typeof v === 'string') event.set(field, sub(v));
    else if (Array.isArray(v)) {
      event.set(
        field,
        v.map((x) => {
          if (typeof x === 'string') return sub(x);
          this.log.warn('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: x });
          return x;
        }),
      );
    } else if (v !== undefined) {
      this.log.debug('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: v });
    }
  }

  private mergeFields(event: Event, dest: string, added: FieldValue): void {
    let destValue = event.get(dest);
    for (const addedField of Array.isArray(added) ? added.map(template) : [template(added)]) {
      const addedValue = event.get(addedField);
      if (isFieldMap(destValue) !== isFieldMap(addedValue)) {
        this.log.error('Not possible to merge an array and a hash: ', { dest_field: dest, added_field: addedField });
        continue;
      }
      if (isFieldMap(destValue)) {
        const merged: FieldMap = { ...destValue, ...(addedValue as FieldMap) };
        event.set(dest, merged);
        destValue = merged;
      } else {
        const merged = [...rubyArray(destValue), ...rubyArray(addedValue)];
        event.set(dest, merged);
        destValue = merged;
      }
    }
  }

}

function rubyArray(v: FieldValue | undefined): FieldValue[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function mapStrings(event: Event, field: string, f: (s: string) => string): void {
  const v = event.get(field);
  if (typeof v === 'string') event.set(field, f(v));
  else if (Array.isArray(v)) event.set(field, v.map((x) => (typeof x === 'string' ? f(x) : x)));
}

/** `-t`: every static gsub pattern compiles (Logstash's register does Regexp.new on each). */
export async function check(options: MutateFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  const g = (options.gsub ?? []).map(String);
  const needles: string[] = [];
  for (let i = 1; i < g.length; i += 3) if (!g[i]!.includes('%{')) needles.push(g[i]!);
  if (needles.some((n) => regexpNeedsEngine(n))) await ensureRegexpEngine();
  const errors: string[] = [];
  for (const n of needles) {
    try {
      compileRegexp(n);
    } catch (e) {
      errors.push(`mutate filter at ${ctx.where}: gsub ${(e as Error).message}`);
    }
  }
  return { errors };
}

export function create(options: MutateFilterOptions, ctx: PluginContext): Filter {
  return new MutateFilter(options, ctx);
}
