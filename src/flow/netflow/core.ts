// What the per-protocol message parsers (v9.ts, ipfix.ts) use of the decoder: its state and the
// shared steps (template registration, data-set decoding, warnings, counters).
import type { Timestamp } from '../../event/timestamp.ts';
import type { HeaderShape } from './compile.ts';
import type { FieldSpec, TemplateFieldRef } from './field-spec.ts';
import type { RecordHeader } from './field-values.ts';
import type { NetflowOptions } from './options.ts';
import type { Template, TemplateCache } from './templates.ts';
import type { DecoderCounter, FlowSink, LogFn } from './decoder.ts';
import type { FlowProblem } from './problems.ts';

/** Whose templates and sequence numbers a message speaks of. */
export interface ExporterScope {
  version: 9 | 10;
  /** Exporter address. */
  host: string;
  /** Source id (v9) or observation domain (IPFIX). */
  domain: number;
}

/** One v9/IPFIX message being decoded: its exporter scope, record header, export time and flow sink. */
export interface MessageContext extends ExporterScope {
  /** `flowsetId` is set to each data set's id before the set is decoded. */
  header: RecordHeader;
  timestamp: Timestamp;
  sink: FlowSink;
}

/** A set's records: `bytes[start, end)`; `start` is also the byte offset problems name. */
export interface SetSpan {
  bytes: Buffer;
  start: number;
  end: number;
}

export interface DecoderCore {
  readonly options: NetflowOptions;
  readonly templates: TemplateCache;
  readonly counters: Record<DecoderCounter, number>;
  readonly log: LogFn;
  now(): number;
  /** Counts the problem by kind and logs its text. */
  problem(p: FlowProblem): void;
  /** A malformed set: exporter, set id, byte offset, reason; counted. */
  malformed(scope: ExporterScope, setId: number, offset: number, reason: string): void;
  /** Field specs for a template, or undefined when the policy rejects it (warned). */
  buildSpecs(scope: ExporterScope, templateId: number, fields: TemplateFieldRef[], scopeCount: number): FieldSpec[] | undefined;
  registerTemplate(msg: MessageContext, id: number, options: boolean, specs: FieldSpec[], raw?: Buffer): void;
  /** Decodes one data set's records (at most `maxRecords`, the rest being padding); returns the number of flows. */
  decodeDataSet(t: Template, shape: HeaderShape, msg: MessageContext, set: SetSpan, maxRecords?: number): number;
  /**
   * A data set whose template is unknown (its id is `msg.header.flowsetId`): held (pending_data) or
   * warned like Logstash. `owed` gives the records the v9 header count leaves for it (to tell short
   * records from padding later).
   */
  noTemplate(msg: MessageContext, set: SetSpan, owed?: () => number): void;
  trackSequence(version: number, host: string, label: string, domain: number, seq: number, count: number | undefined, unit: 'records' | 'packets'): void;
  ipfixShape(): HeaderShape;
}

export function allZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
