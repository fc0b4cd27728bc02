// bench/replay.ts — `flowstash replay --topspeed` against `tcpreplay --topspeed` on loopback, and
// how precisely flowstash keeps a capture's own timing. Everything stays on 127.0.0.0/8 and stops
// by itself. Run: npx tsx bench/replay.ts [--packets N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureWriter, buildUdpFrame } from '../src/replay/pcap-writer.ts';
import { readUdpDatagrams } from '../src/replay/datagrams.ts';
import { hrClock, Pacer } from '../src/replay/pacer.ts';
import { runReplayLoop } from '../src/replay/replay-run.ts';
import { DatagramSender } from '../src/replay/sender.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench/out');
mkdirSync(OUT, { recursive: true });
const argPackets = process.argv.indexOf('--packets');
const PACKETS = argPackets > 0 ? Number(process.argv[argPackets + 1]) : 300_000;

/** A UDP sink in its own process (so receiving does not share the sender's thread). */
function startSink(): Promise<{ port: number; stop(): Promise<number> }> {
  const code = `
    const s = require('node:dgram').createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    let n = 0;
    s.on('message', () => n++);
    s.bind(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
    process.on('SIGTERM', () => { process.stdout.write('received ' + n + '\\n'); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  return new Promise((resolve) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m && !out.includes('received')) {
        resolve({
          port: Number(m[1]),
          stop: () =>
            new Promise((res) => {
              child.on('close', () => res(Number(/received (\d+)/.exec(out)?.[1] ?? 0)));
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

async function writeCapture(file: string, packets: number, gapNs: number, dstPort: number, burst = 1): Promise<void> {
  const w = await CaptureWriter.create(file);
  const payload = Buffer.alloc(200, 0xab);
  const frames = Array.from({ length: 8 }, (_, i) =>
    buildUdpFrame({ src: `10.0.0.${i + 1}`, dst: '127.0.0.1', srcPort: 40000 + i, dstPort, payload }),
  );
  let t = 1_700_000_000n * 1_000_000_000n;
  for (let i = 0; i < packets; i++) {
    if (i % burst === 0) t += BigInt(gapNs);
    await w.write({ tsSec: Number(t / 1_000_000_000n), tsNsec: Number(t % 1_000_000_000n), data: frames[i % 8]! });
  }
  await w.close();
}

function ratedPps(summary: string): number {
  const m = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(summary);
  return m ? Number(m[1]) : NaN;
}

function actualLine(summary: string): string {
  return /Actual: .*/.exec(summary)?.[0] ?? '(no summary)';
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const sink = await startSink();
  const fast = path.join(OUT, 'replay-topspeed.pcap');
  await writeCapture(fast, PACKETS, 10_000, sink.port);
  console.log(`capture: ${PACKETS} datagrams of 200 bytes (242-byte frames), 8 exporters, to 127.0.0.1:${sink.port}\n`);

  const haveTcpreplay = spawnSync('tcpreplay', ['--version']).status === 0;
  const rows: { tool: string; pps: number; line: string }[] = [];
  for (let round = 0; round < 2; round++) {
    if (haveTcpreplay) {
      const t = await run('tcpreplay', ['-i', 'lo', '--topspeed', fast]);
      rows.push({ tool: 'tcpreplay -i lo --topspeed', pps: ratedPps(t.stdout), line: actualLine(t.stdout) || t.stderr.trim() });
    }
    const f = await run(process.execPath, [path.join(ROOT, 'bin/flowstash.mjs'), 'replay', fast, '--to', `127.0.0.1:${sink.port}`, '--topspeed']);
    rows.push({ tool: 'flowstash replay --topspeed', pps: ratedPps(f.stdout), line: actualLine(f.stdout) });
  }
  const best = (tool: string): number => Math.max(...rows.filter((r) => r.tool.startsWith(tool)).map((r) => r.pps));
  console.log('topspeed, loopback (2 runs each):');
  for (const r of rows) console.log(`  ${r.tool.padEnd(30)} ${r.pps.toFixed(0).padStart(10)} pps   ${r.line}`);
  const ours = best('flowstash');
  const theirs = haveTcpreplay ? best('tcpreplay') : NaN;
  console.log('');
  console.log('| tool                        | best pps  | ratio vs tcpreplay |');
  console.log('|-----------------------------|-----------|--------------------|');
  if (haveTcpreplay) console.log(`| tcpreplay 4.4 (PF_PACKET)   | ${theirs.toFixed(0).padStart(9)} | 1.00               |`);
  console.log(`| flowstash replay (sockets)  | ${ours.toFixed(0).padStart(9)} | ${haveTcpreplay ? (ours / theirs).toFixed(2).padEnd(18) : 'tcpreplay missing '} |`);
  console.log(`target: >= 0.50 of tcpreplay -> ${haveTcpreplay ? (ours / theirs >= 0.5 ? 'met' : 'NOT met') : 'n/a'}\n`);

  // Schedule accuracy: capture timing, 1 ms apart in bursts of 4 (same timestamp), 4000 datagrams.
  const timed = path.join(OUT, 'replay-timed.pcap');
  await writeCapture(timed, 4000, 1_000_000, sink.port, 4);
  const pacer = new Pacer({ multiplier: 1 }, hrClock(), true);
  const sender = new DatagramSender({ to: { host: '127.0.0.1', port: sink.port }, exporters: 'any' });
  await sender.prepare();
  const res = await runReplayLoop({ pass: () => [readUdpDatagrams(timed)] }, pacer, (dg) => sender.send(dg));
  await sender.close();
  const late = (pacer.lateness ?? []).slice().sort((a, b) => a - b);
  const within2 = late.filter((x) => x <= 2_000_000).length / late.length;
  const ms = (ns: number): string => (ns / 1e6).toFixed(3);
  console.log(`original timing (-x 1), ${res.attempted} datagrams over ${((res.endNs - res.startNs) / 1e9).toFixed(3)} s (capture span 0.999 s):`);
  console.log('| lateness p50 | p90      | p99      | p99.9    | max      | within 2 ms |');
  console.log('|--------------|----------|----------|----------|----------|-------------|');
  console.log(
    `| ${ms(percentile(late, 50)).padStart(9)} ms | ${ms(percentile(late, 90)).padStart(5)} ms | ${ms(percentile(late, 99)).padStart(5)} ms | ` +
      `${ms(percentile(late, 99.9)).padStart(5)} ms | ${ms(late[late.length - 1] ?? 0).padStart(5)} ms | ${(within2 * 100).toFixed(2).padStart(10)}% |`,
  );
  console.log(`target: 99% within 2 ms -> ${within2 >= 0.99 ? 'met' : 'NOT met'}`);
  if (haveTcpreplay) {
    const t = await run('tcpreplay', ['-i', 'lo', timed]);
    console.log(`tcpreplay -x 1 on the same capture: ${actualLine(t.stdout)}`);
  }
  const received = await sink.stop();
  console.log(`\nsink received ${received} datagrams in all (tcpreplay's frames never reach sockets: see docs)`);
}

await main();
