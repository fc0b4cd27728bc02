// The main thread's side of `--threads N`: N threads, each running the pipeline's filters and outputs
// (filter-thread.ts builds its own Pipeline from the same config texts), fed batches of the events the
// inputs decoded here. A batch goes to the thread with the fewest events outstanding; a thread holds
// at most MAX_OUTSTANDING_BATCHES batches' worth, so a slow thread fills the memory queue and the inputs wait, as
// with one thread. At the end every thread drains, flushes and closes, and reports its counters.
// The threads write stdout themselves (locked-stdout.ts); this thread writes none of it.
import { Worker } from 'node:worker_threads';
import type { Event } from '../../event/event.ts';
import { workerBootstrapSource } from '../../util/worker-bootstrap.ts';
import { encodeEvents } from './event-wire.ts';
import { stdoutLock } from './locked-stdout.ts';
import type { FromFilterThread, ThreadCounters, ThreadTotals, ToFilterThread, FilterThreadData } from './thread-messages.ts';

/**
 * Stats that describe a plugin's state, the same in every thread (each loads the same dictionary and
 * reloads it on the same schedule): shown once (the largest), not summed like event counts.
 */
const STATE_STATS = new Set(['dictionary_size', 'networks', 'reloads', 'pending']);

/** Batches sent to one thread and not yet through its outputs: one running, one queued, one arriving. */
const MAX_OUTSTANDING_BATCHES = 3;

interface FilterThread {
  worker: Worker;
  /** Events sent and not yet through the thread's outputs. */
  outstanding: number;
  final?: { totals: ThreadTotals; plugins: ThreadCounters[]; outputWriteFailures: number };
  exited: boolean;
}

export interface FilterThreadsResult {
  totals: ThreadTotals;
  /** Each filter and output, its counters summed over the threads (stats too), in source order. */
  plugins: ThreadCounters[];
  outputWriteFailures: number;
  /** Events sent to a thread that ended without accounting for them (it crashed). */
  lost: number;
}

export class FilterThreads {
  private readonly threads: FilterThread[] = [];
  private wake: (() => void) | undefined;
  private failure: string | undefined;

  private constructor(
    /** Events one thread may hold (batches sent, not yet through its outputs). */
    private readonly limit: number,
    private readonly onError: (message: string) => void,
  ) {}

  /**
   * Starts `count` threads and waits until each has built and registered its filters and outputs;
   * rejects with the first thread's build error (the others are stopped).
   */
  static async start(
    count: number,
    data: Omit<FilterThreadData, 'index' | 'stdoutLock' | 'stdoutClosedEndsProcess'>,
    onError: (message: string) => void,
  ): Promise<FilterThreads> {
    const pool = new FilterThreads(MAX_OUTSTANDING_BATCHES * data.batchSize, onError);
    const shared = { stdoutLock: stdoutLock(), stdoutClosedEndsProcess: process.stdout.listenerCount('error') > 0 };
    const ready = Array.from({ length: count }, (_, index) => pool.spawn({ ...data, index, ...shared }));
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  private spawn(data: FilterThreadData): Promise<void> {
    const worker = new Worker(workerBootstrapSource(new URL('./filter-thread.ts', import.meta.url), `filter thread ${data.index + 1}: `), {
      eval: true,
      workerData: data,
    });
    const t: FilterThread = { worker, outstanding: 0, exited: false };
    this.threads.push(t);
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: FromFilterThread) => {
        switch (m.type) {
          case 'ready':
            ready = true;
            resolve();
            break;
          case 'failed':
            if (!ready) reject(new Error(m.message));
            else this.fail(`filter thread ${data.index + 1} failed: ${m.message}`);
            break;
          case 'stdout-closed':
            this.stdoutClosed();
            break;
          case 'done':
            t.outstanding -= m.events;
            this.notify();
            break;
          case 'final':
            t.final = { totals: m.totals, plugins: m.plugins, outputWriteFailures: m.outputWriteFailures };
            break;
        }
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
        else this.fail(`filter thread ${data.index + 1} stopped: ${err.message}`);
      });
      worker.on('exit', (code) => {
        t.exited = true;
        if (!ready) reject(new Error(`filter thread ${data.index + 1} exited (code ${code}) before its pipeline was built`));
        else if (!t.final) this.fail(`filter thread ${data.index + 1} exited (code ${code}) with ${t.outstanding} events not accounted for`);
        this.notify();
      });
    });
  }

  /** A thread's stdout reader has gone: the main thread's stdout listener (the CLI's) ends the process, as with one thread. */
  private stdoutClosed(): void {
    process.stdout.emit('error', Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE', syscall: 'write' }));
  }

  private fail(message: string): void {
    if (this.failure === undefined) this.failure = message;
    this.onError(message);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Events sent to the threads and not yet through their outputs. */
  get inFlight(): number {
    let n = 0;
    for (const t of this.threads) n += t.outstanding;
    return n;
  }

  /**
   * Hands a batch to the least busy live thread, waiting while every one holds its maximum. An event
   * holding a value no field can hold (a plugin's bug: undefined, a Date) cannot be encoded: it is left
   * out, reported through onUnsendable, and the rest of the batch goes on.
   */
  async send(events: Event[], onUnsendable: (event: Event, e: Error) => void): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = encodeEvents(events);
    } catch {
      const sendable = events.filter((event) => {
        try {
          encodeEvents([event]);
          return true;
        } catch (e) {
          onUnsendable(event, e as Error);
          return false;
        }
      });
      if (sendable.length === 0) return;
      events = sendable;
      bytes = encodeEvents(events);
    }
    for (;;) {
      let best: FilterThread | undefined;
      for (const t of this.threads) {
        if (t.exited || t.outstanding + events.length > this.limit) continue;
        if (best === undefined || t.outstanding < best.outstanding) best = t;
      }
      if (best !== undefined) {
        best.outstanding += events.length;
        best.worker.postMessage({ type: 'batch', bytes } satisfies ToFilterThread, [bytes.buffer as ArrayBuffer]);
        return;
      }
      if (this.threads.every((t) => t.exited)) throw new Error(this.failure ?? 'every filter thread has stopped');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Tells every thread that no more batches come; resolves with their summed counters once all have closed. */
  async finish(): Promise<FilterThreadsResult> {
    await Promise.all(
      this.threads.map(
        (t) =>
          new Promise<void>((resolve) => {
            if (t.exited) return resolve();
            t.worker.once('exit', () => resolve());
            t.worker.postMessage({ type: 'end' } satisfies ToFilterThread);
          }),
      ),
    );
    const totals: ThreadTotals = { filtered: 0, out: 0, dropped: 0, failed: 0 };
    const plugins = new Map<string, ThreadCounters>();
    let outputWriteFailures = 0;
    let lost = 0;
    for (const t of this.threads) {
      if (!t.final) {
        lost += t.outstanding;
        continue;
      }
      for (const k of Object.keys(totals) as (keyof ThreadTotals)[]) totals[k] += t.final.totals[k];
      outputWriteFailures += t.final.outputWriteFailures;
      for (const p of t.final.plugins) {
        const key = `${p.kind}\u0000${p.id}`;
        const sum = plugins.get(key);
        if (!sum) {
          plugins.set(key, { ...p, stats: p.stats ? { ...p.stats } : undefined });
          continue;
        }
        sum.in += p.in;
        sum.out += p.out;
        if (p.stats) {
          sum.stats ??= {};
          for (const [k, v] of Object.entries(p.stats)) sum.stats[k] = STATE_STATS.has(k) ? Math.max(sum.stats[k] ?? v, v) : (sum.stats[k] ?? 0) + v;
        }
      }
    }
    return { totals, plugins: [...plugins.values()], outputWriteFailures, lost };
  }

  /** Stops every thread at once (a forced stop); what they held is lost. */
  async terminate(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
