// An sFlow v5 encoder (XDR, big-endian) for synth, round-trip properties and fuzz seeds: datagram
// header, (expanded) flow and counter samples, records written from the same layouts the decoder
// reads, opaque samples/records for anything else. Strings are padded the XDR way.
import { COUNTER_RECORD_BY_FORMAT, FLOW_RECORD_BY_FORMAT, SAMPLE, type FieldOp } from './layouts.ts';

export type RecordValue = string | number | bigint | readonly number[] | Buffer | RecordValues | readonly AsPathSegment[] | readonly HostAdapter[];
export interface RecordValues {
  [name: string]: RecordValue | undefined;
}
export interface AsPathSegment {
  type: number;
  asns: readonly number[];
}
export interface HostAdapter {
  ifIndex: number;
  macs: readonly string[];
}

/** Flow record 1: a sampled packet header. `header_size` is header.length; the record is padded to 4. */
export interface RawHeaderRecordSpec {
  format: 1;
  protocol: number;
  frameLength: number;
  stripped: number;
  header: Buffer;
}
/** A record written from its layout; values by the event names, addresses of `addr` fields under `<name>.address`. */
export interface LayoutRecordSpec {
  format: number;
  values: RecordValues;
}
/** Any record, bytes as given (unknown formats, enterprise records). */
export interface OpaqueRecordSpec {
  enterprise: number;
  format: number;
  data: Buffer;
}
export type FlowRecordSpec = RawHeaderRecordSpec | LayoutRecordSpec | OpaqueRecordSpec;
export type CounterRecordSpec = LayoutRecordSpec | OpaqueRecordSpec;

export interface FlowSampleSpec {
  kind: 'flow';
  expanded?: boolean;
  sequence: number;
  sourceIdType: number;
  sourceIdIndex: number;
  samplingRate: number;
  samplePool: number;
  drops: number;
  input: number;
  output: number;
  /** Expanded samples: interface formats (default 0). */
  inputFormat?: number;
  outputFormat?: number;
  records: readonly FlowRecordSpec[];
}
export interface CounterSampleSpec {
  kind: 'counter';
  expanded?: boolean;
  sequence: number;
  sourceIdType: number;
  sourceIdIndex: number;
  records: readonly CounterRecordSpec[];
}
export interface OpaqueSampleSpec {
  kind: 'opaque';
  enterprise: number;
  format: number;
  data: Buffer;
}
export type SampleSpec = FlowSampleSpec | CounterSampleSpec | OpaqueSampleSpec;

export interface DatagramSpec {
  version?: number;
  /** IPv4 or IPv6 text. */
  agent: string;
  subAgentId: number;
  sequence: number;
  uptimeMs: number;
  samples: readonly SampleSpec[];
}

export class SflowEncodeError extends Error {
  constructor(what: string, why: string) {
    super(`sflow encode: ${what}: ${why}`);
    this.name = 'SflowEncodeError';
  }
}

/** A growable big-endian byte writer. */
class Writer {
  buf = Buffer.alloc(1024);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  u64(v: number | bigint): void {
    this.room(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)), this.len);
    this.len += 8;
  }
  f32(v: number): void {
    this.room(4);
    this.buf.writeFloatBE(v, this.len);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  zeros(n: number): void {
    this.room(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  pad4(): void {
    this.zeros((4 - (this.len % 4)) % 4);
  }
  /** Reserves a uint32 to fill later (a length). */
  mark(): number {
    this.u32(0);
    return this.len - 4;
  }
  fill(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

export function ip4Bytes(text: string): Buffer {
  const parts = text.split('.');
  if (parts.length !== 4) throw new SflowEncodeError(`address '${text}'`, 'not IPv4 dotted text');
  return Buffer.from(parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new SflowEncodeError(`address '${text}'`, 'not IPv4 dotted text');
    return n;
  }));
}

export function ip6Bytes(text: string): Buffer {
  let head = text;
  let tailV4: Buffer | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = ip4Bytes(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [l, r] = head.includes('::') ? head.split('::') as [string, string] : [head, undefined];
  const left = l === '' ? [] : l.split(':');
  const right = r === undefined || r === '' ? [] : r.split(':');
  const groups = r === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) throw new SflowEncodeError(`address '${text}'`, 'not IPv6 text');
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new SflowEncodeError(`address '${text}'`, 'not IPv6 text');
    out.writeUInt16BE(v, i * 2);
  });
  if (tailV4) tailV4.copy(out, 12);
  return out;
}

export function macBytes(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw new SflowEncodeError(`MAC '${text}'`, 'not aa:bb:cc:dd:ee:ff');
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

function num(values: RecordValues, name: string, what: string): number {
  const v = values[name];
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  throw new SflowEncodeError(`${what}.${name}`, 'not a number');
}

function writeOps(w: Writer, ops: readonly FieldOp[], values: RecordValues, what: string): void {
  for (const op of ops) {
    switch (op.t) {
      case 'u32': w.u32(num(values, op.name, what)); break;
      case 'u8': w.u8(num(values, op.name, what)); break;
      case 'f32': w.f32(num(values, op.name, what)); break;
      case 'u64': {
        const v = values[op.name];
        w.u64(typeof v === 'bigint' ? v : typeof v === 'string' ? BigInt(v) : typeof v === 'number' ? BigInt(Math.trunc(v)) : 0n);
        break;
      }
      case 'mac': w.bytes(macBytes(String(values[op.name] ?? '00:00:00:00:00:00'))); break;
      case 'ip4': w.bytes(ip4Bytes(String(values[op.name] ?? '0.0.0.0'))); break;
      case 'ip6': w.bytes(ip6Bytes(String(values[op.name] ?? '::'))); break;
      case 'skip': w.zeros(op.bytes); break;
      case 'uuid': {
        const v = values['uuid'];
        w.bytes(Buffer.isBuffer(v) && v.length === 16 ? v : Buffer.alloc(16));
        break;
      }
      case 'str': {
        const b = Buffer.from(String(values[op.name] ?? ''), 'utf8');
        w.u32(b.length);
        w.bytes(b);
        w.pad4();
        break;
      }
      case 'addr': {
        const address = String(values[`${op.name}.address`] ?? '0.0.0.0');
        const v6 = address.includes(':');
        w.u32(v6 ? 2 : 1);
        w.bytes(v6 ? ip6Bytes(address) : ip4Bytes(address));
        break;
      }
      case 'u32list': {
        const list = (values[op.name] ?? []) as readonly number[];
        w.u32(list.length);
        for (const v of list) w.u32(v);
        break;
      }
      case 'aspaths': {
        const segs = (values[op.name] ?? []) as readonly AsPathSegment[];
        w.u32(segs.length);
        for (const s of segs) {
          w.u32(s.type);
          w.u32(s.asns.length);
          for (const a of s.asns) w.u32(a);
        }
        break;
      }
      case 'adapters': {
        const list = (values[op.name] ?? []) as readonly HostAdapter[];
        w.u32(list.length);
        for (const a of list) {
          w.u32(a.ifIndex);
          w.u32(a.macs.length);
          for (const m of a.macs) {
            w.bytes(macBytes(m));
            w.zeros(2);
          }
        }
        break;
      }
      case 'nested': writeOps(w, op.layout, (values[op.name] ?? {}) as RecordValues, `${what}.${op.name}`); break;
    }
  }
}

function writeRecord(w: Writer, rec: FlowRecordSpec, flow: boolean): void {
  if ('data' in rec) {
    w.u32(((rec.enterprise & 0xfffff) << 12 | (rec.format & 0xfff)) >>> 0);
    w.u32(rec.data.length);
    w.bytes(rec.data);
    return;
  }
  w.u32(rec.format & 0xfff);
  const lengthAt = w.mark();
  const start = w.len;
  if ('header' in rec) {
    w.u32(rec.protocol);
    w.u32(rec.frameLength);
    w.u32(rec.stripped);
    w.u32(rec.header.length);
    w.bytes(rec.header);
    w.pad4();
  } else {
    const layout = (flow ? FLOW_RECORD_BY_FORMAT : COUNTER_RECORD_BY_FORMAT).get(rec.format);
    if (!layout) throw new SflowEncodeError(`${flow ? 'flow' : 'counter'} record format ${rec.format}`, 'no layout; give it as { enterprise, format, data }');
    writeOps(w, layout.fields, rec.values, layout.kind);
  }
  w.fill(lengthAt, w.len - start);
}

function writeSample(w: Writer, s: SampleSpec): void {
  if (s.kind === 'opaque') {
    w.u32(((s.enterprise & 0xfffff) << 12 | (s.format & 0xfff)) >>> 0);
    w.u32(s.data.length);
    w.bytes(s.data);
    return;
  }
  const format = s.kind === 'flow' ? (s.expanded ? SAMPLE.EXPANDED_FLOW : SAMPLE.FLOW) : s.expanded ? SAMPLE.EXPANDED_COUNTER : SAMPLE.COUNTER;
  w.u32(format);
  const lengthAt = w.mark();
  const start = w.len;
  w.u32(s.sequence);
  if (s.expanded) {
    w.u32(s.sourceIdType);
    w.u32(s.sourceIdIndex);
  } else {
    w.u32(((s.sourceIdType & 0xff) << 24 | (s.sourceIdIndex & 0xffffff)) >>> 0);
  }
  if (s.kind === 'flow') {
    w.u32(s.samplingRate);
    w.u32(s.samplePool);
    w.u32(s.drops);
    if (s.expanded) {
      w.u32(s.inputFormat ?? 0);
      w.u32(s.input);
      w.u32(s.outputFormat ?? 0);
      w.u32(s.output);
    } else {
      w.u32(s.input);
      w.u32(s.output);
    }
  }
  w.u32(s.records.length);
  for (const r of s.records) writeRecord(w, r, s.kind === 'flow');
  w.fill(lengthAt, w.len - start);
}

/** One sFlow v5 datagram. */
export function encodeSflowDatagram(d: DatagramSpec): Buffer {
  const w = new Writer();
  w.u32(d.version ?? 5);
  const v6 = d.agent.includes(':');
  w.u32(v6 ? 2 : 1);
  w.bytes(v6 ? ip6Bytes(d.agent) : ip4Bytes(d.agent));
  w.u32(d.subAgentId);
  w.u32(d.sequence);
  w.u32(d.uptimeMs);
  w.u32(d.samples.length);
  for (const s of d.samples) writeSample(w, s);
  return w.done();
}
