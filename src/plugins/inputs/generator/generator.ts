// The generator input: `count` rounds (0 = until shutdown) of `lines` (default: `message`), each
// line through the codec, with `[host][name]` and `[event][sequence]` (ECS) or `host` and
// `sequence` (ecs_compatibility => disabled) like logstash-input-generator.
import { hostname } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext, ResolvedOptions } from '../../types.ts';
import { FieldEnricher } from '../enrich.ts';

const CHUNK = 512;

export class GeneratorInput implements Input {
  private readonly lines: Buffer[];
  private readonly count: number;
  private readonly hostField: string;
  private readonly sequenceField: string;
  private readonly host = hostname();
  events = 0;

  constructor(options: ResolvedOptions) {
    const lines = Array.isArray(options['lines']) && options['lines'].length > 0 ? options['lines'].map(String) : undefined;
    const message = typeof options['message'] === 'string' ? options['message'] : 'Hello world!';
    this.lines = (lines ?? [message]).map((l) => Buffer.from(l, 'utf8'));
    const count = Array.isArray(options['count']) ? options['count'][0] : options['count'];
    this.count = typeof count === 'number' ? count : Number(count ?? 0) || 0;
    const ecs = options['ecs_compatibility'] !== 'disabled';
    this.hostField = ecs ? '[host][name]' : 'host';
    this.sequenceField = ecs ? '[event][sequence]' : 'sequence';
  }

  async run(ctx: InputContext): Promise<void> {
    const source = { host: this.host };
    const enrich = new FieldEnricher(ctx.log);
    let batch: Event[] = [];
    for (let n = 0; this.count <= 0 || n < this.count; n++) {
      if (ctx.signal.aborted) break;
      for (const line of this.lines) {
        ctx.codec.decode(line, source, (e) => {
          ctx.decorate(e);
          enrich.set(e, this.hostField, this.host, true);
          enrich.set(e, this.sequenceField, n, false);
          batch.push(e);
        });
        ctx.codec.flush?.(source, (e) => {
          ctx.decorate(e);
          enrich.set(e, this.hostField, this.host, true);
          enrich.set(e, this.sequenceField, n, false);
          batch.push(e);
        });
      }
      if (batch.length >= CHUNK) {
        this.events += batch.length;
        const wait = ctx.push(batch);
        batch = [];
        if (wait) await wait;
        else await yieldToLoop();
      }
    }
    if (batch.length > 0) {
      this.events += batch.length;
      await ctx.push(batch);
    }
  }

  stats(): Record<string, number> {
    return { events: this.events };
  }
}

export function create(options: ResolvedOptions, _ctx: PluginContext): Input {
  return new GeneratorInput(options);
}
