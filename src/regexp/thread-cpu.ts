// CPU time of the calling thread, for telling a search that really worked long (a runaway stopped by
// Oniguruma's retry limit) from one that only waited long (the thread descheduled on a busy machine,
// a GC pause): wall time cannot tell them apart, CPU time can.
// Linux: /proc/thread-self/schedstat (nanoseconds on the CPU, this thread only; updated at least every
// scheduler tick). Elsewhere: the whole process's CPU (process.cpuUsage), which other threads inflate —
// still never counts time spent waiting.
import { readFileSync } from 'node:fs';

let useSchedstat = process.platform === 'linux';

/** Milliseconds of CPU this thread (or, without /proc, this process) has used so far. */
export function threadCpuMillis(): number {
  if (useSchedstat) {
    try {
      const text = readFileSync('/proc/thread-self/schedstat', 'latin1');
      const ns = Number(text.slice(0, text.indexOf(' ')));
      if (Number.isFinite(ns)) return ns / 1e6;
    } catch {
      // not mounted or not permitted: fall back for good
    }
    useSchedstat = false;
  }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
