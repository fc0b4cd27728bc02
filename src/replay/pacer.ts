// When each packet of a replay goes out: tcpreplay's speed modes on an absolute schedule, so that
// oversleeping one packet never delays the ones after it (no drift), and late packets go at once.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface PacingOptions {
  /** Capture timing scaled by this factor (tcpreplay -x); the default mode with 1. */
  multiplier?: number;
  /** Fixed packets per second (tcpreplay -p); fractional values allowed. */
  pps?: number;
  /** Fixed megabits per second over captured bytes, L2 included (tcpreplay -M); 0 = topspeed. */
  mbps?: number;
  /** No waiting at all (tcpreplay -t). */
  topspeed?: boolean;
  /** Passes over the capture; 0 = forever (tcpreplay -l). Default 1. */
  loop?: number;
  /** Stop after this many packets sent, all passes together (tcpreplay -L). */
  limit?: number;
  /** Stop after this many seconds (tcpreplay --duration). */
  duration?: number;
}

export type PacingMode = 'multiplier' | 'pps' | 'mbps' | 'topspeed';

/** A monotonic clock in nanoseconds since an arbitrary origin, and a way to wait for it. */
export interface Clock {
  now(): number;
  /** Resolves at or just after `targetNs` (never before). */
  waitUntil(targetNs: number): Promise<void>;
}

/** Checks the combination of pacing flags; returns an error message or undefined. */
export function validatePacing(opts: PacingOptions): string | undefined {
  const modes = [
    opts.multiplier !== undefined ? '--multiplier' : '',
    opts.pps !== undefined ? '--pps' : '',
    opts.mbps !== undefined ? '--mbps' : '',
    opts.topspeed ? '--topspeed' : '',
  ].filter((m) => m !== '');
  if (modes.length > 1) return `${modes.join(' and ')} are mutually exclusive: pick one speed mode`;
  const positive = (name: string, v: number | undefined, allowZero: boolean): string | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      return `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`;
    }
    return undefined;
  };
  return (
    positive('--multiplier', opts.multiplier, false) ??
    positive('--pps', opts.pps, false) ??
    positive('--mbps', opts.mbps, true) ??
    positive('--duration', opts.duration, false) ??
    (opts.loop !== undefined && (!Number.isInteger(opts.loop) || opts.loop < 0)
      ? `--loop must be a whole number >= 0 (0 = forever), got ${opts.loop}`
      : undefined) ??
    (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)
      ? `--limit must be a whole number >= 1, got ${opts.limit}`
      : undefined)
  );
}

export function pacingMode(opts: PacingOptions): PacingMode {
  if (opts.topspeed || opts.mbps === 0) return 'topspeed';
  if (opts.pps !== undefined) return 'pps';
  if (opts.mbps !== undefined) return 'mbps';
  return 'multiplier';
}

/**
 * The schedule itself, free of any clock: feed it each packet's capture time and size, it says
 * when (ns on the caller's clock) that packet is due, or `undefined` for "now".
 */
export class Schedule {
  readonly mode: PacingMode;
  private readonly multiplier: number;
  private readonly nsPerPacket: number;
  private readonly nsPerByte: number;
  private runStart = 0;
  private passAnchor = 0;
  private firstSec = 0;
  private firstNsec = 0;
  private passHasFirst = false;
  private packetsSent = 0;
  private bytesSent = 0;

  constructor(opts: PacingOptions) {
    this.mode = pacingMode(opts);
    this.multiplier = opts.multiplier ?? 1;
    this.nsPerPacket = opts.pps !== undefined ? 1e9 / opts.pps : 0;
    this.nsPerByte = opts.mbps ? 8e9 / (opts.mbps * 1e6) : 0;
  }

  /** The run begins (pps and mbps count from here across all passes). */
  start(nowNs: number): void {
    this.runStart = nowNs;
    this.packetsSent = 0;
    this.bytesSent = 0;
  }

  /** A pass over the capture begins: capture timing re-anchors at its first packet. */
  startPass(): void {
    this.passHasFirst = false;
  }

  /** When the next packet is due; `nowNs` anchors the pass on its first packet. */
  due(tsSec: number, tsNsec: number, bytes: number, nowNs: number): number | undefined {
    switch (this.mode) {
      case 'topspeed':
        return undefined;
      case 'pps':
        return this.runStart + this.packetsSent * this.nsPerPacket;
      case 'mbps':
        return this.runStart + (this.bytesSent + bytes) * this.nsPerByte;
      case 'multiplier': {
        if (!this.passHasFirst) {
          this.passHasFirst = true;
          this.firstSec = tsSec;
          this.firstNsec = tsNsec;
          this.passAnchor = nowNs;
          return undefined;
        }
        const offset = (tsSec - this.firstSec) * 1e9 + (tsNsec - this.firstNsec);
        // Equal or backwards timestamps give a target already passed: the packet goes at once.
        return this.passAnchor + offset / this.multiplier;
      }
    }
  }

  /** Moves the whole schedule later by `ns` (time spent on setup that no packet should pay for). */
  delay(ns: number): void {
    this.runStart += ns;
    this.passAnchor += ns;
  }

  /** The packet went out (or was attempted): advances the pps/mbps counters. */
  sent(bytes: number): void {
    this.packetsSent++;
    this.bytesSent += bytes;
  }
}

/** A Clock on the process's monotonic time, counted from `originNs` (process.hrtime.bigint()). */
export interface HrClock extends Clock {
  readonly originNs: bigint;
}

/** Timers fire late by a millisecond or more on a busy machine: sleep on one until this long before the deadline. */
const TIMER_MARGIN_NS = 2_000_000;
/**
 * The last stretch before a deadline is spun on the clock: a blocking sleep (below) wakes up to
 * ~50 µs late (the kernel's timer slack), so it stops this long before the deadline.
 */
const SPIN_NS = 30_000;
/** Blocking sleeps last at most this long, so I/O, signals and timers still get a turn between them. */
const BLOCK_SLICE_NS = 1_000_000;
/** A futex word no one ever notifies: Atomics.wait on it is a sleep with sub-millisecond resolution. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * The process's monotonic clock. A wait sleeps on a timer until ~2 ms before the deadline, then
 * in short blocking sleeps (Atomics.wait: a futex with a timeout, microsecond resolution, no CPU)
 * until ~30 µs before it, and spins on the clock only for that last stretch. At 10,000 packets/s
 * (100 µs apart) the sender thus sleeps most of each gap instead of spinning through it.
 * `performance.now()` reads the same monotonic source as `process.hrtime.bigint()` without
 * allocating a BigInt per read, so spinning makes no garbage.
 */
export function hrClock(originNs: bigint = process.hrtime.bigint()): HrClock {
  // Threads have their own performance.now() origin; hrtime is process-wide, so clocks built on
  // the same originNs agree across threads (to the microsecond this calibration takes).
  const offsetMs = Number(process.hrtime.bigint() - originNs) / 1e6 - performance.now();
  const now = (): number => (performance.now() + offsetMs) * 1e6;
  return {
    originNs,
    now,
    async waitUntil(targetNs: number): Promise<void> {
      const remaining = targetNs - now();
      if (remaining > TIMER_MARGIN_NS + 1_000_000) await sleepMs(Math.floor((remaining - TIMER_MARGIN_NS) / 1e6));
      for (;;) {
        const left = targetNs - now();
        if (left <= 0) return;
        if (left <= SPIN_NS) {
          while (now() < targetNs) {
            // busy-wait: the deadline is closer than a blocking sleep can hit
          }
          return;
        }
        const block = Math.min(left - SPIN_NS, BLOCK_SLICE_NS);
        Atomics.wait(sleepCell, 0, 0, block / 1e6);
        if (block === BLOCK_SLICE_NS) await yieldToLoop();
      }
    },
  };
}

/** What a pacer tells the sending loop about the next packet. */
export type PaceVerdict = 'send' | 'stop';

/**
 * Drives a Schedule against a Clock and applies --limit and --duration. The sending loop calls
 * `pace()` before each packet and `sent()` after it; `lateness` records how far past its due time
 * each scheduled packet went out (for accuracy reports).
 */
export class Pacer {
  readonly schedule: Schedule;
  readonly clock: Clock;
  readonly passes: number;
  private readonly limit: number;
  private readonly deadlineNs: number;
  private startNs = 0;
  private count = 0;
  private lastDue: number | undefined;
  /** Nanoseconds between due time and the moment pace() returned, per scheduled packet. */
  lateness: number[] | undefined;
  private yieldCounter = 0;

  constructor(opts: PacingOptions, clock: Clock, measure = false) {
    this.schedule = new Schedule(opts);
    this.clock = clock;
    this.passes = opts.loop ?? 1;
    this.limit = opts.limit ?? Infinity;
    this.deadlineNs = opts.duration !== undefined ? opts.duration * 1e9 : Infinity;
    this.lateness = measure ? [] : undefined;
  }

  /** Starts the run; returns the start time (tcpreplay's start_time, taken just before the first send). */
  start(): number {
    this.startNs = this.clock.now();
    this.schedule.start(this.startNs);
    return this.startNs;
  }

  get startedAt(): number {
    return this.startNs;
  }

  get packetsPaced(): number {
    return this.count;
  }

  /** True while another pass should run (loop 0 = forever). */
  morePasses(passesDone: number): boolean {
    return (this.passes === 0 || passesDone < this.passes) && !this.exhausted();
  }

  startPass(): void {
    this.schedule.startPass();
  }

  /** Limit reached or duration elapsed. */
  exhausted(): boolean {
    return this.limitReached() || this.durationElapsed();
  }

  limitReached(): boolean {
    return this.count >= this.limit;
  }

  durationElapsed(): boolean {
    return this.clock.now() - this.startNs >= this.deadlineNs;
  }

  /**
   * Waits until the packet is due; 'stop' when --limit or --duration ends the run first.
   * Returns synchronously when there is nothing to wait for (topspeed, or behind schedule), so the
   * sending loop pays for a promise only when it really sleeps.
   */
  pace(tsSec: number, tsNsec: number, bytes: number): PaceVerdict | Promise<PaceVerdict> {
    if (this.count >= this.limit) return 'stop';
    const now = this.clock.now();
    if (now - this.startNs >= this.deadlineNs) return 'stop';
    const due = this.schedule.due(tsSec, tsNsec, bytes, now);
    this.lastDue = due;
    if (due !== undefined && due > now) return this.waitFor(due);
    if (this.lateness && due !== undefined) this.lateness.push(now - due);
    if (++this.yieldCounter >= 256) {
      // Topspeed or behind schedule: still let I/O callbacks, signals and the progress bar run.
      this.yieldCounter = 0;
      return yieldToLoop().then(() => 'send' as const);
    }
    return 'send';
  }

  private async waitFor(due: number): Promise<PaceVerdict> {
    const deadline = this.startNs + this.deadlineNs;
    if (due >= deadline) {
      // The packet would leave after --duration: wait out the duration, send nothing more.
      await this.clock.waitUntil(deadline);
      return 'stop';
    }
    await this.clock.waitUntil(due);
    if (this.lateness) this.lateness.push(Math.max(0, this.clock.now() - due));
    return 'send';
  }

  sent(bytes: number): void {
    this.count++;
    this.schedule.sent(bytes);
  }

  /**
   * Excludes `ns` of setup (opening an exporter's socket) from the schedule: the packets after it
   * keep their spacing instead of all going late. --duration still counts wall-clock time.
   */
  excludeSetup(ns: number): void {
    if (ns > 0) this.schedule.delay(ns);
  }

  /** Due time of the last paced packet (undefined = immediate). */
  get lastDueNs(): number | undefined {
    return this.lastDue;
  }
}
