// Decode throughput, side by side in one run: flowstash's netflow codec vs node-netflowv9 (NetFlow
// v9 only) on the v9 captures, and flowstash alone on the softflowd/pmacctd IPFIX captures.
//   npx tsx bench/decode.ts [--seconds N]
// node-netflowv9 is used when it is installed under node_modules (a devDependency); otherwise its
// column says so.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDecode, loadNetflowDatagrams, type BenchDatagram } from '../src/plugins/codecs/netflow/bench.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAPTURES = path.resolve(ROOT, '../shared/corpus/captures');
const V9 = ['generated_softflowd-v9', 'generated_pmacctd-v9', 'graylog_nprobe-netflow9-3', 'graylog_nprobe-netflow9'];
const IPFIX = ['generated_softflowd-v10', 'generated_softflowd-v10-big', 'generated_pmacctd-v10'];
const TARGET_IPFIX = 500_000;
/** Alternating slices per v9 capture (each side gets SECONDS in all). */
const ROUNDS = 5;

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 3;

interface PeerDecoder {
  nfPktDecode(msg: Buffer, rinfo: { address: string; port: number; size: number }): { flows?: unknown[] } | undefined;
  server?: { close(): void };
}
type PeerFactory = (options: Record<string, unknown>) => PeerDecoder;

function loadPeer(): PeerFactory | string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  try {
    return require('node-netflowv9') as PeerFactory;
  } catch {
    return 'node-netflowv9 not installed (add it as a devDependency to compare)';
  }
}

/** node-netflowv9 decoding the same datagrams, templates learnt in a first pass. */
function benchPeer(factory: PeerFactory, datagrams: BenchDatagram[], seconds: number): { flowsPerSecond: number; flowsPerPass: number } {
  const peer = factory({});
  const run = () => {
    let n = 0;
    for (const d of datagrams) {
      if (d.payload.readUInt16BE(0) !== 9) continue;
      try {
        const r = peer.nfPktDecode(d.payload, { address: d.host, port: d.port, size: d.payload.length });
        n += r?.flows?.length ?? 0;
      } catch {
        // the peer throws on some inputs; those flows simply do not count
      }
    }
    return n;
  };
  const flowsPerPass = run();
  let flows = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    flows += run();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(Math.round(seconds * 1e9)) && flowsPerPass > 0);
  try {
    peer.server?.close();
  } catch {
    // no socket was opened
  }
  return { flowsPerSecond: flows / (Number(elapsed) / 1e9), flowsPerPass };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(CAPTURES)) {
    console.error(`bench/decode: ${CAPTURES} not found (the captures live in ../shared)`);
    process.exitCode = 2;
    return;
  }
  const peer = loadPeer();
  console.log(`flowstash netflow decode benchmark, ${SECONDS} s per measurement, one core (node ${process.version})\n`);

  const v9Rows: string[][] = [];
  for (const name of V9) {
    const file = path.join(CAPTURES, `${name}.pcap`);
    if (!existsSync(file)) continue;
    const datagrams = await loadNetflowDatagrams(file);
    if (typeof peer === 'string') {
      const ours = benchDecode(datagrams, SECONDS);
      v9Rows.push([name, fmt(ours.flowsPerPass), fmt(ours.flowsPerSecond), 'missing', '-']);
      continue;
    }
    // Alternate short slices of each decoder so a burst of load from elsewhere hits both alike;
    // the medians of the slices are reported.
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    let flowsPerPass = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const a = benchDecode(datagrams, SECONDS / ROUNDS);
      const b = benchPeer(peer, datagrams, SECONDS / ROUNDS);
      flowsPerPass = a.flowsPerPass;
      ours.push(a.flowsPerSecond);
      theirs.push(b.flowsPerSecond);
      if (b.flowsPerSecond > 0) ratios.push(a.flowsPerSecond / b.flowsPerSecond);
    }
    const ratio = ratios.length > 0 ? median(ratios).toFixed(2) + '×' : '-';
    v9Rows.push([name, fmt(flowsPerPass), fmt(median(ours)), fmt(median(theirs)), ratio]);
  }
  console.log(`NetFlow v9 (flows/s, medians of ${ROUNDS} alternating slices; ratio = median slice ratio; target ≥ 2× node-netflowv9)`);
  console.log(table(['capture', 'flows/pass', 'flowstash', 'node-netflowv9', 'ratio'], v9Rows));
  if (typeof peer === 'string') console.log(`\n${peer}`);

  const ipfixRows: string[][] = [];
  for (const name of IPFIX) {
    const file = path.join(CAPTURES, `${name}.pcap`);
    if (!existsSync(file)) continue;
    const r = benchDecode(await loadNetflowDatagrams(file), SECONDS);
    ipfixRows.push([name, fmt(r.flowsPerPass), fmt(r.flowsPerSecond), (r.flowsPerSecond / TARGET_IPFIX).toFixed(2) + '×']);
  }
  console.log('\nIPFIX (flows/s, target ≥ 500,000; Logstash codec ≈ 1,300 on one core)');
  console.log(table(['capture', 'flows/pass', 'flowstash', 'vs target'], ipfixRows));
}

await main();
