// Benchmark: `flowstash rewrite` vs tcprewrite on the same ~171 MB capture with the same flags.
// Usage: npx tsx bench/rewrite.ts [MB] [--rounds N]   (tcprewrite columns are n/a if it is absent)
// Rounds alternate which of the two runs first; each round's ratio (wall and CPU-seconds, user +
// system from /usr/bin/time) is printed with the load, and the medians are the figures.
// The CLI is timed both ways users run it: from the precompiled build (what `npm ci` installs;
// built here afresh from src/ into node_modules/.cache) and through tsx (an edited checkout).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseRewriteArgs } from '../src/cli/rewrite.ts';
import { openCapture, readAllPackets } from '../src/capture/open.ts';
import { rewriteCaptureFile } from '../src/rewrite/rewrite-file.ts';
import { CaptureWriter, type PacketRecord } from '../src/capture/writer.ts';
import { buildUdpFrame } from '../src/packet/frame-builder.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_CAPTURE = resolve(ROOT, '../shared/corpus/captures/pmacctta_401-IPFIXv10-BMP-IPv6-CISCO-MPLS-multiple-sources__traffic-00.pcap');
const targetMb = process.argv[2] !== undefined && !process.argv[2].startsWith('--') ? Number(process.argv[2]) : 171;
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 5;

async function seedPackets(): Promise<PacketRecord[]> {
  if (existsSync(SHARED_CAPTURE)) {
    const { packets } = await readAllPackets(await openCapture(SHARED_CAPTURE));
    return packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: Buffer.from(p.data), len: p.len }));
  }
  console.warn(`(${SHARED_CAPTURE} absent: using synthesized IPFIX-sized frames)`);
  return Array.from({ length: 500 }, (_, i) => ({
    tsSec: 1_700_000_000 + Math.floor(i / 100),
    tsNsec: (i % 100) * 10_000_000,
    data: buildUdpFrame({ src: `10.1.${i % 4}.${1 + (i % 200)}`, dst: '192.0.2.200', srcPort: 50000 + (i % 7), dstPort: 4739, payload: Buffer.alloc(200 + ((i * 37) % 1200), i & 0xff) }),
  }));
}

async function buildInput(path: string): Promise<number> {
  const seed = await seedPackets();
  const w = await CaptureWriter.create(path, { format: 'pcap', precision: 'micro', linkType: 1, snaplen: 65535 });
  let bytes = 0;
  let loop = 0;
  while (bytes < targetMb * 1e6) {
    for (const p of seed) {
      await w.write({ ...p, tsSec: p.tsSec + loop * 3600 });
      bytes += 16 + p.data.length;
    }
    loop++;
  }
  await w.close();
  return w.packets;
}

const HAVE_TIME = existsSync('/usr/bin/time');

/** Wall milliseconds, and CPU-seconds (user + system, from /usr/bin/time; NaN without it). */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): { ms: number; cpu: number } {
  const cpuFile = join(dir, 'cpu.txt');
  const argv = HAVE_TIME ? ['-f', '%U %S', '-o', cpuFile, cmd, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(HAVE_TIME ? '/usr/bin/time' : cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const cpu = HAVE_TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number).reduce((a, b) => a + b, 0) : NaN;
  return { ms, cpu };
}

function time(cmd: string, args: string[], env: Record<string, string> = {}): number {
  return timed(cmd, args, env).ms;
}

function median(xs: number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'fs-bench-'));
const input = join(dir, 'in.pcap');
const packets = await buildInput(input);
const size = statSync(input).size;
const flagSets = [
  ['--srcipmap=[2001:db8::/32]:[fd00::/32],0.0.0.0/0:10.0.0.0/8', '--dstipmap=0.0.0.0/0:127.0.0.1/32', '--enet-dmac=08:00:27:85:2a:08', '--fixcsum'],
  ['--pnat=0.0.0.0/0:10.0.0.0/8,[::/0]:[fd00::/16]', '--portmap=9991:4739', '--ttl=+3'],
  ['--fixcsum'],
];
const haveTcprewrite = spawnSync('sh', ['-c', 'command -v tcprewrite']).status === 0;
const flowstash = join(ROOT, 'bin/flowstash.mjs');
// The installed package runs dist/cli/main.js (bin/flowstash.mjs picks tsx only where src/ exists):
// build dist/ from the current sources and run it through the same two lines the bin uses.
// @ts-expect-error plain-JS build script without type declarations
const { buildDist } = (await import('../scripts/build.mjs')) as { buildDist(): number };
const built = buildDist();
if (built !== 0) console.warn('(dist/ built with TypeScript errors elsewhere in the tree: the rewrite modules are emitted all the same)');
const installedBin = join(dir, 'flowstash-installed.mjs');
writeFileSync(installedBin, `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli/main.js')).href)});\nawait main(process.argv.slice(2));\n`);
const cliTime = (args: string[]): number => time(process.execPath, [installedBin, ...args]);
const tsxTime = (args: string[]): number => time(process.execPath, [flowstash, ...args]);
const startup = (t: (args: string[]) => number): number => Math.min(...[0, 1, 2, 3, 4].map(() => t(['rewrite', '--help'])));
const bare = Math.min(...[0, 1, 2, 3, 4].map(() => time(process.execPath, ['-e', '0'])));
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`input: ${(size / 1e6).toFixed(1)} MB, ${packets} packets; load average ${load()} (${process.platform}, node ${process.version})`);
console.log(`start-up, best of 5 (\`rewrite --help\`): precompiled ${startup(cliTime).toFixed(0)} ms, tsx ${startup(tsxTime).toFixed(0)} ms, bare \`node -e 0\` ${bare.toFixed(0)} ms`);
console.log(`${ROUNDS} rounds per flag set, alternating which runs first; "engine" = rewriteCaptureFile in this process (no start-up, warm JIT), best of the rounds\n`);
const cliRun = (args: string[]): { ms: number; cpu: number } => timed(process.execPath, [installedBin, ...args]);
for (const flags of flagSets) {
  console.log(`flags: ${flags.join(' ')}`);
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  let engine = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let ours = { ms: NaN, cpu: NaN };
    let theirs = { ms: NaN, cpu: NaN };
    const runOurs = (): void => void (ours = cliRun(['rewrite', '-i', input, '-o', join(dir, 'ours.pcap'), ...flags]));
    const runTheirs = (): void => void (haveTcprewrite && (theirs = timed('tcprewrite', ['-i', input, '-o', join(dir, 'theirs.pcap'), ...flags])));
    if (round % 2 === 0) {
      runOurs();
      runTheirs();
    } else {
      runTheirs();
      runOurs();
    }
    const parsed = parseRewriteArgs(['-i', input, '-o', join(dir, 'engine.pcap'), ...flags]);
    const t0 = process.hrtime.bigint();
    await rewriteCaptureFile(parsed.infile, parsed.outfile, parsed.options);
    engine = Math.min(engine, Number(process.hrtime.bigint() - t0) / 1e6);
    wallRatios.push(ours.ms / theirs.ms);
    cpuRatios.push(ours.cpu / theirs.cpu);
    console.log(
      `  round ${round + 1}: flowstash (precompiled CLI) ${ours.ms.toFixed(0)} ms wall, ${ours.cpu.toFixed(2)} CPU-s; tcprewrite ${haveTcprewrite ? `${theirs.ms.toFixed(0)} ms wall, ${theirs.cpu.toFixed(2)} CPU-s` : 'n/a'}` +
        ` -> wall ${(ours.ms / theirs.ms).toFixed(2)}x, CPU ${(ours.cpu / theirs.cpu).toFixed(2)}x  (load ${load()})`,
    );
  }
  const cliTsx = tsxTime(['rewrite', '-i', input, '-o', join(dir, 'ours-tsx.pcap'), ...flags]);
  const ours = readFileSync(join(dir, 'ours.pcap'));
  const sameAsTsx = ours.equals(readFileSync(join(dir, 'ours-tsx.pcap'))) && ours.equals(readFileSync(join(dir, 'engine.pcap')));
  const same = haveTcprewrite && ours.equals(readFileSync(join(dir, 'theirs.pcap')));
  console.log(
    `  median of ${ROUNDS}: wall ${median(wallRatios).toFixed(2)}x, CPU ${median(cpuRatios).toFixed(2)}x tcprewrite (worst round wall ${Math.max(...wallRatios).toFixed(2)}x);` +
      ` engine best ${engine.toFixed(0)} ms; through tsx ${cliTsx.toFixed(0)} ms.` +
      (sameAsTsx ? '' : ' CLI/TSX/ENGINE OUTPUTS DIFFER') +
      (haveTcprewrite ? (same ? ' Output identical to tcprewrite.' : ' OUTPUT DIFFERS FROM TCPREWRITE') : ''),
  );
}
console.log(`load average at the end: ${load()}`);
console.log('\nratio = flowstash / tcprewrite (target <= 1.00x; below 1.00x flowstash is faster or cheaper)');
rmSync(dir, { recursive: true, force: true });
