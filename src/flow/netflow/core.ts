// What the per-protocol message parsers (v9.ts, ipfix.ts) use of the decoder: its state and the
// shared steps (template registration, data-set decoding, warnings, counters).
import type { Timestamp } from '../../event/timestamp.ts';
import type { HeaderShape } from './compile.ts';
import type { FieldSpec, TemplateFieldRef } from './field-spec.ts';
import type { RecordHeader } from './field-values.ts';
import type { NetflowOptions } from './options.ts';
import type { Template, TemplateCache } from './templates.ts';
import type { DecoderCounter, FlowSink, LogFn } from './decoder.ts';

export interface DecoderCore {
  readonly options: NetflowOptions;
  readonly templates: TemplateCache;
  readonly counters: Record<DecoderCounter, number>;
  readonly log: LogFn;
  now(): number;
  /** One warning for a malformed set: exporter, set id, byte offset, reason; counted. */
  malformed(version: 9 | 10, host: string, domain: number, setId: number, offset: number, reason: string): void;
  /** Field specs for a template, or undefined when the policy rejects it (warned). */
  buildSpecs(version: 9 | 10, host: string, domain: number, templateId: number, fields: TemplateFieldRef[], scopeCount: number): FieldSpec[] | undefined;
  registerTemplate(version: 9 | 10, host: string, domain: number, id: number, options: boolean, specs: FieldSpec[], sink: FlowSink, raw?: Buffer): void;
  /** Decodes one data set's records (at most `maxRecords`, the rest being padding); returns the number of flows. */
  decodeDataSet(t: Template, shape: HeaderShape, b: Buffer, start: number, end: number, h: RecordHeader, ts: Timestamp, host: string, domain: number, sink: FlowSink, setOffset: number, maxRecords?: number): number;
  /**
   * A data set whose template is unknown: held (pending_data) or warned like Logstash. `owed` gives
   * the records the v9 header count leaves for it (to tell short records from padding later).
   */
  noTemplate(version: 9 | 10, host: string, domain: number, setId: number, b: Buffer, start: number, end: number, h: RecordHeader, ts: Timestamp, owed?: () => number): void;
  trackSequence(version: number, host: string, label: string, domain: number, seq: number, count: number | undefined, unit: 'records' | 'packets'): void;
  ipfixShape(): HeaderShape;
}

export function allZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
