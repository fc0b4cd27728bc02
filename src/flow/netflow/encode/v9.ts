// NetFlow v9 export packets (RFC 3954): header, template / options template / data flowsets, 4-byte padding.
import { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import { encodeRecord, type FieldEncodeOptions } from './field-values.ts';
import { writeV9OptionsTemplateRecord, writeV9TemplateRecord } from './template-records.ts';
import type { RecordInput, Template } from './types.ts';
import { v9TypeLookup, withTypeLookup } from './elements.ts';

export const V9_VERSION = 9;
export const V9_HEADER_LENGTH = 20;
export const V9_TEMPLATE_FLOWSET_ID = 0;
export const V9_OPTIONS_TEMPLATE_FLOWSET_ID = 1;

export type V9FlowSet =
  | { type: 'template'; templates: Template[] }
  /** Each template's first scopeFieldCount fields are scope fields (type 1 system … 5 template). */
  | { type: 'optionsTemplate'; templates: Template[] }
  | { type: 'data'; template: Template; records: RecordInput[] }
  | { type: 'raw'; flowSetId: number; body: Uint8Array; recordCount?: number };

export interface V9Packet {
  /** Milliseconds since the exporter booted. */
  sysUptime: number;
  unixSeconds: number;
  /** Packets sent before this one by this exporter, mod 2^32. */
  sequenceNumber: number;
  sourceId: number;
  flowSets: V9FlowSet[];
  /** Header count; default: the number of template, options template and data records. */
  count?: number;
  /** Pad every flowset to a 4-byte boundary (default true, as RFC 3954 recommends). */
  pad?: boolean;
}

export function countV9Records(p: V9Packet): number {
  let n = 0;
  for (const fs of p.flowSets) {
    if (fs.type === 'data') n += fs.records.length;
    else if (fs.type === 'raw') n += fs.recordCount ?? 0;
    else n += fs.templates.length;
  }
  return n;
}

function writeFlowSet(w: ByteWriter, fs: V9FlowSet, index: number, pad: boolean, opts: FieldEncodeOptions): void {
  const start = w.length;
  const where = (): string => `v9 flowset ${index}`;
  switch (fs.type) {
    case 'template':
      w.u16(V9_TEMPLATE_FLOWSET_ID);
      w.reserve(2);
      for (const t of fs.templates) writeV9TemplateRecord(w, t);
      break;
    case 'optionsTemplate':
      w.u16(V9_OPTIONS_TEMPLATE_FLOWSET_ID);
      w.reserve(2);
      for (const t of fs.templates) writeV9OptionsTemplateRecord(w, t);
      break;
    case 'data':
      w.u16(fs.template.id);
      w.reserve(2);
      fs.records.forEach((r, i) => encodeRecord(w, fs.template, r, opts, () => `${where()} record ${i}`));
      break;
    case 'raw':
      if (!Number.isInteger(fs.flowSetId) || fs.flowSetId < 0 || fs.flowSetId > 65535) {
        throw new EncodeError(`flowset id ${fs.flowSetId} outside 0…65535`, where());
      }
      w.u16(fs.flowSetId);
      w.reserve(2);
      w.bytes(fs.body);
      break;
  }
  if (pad) w.zeros((4 - ((w.length - start) % 4)) % 4);
  const len = w.length - start;
  if (len > 65535) throw new EncodeError(`flowset of ${len} bytes exceeds 65535`, where());
  w.patchU16(start + 2, len);
}

export function encodeV9Packet(p: V9Packet, options: FieldEncodeOptions = {}): Buffer {
  const opts = withTypeLookup(options, v9TypeLookup);
  const w = new ByteWriter(1500);
  w.u16(V9_VERSION);
  w.u16(p.count ?? countV9Records(p));
  w.u32(p.sysUptime);
  w.u32(p.unixSeconds);
  w.u32(p.sequenceNumber);
  w.u32(p.sourceId);
  p.flowSets.forEach((fs, i) => writeFlowSet(w, fs, i, p.pad ?? true, opts));
  return w.toBuffer();
}

/** Encodes the records of one template into a data flowset body (for 'raw' flowsets and size planning). */
export function encodeV9Records(template: Template, records: RecordInput[], options: FieldEncodeOptions = {}): Buffer {
  const opts = withTypeLookup(options, v9TypeLookup);
  const w = new ByteWriter(256);
  records.forEach((r, i) => encodeRecord(w, template, r, opts, () => `record ${i}`));
  return w.toBuffer();
}

/** One v9 exporter (source id): sequence number = packets sent before, mod 2^32. */
export class V9ExporterSession {
  private sequence: number;

  constructor(
    readonly sourceId: number,
    initialSequence = 0,
    private readonly opts: FieldEncodeOptions = {},
  ) {
    this.sequence = initialSequence >>> 0;
  }

  encode(sysUptime: number, unixSeconds: number, flowSets: V9FlowSet[]): Buffer {
    const bytes = encodeV9Packet({ sysUptime, unixSeconds, sequenceNumber: this.sequence, sourceId: this.sourceId, flowSets }, this.opts);
    this.sequence = (this.sequence + 1) >>> 0;
    return bytes;
  }
}
