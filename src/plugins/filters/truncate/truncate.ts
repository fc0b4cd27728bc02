// The truncate filter (logstash-filter-truncate 1.0): strings longer than `length_bytes` UTF-8 bytes
// are cut to that many bytes, backing off so that no character is split; arrays have their strings
// cut, hashes are walked recursively, other values stay. `fields` (references) or every top-level
// field. filter_matched runs only when something was cut (Truncator.truncate_all).
import type { Event } from '../../../event/event.ts';
import { deepClone } from '../../../event/event.ts';
import { parseFieldReference, toReference } from '../../../event/fieldref.ts';
import { deepEqual, isFieldMap } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { TruncateFilterOptions } from './schema.ts';

/** The longest prefix of `value` within `length` UTF-8 bytes that ends on a character boundary. */
export function trimBytes(value: string, length: number): string {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= length) return value;
  if (length <= 0) return '';
  let end = length;
  // Back off over continuation bytes so the cut lands before a character's lead byte.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

export class TruncateFilter extends FilterBase<TruncateFilterOptions> {
  filter(event: Event): Event[] {
    const fields = this.options.fields ?? Object.keys(event.toObject()).map((k) => toReference([k]));
    let truncated = false;
    for (const field of fields) {
      const before = deepClone(event.get(field) ?? null);
      this.truncate(event, field);
      truncated ||= !deepEqual(before, event.get(field) ?? null);
    }
    if (truncated) {
      this.log.debug(`truncated one or more fields from event to length ${this.options.length_bytes}`);
      this.filterMatched(event);
    }
    return [event];
  }

  private truncate(event: Event, field: string): void {
    const length = this.options.length_bytes;
    const value = event.get(field);
    if (typeof value === 'string') event.set(field, trimBytes(value, length));
    else if (Array.isArray(value)) event.set(field, value.map((v) => (typeof v === 'string' ? trimBytes(v, length) : v)));
    else if (isFieldMap(value)) {
      const path = parseFieldReference(field);
      for (const key of Object.keys(value)) this.truncate(event, toReference([...path, key]));
    }
  }
}

export function create(options: TruncateFilterOptions, ctx: PluginContext): Filter {
  return new TruncateFilter(options, ctx);
}
