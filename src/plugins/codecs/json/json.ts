// The json codec: encode is the event as Jackson writes it (no @metadata, no newline); decode
// parses one JSON document per chunk (an array gives one event per element). Unparseable input
// becomes an event with the raw text in `message` and tag `_jsonparsefailure`, with a WARN.
import { Event } from '../../../event/event.ts';
import { jsonMap } from '../../../event/json.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import { type FieldMap, isFieldMap } from '../../../event/values.ts';
import type { Codec, Logger, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import { Utf8TextDecoder } from '../text-decode.ts';

/** Decodes one JSON document into events; shared by json and json_lines. */
export class JsonDocumentDecoder {
  failures = 0;
  readonly text: Utf8TextDecoder;
  constructor(
    private readonly log?: Logger,
    charset = 'UTF-8',
    private readonly target?: string,
  ) {
    this.text = new Utf8TextDecoder(log, charset);
  }

  private toEvent(map: FieldMap): Event {
    if (this.target === undefined) return Event.fromParsed(map);
    const event = new Event({});
    event.set(this.target, map);
    return event;
  }

  decode(bytes: Buffer, emit: (event: Event) => void): void {
    const text = this.text.decode(bytes);
    if (text.trim() === '') return;
    let parsed;
    try {
      parsed = parseJsonValue(text);
    } catch (e) {
      this.fail(text, (e as Error).message, emit);
      return;
    }
    if (isFieldMap(parsed)) emit(this.toEvent(parsed));
    else if (Array.isArray(parsed) && parsed.every(isFieldMap)) {
      for (const item of parsed) emit(this.toEvent(item as FieldMap));
    } else this.fail(text, 'JSON value is not an object or an array of objects', emit);
  }

  private fail(text: string, why: string, emit: (event: Event) => void): void {
    this.failures++;
    this.log?.warn('JSON parse error, original data now in message field', { message: why, data: text });
    const event = new Event({ message: text });
    event.tag('_jsonparsefailure');
    emit(event);
  }
}

export class JsonCodec implements Codec {
  private readonly decoder: JsonDocumentDecoder;
  constructor(ctx?: PluginContext, options: ResolvedOptions = {}) {
    this.decoder = new JsonDocumentDecoder(ctx?.log, stringOption(options, 'charset') ?? 'UTF-8', stringOption(options, 'target'));
  }

  decode(data: Buffer, _source: SourceInfo, emit: (event: Event) => void): void {
    this.decoder.decode(data, emit);
  }

  encode(event: Event): string {
    return jsonMap(event.data);
  }

  stats(): Record<string, number> {
    return { json_parse_failures: this.decoder.failures, invalid_utf8: this.decoder.text.invalid };
  }
}

export function stringOption(options: ResolvedOptions, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function create(options: ResolvedOptions, ctx: PluginContext): Codec {
  return new JsonCodec(ctx, options);
}
