// logstash-output-udp: each event, rendered by the codec (json by default), is one datagram to
// host:port; a send that fails is retried retry_count times, retry_backoff_ms apart, then the event
// is dropped with a warning and counted. --dry-run prints the datagrams' contents instead.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Event } from '../../../event/event.ts';
import type { Codec, Output, PluginContext } from '../../types.ts';
import { writeFully } from '../stdout/stdout.ts';
import type { UdpOutputOptions } from './schema.ts';

export class UdpOutput implements Output {
  sent = 0;
  failed = 0;
  private socket?: dgram.Socket;

  constructor(
    private readonly o: UdpOutputOptions,
    private readonly codec: Codec,
    private readonly ctx: PluginContext,
  ) {}

  register(): void {
    if (!this.ctx.dryRun) this.socket = dgram.createSocket(net.isIPv6(this.o.host) ? 'udp6' : 'udp4');
  }

  private send(payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket!.send(payload, this.o.port, this.o.host, (e) => (e ? reject(e) : resolve())));
  }

  async write(events: Event[]): Promise<void> {
    for (const event of events) {
      const rendered = this.codec.encode(event);
      const payload = typeof rendered === 'string' ? Buffer.from(rendered) : rendered;
      if (this.ctx.dryRun) {
        await writeFully(process.stdout, Buffer.concat([payload, Buffer.from('\n')]));
        this.sent++;
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        try {
          await this.send(payload);
          this.sent++;
          break;
        } catch (e) {
          if (attempt >= this.o.retry_count) {
            this.failed++;
            this.ctx.log.warn('Failed to send event over UDP, dropping it', { host: this.o.host, port: this.o.port, bytes: payload.length, message: (e as Error).message, retries: attempt });
            break;
          }
          await new Promise((r) => setTimeout(r, this.o.retry_backoff_ms));
        }
      }
    }
  }

  close(): void {
    this.socket?.close();
    void this.codec.close?.();
  }

  stats(): Record<string, number> {
    return { sent: this.sent, failed: this.failed };
  }
}

export function create(options: UdpOutputOptions, ctx: PluginContext): Output {
  return new UdpOutput(options, ctx.createCodec(options.codec), ctx);
}
