import { describe, expect, it } from 'vitest';
import { hrClock, Pacer, type Clock } from '../../src/replay/pacer.ts';
import { planningClock, ThreadedSender } from '../../src/replay/send-threads.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { cleanup, receiver, until } from './helpers.ts';

const dg = (src: string, srcPort: number, payload: string): UdpDatagram => ({
  packetNumber: 1,
  tsSec: 0,
  tsNsec: 0,
  family: 4,
  src,
  srcPort,
  dst: '192.0.2.200',
  dstPort: 4739,
  payload: Buffer.from(payload),
  wireBytes: 42 + payload.length,
});

describe('ThreadedSender', () => {
  it('two threads: every exporter keeps its order, each gets its 127.0.0.x in first-seen order, counters add up', async () => {
    const r = await receiver();
    cleanup.push(() => r.sock.close());
    const clock = hrClock();
    // Small batches so that both threads get many of them, interleaved.
    const sender = await ThreadedSender.start({
      to: { host: '127.0.0.1', port: r.port },
      exporters: 'loopback',
      threads: 2,
      originNs: clock.originNs,
      batchRecords: 7,
      maxQueuedBatches: 2,
    });
    const exporters = 5;
    const perExporter = 300;
    const base = 30000 + Math.floor(Math.random() * 20000);
    for (let i = 0; i < perExporter; i++) {
      for (let e = 0; e < exporters; e++) {
        const pending = sender.send(dg(`10.0.0.${e + 1}`, base + e, `${e}:${i}`));
        if (pending) await pending;
      }
    }
    await sender.close();
    const total = exporters * perExporter;
    await until(() => r.got.length >= total);
    expect(r.got.length).toBe(total);
    for (let e = 0; e < exporters; e++) {
      const mine = r.got.filter((g) => g.payload.startsWith(`${e}:`));
      expect(mine.map((g) => Number(g.payload.split(':')[1]))).toEqual(Array.from({ length: perExporter }, (_, i) => i));
      expect(new Set(mine.map((g) => `${g.address}:${g.port}`))).toEqual(new Set([`127.0.0.${e + 2}:${base + e}`]));
    }
    expect(sender.counters).toMatchObject({ successful: total, failed: 0 });
    expect(sender.counters.successfulBytes).toBe(r.got.reduce((a, g) => a + 42 + g.payload.length, 0));
    expect(sender.socketCount).toBe(exporters);
    expect(sender.dropped).toBe(0);
  });

  it('counts a refused destination as failed in the thread, never throws', async () => {
    const r = await receiver();
    const closedPort = r.port;
    await new Promise<void>((res) => r.sock.close(() => res()));
    const clock = hrClock();
    const sender = await ThreadedSender.start({ to: { host: '127.0.0.1', port: closedPort }, exporters: 'any', threads: 1, originNs: clock.originNs });
    sender.useClock(clock);
    // Due 2 ms apart, so that each refusal is read before the next send.
    const start = clock.now();
    for (let i = 0; i < 20; i++) await sender.send(dg('10.0.0.1', 0, `p${i}`), start + i * 2e6);
    await sender.close();
    expect(sender.counters.failedByCode['ECONNREFUSED']).toBeGreaterThan(0);
    expect(sender.counters.successful + sender.counters.failed).toBe(20);
  });

  it('abort drops what is queued and counts it', async () => {
    const r = await receiver();
    cleanup.push(() => r.sock.close());
    const clock = hrClock();
    const sender = await ThreadedSender.start({ to: { host: '127.0.0.1', port: r.port }, exporters: 'any', threads: 1, originNs: clock.originNs, batchRecords: 4 });
    sender.useClock(clock);
    // Due a minute from now: nothing can have been sent when the abort comes.
    const later = clock.now() + 60e9;
    for (let i = 0; i < 8; i++) await sender.send(dg('10.0.0.1', 0, `q${i}`), later);
    await sender.abort();
    expect(sender.counters.successful).toBe(0);
    expect(sender.dropped).toBe(8);
  });

  it('a pacer on a planning clock plans due times without sleeping; passes chain end to start', async () => {
    const real: Clock = { now: () => 1000, waitUntil: () => Promise.reject(new Error('the planner must not sleep')) };
    const clock = planningClock(real);
    const pacer = new Pacer({ loop: 2 }, clock);
    pacer.start();
    const dues: (number | undefined)[] = [];
    for (let pass = 0; pass < 2; pass++) {
      pacer.startPass();
      for (const ms of [0, 10, 30]) {
        expect(await pacer.pace(1_700_000_000, ms * 1e6, 100)).toBe('send');
        dues.push(pacer.lastDueNs);
        pacer.sent(100);
      }
    }
    // First packet of each pass: at once (anchor); the second pass anchors where the first ended.
    expect(dues).toEqual([undefined, 1000 + 10e6, 1000 + 30e6, undefined, 1000 + 40e6, 1000 + 60e6]);
  });
});
