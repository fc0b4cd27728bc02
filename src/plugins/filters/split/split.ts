// The split filter (logstash-filter-split 3.1): a string `field` is split on `terminator` (Ruby
// String#split with limit -1: trailing empty pieces kept, a single-space terminator splitting on
// whitespace runs), an array field is taken element by element; each non-empty piece becomes a copy
// of the event with the piece in `target` (default: the field itself), and the original is dropped.
// A string with no terminator passes unchanged; a field that is neither string nor array is tagged
// `_split_type_failure` with a WARN.
import type { Event } from '../../../event/event.ts';
import { type FieldValue, isFieldMap, rubyClassName } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { SplitFilterOptions } from './schema.ts';

/** Ruby's String#split(separator, -1). */
export function rubySplitKeepTrailing(s: string, separator: string): string[] {
  if (s === '') return [];
  if (separator === ' ') return s.replace(/^[ \t\n\v\f\r]+/, '').split(/[ \t\n\v\f\r]+/);
  if (separator === '') return Array.from(s);
  return s.split(separator);
}

/** Ruby's `value.respond_to?(:empty?) && value.empty?`: empty strings, arrays and hashes. */
const isEmpty = (v: FieldValue): boolean =>
  v === '' || (Array.isArray(v) && v.length === 0) || (isFieldMap(v) && Object.keys(v).length === 0);

export class SplitFilter extends FilterBase<SplitFilterOptions> {
  filter(event: Event): Event[] {
    const { field, terminator } = this.options;
    const value = event.get(field);
    let pieces: FieldValue[];
    if (Array.isArray(value)) pieces = value;
    else if (typeof value === 'string') {
      pieces = rubySplitKeepTrailing(value, terminator);
      if (pieces.length === 1) return [event];
    } else {
      this.log.warn(`Only String and Array types are splittable. field:${field} is of type = ${rubyClassName(value)}`);
      this.tagFailure(event, '_split_type_failure');
      return [event];
    }
    const out: Event[] = [];
    for (const piece of pieces) {
      if (isEmpty(piece)) continue;
      const copy = event.clone();
      copy.set(this.options.target ?? field, piece);
      this.filterMatched(copy);
      out.push(copy);
    }
    event.cancelled = true;
    return out;
  }
}

export function create(options: SplitFilterOptions, ctx: PluginContext): Filter {
  return new SplitFilter(options, ctx);
}
