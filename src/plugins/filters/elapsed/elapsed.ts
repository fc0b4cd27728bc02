// The elapsed filter (logstash-filter-elapsed 4.1). An event tagged `start_tag` with a
// `unique_id_field` value is remembered (the first one per id, or the last with keep_start_event
// => last); an event tagged `end_tag` with the same id gets `elapsed_time` (seconds between the two
// @timestamps, a float), `elapsed_timestamp_start` and the tags `elapsed` and `elapsed_match` —
// or, with new_event_on_match, a new event carrying them follows the end event. An end event
// with no start is tagged `elapsed_end_without_start`. Each flush (every 5 s, and at shutdown)
// ages the start events by 5 s; one whose age reaches `timeout` is dropped and an
// `elapsed_expired_error` event (elapsed_time = its age) is emitted. The plugin has no ECS mode:
// these field names are the same in every mode.
import { hostname } from 'node:os';
import { Event } from '../../../event/event.ts';
import { Float, type FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { ElapsedFilterOptions } from './schema.ts';

const ELAPSED_FIELD = 'elapsed_time';
const TIMESTAMP_START_FIELD = 'elapsed_timestamp_start';
const ELAPSED_TAG = 'elapsed';
const MATCH_TAG = 'elapsed_match';
const EXPIRED_ERROR_TAG = 'elapsed_expired_error';
const END_WITHOUT_START_TAG = 'elapsed_end_without_start';
/** Seconds between two flushes: Logstash ages start events by the flush period, not by a clock. */
const FLUSH_PERIOD = 5;

interface StartEvent {
  event: Event;
  /** Seconds since it was recorded, counted in flushes. */
  age: number;
}

export class ElapsedFilter extends FilterBase<ElapsedFilterOptions> {
  readonly periodicFlush = true;
  /** Recorded start events by task id (the id's string form, as a Ruby hash keyed on a String). */
  private readonly starts = new Map<string, StartEvent>();
  private readonly host = hostname();

  constructor(options: ElapsedFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.log.info(`Elapsed, timeout: ${options.timeout} seconds`);
  }

  /** The recorded start events (task id → age in seconds), oldest first. */
  pending(): Map<string, number> {
    return new Map([...this.starts].map(([id, s]) => [id, s.age]));
  }

  filter(event: Event): Event[] {
    const id = event.get(this.options.unique_id_field);
    if (id === undefined || id === null) return [event];
    const key = idKey(id);

    if (hasTag(event, this.options.start_tag)) {
      this.filterMatched(event);
      this.log.info("Elapsed, 'start event' received", { start_tag: this.options.start_tag, unique_id_field: this.options.unique_id_field });
      if (this.options.keep_start_event === 'last' || !this.starts.has(key)) {
        this.starts.delete(key);
        this.starts.set(key, { event, age: 0 });
      }
      return [event];
    }
    if (!hasTag(event, this.options.end_tag)) return [event];

    this.filterMatched(event);
    this.log.info("Elapsed, 'end event' received", { end_tag: this.options.end_tag, unique_id_field: this.options.unique_id_field });
    const start = this.starts.get(key);
    if (!start) {
      event.tag(END_WITHOUT_START_TAG);
      return [event];
    }
    this.starts.delete(key);
    const startedAt = start.event.timestamp;
    const elapsed = new Float(event.timestamp.seconds - startedAt.seconds + (event.timestamp.nanos - startedAt.nanos) / 1e9);
    if (!this.options.new_event_on_match) {
      addElapsedInfo(event, elapsed, this.options.unique_id_field, id, startedAt);
      return [event];
    }
    const match = new Event({ host: this.host });
    addElapsedInfo(match, elapsed, this.options.unique_id_field, id, startedAt);
    this.filterMatched(match);
    return [event, match];
  }

  flush(): Event[] {
    const expired: StartEvent[] = [];
    for (const [key, start] of this.starts) {
      start.age += FLUSH_PERIOD;
      if (start.age >= this.options.timeout) {
        expired.push(start);
        this.starts.delete(key);
      }
    }
    return expired.map((start) => {
      const error = new Event({});
      error.tag(ELAPSED_TAG);
      error.tag(EXPIRED_ERROR_TAG);
      error.set('host', this.host);
      error.set(this.options.unique_id_field, start.event.get(this.options.unique_id_field) ?? null);
      error.set(ELAPSED_FIELD, start.age);
      error.set(TIMESTAMP_START_FIELD, start.event.timestamp);
      this.filterMatched(error);
      return error;
    });
  }

  stats(): Record<string, number> {
    return { ...super.stats(), pending: this.starts.size };
  }
}

function addElapsedInfo(event: Event, elapsed: Float, idField: string, id: FieldValue, startedAt: Event['timestamp']): void {
  event.tag(ELAPSED_TAG);
  event.tag(MATCH_TAG);
  event.set(ELAPSED_FIELD, elapsed);
  event.set(idField, id);
  event.set(TIMESTAMP_START_FIELD, startedAt);
}

function hasTag(event: Event, tag: string): boolean {
  const tags = event.get('tags');
  return Array.isArray(tags) ? tags.includes(tag) : tags === tag;
}

/** Task ids are compared by value, as Ruby hash keys are (1 and "1" differ). */
function idKey(id: FieldValue): string {
  return typeof id === 'string' ? `s:${id}` : `v:${JSON.stringify(id, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
}

export function create(options: ElapsedFilterOptions, ctx: PluginContext): Filter {
  return new ElapsedFilter(options, ctx);
}
