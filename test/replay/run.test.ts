// The replay loop over real capture files: driven by forEachDatagram (the fast path) it must count,
// stop and report exactly as when the same datagrams are iterated one promise at a time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCapture, type PacketRecord } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { hrClock, Pacer, type PacingOptions } from '../../src/replay/pacer.ts';
import { runReplayLoop, type DatagramFile, type ReplayLoopResult } from '../../src/replay/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'fs-replay-run-'));

/** 600 datagrams of 6 flows (3 exporters × 2 destination ports), plus every 50th packet an ARP frame. */
function capture(): string {
  const recs: PacketRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const data = buildUdpFrame({ src: `10.0.0.${(i % 3) + 1}`, dst: '192.0.2.9', srcPort: 5000 + (i % 3), dstPort: i % 2 ? 2055 : 4739, payload: Buffer.alloc(40 + (i % 9), i & 0xff) });
    recs.push({ tsSec: 1_700_000_000, tsNsec: i * 1000, data });
    if (i % 50 === 0) recs.push({ tsSec: 1_700_000_000, tsNsec: i * 1000, data: Buffer.concat([Buffer.alloc(12, 0xff), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]) });
  }
  const file = join(tmp, 'six-flows.pcap');
  writeFileSync(file, encodeCapture(recs, { format: 'pcap', precision: 'micro', linkType: 1 }));
  return file;
}

async function replay(file: string, pacing: PacingOptions, fast: boolean, stopAfter?: number): Promise<{ result: ReplayLoopResult; sent: UdpDatagram[] }> {
  const sent: UdpDatagram[] = [];
  const ac = new AbortController();
  let current: ReturnType<typeof readUdpDatagrams> | undefined;
  const pass = (): DatagramFile[] => {
    current = readUdpDatagrams(file);
    const src = current;
    // Without forEachDatagram the loop iterates, one promise per datagram.
    return [fast ? src : { [Symbol.asyncIterator]: () => src[Symbol.asyncIterator]() }];
  };
  const result = await runReplayLoop({ pass, skippedPackets: () => current?.stats.nonUdp ?? 0 }, new Pacer(pacing, hrClock()), (dg) => {
    sent.push(dg);
    if (sent.length === stopAfter) ac.abort();
    // Every 100th send waits, as a socket being opened does.
    if (sent.length % 100 === 0) return new Promise<void>((r) => setImmediate(r));
  }, { signal: ac.signal });
  return { result, sent };
}

describe('runReplayLoop', () => {
  const file = capture();

  for (const fast of [true, false]) {
    const how = fast ? 'forEachDatagram' : 'iteration';
    it(`${how}: two passes at topspeed count every datagram, the flows and the skipped packets once`, async () => {
      const { result, sent } = await replay(file, { topspeed: true, loop: 2 }, fast);
      expect(result.attempted).toBe(1200);
      expect(result.passes).toBe(2);
      expect(result.flows).toBe(6);
      expect(result.flowPackets).toBe(600);
      expect(result.skipped).toBe(12);
      expect(result.ended).toBe('done');
      expect(result.attemptedBytes).toBe(sent.reduce((n, d) => n + d.wireBytes, 0));
      expect(result.endNs).toBeGreaterThan(result.startNs);
      expect(sent.slice(0, 600).map((d) => d.payload[0])).toEqual(Array.from({ length: 600 }, (_, i) => i & 0xff));
    });

    it(`${how}: --limit stops in the middle of a pass`, async () => {
      const { result, sent } = await replay(file, { topspeed: true, limit: 250 }, fast);
      expect(result.attempted).toBe(250);
      expect(sent).toHaveLength(250);
      expect(result.ended).toBe('limit');
    });

    it(`${how}: an interruption ends the loop after the datagram in hand`, async () => {
      const { result, sent } = await replay(file, { pps: 1_000_000 }, fast, 321);
      expect(sent).toHaveLength(321);
      expect(result.attempted).toBe(321);
      expect(result.ended).toBe('aborted');
    });
  }
});
