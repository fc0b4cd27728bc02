// A loopback UDP receiver recording what each replay/sender test sends, and the wait helper.
import dgram from 'node:dgram';
import { afterEach } from 'vitest';

export { until } from '../e2e/helpers.ts';

export interface Received {
  payload: string;
  address: string;
  port: number;
}

export async function receiver(): Promise<{ sock: dgram.Socket; port: number; got: Received[] }> {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const got: Received[] = [];
  sock.on('message', (msg, r) => got.push({ payload: msg.toString(), address: r.address, port: r.port }));
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  return { sock, port: sock.address().port, got };
}

/** Closers run after each test of the file that imports this. */
export const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});
