// tcp input + netflow codec throughput: `flowstash -f` (tcp → netflow → json_lines to /dev/null)
// fed one IPFIX-over-TCP connection as fast as it reads (synthesised softflowd messages, the
// stream repeated), timed from connect until the collector has handed every flow to the output
// and exited (SIGINT sent once the sender closed; the input drains what it received first).
// Compared with the udp input's zero-loss figure (bench/udp-load.ts, README). Loopback only.
//   npx tsx bench/tcp-netflow.ts [repeats]
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../src/synth/synth.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPEATS = Number(process.argv[2] ?? 40);
const UDP_ZERO_LOSS_FLOWS_PER_S = 213_322; // README, bench/udp-load.ts

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const synth = synthesize({ profile: 'softflowd', flows: 5000, seed: 11 });
const stream = Buffer.concat(synth.packets.map((p) => p.payload));
const flowsPerStream = synth.packets.reduce((n, p) => n + p.records.length, 0);

async function run(workers: number): Promise<{ flows: number; secs: number; cpu: number }> {
  const port = await freePort();
  const config = `input { tcp { host => "127.0.0.1" port => ${port} codec => netflow dns_reverse_lookup_enabled => false } }
output { file { path => "/dev/null" codec => json_lines } }`;
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/flowstash.mjs'), '-e', config, '-w', String(workers)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; !/Starting tcp input listener/.test(log); i++) {
    if (i > 400) throw new Error(`collector did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  for (let i = 0; i < REPEATS; i++) if (!sock.write(stream)) await new Promise((r) => sock.once('drain', r));
  await new Promise<void>((r) => sock.end(() => r()));
  await new Promise((r) => sock.once('close', r));
  child.kill('SIGINT');
  await exited;
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const m = /input tcp .*out=(\d+).*frames_failed=(\d+).*truncated_bytes=(\d+)/.exec(log);
  if (!m) throw new Error(`no tcp summary in the collector's log:\n${log.slice(-2000)}`);
  const flows = Number(m[1]);
  if (flows !== REPEATS * flowsPerStream) throw new Error(`collector reported ${flows} flows, sent ${REPEATS * flowsPerStream} (failed frames ${m[2]}, truncated ${m[3]})`);
  return { flows, secs, cpu: (cpu.user + cpu.system) / 1e6 };
}

const load = os.loadavg();
const rows: string[] = [];
for (const workers of [1, 2]) {
  const r = await run(workers);
  const rate = r.flows / r.secs;
  rows.push(`| -w ${workers} | ${r.flows.toLocaleString('en-US')} | ${r.secs.toFixed(2)} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / UDP_ZERO_LOSS_FLOWS_PER_S).toFixed(2)}× |`);
}
console.log(`| tcp → netflow (IPFIX, ${stream.length} B × ${REPEATS}) → json_lines /dev/null | flows | s (connect → exit) | flows/s | vs udp zero-loss ${UDP_ZERO_LOSS_FLOWS_PER_S.toLocaleString('en-US')} |`);
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
console.log(`load average at start (1/5/15 min): ${load.map((l) => l.toFixed(2)).join(' / ')} on ${os.cpus().length} cores; now ${os.loadavg()[0]!.toFixed(2)}`);
