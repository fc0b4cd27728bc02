// The edn_lines codec: one EDN document per line in, one per line out. On a line that fails,
// Logstash's message is the whole chunk handed to decode (not the line): kept, it is what users see.
// Unlike Logstash (whose edn_lines never flushes its line buffer), an unterminated last line is decoded at
// the end of the input instead of being lost.
import type { Event } from '../../../event/event.ts';
import type { Codec, PluginContext, SourceInfo } from '../../types.ts';
import { SplittersBySource } from '../text-decode.ts';
import { EdnEventReader, eventToEdn } from '../edn/edn.ts';
import type { EdnLinesCodecOptions } from './schema.ts';

export class EdnLinesCodec implements Codec {
  private readonly reader: EdnEventReader;
  private readonly splitters = new SplittersBySource('\n');

  constructor(options: EdnLinesCodecOptions, ctx: PluginContext) {
    this.reader = new EdnEventReader(ctx.log, options.target);
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    let chunk: string | undefined;
    this.splitters.for(source).push(data, (line) => {
      chunk ??= this.reader.text.decode(data);
      emit(this.reader.read(this.reader.text.decode(line), chunk));
    });
  }

  flush(source: SourceInfo, emit: (event: Event) => void): void {
    const tail = this.splitters.for(source).flush();
    if (tail === undefined) return;
    const text = this.reader.text.decode(tail);
    emit(this.reader.read(text, text));
  }

  encode(event: Event): string {
    return `${eventToEdn(event)}\n`;
  }

  stats(): Record<string, number> {
    return { edn_parse_failures: this.reader.failures };
  }
}

export function create(options: EdnLinesCodecOptions, ctx: PluginContext): Codec {
  return new EdnLinesCodec(options, ctx);
}
