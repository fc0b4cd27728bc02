// What a synth profile is: per-exporter encoders turning flows into export datagrams.
import type { FieldInput } from '../flow/netflow/encode/index.ts';
import type { SyntheticFlow } from './flows.ts';
import type { Prng } from './prng.ts';

/** A data record as it was put on the wire (values keyed by field name), for tests and `--records`. */
export interface GeneratedRecord {
  exporter: number;
  /** 'ipfix' | 'v9' | 'v5' | 'sflow' */
  protocol: 'ipfix' | 'v9' | 'v5' | 'sflow';
  /** Template id (0 for v5). */
  templateId: number;
  /** True for options data (sampling, interface names, ...). */
  options: boolean;
  values: Record<string, FieldInput>;
}

/** The datagrams of one export, each with the records it carries (in wire order). */
export type ExportBatch = { payload: Buffer; records: GeneratedRecord[] }[];

export interface ProfileExporter {
  /** Encodes the flows (ended at or before nowUs), with templates first when `withTemplates`. */
  export(flows: SyntheticFlow[], nowUs: number, withTemplates: boolean): ExportBatch;
}

export interface ExporterContext {
  index: number;
  rng: Prng;
  /** Microseconds since the epoch when the capture starts. */
  startUs: number;
  /** Largest UDP payload to produce. */
  maxPayload: number;
  interfaces: number;
}

export interface SynthProfile {
  name: string;
  description: string;
  protocol: 'ipfix' | 'v9' | 'v5' | 'sflow';
  defaultPort: number;
  /** Whether template refresh applies (not for v5). */
  usesTemplates: boolean;
  /** About how many flow records fill one datagram: an exporter sends as soon as it has this many. */
  recordsPerDatagram: number;
  createExporter(ctx: ExporterContext): ProfileExporter;
}
