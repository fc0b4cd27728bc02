// What the main thread and a filter thread (`--threads N`) say to each other.
import type { ConfigOrigin } from '../../config/pipeline-config.ts';
import type { EcsCompatibility } from '../../plugins/types.ts';
import type { LogLevel } from '../log.ts';

/** workerData of a filter thread: how to build the same pipeline's filters and outputs. */
export interface FilterThreadData {
  /** 0-based; the thread's name in messages is index + 1. */
  index: number;
  origin: ConfigOrigin;
  /** Shared by the threads: held around each write to stdout (locked-stdout.ts). */
  stdoutLock: SharedArrayBuffer;
  /** The main thread ends the process when stdout's reader goes (the CLI does): the thread then only reports it. */
  stdoutClosedEndsProcess: boolean;
  batchSize: number;
  batchDelayMs: number;
  logLevel: LogLevel;
  ecsCompatibility?: EcsCompatibility;
  pipelineId?: string;
  dryRun?: boolean;
  flushIntervalMs?: number;
  dataPath?: string;
}

export type ToFilterThread =
  /** A batch of events (event-wire.ts), its buffer transferred. */
  | { type: 'batch'; bytes: Uint8Array }
  /** No more batches: drain, flush the filters, close the outputs, report, exit. */
  | { type: 'end' };

export interface ThreadTotals {
  filtered: number;
  out: number;
  dropped: number;
  failed: number;
}

/** One filter's or output's counters in one thread (stats: the instance's stats(), if it has one). */
export interface ThreadCounters {
  kind: 'filter' | 'output';
  name: string;
  id: string;
  in: number;
  out: number;
  stats?: Record<string, number>;
}

export type FromFilterThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  /** Stdout's reader has gone (EPIPE): the process ends as it does when the main thread meets it. */
  | { type: 'stdout-closed' }
  /** A batch went through the filters and outputs. */
  | { type: 'done'; events: number }
  | { type: 'final'; totals: ThreadTotals; plugins: ThreadCounters[]; outputWriteFailures: number };
