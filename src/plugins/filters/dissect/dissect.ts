// The dissect filter (logstash-filter-dissect: lib/logstash/filters/dissect.rb and its Java core,
// JavaDissectorLibrary.java): each `mapping` entry dissects one field (in order; a later entry may
// dissect a field an earlier one set), then `convert_datatype` converts fields to int or float, then
// filter_matched. A missing source field logs "Dissector mapping, key not found in event" and counts a
// failure without tagging; an empty source or a text the mapping does not fit tags `tag_on_failure`
// and stops the filter for that event. A value that cannot be converted tags
// `_dataconversionnullvalue_<field>_<type>` (absent) or `_dataconversionuncoercible_<field>_<type>`.
import type { Event } from '../../../event/event.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Float, type FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { Dissection, type Found } from './dissection.ts';
import type { DissectFilterOptions } from './schema.ts';

export class ConvertDatatypeFormatError extends Error {
  constructor(field: string, type: string) {
    super(`Dissector datatype conversion, datatype not supported: ${type} (field ${field}); expected int or float`);
    this.name = 'LogStash::ConvertDatatypeFormatError';
  }
}

type Conversion = 'int' | 'float';

/** java.math.BigDecimal(String): an optional sign, digits with an optional fraction, an optional exponent. */
const BIG_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function toInt(text: string): number | bigint | undefined {
  const m = BIG_DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const scale = Number(exp) - frac.length;
  let n = BigInt((int + frac) || '0');
  n = scale >= 0 ? n * 10n ** BigInt(Math.min(scale, 100_000)) : n / 10n ** BigInt(Math.min(-scale, 100_000));
  if (sign === '-') n = -n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function toFloat(text: string): Float | undefined {
  const m = BIG_DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  return new Float(Number(text));
}

export class DissectFilter extends FilterBase<DissectFilterOptions> {
  private readonly dissections: [string, Dissection][] = [];
  private readonly conversions: [string, Conversion][] = [];

  constructor(options: DissectFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    for (const [field, mapping] of Object.entries(options.mapping)) {
      const text = valueToString(mapping as FieldValue);
      if (text !== '') this.dissections.push([field, new Dissection(text)]);
    }
    for (const [field, type] of Object.entries(options.convert_datatype)) {
      const t = String(type);
      if (t !== 'int' && t !== 'float') throw new ConvertDatatypeFormatError(field, t);
      this.conversions.push([field, t]);
    }
  }

  filter(event: Event): Event[] {
    try {
      for (const [field, dissection] of this.dissections) {
        const raw = event.get(field);
        if (raw === undefined) {
          this.counters.failures++;
          this.log.warn('Dissector mapping, key not found in event', { key: field });
          return [event];
        }
        const text = valueToString(raw);
        if (text === '') return this.fail(event, 'Dissector mapping, field found in event but it was empty', { field });
        const found = dissection.match(text);
        if (!found) return this.fail(event, 'Dissector mapping, pattern not found', { field, pattern: dissection.mapping });
        store(event, found);
      }
      for (const [field, type] of this.conversions) this.convert(event, field, type);
      this.filterMatched(event);
    } catch (e) {
      this.log.error('Dissect threw an exception', { exception: (e as Error).message });
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return [event];
  }

  private fail(event: Event, message: string, data: Record<string, unknown>): Event[] {
    this.log.warn(message, { ...data, event: valueToString(event.data) });
    this.tagFailure(event, this.options.tag_on_failure);
    return [event];
  }

  private convert(event: Event, field: string, type: Conversion): void {
    const value = event.get(field);
    const text = value === undefined || value === null ? undefined : valueToString(value);
    const converted = text === undefined ? undefined : type === 'int' ? toInt(text) : toFloat(text);
    if (converted !== undefined) {
      event.set(field, converted);
      return;
    }
    event.tag(`_dataconversion${text === undefined ? 'nullvalue' : 'uncoercible'}_${field}_${type}`);
    this.log.warn(`Dissector datatype conversion, value cannot be coerced, key: ${field}, value: ${text ?? 'null'}`);
  }
}

/** Normal fields, then appends by ordinal, then indirect ones (the Java FieldComparator order). */
function store(event: Event, found: Found): void {
  const valueOf = new Map<string, string>();
  for (const { field, value } of found) if (field.kind !== 'indirect') valueOf.set(field.name, value);
  const rank = (k: string): number => (k === 'normal' ? 0 : k === 'append' ? 1 : 2);
  const saveable = found
    .filter(({ field }) => field.kind !== 'skip')
    .sort((a, b) => rank(a.field.kind) - rank(b.field.kind) || a.field.ordinal - b.field.ordinal || a.field.index - b.field.index);
  for (const { field, value } of saveable) {
    if (field.kind === 'normal') event.set(field.name, value);
    else if (field.kind === 'append') {
      const old = event.get(field.name);
      // The first field has no delimiter before it: a space joins it (AbstractField#joinString).
      const join = field.index === 0 && field.previous === '' ? ' ' : field.previous;
      event.set(field.name, old === undefined ? value : valueToString(old) + join + value);
    } else {
      const key = valueOf.get(field.name) ?? stringAt(event, field.name);
      if (key !== undefined && key !== '') event.set(key, value);
    }
  }
}

function stringAt(event: Event, name: string): string | undefined {
  const v = event.get(name);
  return v === undefined || v === null ? undefined : valueToString(v);
}

export function create(options: DissectFilterOptions, ctx: PluginContext): Filter {
  return new DissectFilter(options, ctx);
}
