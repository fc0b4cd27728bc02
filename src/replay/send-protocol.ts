// Messages between `flowstash replay` and its sending threads (replay-send-threads.ts ⇄ replay-send-worker.ts).
import type { Endpoint, ExporterBinding, ExporterSocketInfo, SenderCounters } from './sender.ts';

export interface SendWorkerInit {
  /** Already resolved to an address. */
  to?: Endpoint;
  exporters: ExporterBinding;
  /** process.hrtime.bigint() of the main thread's clock origin: due times count from it. */
  originNs: bigint;
  /** Keep each scheduled datagram's lateness (for accuracy reports). */
  measure: boolean;
}

/** One socket key: an exporter address:port sending to one destination. */
export interface RouteDefinition {
  id: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  family: 4 | 6;
  /** `loopback` mode: this exporter's 127.0.0.x, numbered by the main thread. */
  loopback?: string;
}

export type ToSendWorker =
  | { type: 'route'; route: RouteDefinition }
  | { type: 'batch'; data: ArrayBuffer; length: number; count: number }
  /** Nothing due at or after this time (ns on the shared clock) is sent: --duration. */
  | { type: 'deadline'; atNs: number }
  /** Send what is queued, close the sockets, report. */
  | { type: 'close' }
  /** Drop what is queued (interrupted), close, report. */
  | { type: 'abort' };

export interface SendWorkerReport {
  counters: SenderCounters;
  /** Datagrams handed to the kernel or counted failed, and those dropped unsent (deadline, abort). */
  handled: number;
  dropped: number;
  /** Shared-clock time right after the last send (0 if none). */
  lastSendNs: number;
  sockets: number;
}

export type FromSendWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  /** A batch is done (the main thread may send another); its buffer comes back for reuse. */
  | { type: 'batch-done'; handled: number; data?: ArrayBuffer }
  | { type: 'socket'; info: ExporterSocketInfo }
  | { type: 'warning'; message: string }
  | { type: 'closed'; report: SendWorkerReport; lateness?: Float64Array };
