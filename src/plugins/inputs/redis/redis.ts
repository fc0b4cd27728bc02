// logstash-input-redis: `list` pops up to batch_count entries at a time (LPOP with a count, BLPOP
// to wait when the list is empty), `channel` SUBSCRIBEs and `pattern_channel` PSUBSCRIBEs to `key`.
// Each entry goes through the codec (json); events are decorated and queued; a pipeline that is
// full stops the popping (list) — channel messages arriving meanwhile queue in memory, as Redis
// pub/sub cannot wait. A lost connection is retried every second. Counters: received = events +
// decode failures.
import type { RedisClientType } from 'redis';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext } from '../../types.ts';
import type { RedisInputOptions } from './schema.ts';

export class RedisInput implements Input {
  readonly counters = { received: 0, events: 0, decode_failures: 0, reconnects: 0 };

  constructor(
    private readonly o: RedisInputOptions,
    private readonly pctx: PluginContext,
  ) {}

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  private async client(): Promise<RedisClientType> {
    const { createClient } = await import('redis');
    const socket = this.o.path !== undefined ? { path: this.o.path } : { host: this.o.host, port: this.o.port, ...(this.o.ssl ? { tls: true as const } : {}) };
    const c = createClient({ socket: { ...socket, connectTimeout: this.o.timeout * 1000, reconnectStrategy: false }, database: this.o.db, ...(this.o.password !== undefined ? { password: String(this.o.password) } : {}) }) as RedisClientType;
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  private decode(ctx: InputContext, payload: string): Event[] {
    this.counters.received++;
    const events: Event[] = [];
    try {
      ctx.codec.decode(Buffer.from(payload), { host: this.o.host, port: this.o.port }, (e) => events.push(e));
    } catch (e) {
      this.counters.decode_failures++;
      ctx.log.error('Failed to decode an entry from Redis', { key: this.o.key, exception: (e as Error).message });
      return [];
    }
    for (const e of events) ctx.decorate(e);
    this.counters.events += events.length;
    return events;
  }

  async run(ctx: InputContext): Promise<void> {
    while (!ctx.signal.aborted) {
      let c: RedisClientType | undefined;
      try {
        c = await this.client();
        ctx.log.info('Registering Redis', { identity: `redis://${this.o.host}:${this.o.port}/${this.o.db} ${this.o.data_type}:${this.o.key}` });
        if (this.o.data_type === 'list') await this.listLoop(ctx, c);
        else await this.subscribe(ctx, c);
      } catch (e) {
        if (ctx.signal.aborted) break;
        this.counters.reconnects++;
        ctx.log.warn('Redis connection problem', { exception: (e as Error).message });
        await new Promise<void>((r) => {
          const t = setTimeout(r, 1000);
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
      } finally {
        await c?.quit().catch(() => c?.destroy?.());
      }
    }
    const k = this.counters;
    ctx.log.info(`redis input ${this.o.data_type}:${this.o.key}: received ${k.received}, events ${k.events}, decode failures ${k.decode_failures}`, { ...k });
  }

  private async listLoop(ctx: InputContext, c: RedisClientType): Promise<void> {
    const key = this.o.key;
    while (!ctx.signal.aborted) {
      const items = (await c.lPopCount(key, this.o.batch_count)) ?? [];
      if (items.length === 0) {
        // Wait for the next entry (BLPOP with a short timeout so a shutdown is noticed).
        const popped = await c.blPop(key, 1);
        if (popped) items.push(popped.element);
        else continue;
      }
      const events = items.flatMap((item) => this.decode(ctx, item));
      if (events.length > 0) {
        const pending = ctx.push(events);
        if (pending) await pending;
      }
    }
  }

  private async subscribe(ctx: InputContext, c: RedisClientType): Promise<void> {
    let chain = Promise.resolve();
    const onMessage = (message: string): void => {
      const events = this.decode(ctx, message);
      if (events.length > 0) chain = chain.then(() => ctx.push(events));
    };
    if (this.o.data_type === 'channel') await c.subscribe(this.o.key, onMessage);
    else await c.pSubscribe(this.o.key, onMessage);
    await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
    await chain;
  }
}

export function create(options: RedisInputOptions, ctx: PluginContext): Input {
  return new RedisInput(options, ctx);
}
