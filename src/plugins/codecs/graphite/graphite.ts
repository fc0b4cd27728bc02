// The graphite codec (carbon plaintext): decode turns `name value timestamp` lines into
// `{name => value.to_f, @timestamp => Timestamp.at(timestamp)}`; encode writes one line per metric,
// from `metrics` (sprintf'd names and values) or, with fields_are_metrics, from the event's fields,
// filtered by include_metrics / exclude_metrics (Ruby regexps) and named through metrics_format.
// Differences from Logstash, both deliberate: a blank line is skipped with a WARN (Logstash raises on
// its nil metric name), and metrics_format is sprintf'd per event (Logstash overwrites its own setting
// with the first event's expansion, so later events keep the first one's host).
import { Event } from '../../../event/event.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, rubyFloatToString } from '../../../event/values.ts';
import { rubySplit, rubyToF, rubyToI } from '../../../event/ruby-strings.ts';
import { compileRegexpAsync, type Regexp } from '../../../regexp/regexp.ts';
import type { Codec, Logger, PluginContext, SourceInfo } from '../../types.ts';
import { SplittersBySource, Utf8TextDecoder } from '../text-decode.ts';
import type { GraphiteCodecOptions } from './schema.ts';

const EXCLUDE_ALWAYS = new Set(['@timestamp', '@version']);

export class GraphiteCodec implements Codec {
  private readonly splitters = new SplittersBySource('\n');
  private readonly text: Utf8TextDecoder;
  private readonly log: Logger;
  private include: Regexp[] = [];
  private exclude: Regexp[] = [];
  skipped = 0;

  constructor(private readonly options: GraphiteCodecOptions, ctx: PluginContext) {
    this.log = ctx.log;
    this.text = new Utf8TextDecoder(ctx.log);
  }

  async register(): Promise<void> {
    const compile = (list: unknown[]): Promise<Regexp[]> => Promise.all(list.map((p) => compileRegexpAsync(String(p))));
    this.include = await compile(this.options.include_metrics);
    this.exclude = await compile(this.options.exclude_metrics);
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    this.splitters.for(source).push(data, (line) => this.decodeLine(this.text.decode(line), emit));
  }

  flush(source: SourceInfo, emit: (event: Event) => void): void {
    const tail = this.splitters.for(source).flush();
    if (tail !== undefined) this.decodeLine(this.text.decode(tail), emit);
  }

  private decodeLine(line: string, emit: (event: Event) => void): void {
    const [name, value, time] = rubySplit(line, ' ');
    if (name === undefined) {
      this.skipped++;
      this.log.warn('Skipping a graphite line without a metric name', { line });
      return;
    }
    const seconds = time === undefined ? 0 : rubyToI(time);
    const at = Timestamp.fromMillis(Number(seconds) * 1000);
    emit(new Event({ '@timestamp': at, '@version': '1', [name]: new Float(value === undefined ? 0 : rubyToF(value)) }));
  }

  private wanted(metric: string, includeAllWhenEmpty: boolean): boolean {
    const included = (includeAllWhenEmpty && this.include.length === 0) || this.include.some((r) => r.test(metric));
    return included && !this.exclude.some((r) => r.test(metric));
  }

  encode(event: Event): string {
    const timestamp = sprintf(event, '%{+%s}');
    const format = sprintf(event, this.options.metrics_format);
    const name = (metric: string): string => format.split('*').join(metric);
    const number = (text: string): string => rubyFloatToString(rubyToF(text));
    const lines: string[] = [];
    if (this.options.fields_are_metrics) {
      for (const [metric, value] of Object.entries(event.data)) {
        if (EXCLUDE_ALWAYS.has(metric) || !this.wanted(metric, true)) continue;
        lines.push(`${name(metric)} ${number(sprintf(event, valueToString(value)))} ${timestamp}`);
      }
    } else {
      for (const [template, value] of Object.entries(this.options.metrics)) {
        const metric = sprintf(event, template);
        if (!this.wanted(metric, false)) continue;
        lines.push(`${name(sprintf(event, metric))} ${number(sprintf(event, valueToString(value as never)))} ${timestamp}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  stats(): Record<string, number> {
    return { skipped_lines: this.skipped };
  }
}

export function create(options: GraphiteCodecOptions, ctx: PluginContext): Codec {
  return new GraphiteCodec(options, ctx);
}
