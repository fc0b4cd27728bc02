// Replaying every corpus capture to a local UDP receiver delivers every datagram, same payload,
// same order; with --exporters loopback each original exporter shows up as its own address.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { CAPTURES, HAVE_SHARED, receiver, runFlowstash, until } from './helpers.ts';

async function datagramsOf(file: string): Promise<UdpDatagram[]> {
  const out: UdpDatagram[] = [];
  for await (const d of readUdpDatagrams(file)) out.push(d);
  return out;
}

describe.skipIf(!HAVE_SHARED)('flowstash replay: corpus captures to a local receiver', () => {
  const files = HAVE_SHARED ? readdirSync(CAPTURES).filter((f) => f.endsWith('.pcap')).sort() : [];

  it('delivers every UDP datagram of every capture with identical payloads, in order', async () => {
    // One replay of all captures in sequence (like `tcpreplay a.pcap b.pcap`), paced so the
    // receiver's socket buffer never overflows.
    const paths = files.map((f) => path.join(CAPTURES, f));
    const expected: { file: string; dg: UdpDatagram }[] = [];
    for (const p of paths) for (const dg of await datagramsOf(p)) expected.push({ file: path.basename(p), dg });
    const r = await receiver();
    const res = await runFlowstash(['replay', ...paths, '--to', `127.0.0.1:${r.port}`, '--exporters', 'loopback', '--pps', '20000']);
    expect(res.code, res.stderr).toBe(0);
    await until(() => r.got.length >= expected.length, 5000);
    await r.close();
    expect(r.got.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!;
      if (!r.got[i]!.payload.equals(e.dg.payload)) throw new Error(`${e.file}: datagram from packet ${e.dg.packetNumber} differs`);
    }
    const bytes = expected.reduce((a, e) => a + e.dg.wireBytes, 0);
    expect(res.stdout).toContain(`Actual: ${expected.length} packets (${bytes} bytes) sent in `);
    expect(res.stdout).toContain(`\tSuccessful packets:        ${expected.length}\n\tFailed packets:            0\n`);
    // The BGP/BMP sessions mixed into the pmacct captures are counted and skipped.
    expect(res.stdout).toMatch(/^Skipped \(first pass\): [1-9]\d* non-UDP packets/m);
  });

  it('--exporters loopback: one distinct source address per original exporter, consistently', async () => {
    let checked = 0;
    for (const f of files) {
      const file = path.join(CAPTURES, f);
      const expected = await datagramsOf(file);
      const exporters = new Set(expected.map((d) => d.src));
      if (exporters.size < 2) continue;
      const r = await receiver();
      const res = await runFlowstash(['replay', file, '--to', `127.0.0.1:${r.port}`, '--exporters', 'loopback', '-t', '-q']);
      expect(res.code).toBe(0);
      await until(() => r.got.length >= expected.length, 5000);
      await r.close();
      const mapping = new Map<string, string>();
      for (let i = 0; i < expected.length; i++) {
        const orig = expected[i]!.src;
        const seen = r.got[i]!.address;
        expect(seen).toMatch(/^127\./);
        expect(mapping.get(orig) ?? seen, `${f}: exporter ${orig}`).toBe(seen);
        mapping.set(orig, seen);
        // The original source port is kept when free.
        expect(r.got[i]!.port).toBe(expected[i]!.srcPort);
      }
      expect(new Set(mapping.values()).size, f).toBe(exporters.size);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('--limit, --loop and --pps shape what is sent; the summary says so', async () => {
    const file = path.join(CAPTURES, 'generated_softflowd-v10.pcap');
    const r = await receiver();
    const res = await runFlowstash(['replay', file, '--to', `127.0.0.1:${r.port}`, '--loop', '3', '--limit', '60', '--pps', '2000']);
    expect(res.code).toBe(0);
    await until(() => r.got.length >= 60, 5000);
    await r.close();
    expect(r.got.length).toBe(60);
    expect(res.stdout).toMatch(/^Actual: 60 packets \(\d+ bytes\) sent in 0\.0\d{5} seconds\nRated: [\d.]+ Bps, [\d.]+ Mbps, [\d.]+ pps\nFlows: 1 flows, [\d.]+ fps, 26 unique flow packets, 0 unique non-flow packets\n/);
  });

  it('a refused destination is counted as failed, not fatal', async () => {
    const r = await receiver();
    const port = r.port;
    await r.close();
    const file = path.join(CAPTURES, 'generated_softflowd-v10.pcap');
    const res = await runFlowstash(['replay', file, '--to', `127.0.0.1:${port}`, '--pps', '500']);
    expect(res.code).toBe(0);
    const ok = Number(/Successful packets:\s+(\d+)/.exec(res.stdout)?.[1]);
    const failed = Number(/Failed packets:\s+(\d+)/.exec(res.stdout)?.[1]);
    expect(failed).toBeGreaterThan(0);
    expect(ok + failed).toBe(26);
    expect(res.stdout).toMatch(/Failures: ECONNREFUSED \d+/);
  });

  it('a capture cut mid-record: what precedes the fault is sent, then file, packet and offset; exit 1', async () => {
    const src = path.join(CAPTURES, 'generated_softflowd-v10.pcap');
    const bytes = readFileSync(src);
    const cut = path.join(mkdtempSync(path.join(tmpdir(), 'flowstash-cut-')), 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const r = await receiver();
    const res = await runFlowstash(['replay', cut, '--to', `127.0.0.1:${r.port}`, '-t']);
    await until(() => r.got.length >= 25, 5000);
    await r.close();
    expect(res.code).toBe(1);
    expect(r.got.length).toBe(25);
    expect(res.stdout).toContain('Actual: 25 packets');
    expect(res.stderr).toMatch(/^flowstash replay: .*cut\.pcap: packet 26 at byte offset \d+: /m);
  });

  it('bad options and unreadable captures exit with a clear message', async () => {
    const a = await runFlowstash(['replay', 'x.pcap', '--pps', '10', '--topspeed']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('flowstash replay: --pps and --topspeed are mutually exclusive');
    const b = await runFlowstash(['replay', path.join(CAPTURES, 'missing.pcap'), '--to', '127.0.0.1:9', '-t']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/missing\.pcap.*cannot open/);
  });
});
