// tcp and udp outputs over loopback: what a peer receives (codec rendering), client reconnects
// without losing the batch, server mode broadcasting / dropping without clients, UDP datagrams.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import { Event } from '../../../src/event/event.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import { JsonCodec } from '../../../src/plugins/codecs/json/json.ts';
import { JsonLinesCodec } from '../../../src/plugins/codecs/json_lines/json_lines.ts';
import { TcpOutput } from '../../../src/plugins/outputs/tcp/tcp.ts';
import type { TcpOutputOptions } from '../../../src/plugins/outputs/tcp/schema.ts';
import { UdpOutput } from '../../../src/plugins/outputs/udp/udp.ts';
import type { UdpOutputOptions } from '../../../src/plugins/outputs/udp/schema.ts';

const ev = (n: number): Event => new Event({ '@timestamp': Timestamp.fromMillis(Date.UTC(2025, 0, 1)), '@version': '1', n } as never);

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('tcp output', () => {
  it('client mode: json_lines events reach the server in order', async () => {
    let got = '';
    const server = net.createServer((s) => s.on('data', (d) => (got += d.toString())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const out = new TcpOutput({ host: '127.0.0.1', port, mode: 'client', reconnect_interval: 0.05 } as unknown as TcpOutputOptions, new JsonLinesCodec('\n'), standaloneContext());
    out.register();
    await out.write([ev(1), ev(2)]);
    await out.write([ev(3)]);
    await out.close();
    await until(() => got.split('\n').length === 4);
    server.close();
    expect(got).toBe([1, 2, 3].map((n) => `{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","n":${n}}\n`).join(''));
  });

  it('client mode: a server that is not up yet is retried every reconnect_interval; the batch waits and arrives', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = new TcpOutput({ host: '127.0.0.1', port, mode: 'client', reconnect_interval: 0.05 } as unknown as TcpOutputOptions, new JsonCodec(), standaloneContext());
    const writing = out.write([ev(7)]);
    await new Promise((r) => setTimeout(r, 150));
    let got = '';
    const server = net.createServer((s) => s.on('data', (d) => (got += d.toString())));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await writing;
    await out.close();
    await until(() => got.length > 0);
    server.close();
    expect(got).toBe('{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","n":7}');
    expect(out.stats().reconnects).toBeGreaterThan(0);
  });

  it('server mode: every connected client gets the events; with none they are dropped and counted', async () => {
    const out = new TcpOutput({ host: '127.0.0.1', port: 0, mode: 'server', reconnect_interval: 10 } as unknown as TcpOutputOptions, new JsonLinesCodec('\n'), standaloneContext());
    out.register();
    const port = await out.listening!;
    await out.write([ev(0)]);
    expect(out.stats().dropped).toBe(1);
    const received: string[] = ['', ''];
    const clients = await Promise.all([0, 1].map((i) => new Promise<net.Socket>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.on('data', (d) => (received[i] += d.toString()));
    })));
    await until(() => out.stats().dropped === 1 && (out as unknown as { clients: Set<unknown> }).clients.size === 2);
    await out.write([ev(1)]);
    await until(() => received.every((r) => r.endsWith('\n')));
    expect(received).toEqual(Array(2).fill('{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","n":1}\n'));
    for (const c of clients) c.destroy();
    await out.close();
  });
});

describe('udp output', () => {
  it('one datagram per event, rendered by the codec', async () => {
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const out = new UdpOutput({ host: '127.0.0.1', port: sock.address().port, retry_count: 0, retry_backoff_ms: 10 } as unknown as UdpOutputOptions, new JsonCodec(), standaloneContext());
    out.register();
    await out.write([ev(1), ev(2)]);
    await until(() => got.length === 2);
    out.close();
    sock.close();
    expect(got).toEqual([1, 2].map((n) => `{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","n":${n}}`));
    expect(out.stats()).toEqual({ sent: 2, failed: 0 });
  });

  it('a datagram that cannot be sent is retried retry_count times, then dropped and counted', async () => {
    const out = new UdpOutput({ host: '127.0.0.1', port: 9, retry_count: 2, retry_backoff_ms: 1 } as unknown as UdpOutputOptions, { decode: () => undefined, encode: () => Buffer.alloc(70_000) }, standaloneContext());
    out.register();
    await out.write([ev(1)]);
    out.close();
    expect(out.stats()).toEqual({ sent: 0, failed: 1 });
  });
});
