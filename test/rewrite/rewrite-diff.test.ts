// `flowstash rewrite` against tcprewrite 4.4.3: the committed goldens, and the real tool on every
// corpus capture plus generated captures, over generated flag combinations.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRewriteArgs } from '../../src/cli/rewrite.ts';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';
import { decodeFrame } from '../../src/packet/decode.ts';
import { rewriteCaptureFile } from '../../src/rewrite/rewrite-file.ts';
import type { CapturedPacket } from '../../src/capture/types.ts';
import { writeGeneratedCaptures, type GeneratedCapture } from '../capture/gen-captures.ts';
import { HAVE_SHARED, haveTool, SHARED } from '../capture/helpers.ts';

// Spawns the peer tool for every corpus capture: minutes on a loaded 2-core machine (a guard, not a timing check).
const CORPUS_RUN_MS = 600_000;

const HAVE_TCPREWRITE = haveTool('tcprewrite');
if (!HAVE_TCPREWRITE) console.warn('[rewrite tests] tcprewrite is not installed: differential tests skipped (apt-get install tcpreplay)');

async function ours(input: string, output: string, args: string[]): Promise<Buffer> {
  const p = parseRewriteArgs(['-i', input, '-o', output, ...args], true);
  const report = await rewriteCaptureFile(p.infile, p.outfile, p.options);
  expect(report.error).toBeNull();
  return readFileSync(output);
}

function splitRecords(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 24; o < file.length; ) {
    const caplen = file.readUInt32LE(o + 8);
    out.push(file.subarray(o, o + 16 + caplen));
    o += 16 + caplen;
  }
  return out;
}

describe.skipIf(!HAVE_SHARED)('goldens (corpus/rewrite/cases.tsv)', () => {
  const dir = join(SHARED, 'corpus/rewrite');
  const rows = HAVE_SHARED
    ? readFileSync(join(dir, 'cases.tsv'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('\t') as [string, string, string])
    : [];
  const tmp = mkdtempSync(join(tmpdir(), 'fs-golden-'));
  for (const [name, input, args] of rows) {
    it(`${name}: byte for byte`, async () => {
      const got = await ours(join(SHARED, 'corpus', input), join(tmp, `${name}.pcap`), args.split(/\s+/));
      expect(got.equals(readFileSync(join(dir, `${name}.out.pcap`)))).toBe(true);
    });
  }
});

/** Option pool for generated combinations (documented deviations are handled per packet below). */
const POOL: string[][] = [
  ['--fixcsum'],
  ['--srcipmap=10.1.0.0/16:172.16.0.0/12'],
  ['--srcipmap=10.1.2.3/32:192.0.2.9/32,10.0.0.0/8:100.64.0.0/10'],
  ['--dstipmap=192.168.0.0/16:10.77.0.0/24'],
  ['--dstipmap=[2001:db8::/32]:[fd00:1::/48],0.0.0.0/0:198.51.100.0/24'],
  ['--srcipmap=[2001:db8:1::/48]:[fd12:3456:7890::/48]'],
  ['--pnat=10.1.0.0/16:172.16.0.0/12,192.168.0.0/16:10.77.0.0/24'],
  ['--pnat=0.0.0.0/0:10.0.0.0/8', '--pnat=0.0.0.0/0:203.0.113.0/24'],
  ['--pnat=[::/0]:[fd00::/16]'],
  ['--enet-dmac=00:11:22:33:44:55'],
  ['--enet-smac=02:aa:bb:cc:dd:ee,02:00:00:00:00:01'],
  ['--portmap=4739:9995'],
  ['--portmap=4000-5000:2055,179:1179', '--portmap=50000+50001+9991:4739'],
  ['--ttl=7'],
  ['--ttl=+200'],
  ['--ttl=-63'],
  ['--tos=184'],
  ['--mtu=576', '--mtu-trunc'],
  ['--mtu=100', '--mtu-trunc'],
  ['--fixlen=pad'],
  ['--fixlen=trunc'],
  ['--skipbroadcast'],
  ['--enet-vlan=del'],
  ['--enet-vlan=add', '--enet-vlan-tag=77', '--enet-vlan-pri=5'],
  ['--enet-vlan=add', '--enet-vlan-tag=4095', '--enet-vlan-cfi=1', '--enet-vlan-proto=802.1ad'],
];

/** Deterministic combinations: every option alone, then seeded subsets of 2-4 options. */
function combinations(count: number): string[][] {
  const combos = POOL.map((o) => [...o]);
  let seed = 20240611;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  while (combos.length < POOL.length + count) {
    const k = 2 + rand(3);
    const picked = new Set<number>();
    while (picked.size < k) picked.add(rand(POOL.length));
    const args = [...picked].flatMap((i) => POOL[i]!);
    const keys = args.map((a) => a.split('=')[0]);
    const srcOrDstMap = keys.some((k) => k === '--srcipmap' || k === '--dstipmap');
    if (keys.includes('--pnat') && srcOrDstMap) continue; // tcprewrite rejects the pair
    if (new Set(keys).size !== keys.length) continue; // one of each
    combos.push(args);
  }
  return combos;
}

/** Why a packet is excluded from the byte comparison (documented deviations), or null. */
function deviation(pkt: CapturedPacket, args: string[]): string | null {
  const f = decodeFrame(pkt.linkType, pkt.data);
  if (args.includes('--enet-vlan=add') && f.vlanOffsets.length === 0) return 'tcprewrite 4.4.3 does not grow untagged frames when adding a tag';
  if (args.includes('--mtu-trunc') && pkt.caplen < pkt.len) return 'tcprewrite extends truncated records to the MTU with bytes it never read';
  if (args.includes('--skipbroadcast') && f.ipVersion === 4) {
    if (pkt.data.readUInt32BE(f.srcOffset) === 0xffffffff || pkt.data.readUInt32BE(f.dstOffset) === 0xffffffff) {
      return 'flowstash --skipbroadcast also skips 255.255.255.255';
    }
  }
  return null;
}

/** Allowed difference: a UDP checksum that computes to zero is 0xFFFF (ours) vs 0x0000 (theirs). */
function onlyZeroChecksumDiffers(a: Buffer, b: Buffer, linkType: number): boolean {
  if (a.length !== b.length) return false;
  const f = decodeFrame(linkType, a.subarray(16));
  if (f.protocol !== 17 || f.l4Offset < 0) return false;
  const at = 16 + f.l4Offset + 6;
  if (a.readUInt16BE(at) !== 0xffff || b.readUInt16BE(at) !== 0) return false;
  const x = Buffer.from(a);
  x.writeUInt16BE(0, at);
  return x.equals(b);
}

describe.skipIf(!HAVE_TCPREWRITE)('differential: flowstash rewrite vs tcprewrite 4.4.3', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fs-diff-'));
  const generated = writeGeneratedCaptures(tmp);
  const corpus: GeneratedCapture[] = HAVE_SHARED
    ? readdirSync(join(SHARED, 'corpus/captures'))
        .filter((f) => f.endsWith('.pcap'))
        .map((name) => ({ name, path: join(SHARED, 'corpus/captures', name) }))
    : [];
  if (!HAVE_SHARED) console.warn('[rewrite tests] ../shared absent: differential tests use generated captures only');
  const compared = [...generated.filter((g) => !g.differs), ...corpus];
  const combos = combinations(30);

  it('agrees byte for byte on every capture with each option alone, and on generated combinations', async () => {
    let runs = 0;
    let packetsCompared = 0;
    const generatedCompared = compared.filter((c) => !corpus.includes(c));
    const jobs: [GeneratedCapture, string[]][] = [];
    // Generated captures: every option alone and every combination.
    for (const args of combos) for (const cap of generatedCompared) jobs.push([cap, args]);
    // Corpus: every capture, each with six options and six combinations, rotating.
    corpus.forEach((cap, k) => {
      for (let j = 0; j < 6; j++) jobs.push([cap, combos[(k * 6 + j) % POOL.length]!]);
      for (let j = 0; j < 6; j++) jobs.push([cap, combos[POOL.length + ((k * 6 + j) % (combos.length - POOL.length))]!]);
    });
    for (const [cap, args] of jobs) {
      {
        const theirsPath = join(tmp, 'theirs.pcap');
        execFileSync('tcprewrite', ['-i', cap.path, '-o', theirsPath, ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
        const theirs = readFileSync(theirsPath);
        const mine = await ours(cap.path, join(tmp, 'ours.pcap'), args);
        runs++;
        if (mine.equals(theirs)) {
          packetsCompared += splitRecords(mine).length;
          continue;
        }
        const { packets } = await readAllPackets(await openCapture(cap.path));
        const a = splitRecords(mine);
        const b = splitRecords(theirs);
        const where = `${cap.name} with ${args.join(' ')}`;
        expect(mine.subarray(0, 24).equals(theirs.subarray(0, 24)), `${where}: file header`).toBe(true);
        expect(a.length, `${where}: record count`).toBe(b.length);
        for (let k = 0; k < a.length; k++) {
          if (a[k]!.equals(b[k]!) || deviation(packets[k]!, args) || onlyZeroChecksumDiffers(a[k]!, b[k]!, packets[k]!.linkType)) continue;
          expect.fail(`${where}: packet ${k + 1} differs\n ours   ${a[k]!.toString('hex')}\n theirs ${b[k]!.toString('hex')}`);
        }
        packetsCompared += a.length;
      }
    }
    // Without ../shared only the generated captures are compared.
    expect(runs).toBeGreaterThan(HAVE_SHARED ? 300 : 200);
    expect(packetsCompared).toBeGreaterThan(5000);
  }, CORPUS_RUN_MS);
});
