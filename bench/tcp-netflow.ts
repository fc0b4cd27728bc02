// tcp input + netflow codec throughput, compared with the udp input's zero-loss rate measured in the
// same run, under the same load, through the same output (`stdout { codec => json_lines }` > /dev/null).
//  - tcp: `flowstash -f` fed one IPFIX-over-TCP connection as fast as it reads (synthesised softflowd
//    messages, the stream repeated); timed from connect until the collector has handed every flow to
//    the output and exited (SIGINT once the sender closed: the input drains what it received first).
//    TCP has back-pressure, so nothing is lost: the figure is throughput. Measured before and after
//    the udp search, so a change in load shows.
//  - udp: a quick version of bench/udp-load.ts's search: `flowstash replay --pps R` for --hold seconds
//    against a fresh collector per rate, zero loss = sent = received = decoded, nothing dropped,
//    events out = flows decoded. From --udp-start the rate halves while it loses (down to 250 pps), else goes up ×1.5
//    until a loss; then two bisections.
// The collector's CPU (all threads, from /proc) per flow is the figure that stays comparable when
// other jobs share the cores (tcp: connect to exit, the drain included; udp: listener start to the
// end of the wait after sending, as bench/udp-load.ts). Loopback only; stops by itself.
//   npx tsx bench/tcp-netflow.ts [--repeats 100] [--hold 4] [--udp-start 4000] [--tcp-only]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../src/synth/synth.ts';
import { counters, cpuSeconds, freePort } from './proc.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');
const OUT = path.join(ROOT, 'bench/out');
const CAPTURE = path.join(OUT, 'load-softflowd.pcap');
mkdirSync(OUT, { recursive: true });

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : def;
};
const REPEATS = Number(arg('--repeats', '100'));
const HOLD = Number(arg('--hold', '4'));
const UDP_START = Number(arg('--udp-start', '4000'));
const UDP_FLOOR = 250;
/** Only the tcp runs (e.g. to compare two versions of the tcp input quickly). */
const TCP_ONLY = process.argv.includes('--tcp-only');

interface Collector {
  pid: number;
  log: () => string;
  /** Collector CPU seconds, sampled every 20 ms (the last sample before exit). */
  cpu: () => number;
  waitFor: (text: string) => Promise<void>;
  stop: () => Promise<void>;
}

/** `flowstash -e <config>`, stdout to /dev/null, stderr (the log) kept. */
function startCollector(config: string): Collector {
  const devnull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [BIN, '-e', config], { cwd: ROOT, stdio: ['ignore', devnull, 'pipe'] });
  closeSync(devnull);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  let cpu = 0;
  const sampler = setInterval(() => (cpu = cpuSeconds(child.pid!) || cpu), 20);
  return {
    pid: child.pid!,
    log: () => log,
    cpu: () => cpu,
    waitFor: async (text) => {
      for (let i = 0; !log.includes(text); i++) {
        if (i > 600 || child.exitCode !== null) {
          clearInterval(sampler);
          child.kill('SIGKILL');
          throw new Error(`collector did not log "${text}":\n${log.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      clearInterval(sampler);
    },
  };
}

const synth = synthesize({ profile: 'softflowd', flows: 5000, seed: 11 });
const stream = Buffer.concat(synth.packets.map((p) => p.payload));
const flowsPerStream = synth.packets.reduce((n, p) => n + p.records.length, 0);

interface Figure {
  flows: number;
  secs: number;
  cpu: number;
  load: number;
}

async function tcpRun(): Promise<Figure> {
  const port = await freePort('tcp');
  const c = startCollector(
    `input { tcp { host => "127.0.0.1" port => ${port} codec => netflow dns_reverse_lookup_enabled => false } }\n` +
      'output { stdout { codec => json_lines } }',
  );
  await c.waitFor('Starting tcp input listener');
  const load = os.loadavg()[0]!;
  const cpuBefore = cpuSeconds(c.pid);
  const start = process.hrtime.bigint();
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  for (let i = 0; i < REPEATS; i++) if (!sock.write(stream)) await new Promise((r) => sock.once('drain', r));
  await new Promise<void>((r) => sock.end(() => r()));
  await new Promise((r) => sock.once('close', r));
  await c.stop();
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const input = counters(c.log(), /\]\s+input tcp \(/);
  const flows = input['out'] ?? 0;
  if (flows !== REPEATS * flowsPerStream) {
    throw new Error(`collector reported ${flows} flows, sent ${REPEATS * flowsPerStream} (failed frames ${input['frames_failed']}, truncated ${input['truncated_bytes']}):\n${c.log().slice(-2000)}`);
  }
  return { flows, secs, cpu: c.cpu() - cpuBefore, load };
}

interface UdpStep extends Figure {
  rate: number;
  zeroLoss: boolean;
  why: string;
}

async function udpStep(rate: number): Promise<UdpStep> {
  const port = await freePort('udp');
  const c = startCollector(
    `input { udp { host => "127.0.0.1" port => ${port} receive_buffer_bytes => 4194304 codec => netflow {} } }\n` +
      'output { stdout { codec => json_lines } }',
  );
  await c.waitFor('UDP listener started');
  const load = os.loadavg()[0]!;
  const cpuBefore = cpuSeconds(c.pid);
  const sender = spawn(
    process.execPath,
    [BIN, 'replay', CAPTURE, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--pps', String(rate), '--loop', '0', '--duration', String(HOLD)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let replayOut = '';
  sender.stdout!.setEncoding('utf8').on('data', (d: string) => (replayOut += d));
  await new Promise<void>((r) => sender.on('close', () => r()));
  // Time to finish what it received (as bench/udp-load.ts), then SIGINT (drains).
  await new Promise((r) => setTimeout(r, 1500));
  const cpuAfter = c.cpu();
  await c.stop();
  const log = c.log();
  const sent = Number(/Successful packets:\s+(\d+)/.exec(replayOut)?.[1] ?? 0);
  const secs = Number(/sent in ([\d.]+) seconds/.exec(replayOut)?.[1] ?? HOLD);
  const input = counters(log, /\]\s+input udp \(/);
  const codec = counters(log, /codec of input udp/);
  const out = counters(log, /Summary: events/)['out'] ?? -1;
  const received = input['received'] ?? 0;
  const flows = codec['flows'] ?? 0;
  const why =
    sent === 0 ? 'nothing sent' :
    received < sent ? `kernel lost ${sent - received} datagrams` :
    (input['dropped_queue_full'] ?? 0) > 0 ? `queue dropped ${input['dropped_queue_full']} datagrams` :
    (input['decoded'] ?? 0) !== received ? `decoded ${input['decoded']} of ${received}` :
    out !== flows ? `events out ${out} ≠ flows ${flows}` : '';
  return { rate, flows, secs, cpu: cpuAfter - cpuBefore, load, zeroLoss: why === '', why };
}

async function udpSearch(): Promise<{ best?: UdpStep; steps: UdpStep[] }> {
  if (!existsSync(CAPTURE)) {
    const r = spawnSync(
      process.execPath,
      [BIN, 'synth', '--profile', 'softflowd', '-o', CAPTURE, '--flows', '200000', '--exporters', '4', '--dst', '127.0.0.1', '--max-payload', '1400'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  }
  const steps: UdpStep[] = [];
  let best: UdpStep | undefined;
  let lossy: number | undefined;
  const tryRate = async (rate: number): Promise<UdpStep> => {
    const s = await udpStep(Math.round(rate));
    steps.push(s);
    console.log(
      `  udp ${String(s.rate).padStart(6)} pps: ${String(s.flows).padStart(7)} flows in ${s.secs.toFixed(2)} s, ` +
        `${s.zeroLoss ? 'zero loss' : `LOSS (${s.why})`}, collector ${s.cpu.toFixed(2)} CPU-s, load ${s.load.toFixed(2)}`,
    );
    return s;
  };
  // Down ×0.5 while the start rate loses (a loaded machine), else up ×1.5 until a loss; then bisect twice.
  let rate = UDP_START;
  let s = await tryRate(rate);
  if (s.zeroLoss) best = s;
  else lossy = s.rate;
  while (!best && rate / 2 >= UDP_FLOOR) {
    rate /= 2;
    s = await tryRate(rate);
    if (s.zeroLoss) best = s;
    else lossy = s.rate;
  }
  while (best && lossy === undefined && rate * 1.5 <= 64_000) {
    rate *= 1.5;
    s = await tryRate(rate);
    if (s.zeroLoss) best = s;
    else lossy = s.rate;
  }
  for (let i = 0; i < 2 && best && lossy !== undefined && lossy - best.rate > 100; i++) {
    s = await tryRate((best.rate + lossy) / 2);
    if (s.zeroLoss) best = s;
    else lossy = s.rate;
  }
  return { best, steps };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rate = (f: Figure): number => f.flows / f.secs;
const perCpu = (f: Figure): number => (f.cpu > 0 ? f.flows / f.cpu : 0);

console.log(
  `tcp: IPFIX stream ${stream.length} B (${flowsPerStream} softflowd flows, ${synth.packets.length} messages) × ${REPEATS} over one connection; ` +
    `udp: ${path.relative(ROOT, CAPTURE)} replayed, hold ${HOLD} s per rate; both → netflow → stdout json_lines > /dev/null, default workers`,
);
const loadStart = os.loadavg();
const tcpRuns: Figure[] = [];
console.log('tcp run 1 …');
tcpRuns.push(await tcpRun());
let udp: { best?: UdpStep; steps: UdpStep[] } = { steps: [] };
if (!TCP_ONLY) {
  console.log('udp zero-loss search …');
  udp = await udpSearch();
}
console.log('tcp run 2 …');
tcpRuns.push(await tcpRun());

console.log('');
console.log('| input | flows | s | flows/s | collector CPU-s | flows per collector CPU-s | load (1 min) at start |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
tcpRuns.forEach((t, i) => console.log(`| tcp run ${i + 1} | ${fmt(t.flows)} | ${t.secs.toFixed(2)} | ${fmt(rate(t))} | ${t.cpu.toFixed(2)} | ${fmt(perCpu(t))} | ${t.load.toFixed(2)} |`));
const b = udp.best;
if (b) console.log(`| udp highest zero-loss (${fmt(b.rate)} pps) | ${fmt(b.flows)} | ${b.secs.toFixed(2)} | ${fmt(rate(b))} | ${b.cpu.toFixed(2)} | ${fmt(perCpu(b))} | ${b.load.toFixed(2)} |`);
console.log('');
const tcpRate = tcpRuns.reduce((s, t) => s + rate(t), 0) / tcpRuns.length;
const tcpPerCpu = tcpRuns.reduce((s, t) => s + perCpu(t), 0) / tcpRuns.length;
if (b) {
  console.log(`tcp / udp zero-loss, flows/s: ${(tcpRate / rate(b)).toFixed(2)}× (${fmt(tcpRate)} vs ${fmt(rate(b))}, mean of the tcp runs)`);
  console.log(`tcp / udp, flows per collector CPU-second: ${(tcpPerCpu / perCpu(b)).toFixed(2)}× (${fmt(tcpPerCpu)} vs ${fmt(perCpu(b))})`);
} else if (!TCP_ONLY) {
  console.log(`udp: no rate from ${UDP_FLOOR} to ${UDP_START} pps was held with zero loss; tcp ${fmt(tcpRate)} flows/s, ${fmt(tcpPerCpu)} per collector CPU-second`);
}
console.log(`load average at start (1/5/15 min): ${loadStart.map((l) => l.toFixed(2)).join(' / ')} on ${os.cpus().length} cores; at end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
