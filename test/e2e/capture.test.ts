// `flowstash capture` writes what arrives as a tcpdump-like capture that reads, replays and
// decodes like the original.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import dgram from 'node:dgram';
import path from 'node:path';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { CAPTURES, HAVE_SHARED, flowstash, freePort, receiver, runFlowstash, until } from './helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'flowstash-capture-'));

async function datagramsOf(file: string): Promise<UdpDatagram[]> {
  const out: UdpDatagram[] = [];
  for await (const d of readUdpDatagrams(file)) out.push(d);
  return out;
}

describe.skipIf(!HAVE_SHARED)('flowstash capture', () => {
  it('captures a replay with the real senders, and the capture replays identically', async () => {
    const original = path.join(CAPTURES, 'scapy_netflowv9.pcap');
    const expected = await datagramsOf(original);
    const port = await freePort();
    const out = path.join(tmp, 'captured.pcapng');
    const cap = flowstash(['capture', '--host', '127.0.0.1', '--port', String(port), '-c', String(expected.length), '-w', out]);
    await cap.waitFor(/listening on 127\.0\.0\.1:\d+/);
    const replay = await runFlowstash(['replay', original, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', '1000', '-q']);
    expect(replay.code).toBe(0);
    expect(await cap.exited).toBe(0);
    expect(cap.stdout).toContain(`Number of packets:   ${expected.length}\n`);
    expect(cap.stdout).toContain('File type:           Wireshark/... - pcapng\n');

    const got = await datagramsOf(out);
    expect(got.map((d) => d.payload.toString('hex'))).toEqual(expected.map((d) => d.payload.toString('hex')));
    // Each exporter appears as the loopback address it was replayed from, with its source port.
    const pairs = new Set(got.map((d, i) => `${expected[i]!.src}:${expected[i]!.srcPort}->${d.src}:${d.srcPort}`));
    expect([...pairs].sort()).toEqual(['192.168.100.10:33093->127.0.0.3:33093', '192.168.100.1:33092->127.0.0.2:33092']);
    expect(got.every((d) => d.dst === '127.0.0.1' && d.dstPort === port)).toBe(true);
    for (let i = 1; i < got.length; i++) {
      expect(got[i]!.tsSec * 1e9 + got[i]!.tsNsec).toBeGreaterThanOrEqual(got[i - 1]!.tsSec * 1e9 + got[i - 1]!.tsNsec);
    }

    // The capture replays like any tcpdump file (to its captured destination port, here via --to).
    const r = await receiver();
    const again = await runFlowstash(['replay', out, '--to', `127.0.0.1:${r.port}`, '-t', '-q']);
    expect(again.code).toBe(0);
    await until(() => r.got.length >= expected.length, 5000);
    await r.close();
    expect(r.got.map((g) => g.payload.toString('hex'))).toEqual(expected.map((d) => d.payload.toString('hex')));
  });

  it('port in use: one clear line, exit 1', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
    const port = holder.address().port;
    const res = await runFlowstash(['capture', '--host', '127.0.0.1', '--port', String(port), '-w', path.join(tmp, 'x.pcap')]);
    holder.close();
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`flowstash capture: cannot listen on 127.0.0.1:${port}: address already in use`);
  });
});
