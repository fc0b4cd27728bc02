// logstash-input-tcp: a TCP server (or client) whose connections each get their own codec (Logstash
// clones the codec per connection), fed the bytes as they arrive and flushed when the peer closes.
// Each event gets the connection's metadata before decoration, only where unset (enqueue_decorated):
// ECS off → host (reverse-resolved name), [@metadata][ip_address], port, proxy_host/proxy_port,
// sslsubject; ECS on → the same under [@metadata][input][tcp][…]. With the netflow codec the stream
// is framed as IPFIX messages (RFC 7011 §10.4) so messages split across segments decode whole.
// Decoding stays on the pipeline thread (as the udp input's): handing decoded events across threads
// (structured clone) costs more per flow than decoding them here.
// Accounting per input: frames = decoded + failed; bytes = framed + truncated + still buffered.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { lookupService } from 'node:dns/promises';
import type { Event } from '../../../event/event.ts';
import type { Codec, Input, InputContext, PluginContext, SourceInfo } from '../../types.ts';
import type { CodecSetting } from '../../schemas/dsl.ts';
import { IpfixFramer, IpfixFramingError } from './ipfix-framer.ts';
import { ProxyHeaderReader, type ProxyInfo } from './proxy-protocol.ts';
import type { TcpInputOptions } from './schema.ts';

export interface TcpCounters {
  connections: number;
  bytes: number;
  /** Units handed to the codec: IPFIX messages (netflow) or received chunks (stream codecs). */
  frames: number;
  frames_decoded: number;
  frames_failed: number;
  /** Connections closed because their stream could not be framed (not IPFIX, bad length). */
  framing_errors: number;
  /** Bytes of an unfinished message when its connection closed. */
  truncated_bytes: number;
  events: number;
}

interface FieldNames {
  host: string;
  hostIp: string;
  port: string;
  proxyHost: string;
  proxyPort: string;
  sslSubject: string;
}

function fieldNames(ecs: PluginContext['ecsCompatibility']): FieldNames {
  return ecs === 'disabled'
    ? { host: 'host', hostIp: '[@metadata][ip_address]', port: 'port', proxyHost: 'proxy_host', proxyPort: 'proxy_port', sslSubject: 'sslsubject' }
    : {
        host: '[@metadata][input][tcp][source][name]',
        hostIp: '[@metadata][input][tcp][source][ip]',
        port: '[@metadata][input][tcp][source][port]',
        proxyHost: '[@metadata][input][tcp][proxy][ip]',
        proxyPort: '[@metadata][input][tcp][proxy][port]',
        sslSubject: '[@metadata][input][tcp][tls][client][subject]',
      };
}

const codecName = (spec: CodecSetting | undefined): string => (typeof spec === 'string' ? spec : (spec?.name ?? 'line'));

/** A certificate subject as Java's X500Principal.getName() writes it (RFC 2253: most specific first). */
export function rfc2253Subject(subject: Record<string, string | string[]> | undefined): string | undefined {
  if (!subject) return undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject)) for (const one of Array.isArray(v) ? v : [v]) parts.push(`${k}=${one.replace(/([,+"\\<>;])/g, '\\$1')}`);
  return parts.reverse().join(',');
}

/** Events decoded before they are handed to the pipeline (about a pipeline batch: fewer, larger pushes). */
const EVENTS_PER_PUSH = 125;

const isUnset = (v: unknown): boolean => v === undefined || v === null || v === false;

export class TcpInput implements Input {
  readonly counters: TcpCounters = { connections: 0, bytes: 0, frames: 0, frames_decoded: 0, frames_failed: 0, framing_errors: 0, truncated_bytes: 0, events: 0 };
  readonly listening: Promise<{ address: string; port: number }>;
  private resolveListening!: (a: { address: string; port: number }) => void;
  private readonly sockets = new Set<net.Socket>();
  private readonly handlers = new Set<Promise<void>>();
  private readonly fields: FieldNames;
  private readonly framed: boolean;
  private lastFailureLog = 0;

  constructor(
    private readonly options: TcpInputOptions,
    private readonly pctx: PluginContext,
  ) {
    this.fields = fieldNames(pctx.ecsCompatibility);
    this.framed = codecName(options.codec) === 'netflow';
    this.listening = new Promise((r) => (this.resolveListening = r));
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`tcp input: port must be a whole number 0-65535, got ${options.port}`);
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  private sslEnabled(): boolean {
    const o = this.options as unknown as Record<string, unknown>;
    return Boolean(o['ssl_enabled'] ?? o['ssl_enable']);
  }

  private tlsOptions(): tls.TlsOptions {
    const o = this.options as unknown as Record<string, unknown>;
    const cert = (o['ssl_certificate'] ?? o['ssl_cert']) as string | undefined;
    const key = o['ssl_key'] as string | undefined;
    if (!cert || !key) throw new Error('tcp input: ssl_enabled needs ssl_certificate and ssl_key');
    const auth = (o['ssl_client_authentication'] as string | undefined) ?? 'none';
    const cas = [...((o['ssl_certificate_authorities'] as string[] | undefined) ?? []), ...((o['ssl_extra_chain_certs'] as string[] | undefined) ?? [])];
    const passphrase = o['ssl_key_passphrase'];
    return {
      cert: readFileSync(cert),
      key: readFileSync(key),
      ...(passphrase !== undefined ? { passphrase: String(passphrase) } : {}),
      ...(cas.length > 0 ? { ca: cas.map((f) => readFileSync(f)) } : {}),
      requestCert: auth !== 'none',
      rejectUnauthorized: auth === 'required',
      handshakeTimeout: Number(o['ssl_handshake_timeout'] ?? 10000),
    };
  }

  async run(ctx: InputContext): Promise<void> {
    const where = `${this.options.host}:${this.options.port}`;
    try {
      if (this.options.mode === 'client') await this.runClient(ctx);
      else await this.runServer(ctx);
    } finally {
      const c = this.counters;
      ctx.log.info(
        `tcp input ${where}: ${c.connections} connections, ${c.bytes} bytes, frames ${c.frames} (decoded ${c.frames_decoded}, failed ${c.frames_failed}), ` +
          `events ${c.events}, truncated bytes ${c.truncated_bytes}, framing errors ${c.framing_errors}`,
        { ...c },
      );
    }
  }

  private async runServer(ctx: InputContext): Promise<void> {
    const onSocket = (socket: net.Socket): void => void this.track(ctx, socket);
    const server = this.sslEnabled() ? tls.createServer(this.tlsOptions(), onSocket) : net.createServer(onSocket);
    server.on('tlsClientError', (e: Error) => ctx.log.warn('tcp input: TLS handshake failed', { message: e.message }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port: this.options.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    ctx.log.info('Starting tcp input listener', { address: `${addr.address}:${addr.port}`, ssl_enabled: this.sslEnabled() });
    this.resolveListening({ address: addr.address, port: addr.port });
    await waitForAbort(ctx.signal);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Connections still open are ended: what they already sent is decoded first.
      for (const s of this.sockets) s.end();
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 1000).unref();
    });
    await Promise.all([...this.handlers]);
  }

  /** Client mode: connects to host:port, reads until the server closes, reconnects after a second. */
  private async runClient(ctx: InputContext): Promise<void> {
    let announced = false;
    while (!ctx.signal.aborted) {
      const socket = this.sslEnabled()
        ? tls.connect({ host: this.options.host, port: this.options.port, rejectUnauthorized: this.options.ssl_verification_mode !== 'none' })
        : net.connect({ host: this.options.host, port: this.options.port });
      const connected = await new Promise<boolean>((resolve) => {
        socket.once(this.sslEnabled() ? 'secureConnect' : 'connect', () => resolve(true));
        socket.once('error', (e) => {
          ctx.log.warn('tcp input: could not connect', { address: `${this.options.host}:${this.options.port}`, message: e.message });
          resolve(false);
        });
      });
      if (connected) {
        if (!announced) this.resolveListening({ address: this.options.host, port: this.options.port });
        announced = true;
        const abort = (): void => void socket.end();
        ctx.signal.addEventListener('abort', abort, { once: true });
        await this.track(ctx, socket);
        ctx.signal.removeEventListener('abort', abort);
      }
      if (!ctx.signal.aborted) await sleep(1000, ctx.signal);
    }
  }

  /** The connection's codec: a fresh one per connection like Logstash's codec.clone, else the input's. */
  private connectionCodec(ctx: InputContext): Codec {
    try {
      return this.pctx.createCodec(this.options.codec);
    } catch {
      return ctx.codec;
    }
  }

  private track(ctx: InputContext, socket: net.Socket): Promise<void> {
    this.sockets.add(socket);
    const handler = this.handle(ctx, socket).finally(() => {
      this.sockets.delete(socket);
      this.handlers.delete(handler);
    });
    this.handlers.add(handler);
    return handler;
  }

  private async handle(ctx: InputContext, socket: net.Socket): Promise<void> {
    const c = this.counters;
    c.connections++;
    socket.pause();
    if (this.options.tcp_keep_alive) socket.setKeepAlive(true);
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = socket.remotePort ?? 0;
    let name = ip;
    if (this.options.dns_reverse_lookup_enabled && ip !== '') {
      try {
        name = (await lookupService(ip, port)).hostname;
      } catch {
        name = ip;
      }
    }
    const sslSubject = socket instanceof tls.TLSSocket ? rfc2253Subject(socket.getPeerCertificate()?.subject as Record<string, string> | undefined) : undefined;
    const source: SourceInfo = { host: ip, port };
    const codec = this.connectionCodec(ctx);
    const framer = this.framed ? new IpfixFramer() : undefined;
    const proxyReader = this.options.proxy_protocol ? new ProxyHeaderReader() : undefined;
    let proxy: ProxyInfo | undefined;
    let events: Event[] = [];
    const emit = (e: Event): void => void events.push(e);
    const decodeOne = (data: Buffer): void => {
      c.frames++;
      try {
        codec.decode(data, source, emit);
        c.frames_decoded++;
      } catch (e) {
        c.frames_failed++;
        const now = Date.now();
        if (now - this.lastFailureLog > 1000) {
          this.lastFailureLog = now;
          ctx.log.error('tcp input: the codec could not decode data from a connection', { client: `${ip}:${port}`, message: (e as Error).message, failed: c.frames_failed });
        }
      }
    };
    // Set while the pipeline is full (back-pressure): nothing more is decoded until it has room.
    let waiting: Promise<void> | undefined;
    const hand = (): void => {
      if (events.length === 0) return;
      const batch = events;
      events = [];
      const f = this.fields;
      const ecs = this.pctx.ecsCompatibility !== 'disabled';
      for (const e of batch) {
        if (ecs && proxy === undefined && sslSubject === undefined && e.metadata['input'] === undefined) {
          // The common case (nothing set by the codec): the metadata subtree in one assignment.
          e.metadata['input'] = { tcp: { source: { name, ip, port } } };
          ctx.decorate(e);
          continue;
        }
        if (isUnset(e.get(f.host))) e.set(f.host, name);
        if (isUnset(e.get(f.hostIp))) e.set(f.hostIp, ip);
        if (isUnset(e.get(f.port))) e.set(f.port, port);
        if (proxy) {
          if (isUnset(e.get(f.proxyHost))) e.set(f.proxyHost, proxy.proxyIp);
          if (isUnset(e.get(f.proxyPort))) e.set(f.proxyPort, proxy.proxyPort);
        }
        if (sslSubject !== undefined && isUnset(e.get(f.sslSubject))) e.set(f.sslSubject, sslSubject);
        ctx.decorate(e);
      }
      c.events += batch.length;
      const pending = ctx.push(batch);
      if (pending) {
        const resumed: Promise<void> = pending.then(() => {
          if (waiting === resumed) waiting = undefined;
          pump();
        });
        waiting = resumed;
      }
    };
    // Framed messages (or chunks, for stream codecs) not decoded yet. They are decoded one at a time
    // and handed on until the pipeline is full: the rest wait here as bytes, not as events, so no more
    // events are alive than the queue holds (a 64 KiB chunk is ~1,300 flows; fewer live events, less
    // garbage-collector work). The socket stays paused while anything waits.
    let backlog: Buffer[] = [];
    let next = 0;
    let paused = false;
    const keep = (unit: Buffer): void => void backlog.push(unit);
    const pump = (): void => {
      while (next < backlog.length) {
        const unit = backlog[next]!;
        backlog[next++] = undefined as unknown as Buffer;
        decodeOne(unit);
        if (events.length < EVENTS_PER_PUSH && next < backlog.length) continue;
        hand();
        if (waiting) {
          if (!paused) {
            paused = true;
            socket.pause();
          }
          return;
        }
      }
      backlog = [];
      next = 0;
      if (paused) {
        paused = false;
        socket.resume();
      }
    };
    const onChunk = (chunk: Buffer): void => {
      c.bytes += chunk.length;
      let data: Buffer | undefined = chunk;
      if (proxyReader && !proxyReader.done) {
        try {
          data = proxyReader.push(chunk);
        } catch (e) {
          ctx.log.error('tcp input: invalid PROXY protocol header, closing the connection', { client: `${ip}:${port}`, message: (e as Error).message });
          socket.destroy();
          return;
        }
        if (proxyReader.done && proxyReader.info) {
          proxy = { proxyIp: ip, proxyPort: port, ...proxyReader.info };
          name = proxyReader.info.sourceIp;
          source.host = proxyReader.info.sourceIp;
        }
        if (!data || data.length === 0) return;
      }
      if (framer) {
        try {
          framer.push(data, keep);
        } catch (e) {
          if (!(e instanceof IpfixFramingError)) throw e;
          c.framing_errors++;
          c.truncated_bytes += framer.buffered;
          ctx.log.error('tcp input: the stream is not IPFIX, closing the connection', { client: `${ip}:${port}`, message: e.message });
          socket.destroy();
        }
      } else {
        keep(data);
      }
      if (!waiting) pump();
    };
    await new Promise<void>((resolve) => {
      socket.on('data', onChunk);
      socket.on('error', (e) => ctx.log.debug('tcp input: connection error', { client: `${ip}:${port}`, message: e.message }));
      socket.once('close', () => resolve());
      socket.resume();
    });
    // What arrived before the close is decoded and handed on first.
    while (waiting || next < backlog.length) {
      if (waiting) await waiting;
      else pump();
    }
    if (framer) c.truncated_bytes += framer.buffered;
    else {
      try {
        codec.flush?.(source, emit);
      } catch (e) {
        ctx.log.error('tcp input: the codec failed to flush at connection close', { client: `${ip}:${port}`, message: (e as Error).message });
      }
    }
    await waiting;
    hand();
    await waiting;
    if (codec !== ctx.codec) await codec.close?.();
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

export function create(options: TcpInputOptions, ctx: PluginContext): Input {
  return new TcpInput(options, ctx);
}
