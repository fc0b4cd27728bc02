// IPFIX messages (RFC 7011): header, template / options template / withdrawal / data sets, padding.
import { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import { encodeRecord, type FieldEncodeOptions } from './field-values.ts';
import { writeIpfixTemplateRecord } from './template-records.ts';
import { ipfixTypeLookup, withTypeLookup } from './elements.ts';
import type { RecordInput, Template } from './types.ts';

export const IPFIX_VERSION = 10;
export const IPFIX_HEADER_LENGTH = 16;
export const IPFIX_TEMPLATE_SET_ID = 2;
export const IPFIX_OPTIONS_TEMPLATE_SET_ID = 3;

export type IpfixSet =
  /** Template records; `padding` zero bytes are appended inside the set. */
  | { type: 'template'; templates: Template[]; padding?: number }
  | { type: 'optionsTemplate'; templates: Template[]; padding?: number }
  /**
   * Withdrawals: template records with field count 0 (RFC 7011 §8.1). Template id 2 (set 2) or 3 (set 3)
   * withdraws all templates of that kind.
   */
  | { type: 'withdrawal'; templateIds: number[]; options?: boolean }
  | { type: 'data'; template: Template; records: RecordInput[]; padding?: number }
  /** Pre-encoded set body (records already encoded, or deliberately malformed input for tests). */
  | { type: 'raw'; setId: number; body: Uint8Array; recordCount?: number };

export interface IpfixMessage {
  /** Unix seconds. */
  exportTime: number;
  /** Data records sent before this message in this observation domain, mod 2^32. */
  sequenceNumber: number;
  observationDomainId: number;
  sets: IpfixSet[];
}

/** Number of data records the message carries (what advances the next message's sequence number). */
export function countIpfixDataRecords(msg: IpfixMessage): number {
  let n = 0;
  for (const s of msg.sets) {
    if (s.type === 'data') n += s.records.length;
    else if (s.type === 'raw' && s.setId >= 256) n += s.recordCount ?? 0;
  }
  return n;
}

function writeSet(w: ByteWriter, set: IpfixSet, index: number, opts: FieldEncodeOptions): void {
  const start = w.length;
  const where = (): string => `IPFIX set ${index}`;
  switch (set.type) {
    case 'template':
    case 'optionsTemplate':
      w.u16(set.type === 'template' ? IPFIX_TEMPLATE_SET_ID : IPFIX_OPTIONS_TEMPLATE_SET_ID);
      w.reserve(2);
      for (const t of set.templates) writeIpfixTemplateRecord(w, t, set.type === 'optionsTemplate');
      w.zeros(set.padding ?? 0);
      break;
    case 'withdrawal':
      w.u16(set.options ? IPFIX_OPTIONS_TEMPLATE_SET_ID : IPFIX_TEMPLATE_SET_ID);
      w.reserve(2);
      for (const id of set.templateIds) {
        if (!Number.isInteger(id) || id < 2 || id > 65535 || (id > 3 && id < 256)) {
          throw new EncodeError(`cannot withdraw template id ${id}`, where());
        }
        w.u16(id);
        w.u16(0);
      }
      break;
    case 'data':
      w.u16(set.template.id);
      w.reserve(2);
      set.records.forEach((r, i) => encodeRecord(w, set.template, r, opts, () => `${where()} record ${i}`));
      w.zeros(set.padding ?? 0);
      break;
    case 'raw':
      if (!Number.isInteger(set.setId) || set.setId < 0 || set.setId > 65535) {
        throw new EncodeError(`set id ${set.setId} outside 0…65535`, where());
      }
      w.u16(set.setId);
      w.reserve(2);
      w.bytes(set.body);
      break;
  }
  const len = w.length - start;
  if (len > 65535) throw new EncodeError(`set of ${len} bytes exceeds 65535`, where());
  w.patchU16(start + 2, len);
}

/** Encodes one IPFIX message. Throws EncodeError (with set/record/field position) on a value that cannot be encoded. */
export function encodeIpfixMessage(msg: IpfixMessage, options: FieldEncodeOptions = {}): Buffer {
  const opts = withTypeLookup(options, ipfixTypeLookup);
  const w = new ByteWriter(1500);
  w.u16(IPFIX_VERSION);
  w.reserve(2);
  w.u32(msg.exportTime);
  w.u32(msg.sequenceNumber);
  w.u32(msg.observationDomainId);
  msg.sets.forEach((s, i) => writeSet(w, s, i, opts));
  if (w.length > 65535) throw new EncodeError(`message of ${w.length} bytes exceeds 65535`, 'IPFIX message');
  w.patchU16(2, w.length);
  return w.toBuffer();
}

/** Encodes the records of one template into a data set body (for 'raw' sets and size planning). */
export function encodeIpfixRecords(template: Template, records: RecordInput[], options: FieldEncodeOptions = {}): Buffer {
  const opts = withTypeLookup(options, ipfixTypeLookup);
  const w = new ByteWriter(256);
  records.forEach((r, i) => encodeRecord(w, template, r, opts, () => `record ${i}`));
  return w.toBuffer();
}

/**
 * One exporting process's observation domain: numbers messages as RFC 7011 §3.1 says (sequence =
 * data records sent before, mod 2^32).
 */
export class IpfixExporterSession {
  private sequence: number;

  constructor(
    readonly observationDomainId: number,
    initialSequence = 0,
    private readonly opts: FieldEncodeOptions = {},
  ) {
    this.sequence = initialSequence >>> 0;
  }

  get nextSequenceNumber(): number {
    return this.sequence;
  }

  encode(exportTime: number, sets: IpfixSet[]): Buffer {
    const msg: IpfixMessage = { exportTime, sequenceNumber: this.sequence, observationDomainId: this.observationDomainId, sets };
    const bytes = encodeIpfixMessage(msg, this.opts);
    this.sequence = (this.sequence + countIpfixDataRecords(msg)) >>> 0;
    return bytes;
  }
}
