// The sflow decoder: datagram → the events the Logstash sflow codec (2.1.3) emits, one per flow
// sample and one per counter record, every value a string. A datagram is read first the codec's
// way (known records by their structure, lengths ignored, its string padding); when that read
// fails — where the codec drops the whole datagram, or raises — it is read again by its length
// fields and what is there is decoded, with a warning. Never throws on bad input.
import { Timestamp } from '../../event/timestamp.ts';
import type { FieldMap } from '../../event/values.ts';
import { readFailure, SflowAddressTypeError, SflowTruncatedError } from './errors.ts';
import { COUNTER_RECORDS, FLOW_RECORDS, RAW_PACKET_HEADER_FORMAT, SAMPLE } from './layouts.ts';
import { ALWAYS_REMOVED, DEFAULT_OPTIONAL_REMOVED } from './removed-fields.ts';
import { headerNames, PacketHeaderDecoder, type HeaderNames } from './packet-header.ts';
import { compileLayout, RecordReader, type CompiledLayout } from './records.ts';
import { ip4Text, ip6Text, u32be } from './text.ts';

export type SflowLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SflowLogFn = (level: SflowLogLevel, message: string, data?: Record<string, unknown>) => void;

export interface SflowDecoderOptions {
  /** Accepted datagram versions (the codec's `versions`, default [5]). */
  versions: readonly number[];
  /** Field names never set (merged with the codec's fixed list). */
  optional_removed_field: readonly string[];
  /**
   * flowstash: what to do where the codec drops a whole datagram (a read past its end, an unknown
   * address type): `decode` its whole samples and records by their length fields, with warnings,
   * or `drop` it as the codec does.
   */
  malformed_datagrams: 'decode' | 'drop';
}

export interface SflowDecoderHooks {
  log?: SflowLogFn;
  /** The events' @timestamp (the codec uses the decode time). */
  now?: () => Timestamp;
}

/** Where a datagram came from, for messages. */
export interface SflowSource {
  host?: string;
  port?: number;
}

/** Receives each event's fields: `@timestamp`, `@version`, then the codec's fields in its order. */
export type SflowSink = (fields: FieldMap) => void;

const SAMPLE_COUNTERS = ['flow_samples', 'counter_samples', 'expanded_flow_samples', 'expanded_counter_samples'] as const;
const FIXED_COUNTERS = [
  'datagrams', 'datagrams_ignored_version', 'datagrams_malformed', 'datagrams_recovered', 'events', 'samples',
  ...SAMPLE_COUNTERS, 'unknown_samples', 'unknown_flow_records', 'unknown_counter_records', 'truncated_samples', 'truncated_records',
  'records_raw_packet_header',
] as const;

// The reads of each sample's fixed fields (uint8 source id type, uint24 index in the compact forms).
const FLOW_READS = [4, 1, 3, 4, 4, 4, 4, 4, 4];
const EXPANDED_FLOW_READS = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4];
const COUNTER_READS = [4, 1, 3, 4];
const EXPANDED_COUNTER_READS = [4, 4, 4, 4];

/** The failing read among `reads` starting at `p`. */
function fixedFailure(what: string, p: number, reads: readonly number[], end: number): SflowTruncatedError {
  for (const n of reads) {
    if (n > end - p) return readFailure(what, p, n, end);
    p += n;
  }
  return readFailure(what, p, 0, end);
}

type FixedCounter = (typeof FIXED_COUNTERS)[number];
/** Index of each fixed counter in the decoder's count arrays; record counters follow them. */
const IX = Object.fromEntries(FIXED_COUNTERS.map((c, i) => [c, i])) as Record<FixedCounter, number>;
const RECORD_KINDS = [...FLOW_RECORDS, ...COUNTER_RECORDS].map((l) => l.kind);
const COUNTER_NAMES: readonly string[] = [...FIXED_COUNTERS, ...RECORD_KINDS.map((k) => `records_${k}`)];

const SAMPLE_TYPE = ['', 'flow_sample', 'counter_sample', 'expanded_flow_sample', 'expanded_counter_sample'] as const;

type Mode = 'logstash' | 'bounded';

interface Pass {
  mode: Mode;
  events: FieldMap[];
  warnings: string[];
}

export function resolveSflowOptions(given: Partial<SflowDecoderOptions> = {}): SflowDecoderOptions {
  return {
    versions: given.versions ?? [5],
    optional_removed_field: given.optional_removed_field ?? DEFAULT_OPTIONAL_REMOVED,
    malformed_datagrams: given.malformed_datagrams === 'drop' ? 'drop' : 'decode',
  };
}

export class SflowDecoder {
  readonly options: SflowDecoderOptions;
  private readonly log: SflowLogFn;
  private readonly now: () => Timestamp;
  /** Counts by COUNTER_NAMES index; a pass counts into `pending`, added to `counts` when it is the one kept. */
  private readonly counts = new Float64Array(COUNTER_NAMES.length);
  private readonly pending = new Float64Array(COUNTER_NAMES.length);
  private readonly removed: ReadonlySet<string>;
  private readonly names: HeaderNames;
  private readonly flowLayouts = new Map<number, CompiledLayout>();
  private readonly counterLayouts = new Map<number, CompiledLayout>();
  private readonly header: PacketHeaderDecoder;
  private readonly lsRecords = new RecordReader('logstash');
  private readonly xdrRecords = new RecordReader('xdr');
  private readonly versions: Set<number>;
  /** frame_length of the flow sample being read (-1: none yet, or removed). */
  private frameLength = -1;
  /** The last tag read by readTag. */
  private tag = 0;
  /** Zero bits a sampled header left for the next bit-field read (see PacketHeaderDecoder.phantomBits). */
  private phantomBits = 0;
  /** Where the last record header read ends (its body starts). */
  private recBody = 0;
  private recEnterprise = 0;
  private recFormat = 0;
  private recLength = 0;
  private baseTs: Timestamp = new Timestamp(0);
  private baseFast = false;
  private baseAgent = '';
  private baseType = '';
  private baseSubAgent = '';
  private baseUptime = '';
  private base: [string, string][] = [];
  /** The datagram fields are exactly agent_ip, ip_version, sub_agent_id, uptime_in_ms (the default list). */
  private readonly defaultHeaderFields: boolean;
  /** Set by knownRecord when the bounded read dropped the record. */
  private recordDropped = false;
  /** Datagram header fields, in event order, kept when not removed. */
  private readonly keep: {
    sflow_version: boolean; ip_version: boolean; sub_agent_id: boolean; sequence_number: boolean; uptime_in_ms: boolean;
    flow_sequence_number: boolean; sample_seq_number: boolean; source_id_type: boolean; source_id_index: boolean;
    sampling_rate: boolean; sample_pool: boolean; drops: boolean; input_interface: boolean; output_interface: boolean;
    input_interface_format: boolean; input_interface_value: boolean; output_interface_format: boolean; output_interface_value: boolean;
  };

  constructor(options: Partial<SflowDecoderOptions> = {}, hooks: SflowDecoderHooks = {}) {
    this.options = resolveSflowOptions(options);
    this.log = hooks.log ?? (() => {});
    this.now = hooks.now ?? Timestamp.now;
    this.versions = new Set(this.options.versions.map(Number));
    this.removed = new Set([...ALWAYS_REMOVED, ...this.options.optional_removed_field.map(String)]);
    this.names = headerNames(this.removed);
    this.header = new PacketHeaderDecoder(this.names);
    const counterIndex = (kind: string): number => FIXED_COUNTERS.length + RECORD_KINDS.indexOf(kind);
    for (const l of FLOW_RECORDS) this.flowLayouts.set(l.format, compileLayout(l, this.removed, counterIndex(l.kind)));
    for (const l of COUNTER_RECORDS) this.counterLayouts.set(l.format, compileLayout(l, this.removed, counterIndex(l.kind)));
    const k = (name: string): boolean => !this.removed.has(name);
    const keep = (this.keep = {
      sflow_version: k('sflow_version'), ip_version: k('ip_version'), sub_agent_id: k('sub_agent_id'),
      sequence_number: k('sequence_number'), uptime_in_ms: k('uptime_in_ms'), flow_sequence_number: k('flow_sequence_number'),
      sample_seq_number: k('sample_seq_number'), source_id_type: k('source_id_type'), source_id_index: k('source_id_index'),
      sampling_rate: k('sampling_rate'), sample_pool: k('sample_pool'), drops: k('drops'), input_interface: k('input_interface'),
      output_interface: k('output_interface'), input_interface_format: k('input_interface_format'),
      input_interface_value: k('input_interface_value'), output_interface_format: k('output_interface_format'),
      output_interface_value: k('output_interface_value'),
    });
    this.defaultHeaderFields = keep.ip_version && keep.sub_agent_id && keep.uptime_in_ms && !keep.sflow_version && !keep.sequence_number;
  }

  /** Datagrams, samples, records by type, unknown records, malformed datagrams, events. */
  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < COUNTER_NAMES.length; i++) out[COUNTER_NAMES[i]!] = this.counts[i]!;
    return out;
  }

  /** Decodes one datagram into event field maps. */
  decode(buf: Buffer, source: SflowSource = {}): FieldMap[] {
    const out: FieldMap[] = [];
    this.decodeInto(buf, source, (f) => out.push(f));
    return out;
  }

  /** Decodes one datagram, handing each event's fields to `sink` in order. Never throws on bad input. */
  decodeInto(buf: Buffer, source: SflowSource, sink: SflowSink): void {
    const c = this.counts;
    c[IX.datagrams]!++;
    if (buf.length < 4) {
      c[IX.datagrams_malformed]!++;
      this.log('warn', 'Invalid sflow packet received (End of file reached)', this.where(source, { bytes: buf.length, reason: 'datagram shorter than its 4-byte version field' }));
      return;
    }
    const version = u32be(buf, 0);
    if (!this.versions.has(version)) {
      c[IX.datagrams_ignored_version]!++;
      this.log('warn', `Ignoring Sflow version v${version}`, this.where(source));
      return;
    }
    const ts = this.now();
    let pass: Pass;
    try {
      pass = this.read(buf, ts, 'logstash');
    } catch (e) {
      if (!(e instanceof SflowTruncatedError || e instanceof SflowAddressTypeError)) throw e;
      c[IX.datagrams_malformed]!++;
      this.pending.fill(0);
      const lsMessage = e instanceof SflowTruncatedError
        ? `Invalid sflow packet received (${e.logstashText})`
        : `Invalid sflow packet received (selection '${e.addressType}' does not exist in :choices)`;
      if (this.options.malformed_datagrams === 'drop') {
        this.log('warn', lsMessage, this.where(source, { reason: e.message }));
        return;
      }
      pass = this.read(buf, ts, 'bounded');
      this.log('warn', lsMessage, this.where(source, {
        reason: e.message,
        recovered_events: pass.events.length,
        note: 'the Logstash codec drops this whole datagram; flowstash decoded it by its length fields',
      }));
      if (pass.events.length > 0) c[IX.datagrams_recovered]!++;
    }
    for (const w of pass.warnings) this.log('warn', w, this.where(source));
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i] !== 0) {
        c[i]! += pending[i]!;
        pending[i] = 0;
      }
    }
    c[IX.events]! += pass.events.length;
    for (const ev of pass.events) sink(ev);
  }

  private where(source: SflowSource, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { exporter: source.host ?? 'unknown', ...(source.port !== undefined ? { port: source.port } : {}), ...extra };
  }

  /**
   * One read of the datagram. `logstash`: the codec's read (throws where the codec's read fails);
   * `bounded`: samples and records bounded by their lengths, XDR padding, problems become warnings.
   */
  private read(buf: Buffer, ts: Timestamp, mode: Mode): Pass {
    const pass: Pass = { mode, events: [], warnings: [] };
    const end = buf.length;
    const bounded = mode === 'bounded';
    // ---- datagram header ----
    let p = 0;
    let agentIp: string | undefined;
    let addressType: number;
    let subAgent: number, sequence: number, uptime: number, sampleCount: number;
    try {
      if (end < 8) throw readFailure('datagram header', end < 4 ? 0 : 4, 4, end);
      addressType = u32be(buf, 4);
      p = 8;
      if (addressType === 1) {
        if (end - p < 4) throw readFailure('agent address', p, 4, end);
        agentIp = ip4Text(buf, p);
        p += 4;
      } else if (addressType === 2) {
        if (end - p < 16) throw readFailure('agent address', p, 16, end);
        agentIp = ip6Text(buf, p);
        p += 16;
      } else if (!(bounded && addressType === 0)) {
        throw new SflowAddressTypeError('agent address', 4, addressType);
      }
      if (end - p < 16) throw readFailure('datagram header', p + 4 * Math.floor(Math.max(0, end - p) / 4), 4, end);
      subAgent = u32be(buf, p);
      sequence = u32be(buf, p + 4);
      uptime = u32be(buf, p + 8);
      sampleCount = u32be(buf, p + 12);
      p += 16;
    } catch (e) {
      if (!bounded) throw e;
      if (e instanceof SflowTruncatedError || e instanceof SflowAddressTypeError) {
        pass.warnings.push(`sflow datagram header unreadable: ${e.message}; no samples decoded`);
        return pass;
      }
      throw e;
    }
    this.setBase(ts, agentIp, u32be(buf, 0), addressType, subAgent, sequence, uptime);
    // ---- samples ----
    for (let s = 0; s < sampleCount; s++) {
      const sampleStart = p;
      if (bounded && end - p < 8) {
        pass.warnings.push(`sflow datagram ends after ${s} of ${sampleCount} samples (${end - p} bytes left at byte ${p})`);
        this.pending[IX.truncated_samples]!++;
        break;
      }
      p = this.readTag(buf, p, end, bounded, s + 1);
      const tag = this.tag;
      const enterprise = tag >>> 12;
      const format = tag & 0xfff;
      if (end - p < 4) throw readFailure(`sample ${s + 1} length`, p, 4, end);
      const length = u32be(buf, p);
      p += 4;
      const sampleEnd = bounded ? p + length : end;
      if (bounded && length > end - p) {
        pass.warnings.push(`sflow sample ${s + 1} (entreprise ${enterprise}, format ${format}) at byte ${sampleStart} claims ${length} bytes, ${end - p} left; the rest of the datagram is not decoded`);
        this.pending[IX.truncated_samples]!++;
        break;
      }
      if (enterprise !== 0 || format < 1 || format > 4) {
        // `skip :length => sample_length`: a seek, which never fails by itself
        pass.warnings.push(`Unknown sample entreprise ${enterprise} - format ${format}`);
        this.pending[IX.unknown_samples]!++;
        p += length;
        continue;
      }
      this.pending[IX.samples]!++;
      this.pending[IX[SAMPLE_COUNTERS[format - 1]!]]!++;
      try {
        p = format === SAMPLE.FLOW || format === SAMPLE.EXPANDED_FLOW
          ? this.flowSample(buf, p, sampleEnd, format, s + 1, pass)
          : this.counterSample(buf, p, sampleEnd, format, s + 1, pass);
      } catch (e) {
        if (!bounded || !(e instanceof SflowTruncatedError || e instanceof SflowAddressTypeError)) throw e;
        pass.warnings.push(`sflow ${SAMPLE_TYPE[format]} ${s + 1} at byte ${sampleStart} is cut short: ${e.message}`);
        this.pending[IX.truncated_samples]!++;
      }
      if (bounded) p = sampleEnd;
    }
    return pass;
  }

  /**
   * A sample or record tag (`bit20` enterprise, `bit12` format) into `this.tag`; returns the offset
   * after it. The codec reads it as bit fields, so zero bits left over by a sampled header come first.
   */
  private readTag(buf: Buffer, p: number, end: number, bounded: boolean, index: number): number {
    const k = bounded ? 0 : this.phantomBits;
    if (k === 0 && end - p >= 4) {
      this.tag = u32be(buf, p);
      return p + 4;
    }
    this.phantomBits = 0;
    if (k >= 32) {
      this.tag = 0;
      return p;
    }
    const bytes = Math.ceil((32 - k) / 8);
    if (bytes > end - p) throw readFailure(`tag of sample/record ${index}`, p, bytes, end, Infinity, true);
    let v = 0;
    for (let i = 0; i < bytes; i++) v = v * 256 + buf[p + i]!;
    this.tag = k === 0 ? v : Math.floor(v / 2 ** (bytes * 8 - (32 - k)));
    return p + bytes;
  }

  /** The datagram fields every event starts with, in the codec's order. */
  private setBase(ts: Timestamp, agentIp: string | undefined, version: number, addressType: number, subAgent: number, sequence: number, uptime: number): void {
    this.baseTs = ts;
    const keep = this.keep;
    this.baseFast = agentIp !== undefined && this.defaultHeaderFields;
    this.baseAgent = agentIp ?? '';
    this.baseType = String(addressType);
    this.baseSubAgent = String(subAgent);
    this.baseUptime = String(uptime);
    const base: [string, string][] = [];
    if (!this.baseFast) {
      if (agentIp !== undefined) base.push(['agent_ip', agentIp]);
      if (keep.sflow_version) base.push(['sflow_version', String(version)]);
      if (keep.ip_version) base.push(['ip_version', this.baseType]);
      if (keep.sub_agent_id) base.push(['sub_agent_id', this.baseSubAgent]);
      if (keep.sequence_number) base.push(['sequence_number', String(sequence)]);
      if (keep.uptime_in_ms) base.push(['uptime_in_ms', this.baseUptime]);
    }
    this.base = base;
  }

  private newEvent(): FieldMap {
    if (this.baseFast) {
      return { '@timestamp': this.baseTs, '@version': '1', agent_ip: this.baseAgent, ip_version: this.baseType, sub_agent_id: this.baseSubAgent, uptime_in_ms: this.baseUptime };
    }
    const f: FieldMap = { '@timestamp': this.baseTs, '@version': '1' };
    const base = this.base;
    for (let i = 0; i < base.length; i++) f[base[i]![0]] = base[i]![1];
    return f;
  }

  private flowSample(
    buf: Buffer, p: number, end: number, format: number, index: number, pass: Pass,
  ): number {
    const expanded = format === SAMPLE.EXPANDED_FLOW;
    const fixed = expanded ? 44 : 32;
    if (fixed > end - p) throw fixedFailure(`${SAMPLE_TYPE[format]} ${index} header`, p, expanded ? EXPANDED_FLOW_READS : FLOW_READS, end);
    const keep = this.keep;
    const ev = this.newEvent();
    const start = p;
    this.frameLength = -1;
    if (keep.flow_sequence_number) ev['flow_sequence_number'] = String(u32be(buf, p + 0));
    if (expanded) {
      if (keep.source_id_type) ev['source_id_type'] = String(u32be(buf, p + 4));
      if (keep.source_id_index) ev['source_id_index'] = String(u32be(buf, p + 8));
      if (keep.sampling_rate) ev['sampling_rate'] = String(u32be(buf, p + 12));
      if (keep.sample_pool) ev['sample_pool'] = String(u32be(buf, p + 16));
      if (keep.drops) ev['drops'] = String(u32be(buf, p + 20));
      if (keep.input_interface_format) ev['input_interface_format'] = String(u32be(buf, p + 24));
      if (keep.input_interface_value) ev['input_interface_value'] = String(u32be(buf, p + 28));
      if (keep.output_interface_format) ev['output_interface_format'] = String(u32be(buf, p + 32));
      if (keep.output_interface_value) ev['output_interface_value'] = String(u32be(buf, p + 36));
    } else {
      if (keep.source_id_type) ev['source_id_type'] = String(buf[p + 4]!);
      if (keep.source_id_index) ev['source_id_index'] = String((buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!);
      if (keep.sampling_rate) ev['sampling_rate'] = String(u32be(buf, p + 8));
      if (keep.sample_pool) ev['sample_pool'] = String(u32be(buf, p + 12));
      if (keep.drops) ev['drops'] = String(u32be(buf, p + 16));
      if (keep.input_interface) ev['input_interface'] = String(u32be(buf, p + 20));
      if (keep.output_interface) ev['output_interface'] = String(u32be(buf, p + 24));
    }
    const recordCount = u32be(buf, p + fixed - 4);
    p += fixed;
    const bounded = pass.mode === 'bounded';
    for (let r = 0; r < recordCount; r++) {
      if (!this.recordHeader(buf, p, end, index, r, recordCount, pass)) break;
      const enterprise = this.recEnterprise;
      const recFormat = this.recFormat;
      const length = this.recLength;
      const body = this.recBody;
      const recEnd = body + length;
      if (enterprise === 0 && recFormat === RAW_PACKET_HEADER_FORMAT) {
        this.pending[IX.records_raw_packet_header]!++;
        p = this.rawPacketHeader(buf, body, length, ev, pass, `flow sample ${index} record ${r + 1}`);
        continue;
      }
      const layout = enterprise === 0 ? this.flowLayouts.get(recFormat) : undefined;
      if (!layout) {
        pass.warnings.push(`Unknown sample_flow record: entreprise ${enterprise}, format ${recFormat}`);
        this.pending[IX.unknown_flow_records]!++;
        p = recEnd;
        continue;
      }
      this.pending[layout.counterIndex]!++;
      p = this.knownRecord(buf, body, recEnd, end, layout, ev, pass, `flow sample ${index} record ${r + 1}`);
      if (bounded) p = recEnd;
    }
    // frame_length comes only from raw packet header records (the last one wins), sampling_rate only from here.
    if (this.frameLength >= 0 && keep.sampling_rate) {
      const rate = u32be(buf, start + (expanded ? 12 : 8));
      const product = this.frameLength * rate;
      ev['frame_length_times_sampling_rate'] = Number.isSafeInteger(product) ? product : BigInt(this.frameLength) * BigInt(rate);
    }
    ev['sflow_type'] = SAMPLE_TYPE[format]!;
    pass.events.push(ev);
    return p;
  }

  private counterSample(
    buf: Buffer, p: number, end: number, format: number, index: number, pass: Pass,
  ): number {
    const expanded = format === SAMPLE.EXPANDED_COUNTER;
    const fixed = expanded ? 16 : 12;
    if (fixed > end - p) throw fixedFailure(`${SAMPLE_TYPE[format]} ${index} header`, p, expanded ? EXPANDED_COUNTER_READS : COUNTER_READS, end);
    const keep = this.keep;
    const head: [string, string][] = [];
    if (keep.sample_seq_number) head.push(['sample_seq_number', String(u32be(buf, p))]);
    if (expanded) {
      if (keep.source_id_type) head.push(['source_id_type', String(u32be(buf, p + 4))]);
      if (keep.source_id_index) head.push(['source_id_index', String(u32be(buf, p + 8))]);
    } else {
      if (keep.source_id_type) head.push(['source_id_type', String(buf[p + 4]!)]);
      if (keep.source_id_index) head.push(['source_id_index', String((buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!)]);
    }
    const recordCount = u32be(buf, p + fixed - 4);
    p += fixed;
    const bounded = pass.mode === 'bounded';
    const type = SAMPLE_TYPE[format]!;
    const events: FieldMap[] = [];
    for (let r = 0; r < recordCount; r++) {
      if (!this.recordHeader(buf, p, end, index, r, recordCount, pass)) break;
      const enterprise = this.recEnterprise;
      const recFormat = this.recFormat;
      const length = this.recLength;
      const body = this.recBody;
      const recEnd = body + length;
      const layout = enterprise === 0 ? this.counterLayouts.get(recFormat) : undefined;
      if (!layout) {
        pass.warnings.push(`Unknown counter_flow record: entreprise ${enterprise}, format ${recFormat}`);
        this.pending[IX.unknown_counter_records]!++;
        p = recEnd;
        continue;
      }
      this.pending[layout.counterIndex]!++;
      const ev = this.newEvent();
      for (const [k, v] of head) ev[k] = v;
      p = this.knownRecord(buf, body, recEnd, end, layout, ev, pass, `counter sample ${index} record ${r + 1}`);
      if (bounded) p = recEnd;
      if (this.recordDropped) continue;
      ev['sflow_type'] = type;
      events.push(ev);
    }
    for (const ev of events) pass.events.push(ev);
    return p;
  }

  /** Reads a record's tag and length into recEnterprise/recFormat/recLength; false (with a warning) when the bounded read finds no room for it. */
  private recordHeader(
    buf: Buffer, p: number, end: number, sample: number, r: number, count: number, pass: Pass,
  ): boolean {
    if (pass.mode === 'bounded' && 8 > end - p) {
      pass.warnings.push(`sflow sample ${sample} ends after ${r} of ${count} records (${end - p} bytes left at byte ${p})`);
      this.pending[IX.truncated_records]!++;
      return false;
    }
    const at = p;
    p = this.readTag(buf, p, end, pass.mode === 'bounded', r + 1);
    const tag = this.tag;
    if (4 > end - p) throw readFailure(`sample ${sample} record ${r + 1} length`, p, 4, end);
    const length = u32be(buf, p);
    p += 4;
    if (pass.mode === 'bounded' && length > end - p) {
      pass.warnings.push(`sflow sample ${sample} record ${r + 1} (entreprise ${tag >>> 12}, format ${tag & 0xfff}) at byte ${at} claims ${length} bytes, ${end - p} left in the sample; the sample's other records are not decoded`);
      this.pending[IX.truncated_records]!++;
      return false;
    }
    this.recEnterprise = tag >>> 12;
    this.recFormat = tag & 0xfff;
    this.recLength = length;
    this.recBody = p;
    return true;
  }

  /**
   * A known record. The codec reads it by its structure, from `body` up to the datagram's end; the
   * bounded read stops at the record's end and drops a record cut short (with a warning).
   */
  private knownRecord(
    buf: Buffer, body: number, recEnd: number, end: number, layout: CompiledLayout, ev: FieldMap, pass: Pass, what: string,
  ): number {
    this.recordDropped = false;
    if (pass.mode === 'logstash') return this.lsRecords.read(buf, body, end, layout, ev);
    const tmp: FieldMap = {};
    try {
      const p = this.xdrRecords.read(buf, body, recEnd, layout, tmp);
      for (const k of Object.keys(tmp)) ev[k] = tmp[k]!;
      return p;
    } catch (e) {
      if (!(e instanceof SflowTruncatedError || e instanceof SflowAddressTypeError)) throw e;
      pass.warnings.push(`sflow ${what} (${layout.kind}) is cut short and was dropped: ${e.message}`);
      this.pending[IX.truncated_records]!++;
      this.recordDropped = true;
      return recEnd;
    }
  }

  /** Flow record 1: fixed fields, then the sampled header; always exactly `length` bytes (a BinData::Buffer). */
  private rawPacketHeader(buf: Buffer, body: number, length: number, ev: FieldMap, pass: Pass, what: string): number {
    const n = this.names;
    const bufEnd = body + length;
    // The codec reads the record as a BinData::Buffer of record_length bytes: reads inside it fail
    // past the datagram's end or the record's; what the header leaves unread is skipped. The bounded
    // read has already checked the record lies inside its sample.
    const dataEnd = pass.mode === 'logstash' ? buf.length : bufEnd;
    if (16 > Math.min(bufEnd, dataEnd) - body) {
      const failing = body + 4 * Math.floor(Math.max(0, Math.min(bufEnd, dataEnd) - body) / 4);
      if (pass.mode === 'logstash') throw readFailure(`${what} (raw_packet_header)`, failing, 4, dataEnd, bufEnd);
      pass.warnings.push(`sflow ${what} (raw_packet_header) has ${length} bytes, fewer than its 16-byte fixed part; dropped`);
      this.pending[IX.truncated_records]!++;
      return bufEnd;
    }
    const protocol = u32be(buf, body);
    if (n.protocol) ev.protocol = String(protocol);
    if (n.frame_length) {
      this.frameLength = u32be(buf, body + 4);
      ev.frame_length = String(this.frameLength);
    }
    if (n.stripped) ev.stripped = String(u32be(buf, body + 8));
    const headerSize = u32be(buf, body + 12);
    if (n.header_size) ev.header_size = String(headerSize);
    let p: number;
    try {
      p = this.header.decode(buf, body + 16, bufEnd, dataEnd, protocol, headerSize, ev);
      if (pass.mode === 'logstash') this.phantomBits = this.header.phantomBits;
    } catch (e) {
      if (pass.mode === 'logstash' || !(e instanceof SflowTruncatedError)) throw e;
      pass.warnings.push(`sflow ${what} (raw_packet_header): sampled header decoded up to a cut: ${e.message}`);
      return bufEnd;
    }
    if (pass.mode === 'bounded') return bufEnd;
    // The buffer's closing read takes what is left of the record, up to the datagram's end.
    return p < dataEnd ? Math.min(bufEnd, dataEnd) : p;
  }

}
