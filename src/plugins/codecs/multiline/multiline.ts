// The multiline codec (logstash-codec-multiline 3.1): each line (per source) is matched against
// `pattern` — a grok expression over logstash-patterns-core's legacy table plus `patterns_dir`
// files — and, with `negate` inverting the result, a matching line belongs to the previous event
// (what => previous: a line that does not match first emits what was buffered) or to the next one
// (what => next: a line that does not match closes the buffer). The event's message is the buffered
// lines joined with "\n", its @timestamp the time its first line arrived; it is tagged
// `multiline_tag` when it holds more than one line, and multiline_codec_max_lines_reached /
// _max_bytes_reached when a limit forced the flush. flush() (end of input) emits what is left.
// Not implemented: auto_flush_interval (the codec interface has no timer-driven emit; the value is
// accepted and a WARN says the buffer is only flushed by the next event or the end of input).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { ensureRegexpEngine, type Regexp } from '../../../regexp/regexp.ts';
import { compileGrok } from '../../filters/grok/compiler.ts';
import { parsePatternsFile } from '../../filters/grok/patterns-file.ts';
import { LEGACY_PATTERNS } from '../../filters/grok/patterns.generated.ts';
import type { Codec, Logger, PluginContext, SourceInfo } from '../../types.ts';
import { SplittersBySource, Utf8TextDecoder } from '../text-decode.ts';
import type { MultilineCodecOptions } from './schema.ts';

interface Pending {
  lines: string[];
  bytes: number;
  time: Timestamp;
}

async function patternFiles(dirs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    const info = await stat(dir);
    if (info.isDirectory()) for (const f of (await readdir(dir)).sort()) files.push(path.join(dir, f));
    else files.push(dir);
  }
  return files;
}

export class MultilineCodec implements Codec {
  private regexp: Regexp | undefined;
  private readonly splitters = new SplittersBySource('\n');
  private readonly pending = new Map<string, Pending>();
  private readonly text: Utf8TextDecoder;
  private readonly log: Logger;
  private readonly maxBytes: number;

  constructor(
    private readonly options: MultilineCodecOptions,
    ctx: PluginContext,
  ) {
    this.log = ctx.log;
    this.text = new Utf8TextDecoder(ctx.log, options.charset);
    // Validated configs carry a number; the schema's own default is the text '10 MiB'.
    this.maxBytes = typeof options.max_bytes === 'number' ? options.max_bytes : 10 * 1024 * 1024;
    if (options.auto_flush_interval !== undefined) {
      this.log.warn('multiline: auto_flush_interval is not supported; a buffered event is emitted by the next non-matching line or at the end of input');
    }
  }

  async register(): Promise<void> {
    const table: Record<string, string> = { ...LEGACY_PATTERNS };
    for (const file of await patternFiles(this.options.patterns_dir.map(String))) {
      if ((await stat(file)).isDirectory()) continue;
      for (const [name, pattern] of parsePatternsFile(await readFile(file, 'utf8'))) table[name] = pattern;
    }
    await ensureRegexpEngine();
    this.regexp = compileGrok(this.options.pattern, table, false).regexp;
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    this.splitters.for(source).push(data, (line) => this.line(this.text.decode(line), source, emit));
  }

  flush(source: SourceInfo, emit: (event: Event) => void): void {
    const tail = this.splitters.for(source).flush();
    if (tail !== undefined) this.line(this.text.decode(tail), source, emit);
    this.emitPending(source, emit);
  }

  private line(line: string, source: SourceInfo, emit: (event: Event) => void): void {
    if (!this.regexp) throw new Error('multiline codec used before register()');
    const matched = this.regexp.test(line) !== this.options.negate;
    if (this.options.what === 'previous') {
      if (!matched || this.overLimits(source)) this.emitPending(source, emit);
      this.buffer(line, source);
    } else {
      this.buffer(line, source);
      if (!matched || this.overLimits(source)) this.emitPending(source, emit);
    }
  }

  private key(source: SourceInfo): string {
    return `${source.host ?? ''}:${source.port ?? ''}`;
  }

  private buffer(line: string, source: SourceInfo): void {
    const key = this.key(source);
    let p = this.pending.get(key);
    if (!p) {
      p = { lines: [], bytes: 0, time: Timestamp.now() };
      this.pending.set(key, p);
    }
    p.lines.push(line);
    p.bytes += Buffer.byteLength(line);
  }

  private overLimits(source: SourceInfo): boolean {
    const p = this.pending.get(this.key(source));
    return p !== undefined && (p.lines.length > this.options.max_lines || p.bytes >= this.maxBytes);
  }

  private emitPending(source: SourceInfo, emit: (event: Event) => void): void {
    const key = this.key(source);
    const p = this.pending.get(key);
    if (!p || p.lines.length === 0) return;
    this.pending.delete(key);
    const event = new Event({ '@timestamp': p.time, '@version': '1', message: p.lines.join('\n') });
    if (this.options.multiline_tag !== '' && p.lines.length > 1) event.tag(this.options.multiline_tag);
    if (p.bytes >= this.maxBytes) event.tag('multiline_codec_max_bytes_reached');
    if (p.lines.length > this.options.max_lines) event.tag('multiline_codec_max_lines_reached');
    emit(event);
  }

  encode(event: Event): string {
    // The plugin's encode hands the event on unchanged; as text that is its to_s.
    return event.toString();
  }
}

export function create(options: MultilineCodecOptions, ctx: PluginContext): Codec {
  return new MultilineCodec(options, ctx);
}
