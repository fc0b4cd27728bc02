// UDP datagrams extracted by flowstash vs tshark's dissection of every corpus capture.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { HAVE_SHARED, haveTool, SHARED } from '../capture/helpers.ts';

// Spawns the peer tool for every corpus capture: minutes on a loaded 2-core machine (a guard, not a timing check).
const CORPUS_RUN_MS = 600_000;

if (!haveTool('tshark')) console.warn('[datagram tests] tshark is not installed: comparison skipped (apt-get install tshark)');

describe.skipIf(!HAVE_SHARED || !haveTool('tshark'))('datagrams agree with tshark on the corpus', () => {
  it('same UDP packets, ports and payload lengths', async () => {
    const dir = join(SHARED, 'corpus/captures');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.pcap'))) {
      const file = join(dir, f);
      const ours: string[] = [];
      for await (const d of readUdpDatagrams(file)) ours.push(`${d.packetNumber} ${d.src} ${d.srcPort} ${d.dst} ${d.dstPort} ${d.payload.length}`);
      const text = execFileSync('tshark', ['-n', '-r', file, '-Y', 'udp', '-T', 'fields', '-E', 'separator=/s', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'udp.dstport', '-e', 'udp.length'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'] });
      const theirs = text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/).filter(Boolean))
        .map(([num, src, sp, dst, dp, ulen]) => `${num} ${src} ${sp} ${dst} ${dp} ${Number(ulen) - 8}`);
      expect(ours, f).toEqual(theirs);
    }
  }, CORPUS_RUN_MS);
});
