// The line codec: decode splits on `delimiter` (one event per line, `message` = the line);
// encode writes `format` sprintf'd (default event.to_s) plus the delimiter.
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import type { Codec, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import { SplittersBySource, Utf8TextDecoder } from '../text-decode.ts';

export function textFormatter(format: unknown): (event: Event) => string {
  if (typeof format === 'string') {
    const f: Interpolator = compileSprintf(format);
    return f;
  }
  return (event) => event.toString();
}

/** An event for a decoded text; under ECS (v1/v8, the default) it also keeps `[event][original]`. */
export function messageEvent(message: string, ecs: boolean): Event {
  // Built in final key order so the Event constructor adopts it without a copy.
  const now = Timestamp.now();
  return new Event(
    ecs ? { '@timestamp': now, '@version': '1', message, event: { original: message } } : { '@timestamp': now, '@version': '1', message },
  );
}

export class LineCodec implements Codec {
  private readonly splitters: SplittersBySource;
  private readonly text: Utf8TextDecoder;
  private readonly format: (event: Event) => string;

  constructor(
    private readonly delimiter: string,
    format: unknown,
    ctx?: PluginContext,
    private readonly ecs = true,
    charset = 'UTF-8',
  ) {
    this.text = new Utf8TextDecoder(ctx?.log, charset);
    this.format = textFormatter(format);
    this.splitters = new SplittersBySource(delimiter);
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    this.splitters.for(source).push(data, (line) => emit(messageEvent(this.text.decode(line), this.ecs)));
  }

  flush(source: SourceInfo, emit: (event: Event) => void): void {
    const tail = this.splitters.for(source).flush();
    if (tail !== undefined) emit(messageEvent(this.text.decode(tail), this.ecs));
  }

  encode(event: Event): string {
    return this.format(event) + this.delimiter;
  }

  stats(): Record<string, number> {
    return { invalid_utf8: this.text.invalid };
  }
}

export function create(options: ResolvedOptions, ctx: PluginContext): Codec {
  return new LineCodec(
    typeof options['delimiter'] === 'string' ? options['delimiter'] : '\n',
    options['format'],
    ctx,
    options['ecs_compatibility'] !== 'disabled',
    typeof options['charset'] === 'string' ? options['charset'] : 'UTF-8',
  );
}
