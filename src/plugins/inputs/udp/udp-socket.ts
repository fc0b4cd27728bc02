// Binding the udp input's socket, shared by the in-thread and the receiver-thread variants:
// address family from the host, SO_RCVBUF with Logstash's warning, and bind errors in one line.
import { isIPv4, isIPv6 } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { RemoteInfo } from 'node:dgram';
import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import { InputCannotRunError } from '../input-errors.ts';

export interface UdpListenOptions {
  host: string;
  port: number;
  receiveBufferBytes?: number;
}

export interface BoundUdpSocket {
  socket: SocketAsPromised;
  /** Address:port actually bound (port 0 resolved). */
  address: string;
  port: number;
  /** Logstash's warning when the OS granted a smaller receive buffer than asked for. */
  warning?: string;
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'unknown host (name resolution failed)',
  EAI_NONAME: 'unknown host',
  EINVAL: 'invalid address',
  EAFNOSUPPORT: 'address family not supported',
};

/** `0.0.0.0:4739`, `[::]:4739`. */
export function formatListenAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The one line shown when the input cannot start. */
export class UdpListenError extends InputCannotRunError {
  override readonly name = 'UdpListenError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
    detail: string,
  ) {
    super(`udp input: cannot listen on ${formatListenAddress(host, port)}: ${REASONS[code] ?? detail}`);
  }
}

/** IPv4-mapped IPv6 senders (dual-stack sockets) are shown as the IPv4 address, as Java does. */
export function senderAddress(rinfo: RemoteInfo): string {
  const a = rinfo.address;
  return a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a;
}

async function resolveHost(host: string, port: number): Promise<{ address: string; family: 4 | 6 }> {
  if (isIPv4(host)) return { address: host, family: 4 };
  if (isIPv6(host)) return { address: host, family: 6 };
  try {
    const r = await lookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    throw new UdpListenError(host, port, code, (e as Error).message);
  }
}

/** Binds a UDP socket; `onMessage` receives every datagram from the moment it is bound. */
export async function listenUdp(
  opts: UdpListenOptions,
  onMessage: (msg: Buffer, rinfo: RemoteInfo) => void,
): Promise<BoundUdpSocket> {
  const { address, family } = await resolveHost(opts.host, opts.port);
  const socket = DgramAsPromised.createSocket({ type: family === 6 ? 'udp6' : 'udp4' }, onMessage);
  try {
    await socket.bind({ address, port: opts.port, exclusive: true });
  } catch (e) {
    socket.destroy();
    const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
    throw new UdpListenError(opts.host, opts.port, code, (e as Error).message);
  }
  let warning: string | undefined;
  if (opts.receiveBufferBytes !== undefined) {
    try {
      socket.setRecvBufferSize(opts.receiveBufferBytes);
    } catch {
      // Above the OS limit: the size actually granted is reported below.
    }
    const granted = socket.getRecvBufferSize();
    if (granted < opts.receiveBufferBytes) {
      warning =
        `Unable to set receive_buffer_bytes to desired size. Requested ${opts.receiveBufferBytes} ` +
        `but obtained ${granted} bytes.`;
    }
  }
  const bound = socket.address();
  return { socket, address: bound.address, port: bound.port, warning };
}
