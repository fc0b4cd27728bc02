// logstash-input-udp 3.5: a UDP listener feeding datagrams through the codec, with the sender's
// address as `host` / `[host][ip]`. With workers > 1 the socket lives on its own thread (see
// udp-receiver.ts) so back-pressure from the pipeline fills the queue, never the kernel buffer.
import type { RemoteInfo } from 'node:dgram';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext, ResolvedOptions } from '../../types.ts';
import { listenUdp, senderAddress, formatListenAddress, type BoundUdpSocket } from './udp-socket.ts';
import { startReceiverThread, type ReceiverCounters, type ReceiverThread } from './udp-thread.ts';
import { DatagramDecoder, parseEcs, sourceIpField } from './udp-events.ts';

export interface UdpInputOptions {
  host: string;
  port: number;
  bufferSize: number;
  workers: number;
  queueSize: number;
  receiveBufferBytes?: number;
  sourceIpFieldname?: string;
  ecsCompatibility: 'disabled' | 'v1' | 'v8';
}

export interface UdpInputCounters {
  received: number;
  bytes: number;
  truncated: number;
  dropped_queue_full: number;
  decode_failures: number;
  decoded: number;
  events: number;
}

function num(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fallback;
}

/** Reads the validated options (Logstash names), filling logstash-input-udp's defaults. */
export function udpOptions(o: ResolvedOptions): UdpInputOptions {
  const port = num(o['port'], NaN);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`udp input: port must be a whole number 0-65535, got ${JSON.stringify(o['port'])}`);
  }
  const rcv = o['receive_buffer_bytes'];
  return {
    host: typeof o['host'] === 'string' && o['host'] !== '' ? o['host'] : '0.0.0.0',
    port,
    bufferSize: Math.max(1, num(o['buffer_size'], 65536)),
    workers: Math.max(1, Math.floor(num(o['workers'], 2))),
    queueSize: Math.max(1, Math.floor(num(o['queue_size'], 2000))),
    receiveBufferBytes: rcv === undefined || rcv === null ? undefined : num(rcv, 0),
    sourceIpFieldname: typeof o['source_ip_fieldname'] === 'string' ? o['source_ip_fieldname'] : undefined,
    ecsCompatibility: parseEcs(o['ecs_compatibility']),
  };
}

interface Queued {
  payload: Buffer;
  host: string;
  port: number;
}

export class UdpInput implements Input {
  readonly options: UdpInputOptions;
  private receiver: ReceiverCounters = { received: 0, bytes: 0, truncated: 0, droppedQueueFull: 0 };
  private decoder: DatagramDecoder | undefined;
  private queue: Queued[] = [];
  private head = 0;
  private draining: Promise<void> | undefined;
  private thread: ReceiverThread | undefined;
  /** Bound port (useful with port 0). */
  boundPort: number | undefined;
  /** Resolves once the socket is bound (tests, benches, `capture`). */
  readonly listening: Promise<{ address: string; port: number }>;
  private resolveListening!: (a: { address: string; port: number }) => void;

  constructor(options: ResolvedOptions) {
    this.options = udpOptions(options);
    this.listening = new Promise((r) => (this.resolveListening = r));
  }

  stats(): Record<string, number> {
    const c = this.counters();
    return { ...c };
  }

  counters(): UdpInputCounters {
    const d = this.decoder?.counters;
    return {
      received: this.receiver.received,
      bytes: this.receiver.bytes,
      truncated: this.receiver.truncated,
      dropped_queue_full: this.receiver.droppedQueueFull,
      decode_failures: d?.decodeFailures ?? 0,
      decoded: this.decodedCount,
      events: d?.events ?? 0,
    };
  }

  private decodedCount = 0;
  /** Decoded datagrams already reported to the receiver thread. */
  private ackedCount = 0;

  async run(ctx: InputContext): Promise<void> {
    const o = this.options;
    this.decoder = new DatagramDecoder(ctx, sourceIpField(o.ecsCompatibility, o.sourceIpFieldname), 'udp');
    if (o.sourceIpFieldname && o.ecsCompatibility !== 'disabled') {
      ctx.log.warn('Option `source_ip_fieldname` found with ECS compatibility enabled; the sender address goes there instead of [host][ip]');
    }
    const where = formatListenAddress(o.host, o.port);
    const debugTimer = ctx.log.isEnabled('debug')
      ? setInterval(() => ctx.log.debug('udp input: counters', { ...this.counters() }), 5000)
      : undefined;
    debugTimer?.unref();
    try {
      if (o.workers > 1) await this.runThreaded(ctx);
      else await this.runInline(ctx);
    } finally {
      if (debugTimer) clearInterval(debugTimer);
    }
    const c = this.counters();
    ctx.log.info(
      `udp input ${where}: received ${c.received} datagrams (${c.bytes} bytes), decoded ${c.decoded}, ` +
        `events ${c.events}, truncated ${c.truncated}, dropped (queue full) ${c.dropped_queue_full}, ` +
        `decode failures ${c.decode_failures}`,
      { ...c },
    );
  }

  /** workers = 1: socket and decoding share the pipeline thread. */
  private async runInline(ctx: InputContext): Promise<void> {
    const o = this.options;
    const r = this.receiver;
    const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
      r.received++;
      r.bytes += msg.length;
      if (this.queue.length - this.head >= o.queueSize) {
        r.droppedQueueFull++;
        return;
      }
      if (msg.length > o.bufferSize) {
        r.truncated++;
        msg = msg.subarray(0, o.bufferSize);
      }
      this.queue.push({ payload: msg, host: senderAddress(rinfo), port: rinfo.port });
      this.kick(ctx);
    };
    const bound: BoundUdpSocket = await listenUdp({ host: o.host, port: o.port, receiveBufferBytes: o.receiveBufferBytes }, onMessage);
    if (bound.warning) ctx.log.warn(bound.warning);
    this.started(ctx, bound.address, bound.port);
    await waitForAbort(ctx.signal);
    await bound.socket.close().catch(() => undefined);
    await this.drainAll(ctx);
  }

  /** workers > 1: the socket lives on a receiver thread; decoding stays with the pipeline. */
  private async runThreaded(ctx: InputContext): Promise<void> {
    const o = this.options;
    const thread = await startReceiverThread(
      {
        host: o.host,
        port: o.port,
        receiveBufferBytes: o.receiveBufferBytes,
        bufferSize: o.bufferSize,
        queueSize: o.queueSize,
      },
      {
        onBatch: (b) => {
          for (let i = 0; i < b.payloads.length; i++) {
            this.queue.push({ payload: b.payloads[i]!, host: b.hosts[i]!, port: b.ports[i]! });
          }
          this.kick(ctx);
        },
        onStats: (c) => {
          this.receiver = c;
        },
      },
    );
    this.thread = thread;
    if (thread.warning) ctx.log.warn(thread.warning);
    this.started(ctx, thread.address, thread.port);
    await waitForAbort(ctx.signal);
    this.receiver = await thread.close();
    await this.drainAll(ctx);
  }

  private started(ctx: InputContext, address: string, port: number): void {
    this.boundPort = port;
    const o = this.options;
    ctx.log.info('UDP listener started', {
      address: formatListenAddress(address, port),
      receive_buffer_bytes: o.receiveBufferBytes ?? 'OS default',
      queue_size: o.queueSize,
      workers: o.workers,
    });
    this.resolveListening({ address, port });
  }

  /** Everything already received is decoded and handed on before run() resolves. */
  private async drainAll(ctx: InputContext): Promise<void> {
    while (this.draining || this.queue.length > this.head) {
      if (!this.draining) this.kick(ctx);
      await this.draining;
    }
  }

  private kick(ctx: InputContext): void {
    if (!this.draining) {
      this.draining = this.drain(ctx).finally(() => {
        this.draining = undefined;
        // Datagrams that arrived while the last push settled.
        if (this.queue.length > this.head) this.kick(ctx);
      });
    }
  }

  private async drain(ctx: InputContext): Promise<void> {
    const decoder = this.decoder!;
    const thread = this.thread;
    let sinceYield = 0;
    while (this.head < this.queue.length) {
      const q = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Queued;
      const events: Event[] = decoder.decode(q.payload, q.host, q.port);
      this.decodedCount++;
      if (thread) {
        // Room in the receiver's queue again (a shared counter, no message); catches up on any
        // datagram decoded before the thread handle was stored.
        thread.ack(this.decodedCount - this.ackedCount);
        this.ackedCount = this.decodedCount;
      }
      if (events.length > 0) {
        const pending = ctx.push(events);
        if (pending) await pending;
      }
      if (++sinceYield >= 64) {
        // Let the socket (inline mode) and timers run between bursts of decoding.
        sinceYield = 0;
        this.compact();
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    this.compact();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function create(options: ResolvedOptions, _ctx: PluginContext): Input {
  return new UdpInput(options);
}
