// The mutate filter, in Logstash's fixed order: coerce, rename, update, replace, convert, gsub,
// uppercase, capitalize, lowercase, strip, split, join, merge, copy; then the common
// add_field/remove_field/add_tag/remove_tag. An exception stops the chain, logs a WARN and tags
// the event with tag_on_failure (`_mutate_error`) — the event itself always goes on.
import type { Event } from '../../../event/event.ts';
import { deepClone } from '../../../event/event.ts';
import { filterMatchedDecorator } from '../../common-options.ts';
import { rubyRegexp, rubyReplacement } from '../../../regexp/ruby-regexp.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';
import type { Filter, Logger, PluginContext, ResolvedOptions } from '../../types.ts';
import { rubyCapitalize, rubyFloat, rubyJoin, rubySplit, rubyStrip, rubyToI } from '../../../event/ruby-strings.ts';

type Pairs = [string, FieldValue][];

const CONVERSIONS = ['integer', 'integer_eu', 'float', 'float_eu', 'string', 'boolean'] as const;
type Conversion = (typeof CONVERSIONS)[number];

const TRUE_RE = /^(true|t|yes|y|1|1\.0)$/i;
const FALSE_RE = /^(false|f|no|n|0|0\.0)$/i;

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

export class MutateFilter implements Filter {
  private readonly coerce: Pairs;
  private readonly rename: Pairs;
  private readonly update: Pairs;
  private readonly replace: Pairs;
  private readonly convert: [string, Conversion][];
  private readonly gsub: { field: string; needle: RegExp | string; replacement: string }[];
  private readonly uppercase: string[];
  private readonly capitalize: string[];
  private readonly lowercase: string[];
  private readonly strip: string[];
  private readonly split: Pairs;
  private readonly join: Pairs;
  private readonly merge: Pairs;
  private readonly copy: Pairs;
  private readonly tagOnFailure: string[];
  private readonly matched: (event: Event) => void;
  failures = 0;

  constructor(
    options: ResolvedOptions,
    private readonly log?: Logger,
  ) {
    this.coerce = pairs(options['coerce']);
    this.rename = pairs(options['rename']);
    this.update = pairs(options['update']);
    this.replace = pairs(options['replace']);
    this.convert = pairs(options['convert']).map(([field, type]) => {
      const t = String(type);
      if (!(CONVERSIONS as readonly string[]).includes(t)) {
        throw new Error(
          `Invalid setting for mutate filter plugin: Invalid conversion type '${t}', expected one of '${CONVERSIONS.join(',')}'`,
        );
      }
      return [field, t as Conversion];
    });
    const g = list(options['gsub']);
    if (g.length % 3 !== 0) {
      throw new Error(`Invalid gsub configuration ${JSON.stringify(g)}. gsub requires 3 non-nil elements per config entry`);
    }
    this.gsub = [];
    for (let i = 0; i < g.length; i += 3) {
      const needle = g[i + 1]!;
      this.gsub.push({
        field: g[i]!,
        needle: needle.includes('%{') ? needle : rubyRegexp(needle, 'g'),
        replacement: g[i + 2]!,
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
    this.tagOnFailure = list(options['tag_on_failure'] ?? '_mutate_error');
    this.matched = filterMatchedDecorator(options);
  }

  filter(event: Event): Event[] {
    try {
      this.apply(event);
      this.matched(event);
    } catch (e) {
      this.failures++;
      this.log?.warn('Exception caught while applying mutate filter', { exception: (e as Error).message });
      for (const t of this.tagOnFailure) event.tag(t);
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
    for (const [field, type] of this.convert) this.convertField(event, field, type);
    for (const g of this.gsub) this.gsubField(event, g.field, g.needle, g.replacement);
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

  private convertField(event: Event, field: string, type: Conversion): void {
    if (!event.includes(field)) return;
    const v = event.get(field);
    if (v === null || v === undefined) return;
    if (isFieldMap(v)) {
      this.log?.debug("I don't know how to type convert a hash, skipping", { field, value: v });
      return;
    }
    if (Array.isArray(v)) event.set(field, v.map((x) => (x === null ? x : this.convertValue(x, type))));
    else event.set(field, this.convertValue(v, type));
  }

  private convertValue(v: FieldValue, type: Conversion): FieldValue {
    switch (type) {
      case 'string':
        return valueToString(v);
      case 'boolean': {
        const s = valueToString(v);
        if (TRUE_RE.test(s)) return true;
        if (s === '' || FALSE_RE.test(s)) return false;
        this.log?.warn(`Failed to convert ${s} into boolean.`);
        return v;
      }
      case 'integer':
        return toInteger(v);
      case 'integer_eu':
        return toInteger(typeof v === 'string' ? euToUs(v) : v);
      case 'float':
        return toFloat(v);
      case 'float_eu':
        return toFloat(typeof v === 'string' ? euToUs(v) : v);
    }
  }

  private gsubField(event: Event, field: string, needle: RegExp | string, replacement: string): void {
    const v = event.get(field);
    const sub = (s: string): string => {
      const re = typeof needle === 'string' ? rubyRegexp(sprintf(event, needle), 'g') : needle;
      return s.replace(re, rubyReplacement(sprintf(event, replacement)));
    };
    if (typeof v === 'string') event.set(field, sub(v));
    else if (Array.isArray(v)) {
      event.set(
        field,
        v.map((x) => {
          if (typeof x === 'string') return sub(x);
          this.log?.warn('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: x });
          return x;
        }),
      );
    } else if (v !== undefined) {
      this.log?.debug('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: v });
    }
  }

  private mergeFields(event: Event, dest: string, added: FieldValue): void {
    let destValue = event.get(dest);
    for (const addedField of Array.isArray(added) ? added.map(template) : [template(added)]) {
      const addedValue = event.get(addedField);
      if (isFieldMap(destValue) !== isFieldMap(addedValue)) {
        this.log?.error('Not possible to merge an array and a hash: ', { dest_field: dest, added_field: addedField });
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

  stats(): Record<string, number> {
    return { failures: this.failures };
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

/** EU-style `1.234,5` → US-style `1,234.5` (Ruby tr(",.", ".,")). */
function euToUs(s: string): string {
  return s.replace(/[,.]/g, (c) => (c === ',' ? '.' : ','));
}

/** mutate's convert_integer (Logstash ≥ 8.14 rules). */
export function toInteger(v: FieldValue): FieldValue {
  if (typeof v === 'string') {
    const s = rubyStrip(v).replace(/,/g, '');
    if (/^[+-]?0x/i.test(s)) {
      const f = rubyFloat(s);
      return Math.trunc(f);
    }
    if (s.includes('e')) {
      const f = Number(s);
      if (!Number.isFinite(f)) throw new Error(`invalid value for BigDecimal(): ${JSON.stringify(s)}`);
      return Math.trunc(f);
    }
    return rubyToI(s);
  }
  if (v === true) return 1;
  if (v === false) return 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof Float) return Math.trunc(v.value);
  throw new Error(`can't convert ${valueToString(v)} into Integer`);
}

/** mutate's convert_float (Logstash ≥ 8.14 rules): strict Float(). */
export function toFloat(v: FieldValue): FieldValue {
  if (typeof v === 'string') return new Float(rubyFloat(rubyStrip(v).replace(/,/g, '')));
  if (v === true) return new Float(1);
  if (v === false) return new Float(0);
  if (v instanceof Float) return v;
  if (typeof v === 'number') return new Float(v);
  if (typeof v === 'bigint') return new Float(Number(v));
  throw new Error(`can't convert ${valueToString(v)} into Float`);
}

export function create(options: ResolvedOptions, ctx: PluginContext): Filter {
  return new MutateFilter(options, ctx.log);
}
