// Shapes shared by the fuzzer's main thread and its worker.
import type { BootstrapFailure } from '../util/worker-bootstrap.ts';

/** One datagram as fed to a codec. */
export interface FuzzDatagram {
  payload: Buffer;
  /** Exporter address (the codec scopes templates by it). */
  host: string;
  port: number;
}

/** A codec to fuzz: a registered codec plugin and its resolved options. */
export interface CodecSpec {
  name: string;
  options: Record<string, unknown>;
  /** Where it came from (`--codec netflow`, or `conf/x.conf:3:5 input udp`). */
  origin: string;
  /** A module URL exporting `create(options, ctx): Codec`, used instead of the plugin list (tests, custom codecs). */
  module?: string;
}

export type FindingClass = 'exception' | 'hang' | 'memory';

export interface Finding {
  class: FindingClass;
  /** Groups findings: class, codec, normalized message and the first project stack frame. */
  signature: string;
  codec: string;
  message: string;
  stack?: string;
  /** Index of the datagram being decoded when it happened. */
  datagramIndex: number;
}

/** Main → worker. */
export type WorkerRequest =
  | { type: 'init'; codecs: CodecSpec[]; slowMs: number; memoryMb: number }
  | { type: 'run'; batch: number; sequences: { payloads: Uint8Array[]; hosts: string[]; ports: number[] }[] };

/** Worker → main. */
export type WorkerReply =
  | BootstrapFailure
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'finding'; batch: number; sequence: number; finding: Finding }
  | { type: 'done'; batch: number; datagrams: number; events: number };

/** Heartbeat slots in the shared Int32Array. */
export const HB_BATCH = 0;
export const HB_SEQUENCE = 1;
export const HB_DATAGRAM = 2;
export const HB_TICK = 3;
