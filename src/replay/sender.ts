// Real UDP sockets for a replay: one per original exporter (and destination), bound so that a
// collector on this machine still sees each exporter as a distinct source address.
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { lookup } from 'node:dns/promises';
import type { Socket } from 'node:dgram';
import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import type { UdpDatagram } from '../packet/types.ts';

/**
 * How exporter sockets are bound:
 * - `bind`: to the exporter's own address when it is configured on this machine, else any address;
 * - `loopback`: to a distinct 127.0.0.x per exporter address (127.0.0.2, .3, ...);
 * - `any`: the system's choice.
 */
export type ExporterBinding = 'bind' | 'loopback' | 'any';

export interface Endpoint {
  host: string;
  port: number;
}

export interface SenderOptions {
  /** Send everything here instead of each datagram's captured destination. */
  to?: Endpoint;
  exporters: ExporterBinding;
  /** Called once per socket opened (exporter → local address:port), for the user's information. */
  onSocket?(info: ExporterSocketInfo): void;
  /** Called when a source port could not be kept or an address could not be used. */
  onWarning?(message: string): void;
  /**
   * `loopback` mode: the 127.0.0.x given to an exporter address. Senders in several threads share
   * one numbering through it; without it each sender numbers the exporters it meets.
   */
  loopbackFor?(exporter: string): string;
}

export interface ExporterSocketInfo {
  exporter: string;
  exporterPort: number;
  local: Endpoint;
  destination: Endpoint;
}

export interface SenderCounters {
  /** Sends the kernel accepted. */
  successful: number;
  /** Captured bytes (L2 included) of the datagrams sent successfully. */
  successfulBytes: number;
  /** Sends refused or rejected (ECONNREFUSED, EHOSTUNREACH, EMSGSIZE, ...), by error code too. */
  failed: number;
  failedByCode: Record<string, number>;
}

/** Parses `HOST:PORT`, `[v6]:PORT`; returns an error message for anything else. */
export function parseEndpoint(text: string): Endpoint | string {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return `expected HOST:PORT or [IPv6]:PORT, got '${text}'`;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port must be 1-65535, got '${m[2]}' in '${text}'`;
  return { host: m[1]!, port };
}

/** A host name becomes an address (IPv4 first: only 127/8 gives each exporter its own loopback address). */
export async function resolveEndpoint(ep: Endpoint): Promise<Endpoint> {
  if (isIPv4(ep.host) || isIPv6(ep.host)) return { host: ep.host, port: ep.port };
  const address = await lookup(ep.host, { family: 4 }).then(
    (r) => r.address,
    () => lookup(ep.host).then((r) => r.address),
  );
  return { host: address, port: ep.port };
}

function localAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** The n-th loopback address handed to exporters: 127.0.0.2, 127.0.0.3, ..., 127.0.1.0, ... */
export function loopbackAddress(index: number): string {
  const n = index + 2;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** An exporter's open, connected socket (from `DatagramSender.open`). */
export interface OpenSocket {
  sock: Socket;
  wrapped: SocketAsPromised;
  /** Captured bytes of the last datagram sent on it (what a late refusal takes back). */
  lastBytes: number;
}

export class DatagramSender {
  readonly counters: SenderCounters = { successful: 0, successfulBytes: 0, failed: 0, failedByCode: {} };
  private readonly opts: SenderOptions;
  private readonly sockets = new Map<string, OpenSocket>();
  /** The same sockets by exporter address → ports (source × 65536 + destination) → destination address. */
  private readonly bySource = new Map<string, Map<number, Map<string, OpenSocket>>>();
  private readonly opening = new Map<string, Promise<OpenSocket>>();
  private readonly loopbackByExporter = new Map<string, string>();
  private readonly v6Exporters = new Set<string>();
  private readonly locals = localAddresses();
  private resolvedTo: Endpoint | undefined;
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(opts: SenderOptions) {
    this.opts = opts;
  }

  private sendDone(err: Error | null, wireBytes: number): void {
    if (err) this.countFailure(err);
    else {
      this.counters.successful++;
      this.counters.successfulBytes += wireBytes;
    }
    if (--this.inFlight === 0 && this.drained) this.drained();
  }

  /** Resolves --to once (a name becomes an address). */
  async prepare(): Promise<void> {
    if (this.opts.to) this.resolvedTo = await resolveEndpoint(this.opts.to);
  }

  /** Sends handed to the kernel whose completion has not been reported yet (their buffers are in use). */
  get pendingSends(): number {
    return this.inFlight;
  }

  /** Sockets opened so far (one per exporter address:port and destination). */
  socketCount = 0;

  /**
   * Sends one datagram. Returns synchronously when its socket is already open (the hot path);
   * otherwise a promise that settles once the socket is bound and the datagram handed over.
   */
  send(dg: UdpDatagram): void | Promise<void> {
    const open = this.openFor(dg);
    if (open) {
      this.write(open, dg.payload, dg.wireBytes);
      return;
    }
    return this.openSlow(dg).then(
      (s) => this.write(s, dg.payload, dg.wireBytes),
      (err: Error) => this.countFailure(err),
    );
  }

  /** The open socket for a datagram's exporter and destination, opening it on first use. */
  open(dg: UdpDatagram): OpenSocket | Promise<OpenSocket> {
    return this.openFor(dg) ?? this.openSlow(dg);
  }

  /**
   * The already open socket of a datagram's exporter and destination: looked up by source address,
   * then both ports, then destination address, so that no key string is built per datagram.
   */
  private openFor(dg: UdpDatagram): OpenSocket | undefined {
    const to = this.resolvedTo;
    const byPorts = this.bySource.get(dg.src);
    if (!byPorts) return undefined;
    const byDst = byPorts.get(dg.srcPort * 65536 + (to ? to.port : dg.dstPort));
    return byDst?.get(to ? to.host : dg.dst);
  }

  private openSlow(dg: UdpDatagram): Promise<OpenSocket> {
    const dstHost = this.resolvedTo ? this.resolvedTo.host : dg.dst;
    const dstPort = this.resolvedTo ? this.resolvedTo.port : dg.dstPort;
    const key = `${dg.src}|${dg.srcPort}|${dstHost}|${dstPort}`;
    return this.openSocket(key, dg, { host: dstHost, port: dstPort });
  }

  /** Sends a payload on a socket from `open()` (the hot path of a sending thread: no lookups). */
  sendOn(open: OpenSocket, payload: Buffer, wireBytes: number): void {
    this.write(open, payload, wireBytes);
  }

  /** Counts a datagram that could not be sent because its socket could not be opened. */
  countOpenFailure(err: Error): void {
    this.countFailure(err);
  }

  private write(open: OpenSocket, payload: Buffer, wireBytes: number): void {
    this.inFlight++;
    open.lastBytes = wireBytes;
    try {
      open.sock.send(payload, (err) => this.sendDone(err, wireBytes));
    } catch (err) {
      this.sendDone(err as Error, wireBytes);
    }
  }

  private countFailure(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
    this.counters.failed++;
    this.counters.failedByCode[code] = (this.counters.failedByCode[code] ?? 0) + 1;
  }

  private openSocket(key: string, dg: UdpDatagram, dst: Endpoint): Promise<OpenSocket> {
    let p = this.opening.get(key);
    if (!p) {
      p = this.createSocket(dg, dst).then((s) => {
        this.sockets.set(key, s);
        let byPorts = this.bySource.get(dg.src);
        if (!byPorts) this.bySource.set(dg.src, (byPorts = new Map()));
        const ports = dg.srcPort * 65536 + dst.port;
        let byDst = byPorts.get(ports);
        if (!byDst) byPorts.set(ports, (byDst = new Map()));
        byDst.set(dst.host, s);
        this.socketCount++;
        this.opening.delete(key);
        return s;
      });
      this.opening.set(key, p);
    }
    return p;
  }

  private localAddressFor(dg: UdpDatagram, dstIs6: boolean): string | undefined {
    switch (this.opts.exporters) {
      case 'any':
        return undefined;
      case 'bind':
        return (this.locals.has(dg.src) || dg.src.startsWith('127.')) && isIPv6(dg.src) === dstIs6 ? dg.src : undefined;
      case 'loopback': {
        if (dstIs6) {
          // IPv6 loopback is a single address: exporters can only differ by source port there.
          this.v6Exporters.add(dg.src);
          if (this.v6Exporters.size === 2) {
            this.opts.onWarning?.(
              'several exporters sent to an IPv6 destination share ::1 (only their source ports differ); ' +
                'send to an IPv4 address (--to 127.0.0.1:PORT) to give each its own 127.0.0.x',
            );
          }
          return '::1';
        }
        if (this.opts.loopbackFor) return this.opts.loopbackFor(dg.src);
        let addr = this.loopbackByExporter.get(dg.src);
        if (!addr) {
          addr = loopbackAddress(this.loopbackByExporter.size);
          this.loopbackByExporter.set(dg.src, addr);
        }
        return addr;
      }
    }
  }

  private async createSocket(dg: UdpDatagram, dst: Endpoint): Promise<OpenSocket> {
    const dstIs6 = isIPv6(dst.host);
    const address = this.localAddressFor(dg, dstIs6);
    const wrapped = DgramAsPromised.createSocket({ type: dstIs6 ? 'udp6' : 'udp4', reuseAddr: true });
    let bound = false;
    if (dg.srcPort > 0) {
      try {
        await wrapped.bind({ address, port: dg.srcPort, exclusive: false });
        bound = true;
      } catch {
        // The original source port is taken or privileged: fall back to an ephemeral one.
      }
    }
    if (!bound) {
      const again = DgramAsPromised.createSocket({ type: dstIs6 ? 'udp6' : 'udp4' });
      await wrapped.close().catch(() => undefined);
      await again.bind({ address, port: 0 });
      if (dg.srcPort > 0) {
        this.opts.onWarning?.(
          `exporter ${dg.src}:${dg.srcPort}: source port ${dg.srcPort} unavailable on ${address ?? 'any address'}, ` +
            `using ${again.address().port}`,
        );
      }
      return this.connect(again, dg, dst);
    }
    return this.connect(wrapped, dg, dst);
  }

  private async connect(wrapped: SocketAsPromised, dg: UdpDatagram, dst: Endpoint): Promise<OpenSocket> {
    const sock = wrapped.socket;
    // Connected, so a refused destination shows up as a failed send instead of vanishing.
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      sock.once('error', onError);
      sock.connect(dst.port, dst.host, () => {
        sock.off('error', onError);
        resolve();
      });
    });
    // A refusal reported after the send (ICMP port unreachable read by the receive side) turns one
    // datagram counted as sent into a failed one, so successful + failed stays the number attempted.
    const open: OpenSocket = { sock, wrapped, lastBytes: 0 };
    sock.on('error', (err) => {
      if (this.counters.successful > 0) {
        this.counters.successful--;
        this.counters.successfulBytes -= open.lastBytes;
      }
      this.countFailure(err);
    });
    const local = wrapped.address();
    this.opts.onSocket?.({
      exporter: dg.src,
      exporterPort: dg.srcPort,
      local: { host: local.address, port: local.port },
      destination: dst,
    });
    return open;
  }

  /** Waits for every send to be acknowledged, then closes the sockets. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all([...this.sockets.values()].map((s) => s.wrapped.close().catch(() => undefined)));
    this.sockets.clear();
    this.bySource.clear();
  }
}
