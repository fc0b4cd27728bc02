// The beats input (logstash-input-beats): a Lumberjack v2 server. A window ('W') announces how
// many events follow; when that many have arrived (plain, or inside zlib-compressed frames) they
// become events — an event with `message` (Filebeat) or `line` (lumberjack) goes through the
// codec, the rest of the beat's map merged over it and tagged `beats_input_codec_<codec>_applied`;
// one without is taken as is and tagged `beats_input_raw_event`. The window is acknowledged
// (version, 'A', highest seq) only once its events are in the pipeline queue; an incomplete window
// is never queued, so a client that disconnects mid-window resends it. A bad frame closes the
// connection with a WARN naming the frame and its byte offset. While a window is being received or
// queued, a connection on which nothing was written for 5 s gets a keep-alive ack ('2A', seq 0)
// every 5 s (the plugin's ConnectionHandler on Netty's writer-idle event), so a slow pipeline does
// not make the beat time out and resend.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { Event } from '../../../event/event.ts';
import type { FieldMap, FieldValue } from '../../../event/values.ts';
import { isFieldMap } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { parseIso8601 } from '../../../event/datetime-pattern.ts';
import { UTC } from '../../../event/timezone.ts';
import type { Codec, Input, InputContext, PluginContext } from '../../types.ts';
import type { CodecSetting } from '../../schemas/dsl.ts';
import { ackFrame, LumberjackFrameError, LumberjackFrameReader, type LumberjackFrame } from './lumberjack-frames.ts';
import type { BeatsInputOptions } from './schema.ts';
import { listenOn, serveUntilAborted } from '../input-errors.ts';

/** Where the source and TLS metadata go, by ECS mode (the plugin's ecs_select table). */
interface MetadataFields {
  hostname: string;
  hostip: string;
  tlsProtocol: string;
  tlsSubject: string;
  tlsCipher: string;
}

const LEGACY_FIELDS: MetadataFields = {
  hostname: 'host',
  hostip: '[@metadata][ip_address]',
  tlsProtocol: '[@metadata][tls_peer][protocol]',
  tlsSubject: '[@metadata][tls_peer][subject]',
  tlsCipher: '[@metadata][tls_peer][cipher_suite]',
};
const ECS_FIELDS: MetadataFields = {
  hostname: '[@metadata][input][beats][host][name]',
  hostip: '[@metadata][input][beats][host][ip]',
  tlsProtocol: '[@metadata][input][beats][tls][version_protocol]',
  tlsSubject: '[@metadata][input][beats][tls][client][subject]',
  tlsCipher: '[@metadata][input][beats][tls][cipher]',
};

const ENRICH_CATEGORIES = ['codec_metadata', 'source_metadata', 'ssl_peer_metadata'];

/** The `enrich` option as a set of categories (unset: all of them, as the plugin's default). */
export function enrichCategories(value: unknown): Set<string> {
  if (value === undefined || value === null) return new Set(ENRICH_CATEGORIES);
  const list = (Array.isArray(value) ? value : [value]).map(String);
  if (list.includes('none')) return new Set();
  if (list.includes('all')) return new Set(ENRICH_CATEGORIES);
  return new Set(list);
}

const codecName = (spec: CodecSetting | undefined): string => (typeof spec === 'string' ? spec : (spec?.name ?? 'plain'));

/** Server.java's IDLESTATE_WRITER_IDLE_TIME_SECONDS: no write for this long fires the keep-alive check. */
export const KEEP_ALIVE_INTERVAL_MS = 5000;

export class BeatsInput implements Input {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly fields: MetadataFields;
  private readonly enrich: Set<string>;
  readonly counters = {
    connections: 0,
    windows: 0,
    events: 0,
    acked_windows: 0,
    protocol_errors: 0,
    inactive_closed: 0,
    /** Events of windows the client never completed (it resends them). */
    unacked_events_dropped: 0,
    /** Keep-alive acks (seq 0) sent while a window was pending. */
    keepalive_acks: 0,
  };

  constructor(
    private readonly options: BeatsInputOptions,
    private readonly pctx: PluginContext,
    /** Writer-idle period before a keep-alive (Logstash's fixed 5 s; tests shorten it). */
    private readonly keepAliveIntervalMs = KEEP_ALIVE_INTERVAL_MS,
  ) {
    this.fields = pctx.ecsCompatibility === 'disabled' ? LEGACY_FIELDS : ECS_FIELDS;
    this.enrich = enrichCategories(options.enrich);
  }

  private get sslEnabled(): boolean {
    return this.options.ssl_enabled === true || this.options.ssl === true;
  }

  /** Client certificates: ssl_client_authentication, or the deprecated ssl_verify_mode. */
  private clientAuthentication(): 'none' | 'optional' | 'required' {
    const legacy = this.options.ssl_verify_mode;
    if (legacy === 'force_peer') return 'required';
    if (legacy === 'peer') return 'optional';
    return this.options.ssl_client_authentication;
  }

  private tlsOptions(): tls.TlsOptions {
    const o = this.options;
    if (!o.ssl_certificate || !o.ssl_key) throw new Error('beats input: ssl_enabled => true needs ssl_certificate and ssl_key');
    const auth = this.clientAuthentication();
    const protocols = o.ssl_supported_protocols.map(String);
    const versions = (['TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).filter((v) => protocols.length === 0 || protocols.includes(v));
    return {
      cert: readFileSync(o.ssl_certificate),
      key: readFileSync(o.ssl_key),
      ...(o.ssl_key_passphrase !== undefined ? { passphrase: String(o.ssl_key_passphrase) } : {}),
      ...(o.ssl_certificate_authorities.length > 0 ? { ca: o.ssl_certificate_authorities.map((p) => readFileSync(String(p))) } : {}),
      requestCert: auth !== 'none',
      rejectUnauthorized: auth === 'required',
      handshakeTimeout: o.ssl_handshake_timeout,
      ...(versions.length > 0 ? { minVersion: versions[0], maxVersion: versions[versions.length - 1] } : {}),
    };
  }

  async run(ctx: InputContext): Promise<void> {
    const { host, port } = this.options;
    const onSocket = (socket: net.Socket): void => void this.connection(socket, ctx);
    const server = this.sslEnabled ? tls.createServer(this.tlsOptions(), onSocket) : net.createServer(onSocket);
    if (this.sslEnabled) server.on('tlsClientError', (e: Error) => ctx.log.warn('Error when creating a connection', { exception: e.message }));
    this.server = server;
    await listenOn(server, host, port, 'beats input');
    ctx.log.info('Starting input listener', { address: `${host}:${this.address()?.port ?? port}` });
    await serveUntilAborted(server, ctx.signal, () => {
      for (const s of this.sockets) s.destroy();
    });
  }

  /** The bound address (port 0 picks a free one). */
  address(): net.AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  /**
   * Each connection decodes with its own codec, as the plugin clones it per connection. The plugin
   * swaps a default codec (or any codec when `enrich` leaves out codec_metadata) for plain without
   * ECS, so no [event][original]; a plain codec here counts as default unless it sets ecs_compatibility.
   */
  private connectionCodec(ctx: InputContext): Codec {
    const spec = this.options.codec;
    const plainWithoutEcs = { kind: 'codec', name: 'plain', id: `${this.pctx.id}-codec`, options: { ecs_compatibility: 'disabled', charset: 'UTF-8' } };
    if (!this.enrich.has('codec_metadata')) return ctx.createCodec(plainWithoutEcs);
    if (codecName(spec) !== 'plain') return ctx.createCodec(spec);
    if (typeof spec === 'string') return ctx.createCodec(plainWithoutEcs);
    const ecsGiven = spec.node?.attributes.some((a) => a.name === 'ecs_compatibility') ?? false;
    return ctx.createCodec(ecsGiven ? spec : { ...spec, options: { ...spec.options, ecs_compatibility: 'disabled' } });
  }

  private async connection(socket: net.Socket, ctx: InputContext): Promise<void> {
    this.counters.connections++;
    this.sockets.add(socket);
    const ip = socket.remoteAddress?.replace(/^::ffff:/, '');
    const peer = `${ip ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const codec = this.connectionCodec(ctx);
    const reader = new LumberjackFrameReader();
    const frames: (LumberjackFrame | LumberjackFrameError)[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    // ConnectionHandler's CHANNEL_SEND_KEEP_ALIVE: set by every read, cleared once a window is acked.
    let pending = false;
    let lastWrite = Date.now();
    const send = (frame: Buffer): void => {
      socket.write(frame);
      lastWrite = Date.now();
    };
    // Netty's IdleStateHandler writer-idle check: it fires when nothing was written for the period,
    // then again every period while that lasts; a keep-alive written restarts the count.
    let idleTimer: NodeJS.Timeout | undefined;
    const writerIdle = (): void => {
      const idle = Date.now() - lastWrite;
      if (idle < this.keepAliveIntervalMs) {
        idleTimer = setTimeout(writerIdle, this.keepAliveIntervalMs - idle);
        return;
      }
      idleTimer = setTimeout(writerIdle, this.keepAliveIntervalMs);
      if (!pending || socket.destroyed) return;
      // Always protocol version 2 and sequence 0, whatever the window's version.
      send(ackFrame(2, 0));
      this.counters.keepalive_acks++;
      ctx.log.trace('sending keep alive ack to libbeat', { peer });
    };
    idleTimer = setTimeout(writerIdle, this.keepAliveIntervalMs);
    socket.on('data', (chunk: Buffer) => {
      pending = true;
      frames.push(...reader.push(chunk));
      if (frames.length > 1024 || frames[frames.length - 1] instanceof LumberjackFrameError) socket.pause();
      wake?.();
    });
    const finish = (): void => {
      ended = true;
      wake?.();
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    if (this.options.client_inactivity_timeout > 0) {
      socket.setTimeout(this.options.client_inactivity_timeout * 1000, () => {
        this.counters.inactive_closed++;
        ctx.log.debug('Closing connection due to inactivity', { peer });
        socket.destroy();
      });
    }
    const nextFrame = async (): Promise<LumberjackFrame | LumberjackFrameError | undefined> => {
      while (frames.length === 0) {
        if (ended) return undefined;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      if (frames.length <= 256 && !(frames[frames.length - 1] instanceof LumberjackFrameError)) socket.resume();
      return frames.shift();
    };
    const tlsMetadata = socket instanceof tls.TLSSocket ? this.tlsPeer(socket) : undefined;
    let window: { version: 1 | 2; size: number; data: FieldMap[]; lastSeq: number } | undefined;
    try {
      for (;;) {
        const frame = await nextFrame();
        if (!frame || ended) break;
        if (frame instanceof LumberjackFrameError) {
          this.counters.protocol_errors++;
          ctx.log.warn(`Beats protocol error from ${peer}: ${frame.message}; closing the connection`, { peer, offset: frame.offset });
          break;
        }
        if (frame.type === 'window') {
          if (window && window.data.length > 0) this.counters.unacked_events_dropped += window.data.length;
          window = { version: frame.version, size: frame.size, data: [], lastSeq: 0 };
          if (frame.size > 0) continue;
          // An empty window is acknowledged at once with seq 0, as the plugin's BeatsHandler does.
          window = undefined;
          send(ackFrame(frame.version, 0));
          pending = false;
          continue;
        }
        if (!window) {
          this.counters.protocol_errors++;
          ctx.log.warn(`Beats protocol error from ${peer}: event seq ${frame.seq} before any window size frame; closing the connection`, { peer });
          break;
        }
        window.data.push(frame.data);
        window.lastSeq = frame.seq;
        if (window.data.length < window.size) continue;
        const complete = window;
        window = undefined;
        this.counters.windows++;
        const events: Event[] = [];
        for (const data of complete.data) this.toEvents(data, ip, tlsMetadata, codec, ctx, events);
        this.counters.events += events.length;
        if (events.length > 0) await ctx.push(events);
        // Acknowledged only now: the window's events are in the pipeline's queue.
        if (!socket.destroyed) {
          send(ackFrame(complete.version, complete.lastSeq));
          this.counters.acked_windows++;
        }
        pending = false;
      }
    } finally {
      clearTimeout(idleTimer);
      if (window) this.counters.unacked_events_dropped += window.data.length;
      const flushed: Event[] = [];
      codec.flush?.({ host: ip ?? '', port: socket.remotePort ?? 0 }, (e) => {
        this.transformCommon(e, ctx);
        flushed.push(e);
      });
      if (flushed.length > 0) await ctx.push(flushed);
      this.sockets.delete(socket);
      socket.destroy();
      ctx.log.debug('Beats connection closed', { peer });
    }
  }

  /** The TLS session's peer facts, as extract_tls_peer records them when ssl_peer_metadata is on. */
  private tlsPeer(socket: tls.TLSSocket): FieldMap | undefined {
    if (!this.options.ssl_peer_metadata && !(this.options.enrich !== undefined && this.enrich.has('ssl_peer_metadata'))) return undefined;
    const cert = socket.getPeerCertificate();
    const verified = socket.authorized && cert && Object.keys(cert).length > 0;
    const out: FieldMap = { status: verified ? 'verified' : 'unverified' };
    if (verified) {
      out['protocol'] = socket.getProtocol() ?? '';
      out['subject'] = Object.entries(cert.subject ?? {})
        .map(([k, v]) => `${k}=${String(v)}`)
        .reverse()
        .join(',');
      out['cipher'] = socket.getCipher().standardName;
    }
    return out;
  }

  /** The events of one beat message (onNewMessage + the raw/decoded transforms). */
  private toEvents(hash: FieldMap, ip: string | undefined, tlsPeer: FieldMap | undefined, codec: Codec, ctx: InputContext, out: Event[]): void {
    const metadata = hash['@metadata'];
    if (this.enrich.has('source_metadata') && ip !== undefined && isFieldMap(metadata)) setNested(hash, this.fields.hostip, ip);
    const target = hash['message'] !== undefined && hash['message'] !== null ? 'message' : hash['line'] !== undefined && hash['line'] !== null ? 'line' : undefined;
    if (tlsPeer) this.setTlsPeer(hash, tlsPeer);
    if (target === undefined) {
      const event = Event.fromParsed(hash);
      this.transformCommon(event, ctx);
      event.tag('beats_input_raw_event');
      out.push(event);
      return;
    }
    const text = stringOf(hash[target]!);
    delete hash[target];
    const timestamp = coerceTimestamp(hash['@timestamp'], ctx);
    delete hash['@timestamp'];
    codec.decode(Buffer.from(text, 'utf8'), { host: ip ?? '' }, (event) => {
      if (timestamp) event.timestamp = timestamp;
      for (const [k, v] of Object.entries(hash)) {
        const existing = event.get(k);
        event.set(k, isFieldMap(existing) && isFieldMap(v) ? { ...existing, ...v } : v);
      }
      this.transformCommon(event, ctx);
      if (this.options.include_codec_tag) event.tag(`beats_input_codec_${codecName(this.options.codec)}_applied`);
      out.push(event);
    });
  }

  private setTlsPeer(hash: FieldMap, peer: FieldMap): void {
    const meta = isFieldMap(hash['@metadata']) ? hash['@metadata'] : (hash['@metadata'] = {});
    meta['tls_peer'] = { status: peer['status']! };
    if (peer['status'] === 'verified') {
      setNested(hash, this.fields.tlsProtocol, peer['protocol']!);
      setNested(hash, this.fields.tlsSubject, peer['subject']!);
      setNested(hash, this.fields.tlsCipher, peer['cipher']!);
    }
  }

  /** copy_beat_hostname (only with add_hostname) then the common input options. */
  private transformCommon(event: Event, ctx: InputContext): void {
    if (this.options.add_hostname) {
      const host = event.get('[beat][hostname]');
      if (host !== undefined && host !== null && event.get('host') === undefined) event.set('host', host);
    }
    ctx.decorate(event);
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }
}

/** Sets `[a][b][c]` (or `[@metadata][...]`) in a plain map, creating the maps on the way. */
function setNested(hash: FieldMap, ref: string, value: FieldValue): void {
  const path = ref.replace(/^\[|\]$/g, '').split('][');
  let cur = hash;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    cur = isFieldMap(next) ? next : (cur[key] = {});
  }
  cur[path[path.length - 1]!] = value;
}

function stringOf(v: FieldValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** LogStash::Timestamp.coerce: a Timestamp or an ISO8601 string; anything else WARNs and keeps now. */
function coerceTimestamp(value: FieldValue | undefined, ctx: InputContext): Timestamp | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Timestamp) return value;
  if (typeof value === 'string') {
    const ts = parseIso8601(value, UTC, true);
    if (ts) return ts;
    ctx.log.warn('Error parsing @timestamp string, setting current time to @timestamp', { value: JSON.stringify(value) });
    return undefined;
  }
  ctx.log.warn('Unrecognized @timestamp value, setting current time to @timestamp', { value: JSON.stringify(value) });
  return undefined;
}

export function create(options: BeatsInputOptions, ctx: PluginContext): Input {
  if (codecName(options.codec) === 'multiline') {
    throw new Error(
      'Multiline codec with beats input is not supported. Please refer to the beats documentation for how to best manage multiline data. See https://www.elastic.co/guide/en/beats/filebeat/current/multiline-examples.html',
    );
  }
  return new BeatsInput(options, ctx);
}
