// logstash-output-tcp: client mode connects to host:port and writes each event as the codec
// renders it (json by default: no delimiter; json_lines for one per line); a failed connection is
// retried every reconnect_interval seconds and the batch waits (nothing is dropped). Server mode
// listens and sends every event to each connected client; with no client, events are dropped and
// counted, as Logstash drops them. --dry-run prints what would be sent.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Event } from '../../../event/event.ts';
import type { Codec, Output, PluginContext } from '../../types.ts';
import { encodeBatch, writeFully } from '../stdout/stdout.ts';
import type { TcpOutputOptions } from './schema.ts';

export class TcpOutput implements Output {
  sent = 0;
  dropped = 0;
  reconnects = 0;
  private socket?: net.Socket;
  private server?: net.Server;
  private readonly clients = new Set<net.Socket>();
  private readonly closing = new AbortController();
  /** Server mode: resolves once listening (tests use the port). */
  listening?: Promise<number>;

  constructor(
    private readonly o: TcpOutputOptions,
    private readonly codec: Codec,
    private readonly ctx: PluginContext,
  ) {}

  private get ssl(): boolean {
    const r = this.o as unknown as Record<string, unknown>;
    return Boolean(r['ssl_enabled'] ?? r['ssl_enable']);
  }

  register(): void {
    if (this.ctx.dryRun || this.o.mode !== 'server') return;
    const r = this.o as unknown as Record<string, unknown>;
    const onClient = (s: net.Socket): void => {
      this.clients.add(s);
      s.on('error', () => s.destroy());
      s.once('close', () => this.clients.delete(s));
    };
    this.server = this.ssl
      ? tls.createServer({ cert: readFileSync(String(r['ssl_certificate'] ?? r['ssl_cert'])), key: readFileSync(String(r['ssl_key'])) }, onClient)
      : net.createServer(onClient);
    const server = this.server;
    this.listening = new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve((server.address() as net.AddressInfo).port));
    });
    return void this.listening.catch((e: Error) => this.ctx.log.error('tcp output: could not listen', { address: `${this.o.host}:${this.o.port}`, message: e.message }));
  }

  private async connect(): Promise<net.Socket> {
    for (;;) {
      if (this.closing.signal.aborted) throw new Error('closed');
      const s = this.ssl
        ? tls.connect({ host: this.o.host, port: this.o.port, rejectUnauthorized: (this.o as unknown as Record<string, unknown>)['ssl_verification_mode'] !== 'none' })
        : net.connect({ host: this.o.host, port: this.o.port });
      const ok = await new Promise<boolean>((resolve) => {
        s.once(this.ssl ? 'secureConnect' : 'connect', () => resolve(true));
        s.once('error', (e) => {
          this.ctx.log.warn('Failed to establish connection, retrying', { host: this.o.host, port: this.o.port, message: e.message, retry_in_seconds: this.o.reconnect_interval });
          resolve(false);
        });
      });
      if (ok) {
        s.on('error', (e) => this.ctx.log.warn('client socket failed', { host: this.o.host, port: this.o.port, message: e.message }));
        s.once('close', () => {
          if (this.socket === s) this.socket = undefined;
        });
        return s;
      }
      this.reconnects++;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.reconnect_interval * 1000);
        this.closing.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  }

  async write(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    const data = encodeBatch(this.codec, events);
    if (this.ctx.dryRun) {
      await writeFully(process.stdout, data);
      this.sent += events.length;
      return;
    }
    if (this.o.mode === 'server') {
      if (this.clients.size === 0) {
        this.dropped += events.length;
        return;
      }
      await Promise.all([...this.clients].map((c) => writeFully(c, data).catch(() => undefined)));
      this.sent += events.length;
      return;
    }
    for (;;) {
      try {
        this.socket ??= await this.connect();
        await writeFully(this.socket, data);
        this.sent += events.length;
        return;
      } catch (e) {
        this.socket?.destroy();
        this.socket = undefined;
        if (this.closing.signal.aborted) {
          this.dropped += events.length;
          this.ctx.log.error('tcp output closed before the batch could be sent', { events: events.length });
          return;
        }
        this.ctx.log.warn('client socket failed, reconnecting', { message: (e as Error).message });
      }
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    const s = this.socket;
    if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    for (const c of this.clients) c.end();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    await this.codec.close?.();
  }

  stats(): Record<string, number> {
    return { sent: this.sent, dropped: this.dropped, reconnects: this.reconnects };
  }
}

export function create(options: TcpOutputOptions, ctx: PluginContext): Output {
  return new TcpOutput(options, ctx.createCodec(options.codec), ctx);
}
