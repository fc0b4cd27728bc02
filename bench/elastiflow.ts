// bench/elastiflow.ts — the full ElastiFlow 4.0.1 pipeline (../shared/configs/elastiflow conf.d/*.conf:
// udp inputs + netflow codec, translate, cidr, geoip (MaxMind test databases), ruby, mutate, date,
// elasticsearch --dry-run) fed by `flowstash replay --pps R` on the same machine: the highest rate of
// flows/s it takes with zero loss (every record sent is one bulk document on stdout).
// One collector for all steps (its start costs tens of seconds: ruby WASM, dictionaries); each step
// replays a fixed number of datagrams at a rate and counts the documents that come out.
// Run: npx tsx bench/elastiflow.ts [--dist] [--threads 2] [--hold 8] [--warmup 15] [--rates 5000,10000,20000,30000] [--cpu-prof] [--node-options "--max-semi-space-size=64"]
//   --threads N: the collector's filter/output threads (flowstash --threads; default: the machine's cores;
//     1 = everything on the main thread, flowstash's default).
//   --cpu-prof: the collector runs under node --cpu-prof; the top functions by self time are printed.
//   --in-process [--rounds 3]: no sockets, no sender: the pipeline runs in this process on the capture's
//     datagrams (decoded as the udp input decodes them, outputs counted, not written) as fast as it
//     takes them; prints CPU-seconds per flow per round — the figure a loaded machine disturbs least.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuSeconds } from './proc.ts';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { elastiflowEnv } from '../test/e2e/elastiflow-helpers.ts';
import { elastiflowInProcess } from './elastiflow-in-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '../shared');
const ELASTIFLOW = path.join(SHARED, 'configs/elastiflow');
const OUT = path.join(ROOT, 'bench/out');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');
const DIST_MAIN = `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli/main.js')).href)}); await main(process.argv.slice(1));`;
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : def;
};
const HOLD = Number(arg('--hold', '8'));
// --warmup 15: seconds of traffic at ~10 k flows/s before the first step (0: a cold collector)
const WARMUP_SECONDS = Number(arg('--warmup', '15'));
const WARMUP_PPS = 500;
const RATES = arg('--rates', '5000,10000,15000,20000,25000,30000').split(',').map(Number);
const PROFILE = process.argv.includes('--cpu-prof');
// e.g. --collector-args "-b 1000": pipeline settings for the collector (flowstash -f options)
const THREADS = Number(arg('--threads', String(os.availableParallelism())));
const COLLECTOR_ARGS = [...(THREADS > 1 ? ['--threads', String(THREADS)] : []), ...arg('--collector-args', '').split(' ').filter(Boolean)];
// e.g. --node-options "--max-semi-space-size=64": V8 flags for the collector (what NODE_OPTIONS gives a user's run)
const NODE_FLAGS = arg('--node-options', '').split(' ').filter(Boolean);
const IN_PROCESS = process.argv.includes('--in-process');
const ROUNDS = Number(arg('--rounds', '3'));
const CAPTURE = path.join(OUT, 'elastiflow-softflowd.pcap');
const RECORDS = path.join(OUT, 'elastiflow-softflowd.records.jsonl');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records (= documents) per datagram, in capture order. */
function recordsPerPacket(): number[] {
  const per: number[] = [];
  for (const line of readFileSync(RECORDS, 'utf8').split('\n')) {
    const m = /^\{"packet":(\d+)/.exec(line);
    if (m) per[Number(m[1]) - 1] = (per[Number(m[1]) - 1] ?? 0) + 1;
  }
  return Array.from(per, (n) => n ?? 0);
}

/** Where the busy time goes over every .cpuprofile in `dir` (all threads, idle left out): by function and by file. */
function profileSummary(dir: string, top = 20): string {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    p.samples.forEach((id, i) => {
      const cf = byId.get(id)!;
      if (cf.functionName === '(idle)') return;
      const dt = p.timeDeltas[i] ?? 0;
      busy += dt;
      const file = cf.url.startsWith('wasm:') ? 'ruby.wasm (CRuby interpreter)' : cf.url ? path.relative(ROOT, cf.url.replace(/^file:\/\//, '')) : cf.functionName;
      const fn = `${cf.functionName || '(anonymous)'}  ${cf.url.startsWith('wasm:') ? 'wasm' : file}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
      byFile.set(file, (byFile.get(file) ?? 0) + dt);
    });
  }
  const table = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `${((t / busy) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return `busy time ${(busy / 1e6).toFixed(1)} s\nby file:\n${table(byFile)}\nby function (self):\n${table(byFunction)}`;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ELASTIFLOW, 'conf.d'))) {
    console.warn(`bench/elastiflow: ${ELASTIFLOW} is absent: nothing to measure`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(CAPTURE) || !existsSync(RECORDS)) {
    const r = spawnSync(
      process.execPath,
      [BIN, 'synth', '--profile', 'softflowd', '-o', CAPTURE, '--records', RECORDS, '--flows', '60000', '--exporters', '4', '--seed', '21', '--server-net', '81.2.69.142/31,89.160.20.112/28,1.128.0.0/11'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  }
  const per = recordsPerPacket();
  const perLoop = per.reduce((a, b) => a + b, 0);
  const avg = perLoop / per.length;
  const docsFor = (packets: number): number => Math.floor(packets / per.length) * perLoop + per.slice(0, packets % per.length).reduce((a, b) => a + b, 0);

  if (IN_PROCESS) return inProcess();
  // ElastiFlow's own udp worker count (its default 4: the socket on a receiver thread), not the e2e tests' 1.
  const { env, ports, dir: tmp } = await elastiflowEnv({ ELASTIFLOW_IPFIX_UDP_WORKERS: '4', ELASTIFLOW_NETFLOW_UDP_WORKERS: '4', ELASTIFLOW_SFLOW_UDP_WORKERS: '4' });
  const port = ports.ipfixUdp;
  const profDir = path.join(OUT, 'elastiflow-prof');
  rmSync(profDir, { recursive: true, force: true });
  const nodeArgs = [...NODE_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  // --dist: the compiled CLI (what an installed package runs); else bin/flowstash.mjs, which in a checkout runs src/ through tsx.
  const entry = process.argv.includes('--dist') ? ['--input-type=module', '-e', DIST_MAIN, '--'] : [BIN];
  const collector = spawn(process.execPath, [...nodeArgs, ...entry, '--pipeline.ecs_compatibility', 'disabled', '--dry-run', ...COLLECTOR_ARGS, '-f', path.join(ELASTIFLOW, 'conf.d/*.conf')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  collector.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  let lines = 0;
  let lastOutputAt = 0;
  collector.stdout!.on('data', (b: Buffer) => {
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    lastOutputAt = Date.now();
  });
  const docs = (): number => Math.floor(lines / 2);
  const exited = new Promise<number>((r) => collector.on('close', (c) => r(c ?? 1)));
  const t0 = Date.now();
  while ((log.match(/UDP listener started|Starting tcp input listener/g) ?? []).length < 4) {
    if (collector.exitCode !== null) throw new Error(`collector exited:\n${log.slice(-3000)}`);
    await sleep(200);
  }
  console.log(`collector: full ElastiFlow conf.d, ${THREADS > 1 ? `filters and outputs on ${THREADS} threads` : 'everything on one thread'}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${COLLECTOR_ARGS.length ? ` (${COLLECTOR_ARGS.join(' ')})` : ''}${NODE_FLAGS.length ? ` (node ${NODE_FLAGS.join(' ')})` : ''}${PROFILE ? ' (under --cpu-prof)' : ''}`);
  console.log(`capture: ${path.relative(ROOT, CAPTURE)} (softflowd IPFIX, 4 exporters, ${per.length} datagrams, ${avg.toFixed(1)} records per datagram); each step sends ${HOLD} s worth, after a ${WARMUP_SECONDS} s warm-up at ${WARMUP_PPS} datagrams/s\n`);

  const replay = async (pps: number, packets: number): Promise<{ sent: number; seconds: number; senderCpu: number }> => {
    const sender = spawn(process.execPath, [BIN, 'replay', CAPTURE, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', String(pps), '--loop', '0', '--limit', String(packets)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    sender.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    let senderCpu = 0;
    const s = setInterval(() => (senderCpu = cpuSeconds(sender.pid!) || senderCpu), 100);
    await new Promise<void>((r) => sender.on('close', () => r()));
    clearInterval(s);
    const sent = Number(/Successful packets:\s+(\d+)/.exec(out)?.[1] ?? 0);
    return { sent, seconds: Number(/sent in ([\d.]+) seconds/.exec(out)?.[1] ?? 0), senderCpu };
  };
  // A step's documents: every record of the datagrams sent.
  /** Waits until the documents stop growing (or reach `want`). */
  const drain = async (want: number): Promise<number> => {
    let last = -1;
    let still = 0;
    while (docs() < want && still < 15) {
      await sleep(200);
      still = docs() === last ? still + 1 : 0;
      last = docs();
    }
    return docs();
  };

  // Warm-up, not measured: V8 optimizes the pipeline's hundreds of functions during the first seconds of
  // traffic, and a collector runs for hours. --warmup 0 measures a cold collector started into the stream.
  const warm = await replay(WARMUP_PPS, Math.max(1, Math.round(WARMUP_PPS * WARMUP_SECONDS)));
  await drain(docsFor(warm.sent));
  let base = docs();

  // flows/s sent: the sender's rate. flows/s processed: documents out over the time from the step's start to
  // its last document — the collector's sustained rate when it lags (the udp queue absorbs ~2048 datagrams).
  console.log('| target flows/s | datagrams sent | documents expected | documents out | zero loss | flows/s sent | flows/s processed | collector CPU | flows per collector CPU-s | sender CPU | load avg (1m) |');
  console.log('|----------------|----------------|--------------------|---------------|-----------|--------------|-------------------|---------------|---------------------------|------------|---------------|');
  let best: { rate: number; fps: number; load: number } | undefined;
  let misses = 0;
  for (const rate of RATES) {
    const pps = Math.max(1, Math.round(rate / avg));
    const packets = Math.round(pps * HOLD);
    const load = os.loadavg()[0]!;
    const cpu0 = cpuSeconds(collector.pid!);
    const started = Date.now();
    const r = await replay(pps, packets);
    const expected = docsFor(r.sent); // each replay starts at the capture's first datagram
    const got = (await drain(base + expected)) - base;
    const active = Math.max((lastOutputAt - started) / 1000, 1e-9);
    const cpu = cpuSeconds(collector.pid!) - cpu0;
    base = docs();
    const zero = r.sent === packets && got === expected;
    const fps = expected / Math.max(r.seconds, 1e-9);
    console.log(
      `| ${String(rate).padStart(14)} | ${String(r.sent).padStart(14)} | ${String(expected).padStart(18)} | ${String(got).padStart(13)} | ${(zero ? 'yes' : 'NO').padEnd(9)} | ` +
        `${fps.toFixed(0).padStart(12)} | ${(got / active).toFixed(0).padStart(17)} | ${((cpu / active) * 100).toFixed(0).padStart(11)} % | ${(got / Math.max(cpu, 1e-9)).toFixed(0).padStart(25)} | ${((r.senderCpu / Math.max(r.seconds, 1e-9)) * 100).toFixed(0).padStart(8)} % | ${load.toFixed(2).padStart(13)} |`,
    );
    if (zero) best = { rate, fps, load };
    else if (++misses >= 2) break;
    if (!zero) await sleep(2000);
  }
  collector.kill('SIGINT');
  await exited;
  const udp = log.split('\n').find((l) => /\]\s+input udp \(/.test(l) && /received=[1-9]/.test(l));
  console.log(`\ncollector exit summary (udp input): ${udp?.replace(/^.*input udp/, 'input udp') ?? '(none)'}`);
  console.log(`machine: ${os.cpus().length} cores, load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (best) {
    console.log(`highest zero-loss rate: ${best.fps.toFixed(0)} flows/s through the full ElastiFlow pipeline (load average ${best.load.toFixed(2)} at its start)`);
    console.log(`target >= 20000 flows/s with zero loss: ${best.fps >= 20_000 ? 'met' : 'NOT met'}; Logstash runs ElastiFlow at ~1-2k flows/s per core (users' reports)`);
  } else console.log('no rate was held with zero loss');
  if (PROFILE) console.log(`\ncollector CPU profile, top functions by self time (all threads):\n${profileSummary(profDir)}`);
  rmSync(tmp, { recursive: true, force: true });
}

/** --in-process: CPU-seconds per flow of decode + filters + output conditionals, one worker, batches of 125. */
/** Garbage collections so far (main-thread pauses; their count moves with what a flow allocates, less noisy than time). */
const gc = { minor: 0, major: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    gc.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function inProcess(): Promise<void> {
  let seen = 0;
  let pushed = 0;
  let want = Infinity;
  let reached: (() => void) | undefined;
  const t0 = performance.now();
  const { pipeline, datagrams, cleanup } = await elastiflowInProcess({
    capture: CAPTURE,
    batchSize: 125,
    dist: process.argv.includes('--dist'),
    feed: async (ctx, datagrams, decode) => {
      for (let round = 0; round <= ROUNDS; round++) {
        const gc0 = { ...gc };
        const cpu0 = process.cpuUsage();
        const wall0 = performance.now();
        let flows = 0;
        for (let i = 0; i < datagrams.length; i++) {
          const events = decode(datagrams[i]!);
          flows += events.length;
          const full = ctx.push(events);
          if (full) await full;
          if (i % 64 === 63) await new Promise((r) => setImmediate(r));
        }
        pushed += flows;
        want = pushed;
        await new Promise<void>((r) => (seen >= want ? r() : (reached = r)));
        reached = undefined;
        const c = process.cpuUsage(cpu0);
        const cpu = (c.user + c.system) / 1e6;
        console.log(
          `${round === 0 ? 'warm-up' : `round ${round}`}: ${flows} flows, ${cpu.toFixed(2)} CPU-s = ${((cpu / flows) * 1e6).toFixed(0)} CPU-µs per flow, ` +
            `${(flows / cpu).toFixed(0)} flows per CPU-second (${(flows / ((performance.now() - wall0) / 1000)).toFixed(0)} flows/s wall), ` +
            `GC ${(((gc.ms - gc0.ms) / 1000 / cpu) * 100).toFixed(0)} % of it (${gc.minor - gc0.minor} minor, ${gc.major - gc0.major} major), load ${os.loadavg()[0]!.toFixed(2)}`,
        );
      }
    },
    outputs: (_id, events) => {
      seen += events.length;
      if (seen >= want) reached?.();
    },
  });
  console.log(`in-process: full ElastiFlow conf.d built in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${datagrams.length} datagrams per round (decode + filters + output conditionals; outputs counted, not written)`);
  pipeline.start();
  await pipeline.done;
  cleanup();
}

await main();
