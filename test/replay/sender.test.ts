import { describe, expect, it } from 'vitest';
import { DatagramSender, loopbackAddress, parseEndpoint } from '../../src/replay/sender.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { cleanup, receiver, until } from './helpers.ts';

const dg = (src: string, srcPort: number, payload: string, dst = '192.0.2.200', dstPort = 4739): UdpDatagram => ({
  packetNumber: 1,
  tsSec: 0,
  tsNsec: 0,
  family: src.includes(':') ? 6 : 4,
  src,
  srcPort,
  dst,
  dstPort,
  payload: Buffer.from(payload),
  wireBytes: 42 + payload.length,
});

describe('DatagramSender', () => {
  it('parses endpoints and rejects bad ones with the reason', () => {
    expect(parseEndpoint('127.0.0.1:4739')).toEqual({ host: '127.0.0.1', port: 4739 });
    expect(parseEndpoint('[::1]:2055')).toEqual({ host: '::1', port: 2055 });
    expect(parseEndpoint('localhost')).toMatch(/expected HOST:PORT/);
    expect(parseEndpoint('h:70000')).toMatch(/port must be 1-65535/);
    expect(loopbackAddress(0)).toBe('127.0.0.2');
    expect(loopbackAddress(254)).toBe('127.0.1.0');
  });

  it('--exporters loopback: one 127.0.0.x per exporter address, original source ports, order kept', async () => {
    const r = await receiver();
    cleanup.push(() => r.sock.close());
    const sender = new DatagramSender({ to: { host: '127.0.0.1', port: r.port }, exporters: 'loopback' });
    await sender.prepare();
    const base = 40000 + Math.floor(Math.random() * 10000);
    const input = [
      dg('10.0.0.1', base, 'a1'),
      dg('10.0.0.2', base + 1, 'b1'),
      dg('2001:db8::9', base + 2, 'c1'),
      dg('10.0.0.1', base, 'a2'),
      dg('10.0.0.2', base + 1, 'b2'),
    ];
    for (const d of input) await sender.send(d);
    await sender.close();
    await until(() => r.got.length === input.length);
    expect(r.got.map((g) => g.payload)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2']);
    const bySource = new Map(r.got.map((g) => [g.payload[0], `${g.address}:${g.port}`]));
    expect(bySource.get('a')).toBe(`127.0.0.2:${base}`);
    expect(bySource.get('b')).toBe(`127.0.0.3:${base + 1}`);
    expect(bySource.get('c')).toBe(`127.0.0.4:${base + 2}`);
    expect(sender.counters).toMatchObject({ successful: 5, failed: 0, successfulBytes: 5 * 44 });
  });

  it('falls back to an ephemeral port when the source port is taken, and says so', async () => {
    const r = await receiver();
    cleanup.push(() => r.sock.close());
    const warnings: string[] = [];
    const sender = new DatagramSender({
      to: { host: '127.0.0.1', port: r.port },
      exporters: 'any',
      onWarning: (m) => warnings.push(m),
    });
    await sender.prepare();
    // The receiver's own port is taken by a socket without SO_REUSEADDR.
    await sender.send(dg('10.0.0.1', r.port, 'x'));
    await sender.close();
    await until(() => r.got.length === 1);
    expect(r.got[0]!.port).not.toBe(r.port);
    expect(warnings[0]).toMatch(/source port \d+ unavailable/);
  });

  it('counts a refused destination as failed, never throws', async () => {
    const r = await receiver();
    const closedPort = r.port;
    await new Promise<void>((res) => r.sock.close(() => res()));
    const sender = new DatagramSender({ to: { host: '127.0.0.1', port: closedPort }, exporters: 'any' });
    await sender.prepare();
    for (let i = 0; i < 20; i++) {
      await sender.send(dg('10.0.0.1', 0, `p${i}`));
      await new Promise((res) => setTimeout(res, 2));
    }
    await new Promise((res) => setTimeout(res, 20));
    await sender.close();
    expect(sender.counters.failed).toBeGreaterThan(0);
    expect(sender.counters.failedByCode['ECONNREFUSED']).toBeGreaterThan(0);
    expect(sender.counters.successful + sender.counters.failed).toBe(20);
  });
});
