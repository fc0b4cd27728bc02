// The user's day on one machine: `flowstash -f` with udp → netflow → json_lines listening, and
// `flowstash replay` sending a capture to it, gives the events the pcap input gives for the same
// capture — same count, same content, `host` = the sending (loopback) address.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import dgram from 'node:dgram';
import path from 'node:path';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { CAPTURES, HAVE_SHARED, canonicalEvents, flowstash, freePort, runFlowstash, summaryCounters, until, type Spawned } from './helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'flowstash-e2e-'));

function lines(s: string): number {
  return s.split('\n').filter((l) => l.trim() !== '').length;
}

/** Events of a capture through the pcap input (no network). */
async function viaPcapInput(file: string, codec = 'netflow {}'): Promise<string> {
  const conf = `input { pcap { path => ${JSON.stringify(file)} topspeed => true ecs_compatibility => disabled codec => ${codec} } }
output { stdout { codec => json_lines } }`;
  const res = await runFlowstash(['-w', '1', '-e', conf]);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout;
}

async function startCollector(port: number, codec = 'netflow {}', extra = ''): Promise<Spawned> {
  const conf = `input { udp { host => "127.0.0.1" port => ${port} ecs_compatibility => disabled receive_buffer_bytes => 4194304 ${extra} codec => ${codec} } }
output { stdout { codec => json_lines } }`;
  const c = flowstash(['-w', '1', '-e', conf]);
  await c.waitFor(/UDP listener started/);
  return c;
}

async function stopCollector(c: Spawned): Promise<number> {
  c.child.kill('SIGINT');
  return c.exited;
}

async function datagramsOf(file: string): Promise<UdpDatagram[]> {
  const out: UdpDatagram[] = [];
  for await (const d of readUdpDatagrams(file)) out.push(d);
  return out;
}

function writeCapture(file: string, dgs: UdpDatagram[]): void {
  writeFileSync(
    file,
    encodeCapture(
      dgs.map((d) => ({
        tsSec: d.tsSec,
        tsNsec: d.tsNsec,
        data: buildUdpFrame({ src: d.src, dst: d.dst, srcPort: d.srcPort, dstPort: d.dstPort, payload: d.payload }),
      })),
    ),
  );
}

describe.skipIf(!HAVE_SHARED)('udp collector fed by flowstash replay = pcap input', () => {
  const cases = [
    // IPFIX; NetFlow v9 from 3 exporters (two share an address); IPv6 exporter to IPv6 collector.
    'generated_softflowd-v10.pcap',
    'graylog_nprobe-netflow9.pcap',
    'pmacctta_111-IPFIXv10-NFv9-IPv6-IPv4-mix_sources__traffic-01.pcap',
  ];

  it('same events, same count, host = each exporter\'s own loopback address', async () => {
    await Promise.all(
      cases.map(async (name) => {
        const file = path.join(CAPTURES, name);
        const expected = await viaPcapInput(file);
        const n = lines(expected);
        expect(n, name).toBeGreaterThan(0);
        const port = await freePort();
        const collector = await startCollector(port);
        const replay = await runFlowstash(['replay', file, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', '5000']);
        expect(replay.code, replay.stderr).toBe(0);
        await until(() => lines(collector.stdout) >= n, 15_000);
        expect(await stopCollector(collector)).toBe(0);
        expect(canonicalEvents(collector.stdout), name).toEqual(canonicalEvents(expected));
        // Each original exporter got its own 127.0.0.x, and that is the events' host.
        const originals = new Set((await datagramsOf(file)).map((d) => d.src));
        const hosts = new Set(collector.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { host: string }).host));
        for (const h of hosts) expect(h).toMatch(/^127\.0\.0\.\d+$/);
        const pcapHosts = new Set(expected.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { host: string }).host));
        expect(hosts.size, name).toBe(pcapHosts.size);
        for (const h of pcapHosts) expect(originals.has(h)).toBe(true);
        expect(collector.stderr).toMatch(/received \d+ datagrams .* dropped \(queue full\) 0, decode failures 0/);
      }),
    );
  });

  it('SIGINT during a replay: everything received is decoded and written; the counts add up', async () => {
    const file = path.join(CAPTURES, 'generated_softflowd-v10.pcap');
    const port = await freePort();
    const collector = await startCollector(port, 'netflow {}', 'workers => 2');
    const replay = flowstash(['replay', file, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', '1500', '--loop', '0', '-q']);
    await until(() => lines(collector.stdout) > 3000, 15_000);
    expect(await stopCollector(collector)).toBe(0);
    replay.child.kill('SIGINT');
    expect(await replay.exited).toBe(130);
    const written = lines(collector.stdout);
    const summary = summaryCounters(collector.stderr, /Summary: events/);
    const input = summaryCounters(collector.stderr, /\]\s+input udp \(/);
    expect(summary['in']).toBe(summary['out']! + summary['dropped']! + summary['failed']!);
    expect(summary['out']).toBe(written);
    expect(input['received']).toBe(input['decoded']! + input['dropped_queue_full']!);
    expect(input['out']).toBe(summary['in']);
    expect(input['received']).toBeGreaterThan(100);
  });

  it('cache_save_path: after a restart, data that follows decodes without waiting for templates', async () => {
    const file = path.join(CAPTURES, 'generated_softflowd-v9.pcap');
    const all = await datagramsOf(file);
    const half = Math.floor(all.length / 2);
    const partA = path.join(tmp, 'a.pcap');
    const partB = path.join(tmp, 'b.pcap');
    writeCapture(partA, all.slice(0, half));
    writeCapture(partB, all.slice(half));
    const eventsAll = lines(await viaPcapInput(file));
    const eventsA = lines(await viaPcapInput(partA));
    const expectedB = eventsAll - eventsA;
    expect(expectedB).toBeGreaterThan(0);

    const runPart = async (part: string, cacheDir: string, wait: number): Promise<number> => {
      const port = await freePort();
      const c = await startCollector(port, `netflow { cache_save_path => ${JSON.stringify(cacheDir)} }`);
      const r = await runFlowstash(['replay', part, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', '5000', '-q']);
      expect(r.code).toBe(0);
      await until(() => lines(c.stdout) >= wait, wait > 0 ? 10_000 : 1500);
      // Let anything still in flight arrive before stopping (a too-high count must show too).
      await new Promise((res) => setTimeout(res, 300));
      expect(await stopCollector(c)).toBe(0);
      return lines(c.stdout);
    };
    const cache = mkdtempSync(path.join(tmp, 'cache-'));
    expect(await runPart(partA, cache, eventsA)).toBe(eventsA);
    expect(await runPart(partB, cache, expectedB)).toBe(expectedB);
    // Control: without the saved templates the same data cannot all be decoded.
    const empty = mkdtempSync(path.join(tmp, 'nocache-'));
    expect(await runPart(partB, empty, 0)).toBeLessThan(expectedB);
  });

  it('garbage flood interleaved with valid traffic: every valid flow comes out, the garbage is counted', async () => {
    const file = path.join(CAPTURES, 'generated_softflowd-v10.pcap');
    const expected = await viaPcapInput(file);
    const port = await freePort();
    const collector = await startCollector(port, 'netflow {}', 'queue_size => 100000');
    const replay = flowstash(['replay', file, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', '200', '-q']);
    const garbage = dgram.createSocket('udp4');
    await new Promise<void>((r) => garbage.bind(0, '127.0.0.1', r));
    let sent = 0;
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const kinds = [
      () => Buffer.from(Array.from({ length: 1 + (rnd() % 200) }, rnd)),
      // IPFIX header claiming more bytes than sent, then a set cut short.
      () => Buffer.from([0, 10, 0xff, 0xff, 0x5f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x10, 0]),
      // NetFlow v9 header with an absurd record count and a flowset length of 4 GB-ish.
      () => Buffer.from([0, 9, 0xff, 0xff, 0, 0, 0, 1, 0x5f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0xff, 0xff, 1, 2, 3, 4]),
    ];
    let replayDone = false;
    void replay.exited.then(() => (replayDone = true));
    while (!replayDone) {
      for (let i = 0; i < 200; i++) {
        garbage.send(kinds[sent % kinds.length]!(), port, '127.0.0.1');
        sent++;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await replay.exited).toBe(0);
    await until(() => lines(collector.stdout) >= lines(expected), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    garbage.close();
    expect(await stopCollector(collector)).toBe(0);
    expect(canonicalEvents(collector.stdout)).toEqual(canonicalEvents(expected));
    const input = summaryCounters(collector.stderr, /\]\s+input udp \(/);
    expect(input['received']).toBe(26 + sent);
    expect(input['dropped_queue_full']).toBe(0);
    const codec = summaryCounters(collector.stderr, /codec of input udp/);
    expect(codec['packets']).toBe(26 + sent);
    expect(sent).toBeGreaterThan(1000);
  });
});
