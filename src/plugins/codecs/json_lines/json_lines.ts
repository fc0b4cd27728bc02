// The json_lines codec: one JSON document per delimited line in, one per line out.
import type { Event } from '../../../event/event.ts';
import { jsonMap } from '../../../event/json.ts';
import { type BatchLease, JsonBatchWriter } from '../../../event/json-writer.ts';
import type { Codec, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import { JsonDocumentDecoder, stringOption } from '../json/json.ts';
import { SplittersBySource } from '../text-decode.ts';

export class JsonLinesCodec implements Codec {
  private readonly decoder: JsonDocumentDecoder;
  private readonly splitters: SplittersBySource;

  constructor(
    private readonly delimiter: string,
    ctx?: PluginContext,
    options: ResolvedOptions = {},
  ) {
    this.decoder = new JsonDocumentDecoder(ctx?.log, stringOption(options, 'charset') ?? 'UTF-8', stringOption(options, 'target'));
    this.splitters = new SplittersBySource(delimiter);
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    this.splitters.for(source).push(data, (line) => this.decoder.decode(line, emit));
  }

  flush(source: SourceInfo, emit: (event: Event) => void): void {
    const tail = this.splitters.for(source).flush();
    if (tail !== undefined) this.decoder.decode(tail, emit);
  }

  encode(event: Event): string {
    return jsonMap(event.data) + this.delimiter;
  }

  private writer: JsonBatchWriter | undefined;

  /** The batch as one Buffer, written byte by byte (the udp → json_lines hot path). */
  encodeBatch(events: readonly Event[]): Buffer {
    this.write(events);
    return this.writer!.take();
  }

  /** As encodeBatch, with memory the codec reuses once the caller releases it (after its write completed). */
  encodeBatchLease(events: readonly Event[]): BatchLease {
    this.write(events);
    return this.writer!.lease();
  }

  private write(events: readonly Event[]): void {
    const w = (this.writer ??= new JsonBatchWriter());
    w.reset();
    for (let i = 0; i < events.length; i++) w.writeLine(events[i]!.data, this.delimiter);
  }

  stats(): Record<string, number> {
    return { json_parse_failures: this.decoder.failures, invalid_utf8: this.decoder.text.invalid };
  }
}

export function create(options: ResolvedOptions, ctx: PluginContext): Codec {
  return new JsonLinesCodec(typeof options['delimiter'] === 'string' ? options['delimiter'] : '\n', ctx, options);
}
