// Main-thread side of the fuzz worker: sends batches of sequences, collects findings, and
// terminates the worker when a datagram hangs (heartbeat stalled) or it runs out of memory.
import { workerBootstrapSource } from '../util/worker-bootstrap.ts';
import { Worker } from 'node:worker_threads';
import { HB_BATCH, HB_DATAGRAM, HB_SEQUENCE, HB_TICK, type CodecSpec, type Finding, type FuzzDatagram, type WorkerReply, type WorkerRequest } from './types.ts';
import { signatureOf } from './signature.ts';

export interface RunnerOptions {
  codecs: CodecSpec[];
  /** A datagram slower than this is a 'hang' finding (default 100 ms). */
  slowMs?: number;
  /** A datagram still running after this is killed (default 2000 ms). */
  killMs?: number;
  /** Heap growth over one sequence that counts as a memory finding (default 64 MiB). */
  memoryMb?: number;
  /** Worker heap limit (default 1024 MiB): exceeding it is a memory finding. */
  heapLimitMb?: number;
}

export interface SequenceFinding {
  sequence: number;
  finding: Finding;
}

export interface BatchResult {
  findings: SequenceFinding[];
  datagrams: number;
  events: number;
  /** Sequences fully run (all of them unless the worker had to be killed). */
  completed: number;
}

const WORKER_SOURCE = workerBootstrapSource(new URL('./worker.ts', import.meta.url), 'fuzz worker: ');

export class FuzzRunner {
  private worker: Worker | null = null;
  private heartbeat = new SharedArrayBuffer(16);
  private batchNo = 0;
  private readonly slowMs: number;
  private readonly killMs: number;
  private readonly memoryMb: number;
  private readonly heapLimitMb: number;
  /** Workers started (1 + restarts after hangs and crashes). */
  starts = 0;

  constructor(private readonly opts: RunnerOptions) {
    this.slowMs = opts.slowMs ?? 100;
    this.killMs = opts.killMs ?? 2000;
    this.memoryMb = opts.memoryMb ?? 64;
    this.heapLimitMb = opts.heapLimitMb ?? 1024;
  }

  private async start(): Promise<Worker> {
    if (this.worker) return this.worker;
    this.heartbeat = new SharedArrayBuffer(16);
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { heartbeat: this.heartbeat },
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb },
      stdout: true,
      stderr: true,
    });
    w.stdout.resume();
    w.stderr.resume();
    this.starts++;
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: WorkerReply): void => {
        w.off('message', onMsg);
        w.off('error', onErr);
        if (m.type === 'ready') resolve();
        else reject(new Error(m.type === 'init-error' || m.type === 'failed' ? m.message : `unexpected ${m.type} from the fuzz worker`));
      };
      const onErr = (e: Error): void => {
        w.off('message', onMsg);
        reject(e);
      };
      w.on('message', onMsg);
      w.on('error', onErr);
      const init: WorkerRequest = { type: 'init', codecs: this.opts.codecs, slowMs: this.slowMs, memoryMb: this.memoryMb };
      w.postMessage(init);
    }).catch(async (e) => {
      await w.terminate();
      throw e;
    });
    this.worker = w;
    return w;
  }

  /** Runs sequences; a hang or crash ends the batch early with a finding for the culprit sequence. */
  async run(sequences: FuzzDatagram[][]): Promise<BatchResult> {
    const w = await this.start();
    const batch = ++this.batchNo;
    const hb = new Int32Array(this.heartbeat);
    const result: BatchResult = { findings: [], datagrams: 0, events: 0, completed: 0 };
    const codecName = this.opts.codecs.map((c) => c.name).join('+');
    return new Promise<BatchResult>((resolve) => {
      let lastTick = Atomics.load(hb, HB_TICK);
      let lastChange = Date.now();
      const finish = (): void => {
        clearInterval(watch);
        w.off('message', onMsg);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(result);
      };
      const culprit = (cls: Finding['class'], message: string): void => {
        const sequence = Atomics.load(hb, HB_BATCH) === batch ? Atomics.load(hb, HB_SEQUENCE) : 0;
        const datagramIndex = Atomics.load(hb, HB_DATAGRAM);
        result.findings.push({ sequence, finding: { class: cls, codec: codecName, message, datagramIndex, signature: signatureOf(cls, codecName, message) } });
        result.completed = sequence;
      };
      const kill = (): void => {
        this.worker = null;
        void w.terminate();
        finish();
      };
      const watch = setInterval(() => {
        const tick = Atomics.load(hb, HB_TICK);
        if (tick !== lastTick) {
          lastTick = tick;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > this.killMs) {
          culprit('hang', `decoding one datagram did not finish within ${this.killMs} ms (worker terminated)`);
          kill();
        }
      }, 20);
      const onMsg = (m: WorkerReply): void => {
        if (m.type === 'finding' && m.batch === batch) result.findings.push({ sequence: m.sequence, finding: m.finding });
        else if (m.type === 'done' && m.batch === batch) {
          result.datagrams = m.datagrams;
          result.events = m.events;
          result.completed = sequences.length;
          finish();
        }
      };
      const onError = (e: Error & { code?: string }): void => {
        const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(e.message);
        culprit(oom ? 'memory' : 'exception', oom ? `worker ran out of memory (heap limit ${this.heapLimitMb} MiB)` : `worker crashed: ${e.message}`);
        this.worker = null;
        finish();
      };
      const onExit = (): void => {
        if (this.worker === w) {
          culprit('exception', 'worker exited unexpectedly');
          this.worker = null;
          finish();
        }
      };
      w.on('message', onMsg);
      w.on('error', onError);
      w.on('exit', onExit);
      const req: WorkerRequest = {
        type: 'run',
        batch,
        sequences: sequences.map((s) => ({
          payloads: s.map((d) => new Uint8Array(d.payload)),
          hosts: s.map((d) => d.host),
          ports: s.map((d) => d.port),
        })),
      };
      w.postMessage(req);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
