// Sending threads for `flowstash replay`: the main thread reads the capture and plans each
// datagram's due time; worker threads (replay-send-worker.ts) wait for it and send. Datagrams go
// to the workers in batches (one transfer per batch). Every exporter address belongs to one
// worker, so an exporter's datagrams leave in capture order; exporters are dealt round-robin.
import { Worker } from 'node:worker_threads';
import { isIPv6 } from 'node:net';
import { BatchWriter } from './batch.ts';
import type { Clock } from './pacer.ts';
import { loopbackAddress, resolveEndpoint, type Endpoint, type SenderCounters, type SenderOptions } from './sender.ts';
import type { FromSendWorker, SendWorkerInit, SendWorkerReport, ToSendWorker } from './send-protocol.ts';
import type { UdpDatagram } from '../packet/types.ts';
import { workerBootstrapSource } from '../util/worker-bootstrap.ts';

export interface ThreadedSenderOptions extends Omit<SenderOptions, 'loopbackFor'> {
  /** Sending threads (>= 1). */
  threads: number;
  /** Origin of the shared clock (the main thread's hrClock().originNs). */
  originNs: bigint;
  /** Collect each scheduled datagram's lateness (bench). */
  measure?: boolean;
  /** Datagrams per batch (default 1024; fewer when a batch's 256 KiB fill first). */
  batchRecords?: number;
  /** Batches queued per thread before send() makes the reader wait (default 4). */
  maxQueuedBatches?: number;
}

/** A sending thread failed or died: what it had not yet reported is unknown. */
export class SendThreadError extends Error {
  override name = 'SendThreadError';
}

/** A datagram due this close to now goes to its thread at once rather than waiting for a full batch. */
const URGENT_NS = 2_000_000;

interface SendThread {
  worker: Worker;
  writer: BatchWriter;
  queued: number;
  roomWaiter: (() => void) | undefined;
  closed: Promise<{ report: SendWorkerReport; lateness?: Float64Array }>;
  failure: Error | undefined;
}


/**
 * The DatagramSender's job spread over threads. `send()` returns a promise only when the thread
 * that owns the datagram's exporter has `maxQueuedBatches` batches waiting (backpressure).
 */
export class ThreadedSender {
  readonly counters: SenderCounters = { successful: 0, successfulBytes: 0, failed: 0, failedByCode: {} };
  socketCount = 0;
  /** Datagrams dropped unsent by the threads (past --duration, or interrupted). */
  dropped = 0;
  /** Shared-clock time just after the last datagram went out (0 if none did). */
  lastSendNs = 0;
  /** Lateness (ns) of every scheduled datagram, when `measure` was set; filled by close(). */
  lateness: number[] | undefined;
  private readonly threads: SendThread[];
  private readonly opts: ThreadedSenderOptions;
  private resolvedTo: Endpoint | undefined;
  private readonly routes = new Map<string, { id: number; thread: SendThread }>();
  private readonly threadOfExporter = new Map<string, SendThread>();
  private readonly loopbacks = new Map<string, string>();
  private readonly batchRecords: number;
  private readonly maxQueued: number;
  private clock: Clock | undefined;
  private finishing: Promise<void> | undefined;
  private aborted = false;

  private constructor(opts: ThreadedSenderOptions, to: Endpoint | undefined, threads: SendThread[]) {
    this.opts = opts;
    this.resolvedTo = to;
    this.threads = threads;
    this.batchRecords = opts.batchRecords ?? 1024;
    this.maxQueued = opts.maxQueuedBatches ?? 4;
  }

  /** Resolves --to, starts the threads and waits until each is ready. */
  static async start(opts: ThreadedSenderOptions): Promise<ThreadedSender> {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`sending threads must be a whole number >= 1, got ${opts.threads}`);
    const to = opts.to ? await resolveEndpoint(opts.to) : undefined;
    const init: SendWorkerInit = { to, exporters: opts.exporters, originNs: opts.originNs, measure: opts.measure === true };
    const maxQueued = opts.maxQueuedBatches ?? 4;
    const threads: SendThread[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < opts.threads; i++) {
      const worker = new Worker(workerBootstrapSource(new URL('./send-worker.ts', import.meta.url), 'sending thread: '), { eval: true, workerData: init });
      let readyResolve!: () => void;
      let readyReject!: (e: Error) => void;
      ready.push(new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej))));
      let closedResolve!: (v: { report: SendWorkerReport; lateness?: Float64Array }) => void;
      let closedReject!: (e: Error) => void;
      const closed = new Promise<{ report: SendWorkerReport; lateness?: Float64Array }>((res, rej) => ((closedResolve = res), (closedReject = rej)));
      closed.catch(() => undefined);
      const thread: SendThread = { worker, writer: new BatchWriter(), queued: 0, roomWaiter: undefined, closed, failure: undefined };
      let settled = false;
      const fail = (e: Error): void => {
        thread.failure ??= e;
        readyReject(e);
        if (!settled) closedReject(e);
        settled = true;
        thread.roomWaiter?.();
      };
      worker.on('message', (m: FromSendWorker) => {
        switch (m.type) {
          case 'ready':
            readyResolve();
            break;
          case 'failed':
            fail(new SendThreadError(m.message));
            void worker.terminate();
            break;
          case 'batch-done':
            thread.queued--;
            if (m.data) thread.writer.recycle(m.data);
            if (thread.roomWaiter && thread.queued < maxQueued) {
              const w = thread.roomWaiter;
              thread.roomWaiter = undefined;
              w();
            }
            break;
          case 'socket':
            opts.onSocket?.(m.info);
            break;
          case 'warning':
            opts.onWarning?.(m.message);
            break;
          case 'closed':
            settled = true;
            closedResolve({ report: m.report, lateness: m.lateness });
            break;
        }
      });
      worker.on('error', (e) => fail(new SendThreadError(`sending thread: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!settled) fail(new SendThreadError(`sending thread exited (code ${code}) before reporting its counters`));
      });
      threads.push(thread);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(threads.map((t) => t.worker.terminate()));
      throw e;
    }
    return new ThreadedSender(opts, to, threads);
  }

  /**
   * Paced replays: the clock against which "due soon" is judged (the pacer's). Without it (topspeed)
   * datagrams travel in full batches.
   */
  useClock(clock: Clock): void {
    this.clock = clock;
  }

  /** Queues a datagram; `dueNs` (shared clock) is when it should leave, undefined = as soon as possible. */
  send(dg: UdpDatagram, dueNs?: number): void | Promise<void> {
    const dstHost = this.resolvedTo ? this.resolvedTo.host : dg.dst;
    const dstPort = this.resolvedTo ? this.resolvedTo.port : dg.dstPort;
    const key = `${dg.src}|${dg.srcPort}|${dstHost}|${dstPort}`;
    let route = this.routes.get(key);
    if (!route) route = this.defineRoute(key, dg, dstHost, dstPort);
    const thread = route.thread;
    if (thread.failure) throw thread.failure;
    const w = thread.writer;
    if (!w.fits(dg.payload.length) && w.count > 0) this.flush(thread);
    w.add(route.id, dg.wireBytes, dueNs, dg.payload);
    // Paced: an idle thread gets what is due soon (or at once) now rather than when the batch fills.
    const urgent = this.clock !== undefined && thread.queued === 0 && (dueNs === undefined || dueNs - this.clock.now() < URGENT_NS);
    if (w.count >= this.batchRecords || urgent) return this.flush(thread);
  }

  private defineRoute(key: string, dg: UdpDatagram, dstHost: string, dstPort: number): { id: number; thread: SendThread } {
    let thread = this.threadOfExporter.get(dg.src);
    if (!thread) {
      thread = this.threads[this.threadOfExporter.size % this.threads.length]!;
      this.threadOfExporter.set(dg.src, thread);
    }
    let loopback: string | undefined;
    if (this.opts.exporters === 'loopback' && !isIPv6(dstHost)) {
      loopback = this.loopbacks.get(dg.src);
      if (!loopback) {
        loopback = loopbackAddress(this.loopbacks.size);
        this.loopbacks.set(dg.src, loopback);
      }
    }
    const route = { id: this.routes.size, thread };
    this.routes.set(key, route);
    const message: ToSendWorker = {
      type: 'route',
      route: { id: route.id, src: dg.src, srcPort: dg.srcPort, dst: dstHost, dstPort, family: dg.family, loopback },
    };
    thread.worker.postMessage(message);
    return route;
  }

  private flush(thread: SendThread): void | Promise<void> {
    if (thread.writer.count === 0) return;
    const batch = thread.writer.take();
    const message: ToSendWorker = { type: 'batch', data: batch.data, length: batch.length, count: batch.count };
    thread.worker.postMessage(message, [batch.data]);
    thread.queued++;
    if (thread.queued < this.maxQueued) return;
    return new Promise<void>((resolve) => (thread.roomWaiter = resolve)).then(() => {
      if (thread.failure) throw thread.failure;
    });
  }

  /** Nothing due at or after `atNs` (shared clock) is sent (--duration). */
  setDeadline(atNs: number): void {
    for (const t of this.threads) t.worker.postMessage({ type: 'deadline', atNs } satisfies ToSendWorker);
  }

  /** Sends what is queued, closes every socket, and gathers the counters. */
  close(): Promise<void> {
    if (!this.finishing) {
      for (const t of this.threads) {
        if (!t.failure) this.flush(t)?.catch(() => undefined);
      }
      this.post({ type: 'close' });
      this.finishing = this.gather();
    }
    return this.finishing;
  }

  /**
   * Drops what is still queued (interrupted), closes every socket, gathers the counters. May be
   * called while a send() waits for room (that wait ends at once) or while close() is under way.
   */
  abort(): Promise<void> {
    if (!this.aborted) {
      this.aborted = true;
      this.post({ type: 'abort' });
      for (const t of this.threads) {
        const w = t.roomWaiter;
        t.roomWaiter = undefined;
        w?.();
      }
    }
    this.finishing ??= this.gather();
    return this.finishing;
  }

  private post(message: ToSendWorker): void {
    for (const t of this.threads) if (!t.failure) t.worker.postMessage(message);
  }

  private async gather(): Promise<void> {
    const results = await Promise.allSettled(this.threads.map((t) => t.closed));
    const lateness: number[] = [];
    let failure: Error | undefined;
    for (const r of results) {
      if (r.status === 'rejected') {
        failure ??= r.reason as Error;
        continue;
      }
      const { report } = r.value;
      const c = this.counters;
      c.successful += report.counters.successful;
      c.successfulBytes += report.counters.successfulBytes;
      c.failed += report.counters.failed;
      for (const [code, n] of Object.entries(report.counters.failedByCode)) c.failedByCode[code] = (c.failedByCode[code] ?? 0) + n;
      this.socketCount += report.sockets;
      this.dropped += report.dropped;
      this.lastSendNs = Math.max(this.lastSendNs, report.lastSendNs);
      if (r.value.lateness) for (const x of r.value.lateness) lateness.push(x);
    }
    if (this.opts.measure) this.lateness = lateness;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    if (failure) throw failure;
  }
}

/** How far ahead of the real clock a threaded replay starts: time for the threads to get their first batch and warm up. */
export const START_LEAD_NS = 50_000_000;

/**
 * A clock for planning ahead of the sending threads: waiting returns at once and moves "now" to
 * the awaited time, so a pacer run on it computes due times (and --duration cut-offs) without
 * sleeping, and a new loop pass anchors where the previous one ends, not where reading is.
 * `leadNs` puts the schedule's start that far ahead of the real clock.
 */
export function planningClock(real: Clock, leadNs = 0): Clock {
  let planned = real.now() + leadNs;
  return {
    now: () => Math.max(real.now(), planned),
    waitUntil(targetNs: number): Promise<void> {
      if (targetNs > planned) planned = targetNs;
      return Promise.resolve();
    },
  };
}
