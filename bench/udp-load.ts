// bench/udp-load.ts — how much flow traffic `flowstash -f` (udp → netflow → json_lines to
// /dev/null) takes with zero loss, fed by `flowstash replay --pps R` on the same machine.
// Each step holds a rate for --hold seconds against a fresh collector and reads the counters from
// its exit summary: sent (replay) = received (udp input) = decoded, and nothing dropped anywhere.
// Also per step: the collector's CPU (all threads) per flow, which stays comparable when other
// processes share the cores, and its main thread's (decode, pipeline, json_lines encode: the thread
// that limits the rate on a quiet machine), the sender's CPU share (is the load generator the limit?)
// and the load average at the start of the step.
// Only 127.0.0.0/8; stops by itself. Run: npx tsx bench/udp-load.ts [--hold 10] [--rates 1000,2000,...] [--warmup 2]
// [--node-options "--cpu-prof --cpu-prof-dir=/tmp/prof"] (collector's node flags; one profile per thread)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { counters, cpuSeconds, freePort, rssMb } from './proc.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench/out');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');
mkdirSync(OUT, { recursive: true });

/** `--name value` or `--name=value`. */
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  if (i > 0) return process.argv[i + 1]!;
  const joined = process.argv.find((a) => a.startsWith(`${name}=`));
  return joined !== undefined ? joined.slice(name.length + 1) : def;
};
const HOLD = Number(arg('--hold', '10'));
const RATES = arg('--rates', '1000,2000,3000,4000,5000,6000,7000,8000,10000').split(',').map(Number);
// Seconds at WARMUP_PPS before each measured step, so the step measures a running collector, not its first
// second (JIT tiering, templates, per-shape JSON writers: a cold collector backs up ~2,000 datagrams in its
// first second at 7,000 pps). Its datagrams are counted like the step's: a loss in warm-up fails the step.
// --warmup 0 measures from a cold start.
const WARMUP_S = Number(arg('--warmup', '2'));
const WARMUP_PPS = 1000;
const CAPTURE = path.join(OUT, 'load-softflowd.pcap');
// e.g. --node-options=--max-semi-space-size=64 (fewer scavenges for the collector's allocation rate)
const NODE_OPTS = arg('--node-options', '').split(' ').filter(Boolean);


interface Step {
  rate: number;
  sent: number;
  received: number;
  decoded: number;
  droppedQueue: number;
  kernelLost: number;
  decodeFailures: number;
  flows: number;
  out: number;
  seconds: number;
  rssMax: number;
  /** Collector CPU (all threads) per flow out, in microseconds: comparable across loaded and idle machines. */
  cpuPerFlowUs: number;
  /** The collector's main thread (decode, filters, json_lines encode) per flow: what limits a quiet machine. */
  mainCpuPerFlowUs: number;
  /** The sender's CPU use while sending, as a share of one core. */
  senderCore: number;
  load: number;
  zeroLoss: boolean;
}

async function step(rate: number): Promise<Step> {
  const port = await freePort();
  const conf = path.join(OUT, 'udp-load.conf');
  writeFileSync(
    conf,
    `input { udp { host => "127.0.0.1" port => ${port} receive_buffer_bytes => 4194304 codec => netflow {} } }\n` +
      'output { stdout { codec => json_lines } }\n',
  );
  const devnull = openSync('/dev/null', 'w');
  const collector = spawn(process.execPath, [...NODE_OPTS, BIN, '-f', conf], { stdio: ['ignore', devnull, 'pipe'] });
  let log = '';
  collector.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((r) => collector.on('close', () => r()));
  for (let i = 0; i < 300 && !log.includes('UDP listener started'); i++) await new Promise((r) => setTimeout(r, 50));
  let rssMax = 0;
  let collectorCpu = 0;
  let mainCpu = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(collector.pid!));
    collectorCpu = cpuSeconds(collector.pid!) || collectorCpu;
    mainCpu = cpuSeconds(collector.pid!, collector.pid!) || mainCpu;
  }, 250);
  let warmupSent = 0;
  if (WARMUP_S > 0) {
    const warm = spawnSync(
      process.execPath,
      [BIN, 'replay', CAPTURE, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', String(WARMUP_PPS), '--loop', '0', '--duration', String(WARMUP_S)],
      { encoding: 'utf8' },
    );
    warmupSent = Number(/Successful packets:\s+(\d+)/.exec(warm.stdout)?.[1] ?? 0);
    await new Promise((r) => setTimeout(r, 300));
  }
  const cpuAtStart = cpuSeconds(collector.pid!);
  const mainCpuAtStart = cpuSeconds(collector.pid!, collector.pid!);
  const load = os.loadavg()[0]!;
  const sender = spawn(
    process.execPath,
    [BIN, 'replay', CAPTURE, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', String(rate), '--loop', '0', '--duration', String(HOLD)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let replayOut = '';
  sender.stdout!.setEncoding('utf8').on('data', (d: string) => (replayOut += d));
  let senderCpu = 0;
  const senderSampler = setInterval(() => (senderCpu = cpuSeconds(sender.pid!) || senderCpu), 100);
  await new Promise<void>((r) => sender.on('close', () => r()));
  clearInterval(senderSampler);
  const replay = { stdout: replayOut };
  // Give the collector time to finish what it received, then stop it (SIGINT drains).
  await new Promise((r) => setTimeout(r, 1500));
  clearInterval(sampler);
  collectorCpu = cpuSeconds(collector.pid!) || collectorCpu;
  mainCpu = cpuSeconds(collector.pid!, collector.pid!) || mainCpu;
  collector.kill('SIGINT');
  await exited;
  const stepSent = Number(/Successful packets:\s+(\d+)/.exec(replay.stdout)?.[1] ?? 0);
  // Counters below are the collector's totals, warm-up included; flows of the step are its share of them.
  const sent = stepSent + warmupSent;
  const seconds = Number(/sent in ([\d.]+) seconds/.exec(replay.stdout)?.[1] ?? HOLD);
  const input = counters(log, /\]\s+input udp \(/);
  const codec = counters(log, /codec of input udp/);
  const summary = counters(log, /Summary: events/);
  const received = input['received'] ?? 0;
  const decoded = input['decoded'] ?? 0;
  const droppedQueue = input['dropped_queue_full'] ?? 0;
  const allFlows = codec['flows'] ?? 0;
  const stepFlows = sent > 0 ? Math.round((allFlows * stepSent) / sent) : 0;
  const s: Step = {
    rate,
    sent,
    received,
    decoded,
    droppedQueue,
    kernelLost: sent - received,
    decodeFailures: input['decode_failures'] ?? 0,
    flows: stepFlows,
    out: summary['out'] ?? 0,
    seconds,
    rssMax,
    cpuPerFlowUs: stepFlows ? ((collectorCpu - cpuAtStart) / stepFlows) * 1e6 : 0,
    mainCpuPerFlowUs: stepFlows ? ((mainCpu - mainCpuAtStart) / stepFlows) * 1e6 : 0,
    senderCore: senderCpu / seconds,
    load,
    zeroLoss: sent > 0 && sent === received && received === decoded && droppedQueue === 0 && (summary['out'] ?? -1) === (codec['flows'] ?? -2),
  };
  return s;
}

async function main(): Promise<void> {
  if (!existsSync(CAPTURE)) {
    const r = spawnSync(
      process.execPath,
      [BIN, 'synth', '--profile', 'softflowd', '-o', CAPTURE, '--flows', '200000', '--exporters', '4', '--dst', '127.0.0.1', '--max-payload', '1400'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  }
  console.log(`capture: ${path.relative(ROOT, CAPTURE)} (softflowd IPFIX, 4 exporters, ~21 flows per datagram); hold ${HOLD} s per rate`);
  console.log(WARMUP_S > 0 ? `warm-up: ${WARMUP_S} s at ${WARMUP_PPS} pps into each fresh collector before its step (counted in sent/received/drops; flows/s and CPU/flow are the step's)` : 'no warm-up: each step starts on a cold collector');
  console.log(`collector: node ${NODE_OPTS.join(' ')} bin/flowstash.mjs -f (udp workers 2, queue_size 2000 -> netflow -> stdout json_lines > /dev/null)\n`);
  console.log('| target pps | sent    | received | decoded | queue drops | kernel lost | flows/s  | events out | RSS max | zero loss | collector CPU/flow | main thread CPU/flow | sender CPU | load avg |');
  console.log('|------------|---------|----------|---------|-------------|-------------|----------|------------|---------|-----------|--------------------|---------------------|------------|----------|');
  let best: Step | undefined;
  let above = 0;
  const lossy: number[] = [];
  for (const rate of RATES) {
    const s = await step(rate);
    console.log(
      `| ${String(rate).padStart(10)} | ${String(s.sent).padStart(7)} | ${String(s.received).padStart(8)} | ${String(s.decoded).padStart(7)} | ` +
        `${String(s.droppedQueue).padStart(11)} | ${String(s.kernelLost).padStart(11)} | ${(s.flows / s.seconds).toFixed(0).padStart(8)} | ` +
        `${String(s.out).padStart(10)} | ${s.rssMax.toFixed(0).padStart(4)} MB | ${(s.zeroLoss ? 'yes' : 'NO').padEnd(9)} | ` +
        `${s.cpuPerFlowUs.toFixed(2).padStart(15)} us | ${s.mainCpuPerFlowUs.toFixed(2).padStart(16)} us | ` +
        `${(s.senderCore * 100).toFixed(0).padStart(8)} % | ${s.load.toFixed(2).padStart(8)} |`,
    );
    if (s.zeroLoss) best = s;
    else {
      lossy.push(rate);
      if (++above >= 2) break;
    }
  }
  console.log('');
  if (best) {
    const fps = best.flows / best.seconds;
    console.log(
      `highest zero-loss rate held ${HOLD} s: ${(best.sent / best.seconds).toFixed(0)} datagrams/s, ${fps.toFixed(0)} flows/s, RSS ${best.rssMax.toFixed(0)} MB ` +
        `(load average ${best.load.toFixed(2)} on ${os.cpus().length} cores at its start)`,
    );
    const below = lossy.filter((r) => r < best!.rate);
    if (below.length > 0) console.log(`note: lower rates lost datagrams in this run (${below.join(', ')} pps): see their rows`);
    // A loaded machine lowers the wall-clock rate; CPU-seconds spent per flow do not depend on it as much.
    const perCollectorCpuS = best.cpuPerFlowUs > 0 ? 1e6 / best.cpuPerFlowUs : 0;
    const senderCpuS = best.senderCore * best.seconds;
    const collectorCpuS = (best.cpuPerFlowUs * best.flows) / 1e6;
    console.log(
      `per CPU-second at that rate: ${perCollectorCpuS.toFixed(0)} flows per collector CPU-second, ` +
        `${(best.flows / (collectorCpuS + senderCpuS)).toFixed(0)} per CPU-second of collector + sender ` +
        `(sender ${(best.senderCore * 100).toFixed(0)} % of a core); ` +
        `${best.mainCpuPerFlowUs > 0 ? (1e6 / best.mainCpuPerFlowUs).toFixed(0) : 0} flows per CPU-second of the collector's main thread`,
    );
    console.log(`target >= 250000 flows/s with zero loss: ${fps >= 250_000 ? 'met' : 'NOT met'}`);
    console.log('reference: Logstash netflow codec ~1800 flows/s per core; fastest commercial collector claims ~5000 per core');
  } else {
    console.log('no rate was held with zero loss');
  }
}

await main();
