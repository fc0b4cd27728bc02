// What the load benches read about the processes they start: CPU seconds and RSS from /proc, the
// counters of a flowstash exit summary line, and a free loopback port.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process (or, with `thread`, one of its threads) has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number, thread?: number): number {
  try {
    // Fields after the parenthesised command name: state is 3rd, utime 14th, stime 15th.
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Resident set size in MB; 0 once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The `name=number` pairs of the first log line matching `label` (a plugin's exit summary line). */
export function counters(text: string, label: RegExp): Record<string, number> {
  const line = text.split('\n').find((l) => label.test(l));
  const out: Record<string, number> = {};
  for (const m of (line ?? '').matchAll(/([a-z_]+)=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/** A port on 127.0.0.1 free at the moment of asking. */
export async function freePort(kind: 'udp' | 'tcp' = 'udp'): Promise<number> {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const p = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  }
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
