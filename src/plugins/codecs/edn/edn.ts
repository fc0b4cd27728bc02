// The edn codec: one EDN document per decode() call (a datagram, a chunk), encode writes the
// event as an EDN map with @timestamp as ISO8601 text. A document that does not parse, or holds a
// value an event cannot (a symbol, a set, an #inst), becomes a plain `message` event with a WARN,
// as Logstash's "EDN parse failure. Falling back to plain-text".
import { Event } from '../../../event/event.ts';
import { type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';
import type { Codec, Logger, PluginContext, SourceInfo } from '../../types.ts';
import { Utf8TextDecoder } from '../text-decode.ts';
import { readEdn, writeEdn } from './edn-format.ts';
import type { EdnCodecOptions } from './schema.ts';

/** Turns EDN text into an event the way targeted_event_factory does; a failure falls back to plain text. */
export class EdnEventReader {
  failures = 0;
  readonly text: Utf8TextDecoder;

  constructor(
    private readonly log: Logger,
    private readonly target: string | undefined,
  ) {
    this.text = new Utf8TextDecoder(log);
  }

  /** `fallback` is what becomes the message on failure (edn_lines passes the whole chunk, as Logstash does). */
  read(text: string, fallback: string): Event {
    try {
      const value = readEdn(text);
      if (this.target !== undefined) {
        const event = new Event({});
        event.set(this.target, value);
        return event;
      }
      if (!isFieldMap(value)) throw new Error(`an EDN ${Array.isArray(value) ? 'vector' : 'scalar'} is not an event (no target is set)`);
      return Event.fromParsed(value);
    } catch (e) {
      this.failures++;
      this.log.warn('EDN parse failure. Falling back to plain-text', { error: (e as Error).message, data: fallback });
      return new Event({ message: fallback });
    }
  }
}

/** The event as EDN text: its fields with @timestamp rendered as ISO8601 (the gem cannot write a Timestamp). */
export function eventToEdn(event: Event): string {
  const data: FieldMap = { ...event.data, '@timestamp': event.timestamp.toString() };
  return writeEdn(data as FieldValue);
}

export class EdnCodec implements Codec {
  private readonly reader: EdnEventReader;

  constructor(options: EdnCodecOptions, ctx: PluginContext) {
    this.reader = new EdnEventReader(ctx.log, options.target);
  }

  decode(data: Buffer, _source: SourceInfo, emit: (event: Event) => void): void {
    const text = this.reader.text.decode(data);
    emit(this.reader.read(text, text));
  }

  encode(event: Event): string {
    return eventToEdn(event);
  }

  stats(): Record<string, number> {
    return { edn_parse_failures: this.reader.failures };
  }
}

export function create(options: EdnCodecOptions, ctx: PluginContext): Codec {
  return new EdnCodec(options, ctx);
}
