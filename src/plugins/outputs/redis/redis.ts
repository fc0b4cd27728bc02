// logstash-output-redis: each event rendered by the codec (json) is RPUSHed to the list `key` or
// PUBLISHed on the channel `key` (key sprintf'd per event). `batch` pushes a batch's events for the
// same key in one RPUSH (lists only). A lost connection is retried every reconnect_interval
// seconds and the batch waits; with congestion_threshold > 0 a list longer than it holds the
// output (checked every congestion_interval seconds). --dry-run prints the commands instead.
import type { RedisClientType } from 'redis';
import type { Event } from '../../../event/event.ts';
import { sprintf } from '../../../event/sprintf.ts';
import type { Codec, Output, PluginContext } from '../../types.ts';
import { writeFully } from '../stdout/stdout.ts';
import type { RedisOutputOptions } from './schema.ts';

export class RedisOutput implements Output {
  sent = 0;
  reconnects = 0;
  congestionWaits = 0;
  private client?: RedisClientType;
  private readonly closing = new AbortController();

  constructor(
    private readonly o: RedisOutputOptions,
    private readonly codec: Codec,
    private readonly ctx: PluginContext,
  ) {
    if (o.data_type === undefined) throw new Error('redis output: data_type (list or channel) is required');
    if (o.key === undefined) throw new Error('redis output: key is required');
    if (o.batch && o.data_type !== 'list') throw new Error('batch is not supported with data_type channel');
  }

  private hosts(): string[] {
    const hosts = (Array.isArray(this.o.host) ? this.o.host : [this.o.host ?? '127.0.0.1']).map(String);
    if (this.o.shuffle_hosts) hosts.sort(() => Math.random() - 0.5);
    return hosts;
  }

  private async connect(): Promise<RedisClientType> {
    const { createClient } = await import('redis');
    for (let attempt = 0; ; attempt++) {
      const host = this.hosts()[attempt % this.hosts().length]!;
      const [h, p] = host.includes(':') && !host.includes('::') ? [host.split(':')[0]!, Number(host.split(':')[1])] : [host, this.o.port];
      const client = createClient({
        socket: { host: h, port: p, connectTimeout: this.o.timeout * 1000, reconnectStrategy: false, ...(this.o.ssl ? { tls: true as const } : {}) },
        database: this.o.db,
        ...(this.o.password !== undefined ? { password: String(this.o.password) } : {}),
      }) as RedisClientType;
      client.on('error', () => undefined);
      try {
        await client.connect();
        return client;
      } catch (e) {
        this.reconnects++;
        this.ctx.log.warn('Failed to send event to Redis', { identity: `redis://${h}:${p}/${this.o.db}`, exception: (e as Error).message, retry_in_seconds: this.o.reconnect_interval });
        await client.destroy?.();
        if (!(await this.sleep(this.o.reconnect_interval))) throw new Error('redis output closed while reconnecting');
      }
    }
  }

  private sleep(seconds: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(true), seconds * 1000);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(false);
      }, { once: true });
    });
  }

  private async congestionCheck(client: RedisClientType, key: string): Promise<void> {
    if (this.o.data_type !== 'list' || this.o.congestion_threshold <= 0) return;
    while ((await client.lLen(key)) > this.o.congestion_threshold) {
      this.congestionWaits++;
      this.ctx.log.warn('Redis key size has hit a congestion threshold, suspending output', { key, threshold: this.o.congestion_threshold });
      if (!(await this.sleep(this.o.congestion_interval))) return;
    }
  }

  async write(events: Event[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const e of events) {
      const key = sprintf(e, this.o.key!);
      const rendered = this.codec.encode(e);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push(typeof rendered === 'string' ? rendered : rendered.toString('utf8'));
    }
    for (const [key, payloads] of byKey) {
      if (this.ctx.dryRun) {
        const cmd = this.o.data_type === 'list' ? 'RPUSH' : 'PUBLISH';
        await writeFully(process.stdout, payloads.map((p) => `${cmd} ${key} ${p}\n`).join(''));
        this.sent += payloads.length;
        continue;
      }
      for (;;) {
        try {
          this.client ??= await this.connect();
          await this.congestionCheck(this.client, key);
          if (this.o.data_type === 'channel') for (const p of payloads) await this.client.publish(key, p);
          else if (this.o.batch) for (let i = 0; i < payloads.length; i += this.o.batch_events) await this.client.rPush(key, payloads.slice(i, i + this.o.batch_events));
          else for (const p of payloads) await this.client.rPush(key, p);
          this.sent += payloads.length;
          break;
        } catch (e) {
          if (this.closing.signal.aborted) {
            this.ctx.log.error('redis output closed before the batch was sent', { events: payloads.length });
            return;
          }
          this.ctx.log.warn('Failed to send event to Redis, reconnecting', { exception: (e as Error).message });
          await this.client?.destroy?.();
          this.client = undefined;
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client?.quit().catch(() => undefined);
    this.client = undefined;
  }

  stats(): Record<string, number> {
    return { sent: this.sent, reconnects: this.reconnects, congestion_waits: this.congestionWaits };
  }
}

export function create(options: RedisOutputOptions, ctx: PluginContext): Output {
  return new RedisOutput(options, ctx.createCodec(options.codec), ctx);
}
