// The relp input (logstash-input-relp): a RELP server. A session opens with `open` offering
// relp_version and commands (syslog required, else `500 Required command(s) syslog not offered` and
// serverclose); each `syslog` frame goes through the codec, gets `host` = "ip:port" of the client,
// and is acknowledged (`rsp 200 OK`) only once its events are in the pipeline queue; `close` is
// answered and followed by `serverclose`. Anything else closes the session with a WARN.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext } from '../../types.ts';
import { RelpFrameError, RelpFrameReader, relpFrame, type RelpFrame } from './relp-frames.ts';
import { listenOn, serveUntilAborted } from '../input-errors.ts';
import type { RelpInputOptions } from './schema.ts';

const RELP_VERSION = '0';
const RELP_SOFTWARE = 'logstash,1.1.1,http://logstash.net';
const REQUIRED = ['syslog'];

/** A session the server ended, with the WARN Logstash logs for it (undefined: a quiet close). */
class SessionEnd extends Error {
  constructor(readonly warning: string | undefined) {
    super(warning ?? 'session closed');
  }
}

export class RelpInput implements Input {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  readonly counters = { connections: 0, frames: 0, events: 0, acked: 0, protocol_errors: 0, unacked_bytes_lost: 0 };

  constructor(
    private readonly options: RelpInputOptions,
    private readonly ctx: PluginContext,
  ) {}

  private tlsOptions(): tls.TlsOptions {
    const o = this.options;
    if (!o.ssl_cert || !o.ssl_key) throw new Error('ssl_enable => true needs ssl_cert and ssl_key');
    return {
      cert: readFileSync(o.ssl_cert),
      key: readFileSync(o.ssl_key),
      ...(o.ssl_key_passphrase !== undefined ? { passphrase: o.ssl_key_passphrase } : {}),
      ...(o.ssl_cacert ? { ca: readFileSync(o.ssl_cacert) } : {}),
      requestCert: o.ssl_verify,
      rejectUnauthorized: o.ssl_verify,
    };
  }

  async run(ctx: InputContext): Promise<void> {
    const { host, port } = this.options;
    if (this.options.ssl_enable && !this.options.ssl_verify) {
      ctx.log.warn(
        [
          '** WARNING ** Detected UNSAFE options in relp input configuration!',
          '** WARNING ** You have enabled encryption but DISABLED certificate verification.',
          '** WARNING ** To make sure your data is secure change :ssl_verify to true',
        ].join('\n'),
      );
    }
    const onSocket = (socket: net.Socket): void => void this.session(socket, ctx);
    const server = this.options.ssl_enable ? tls.createServer(this.tlsOptions(), onSocket) : net.createServer(onSocket);
    this.server = server;
    await listenOn(server, host, port, 'RELP server');
    ctx.log.info(`Started ${this.options.ssl_enable ? 'SSL-enabled ' : ''}RELP Server`, { host, port: this.address()?.port ?? port });
    await serveUntilAborted(server, ctx.signal, () => {
      for (const s of this.sockets) s.end();
    });
  }

  /** The bound address (port 0 picks a free one). */
  address(): net.AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  private async session(socket: net.Socket, ctx: InputContext): Promise<void> {
    this.counters.connections++;
    this.sockets.add(socket);
    const peer = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const reader = new RelpFrameReader();
    const frames: RelpFrame[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    socket.on('data', (chunk: Buffer) => {
      try {
        frames.push(...reader.push(chunk));
      } catch (e) {
        frames.push({ txnr: -1, command: '', data: Buffer.from((e as Error).message) });
      }
      // Back-pressure: stop reading while frames wait for the queue.
      if (frames.length > 64) socket.pause();
      wake?.();
    });
    const finish = (): void => {
      ended = true;
      wake?.();
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', () => finish());
    const nextFrame = async (): Promise<RelpFrame | undefined> => {
      while (frames.length === 0) {
        if (ended) return undefined;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      if (frames.length <= 16) socket.resume();
      return frames.shift();
    };
    const send = (txnr: number, command: string, message?: string): void => void socket.write(relpFrame(txnr, command, message));
    const serverclose = (): void => {
      send(0, 'serverclose');
      socket.end();
    };
    try {
      const open = await nextFrame();
      if (!open) return;
      this.checkFrame(open);
      if (open.command !== 'open') {
        serverclose();
        throw new SessionEnd(`Relp client trying to open connection with something other than open:${open.command} expecting open`);
      }
      const offer = Object.fromEntries([...open.data.toString('utf8').matchAll(/^(.*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      if (offer['relp_version'] === undefined) {
        serverclose();
        throw new SessionEnd('No relp version specified');
      }
      const offered = (offer['commands'] ?? '').split(',');
      const missing = REQUIRED.filter((c) => !offered.includes(c));
      if (missing.length > 0) {
        send(open.txnr, 'rsp', `500 Required command(s) ${missing.join(',')} not offered`);
        serverclose();
        throw new SessionEnd('Relp client incapable of syslog');
      }
      send(open.txnr, 'rsp', `200 OK relp_version=${RELP_VERSION}\nrelp_software=${RELP_SOFTWARE}\ncommands=${REQUIRED.join(',')}`);
      ctx.log.debug(`Relp Connection to ${peer} created`);
      for (;;) {
        const frame = await nextFrame();
        if (!frame) break;
        this.checkFrame(frame);
        this.counters.frames++;
        if (frame.command === 'close') {
          send(frame.txnr, 'rsp');
          serverclose();
          break;
        }
        if (frame.command !== 'syslog') {
          serverclose();
          throw new SessionEnd(`Relp error: Relp::InappropriateCommand ${frame.command} expecting syslog`);
        }
        const events: Event[] = [];
        ctx.codec.decode(frame.data, { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, (e) => events.push(e));
        ctx.codec.flush?.({ host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, (e) => events.push(e));
        for (const e of events) {
          e.set('host', peer);
          ctx.decorate(e);
        }
        this.counters.events += events.length;
        if (events.length > 0) await ctx.push(events);
        // Acknowledged only now: the events are in the pipeline's queue.
        send(frame.txnr, 'rsp', '200 OK');
        this.counters.acked++;
      }
    } catch (e) {
      if (e instanceof SessionEnd) {
        // The RELP spec: an error ends the session with serverclose.
        if (!socket.writableEnded) serverclose();
        this.counters.protocol_errors++;
        if (e.warning) ctx.log.warn(e.warning, { peer });
      } else throw e;
    } finally {
      this.counters.unacked_bytes_lost += reader.pending;
      this.sockets.delete(socket);
      socket.end();
      ctx.log.debug(`Relp Connection to ${peer} Closed`);
    }
  }

  /** A frame the reader refused arrives as txnr -1 carrying the reason. */
  private checkFrame(frame: RelpFrame): void {
    if (frame.txnr === -1) throw new SessionEnd(`Relp error: ${frame.data.toString()}`);
    const valid = ['open', 'close', 'syslog'];
    if (!valid.includes(frame.command)) throw new SessionEnd(`Relp error: Relp::InvalidCommand ${frame.command}`);
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }
}

export function create(options: RelpInputOptions, ctx: PluginContext): Input {
  return new RelpInput(options, ctx);
}

export { RelpFrameError };
