// The json codec: encode is the event as Jackson writes it (no @metadata, no newline); decode
// parses one JSON document per chunk (an array gives one event per element). Unparseable input
// becomes an event with the raw text in `message` and tag `_jsonparsefailure`, with a WARN.
import { Event } from '../pipeline/event.ts';
import { jsonMap } from '../pipeline/json.ts';
import { parseJsonValue } from '../pipeline/json-parse.ts';
import { isFieldMap } from '../pipeline/values.ts';
import type { Codec, Logger, PluginContext, ResolvedOptions, SourceInfo } from '../plugins/types.ts';
import { Utf8TextDecoder } from './text-decode.ts';

/** Decodes one JSON document into events; shared by json and json_lines. */
export class JsonDocumentDecoder {
  failures = 0;
  readonly text: Utf8TextDecoder;
  constructor(private readonly log?: Logger) {
    this.text = new Utf8TextDecoder(log);
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
    if (isFieldMap(parsed)) emit(Event.fromParsed(parsed));
    else if (Array.isArray(parsed) && parsed.every(isFieldMap)) {
      for (const item of parsed) emit(Event.fromParsed(item as Parameters<typeof Event.fromParsed>[0]));
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
  constructor(ctx?: PluginContext) {
    this.decoder = new JsonDocumentDecoder(ctx?.log);
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

export function createJsonCodec(_options: ResolvedOptions, ctx: PluginContext): Codec {
  return new JsonCodec(ctx);
}
