// The json filter (logstash-filter-json, lib/logstash/filters/json.rb): parses the `source` string
// into `target`, or into the event's top level when the JSON is an object. A parsed `@timestamp`
// becomes the event's timestamp; one that does not parse is kept as text in `_@timestamp` with
// the `_timestampparsefailure` tag. Invalid JSON tags `tag_on_failure` with a WARN (both skipped
// with skip_on_invalid_json), and so does a non-object without `target`.
import type { Event } from '../../../event/event.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import { parseIso8601 } from '../../../event/datetime-pattern.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { UTC } from '../../../event/timezone.ts';
import { valueToString } from '../../../event/stringify.ts';
import { type FieldValue, isFieldMap, rubyClassName } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { checkEcsTarget } from '../../../util/ecs-target-check.ts';
import type { JsonFilterOptions } from './schema.ts';

export class JsonFilter extends FilterBase<JsonFilterOptions> {
  constructor(options: JsonFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    checkEcsTarget(ctx.ecsCompatibility, options.target, this.log);
  }

  filter(event: Event): Event[] {
    const { source: field, target } = this.options;
    const raw = event.get(field);
    if (raw === undefined || raw === null || raw === false) return [event];
    let parsed: FieldValue;
    try {
      // Jackson reads an empty document as nil.
      parsed = typeof raw === 'string' ? (raw === '' ? null : parseJsonValue(raw)) : notText(raw);
    } catch (e) {
      // spec/filters/json_spec.rb: with skip_on_invalid_json, no warning and no tag.
      if (!this.options.skip_on_invalid_json) {
        this.log.warn('Error parsing json', { source: field, raw: valueToString(raw), exception: (e as Error).message });
        this.tagFailure(event, this.options.tag_on_failure);
      }
      return [event];
    }
    try {
      if (target !== undefined) event.set(target, parsed);
      else if (!isFieldMap(parsed)) {
        this.tagFailure(event, this.options.tag_on_failure);
        this.log.warn('Parsed JSON object/hash requires a target configuration option', { source: field, raw: valueToString(raw) });
        return [event];
      } else this.mergeAtRoot(event, parsed);
      this.filterMatched(event);
    } catch (e) {
      this.log.warn('Exception caught in json filter', { source: field, raw: valueToString(raw), exception: (e as Error).message });
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return [event];
  }

  private mergeAtRoot(event: Event, parsed: Record<string, FieldValue>): void {
    const hasTimestamp = Object.prototype.hasOwnProperty.call(parsed, '@timestamp');
    const rawTimestamp = parsed['@timestamp'];
    for (const key of Object.keys(parsed)) if (key !== '@timestamp') event.set(key, parsed[key]!);
    if (!hasTimestamp || rawTimestamp === null) return;
    const ts = coerceTimestamp(rawTimestamp!);
    if (ts) {
      event.timestamp = ts;
      return;
    }
    event.timestamp = Timestamp.now();
    this.log.warn(
      'Unrecognized @timestamp value, setting current time to @timestamp, original in _@timestamp field',
      { value: JSON.stringify(valueToString(rawTimestamp)) },
    );
    event.tag('_timestampparsefailure');
    event.set('_@timestamp', valueToString(rawTimestamp));
  }
}

/** LogStash::Timestamp.coerce: a Timestamp, or an ISO8601 string; anything else is no timestamp. */
function coerceTimestamp(v: FieldValue): Timestamp | undefined {
  if (v instanceof Timestamp) return v;
  if (typeof v === 'string') return parseIso8601(v, UTC, true);
  return undefined;
}

/** JrJackson refuses anything but a String as its input. */
function notText(v: FieldValue): never {
  throw new TypeError(`no implicit conversion of ${rubyClassName(v)} into String`);
}

export function create(options: JsonFilterOptions, ctx: PluginContext): Filter {
  return new JsonFilter(options, ctx);
}
