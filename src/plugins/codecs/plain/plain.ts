// The plain codec: decode makes one event per chunk (`message` = the chunk); encode writes
// `format` sprintf'd (default event.to_s) with no delimiter.
import type { Event } from '../../../event/event.ts';
import type { Codec, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import { messageEvent, textFormatter } from '../line/line.ts';
import { Utf8TextDecoder } from '../text-decode.ts';

export class PlainCodec implements Codec {
  private readonly text: Utf8TextDecoder;
  private readonly format: (event: Event) => string;

  constructor(
    format: unknown,
    ctx?: PluginContext,
    private readonly ecs = true,
    charset = 'UTF-8',
  ) {
    this.text = new Utf8TextDecoder(ctx?.log, charset);
    this.format = textFormatter(format);
  }

  decode(data: Buffer, _source: SourceInfo, emit: (event: Event) => void): void {
    emit(messageEvent(this.text.decode(data), this.ecs));
  }

  encode(event: Event): string {
    return this.format(event);
  }

  stats(): Record<string, number> {
    return { invalid_utf8: this.text.invalid };
  }
}

export function create(options: ResolvedOptions, ctx: PluginContext): Codec {
  return new PlainCodec(
    options['format'],
    ctx,
    options['ecs_compatibility'] !== 'disabled',
    typeof options['charset'] === 'string' ? options['charset'] : 'UTF-8',
  );
}
