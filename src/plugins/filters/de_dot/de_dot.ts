// The de_dot filter (logstash-filter-de_dot 1.1): a field whose name holds dots is moved to the name
// with each dot replaced by `separator` (with `nested`, by `][`, which makes sub-fields), for the
// listed `fields` (field references) or every top-level field; `recursive` walks into hashes. The
// reference is bracketed first when nesting or recursing, and the old field is removed at the first
// level whose name has a dot (de_dot.rb#find_fieldref_for_delete).
import type { Event } from '../../../event/event.ts';
import { isFieldMap } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { DeDotFilterOptions } from './schema.ts';

export class DeDotConfigurationError extends Error {}

/** `[a.b][c.d]` → `[a.b]`: the reference down to the first level holding a dot. */
function refForDelete(source: string): string {
  let ref = '';
  for (const part of source.replace(/\[/g, '').split(']')) {
    ref += '[' + part + ']';
    if (part.includes('.')) return ref;
  }
  return ref;
}

export class DeDotFilter extends FilterBase<DeDotFilterOptions> {
  private readonly separator: string;

  constructor(options: DeDotFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    if (options.separator.includes('.')) throw new DeDotConfigurationError("de_dot: separator cannot be or contain '.'");
    this.separator = options.nested ? '][' : options.separator;
  }

  filter(event: Event): Event[] {
    const fields = this.options.fields === undefined ? Object.keys(event.toObject()) : this.options.fields.map(String);
    for (const ref of fields) {
      if (event.includes(ref) && (ref.includes('.') || this.options.recursive)) this.rename(event, ref);
    }
    this.filterMatched(event);
    return [event];
  }

  private rename(event: Event, original: string): void {
    let ref = original;
    if (this.separator === '][' || this.options.recursive) {
      if (!ref.startsWith('[')) ref = '[' + ref;
      if (!ref.endsWith(']')) ref += ']';
    }
    if (ref.includes('.')) {
      const renamed = ref.replace(/\./g, this.separator);
      event.set(renamed, event.get(ref) ?? null);
      event.remove(refForDelete(ref));
      ref = renamed;
    }
    if (this.options.recursive) {
      const content = event.get(ref);
      if (isFieldMap(content)) for (const key of Object.keys(content)) this.rename(event, `${ref}[${key}]`);
    }
  }
}

export function create(options: DeDotFilterOptions, ctx: PluginContext): Filter {
  return new DeDotFilter(options, ctx);
}
