// Encodes one field value per its abstract data type and template length (RFC 7011 §6, RFC 6313).
import { Timestamp } from '../../../event/timestamp.ts';
import { Float } from '../../../event/values.ts';
import { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import {
  LIST_SEMANTIC_CODES,
  VARIABLE_LENGTH,
  type AbstractDataType,
  type FieldInput,
  type ListValue,
  type NtpTime,
  type RecordInput,
  type Template,
  type TemplateField,
} from './types.ts';

/** Finds the abstract type of an element the template does not type explicitly. */
export type ElementTypeLookup = (pen: number, id: number) => AbstractDataType | undefined;

export interface FieldEncodeOptions {
  lookupType?: ElementTypeLookup;
  /** 'shortest' (default): 1-byte length below 255, else 0xFF + 2 bytes; 'long': always the 3-byte form. */
  varlenForm?: 'shortest' | 'long';
}

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch. */
export const NTP_UNIX_OFFSET = 2208988800;

const NATURAL_SIZE: Partial<Record<AbstractDataType, number>> = {
  unsigned8: 1, unsigned16: 2, unsigned32: 4, unsigned64: 8,
  signed8: 1, signed16: 2, signed32: 4, signed64: 8,
  float32: 4, float64: 8, boolean: 1, macAddress: 6, ipv4Address: 4, ipv6Address: 16,
  dateTimeSeconds: 4, dateTimeMilliseconds: 8, dateTimeMicroseconds: 8, dateTimeNanoseconds: 8,
};

/** The length a fixed-size type takes on the wire (undefined for string, octetArray and lists). */
export function naturalLength(type: AbstractDataType): number | undefined {
  return NATURAL_SIZE[type];
}

export function describeField(field: TemplateField, index: number): string {
  const pen = field.pen ? `pen ${field.pen} ` : '';
  const name = field.name ? `${field.name}, ` : '';
  return `field ${index} (${name}${pen}id ${field.id}, length ${field.length})`;
}

export function resolveFieldType(field: TemplateField, lookup: ElementTypeLookup | undefined, where: () => string): AbstractDataType {
  const type = field.type ?? lookup?.(field.pen ?? 0, field.id);
  if (type === undefined) {
    throw new EncodeError('element type unknown: give the field a `type` (no information-model entry)', where());
  }
  return type;
}

/** Converts a Unix instant to the 64-bit NTP format used by dateTimeMicro/Nanoseconds. */
export function ntpFromTimestamp(ts: Timestamp): NtpTime {
  return {
    ntpSeconds: ts.seconds + NTP_UNIX_OFFSET,
    fraction: Number((BigInt(ts.nanos) << 32n) / 1_000_000_000n),
  };
}

export function ntpToBigint(t: NtpTime): bigint {
  return (BigInt(t.ntpSeconds >>> 0) << 32n) | BigInt(t.fraction >>> 0);
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function isNtp(v: unknown): v is NtpTime {
  return typeof v === 'object' && v !== null && 'ntpSeconds' in v && 'fraction' in v;
}

function isList(v: unknown): v is ListValue {
  return typeof v === 'object' && v !== null && 'kind' in v && !(v instanceof Timestamp) && !isBytes(v);
}

function toInteger(v: FieldInput, where: () => string): number | bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new EncodeError(`expected an integer, got ${describeValue(v)}`, where());
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  if (isBytes(v)) return `${v.length} bytes`;
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

function writeUnsigned(w: ByteWriter, v: number | bigint, len: number, where: () => string): void {
  if (typeof v === 'number' && len <= 6) {
    if (v < 0 || v >= 2 ** (8 * len)) throw new EncodeError(`value ${v} does not fit in ${len} unsigned byte(s)`, where());
    w.uintN(v, len);
    return;
  }
  const b = BigInt(v);
  if (b < 0n || b >= 1n << BigInt(8 * len)) throw new EncodeError(`value ${b} does not fit in ${len} unsigned byte(s)`, where());
  if (len === 8) w.u64(b);
  else if (len <= 6) w.uintN(Number(b), len);
  else {
    w.u8(Number(b >> 48n));
    w.uintN(Number(b & 0xffffffffffffn), 6);
  }
}

function writeSigned(w: ByteWriter, v: number | bigint, len: number, where: () => string): void {
  const half = 2 ** (8 * len - 1);
  if (typeof v === 'number' && len <= 6) {
    if (v < -half || v >= half) throw new EncodeError(`value ${v} does not fit in ${len} signed byte(s)`, where());
    w.intN(v, len);
    return;
  }
  const b = BigInt(v);
  const bhalf = 1n << BigInt(8 * len - 1);
  if (b < -bhalf || b >= bhalf) throw new EncodeError(`value ${b} does not fit in ${len} signed byte(s)`, where());
  writeUnsigned(w, BigInt.asUintN(8 * len, b), len, where);
}

function parseMac(v: FieldInput, where: () => string): Uint8Array {
  if (isBytes(v) && v.length === 6) return v;
  if (typeof v === 'string') {
    const parts = v.split(/[:-]/);
    if (parts.length === 6 && parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) {
      return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
    }
  }
  throw new EncodeError(`expected a MAC address "aa:bb:cc:dd:ee:ff" or 6 bytes, got ${describeValue(v)}`, where());
}

export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

export function parseIpv6(text: string): Uint8Array | undefined {
  let s = text;
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    const v4 = lastColon < 0 ? undefined : parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  } else {
    if (explicit !== 8) return undefined;
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function addressBytes(v: FieldInput, family: 4 | 6, where: () => string): Uint8Array {
  const size = family === 4 ? 4 : 16;
  if (isBytes(v) && v.length === size) return v;
  if (typeof v === 'string') {
    const parsed = family === 4 ? parseIpv4(v) : parseIpv6(v);
    if (parsed) return parsed;
  }
  throw new EncodeError(`expected an IPv${family} address, got ${describeValue(v)}`, where());
}

function octets(v: FieldInput, type: 'string' | 'octetArray', where: () => string): Uint8Array {
  if (isBytes(v)) return v;
  if (typeof v === 'string') {
    if (type === 'string') return Buffer.from(v, 'utf8');
    if (/^([0-9a-fA-F]{2})*$/.test(v)) return Buffer.from(v, 'hex');
  }
  throw new EncodeError(`expected ${type === 'string' ? 'text or bytes' : 'bytes or a hex string'}, got ${describeValue(v)}`, where());
}

/** Writes a variable-length field's length prefix (RFC 7011 §7). */
export function writeVarlenPrefix(w: ByteWriter, len: number, form: 'shortest' | 'long', where: () => string): void {
  if (len > 65535) throw new EncodeError(`variable-length value of ${len} bytes exceeds 65535`, where());
  if (len < 255 && form === 'shortest') w.u8(len);
  else {
    w.u8(255);
    w.u16(len);
  }
}

function writeDateTime(w: ByteWriter, type: AbstractDataType, v: FieldInput, len: number, where: () => string): void {
  if (type === 'dateTimeSeconds') {
    const n = v instanceof Timestamp ? v.seconds : toInteger(v, where);
    writeUnsigned(w, n, len, where);
  } else if (type === 'dateTimeMilliseconds') {
    const n = v instanceof Timestamp ? BigInt(v.seconds) * 1000n + BigInt(Math.floor(v.nanos / 1e6)) : toInteger(v, where);
    writeUnsigned(w, n, len, where);
  } else {
    if (len !== 8) throw new EncodeError(`${type} needs length 8`, where());
    let raw: bigint;
    if (v instanceof Timestamp) raw = ntpToBigint(ntpFromTimestamp(v));
    else if (isNtp(v)) raw = ntpToBigint(v);
    else if (typeof v === 'bigint') raw = v;
    else throw new EncodeError(`expected an NtpTime, a raw 64-bit bigint or a Timestamp, got ${describeValue(v)}`, where());
    writeUnsigned(w, raw, 8, where);
  }
}

/** Encodes the payload of a list value (without any varlen prefix). */
function encodeList(w: ByteWriter, type: AbstractDataType, v: FieldInput, opts: FieldEncodeOptions, where: () => string): void {
  if (!isList(v) || v.kind !== type) throw new EncodeError(`expected a ${type} value, got ${describeValue(v)}`, where());
  w.u8(LIST_SEMANTIC_CODES[v.semantic]);
  if (v.kind === 'basicList') {
    const f = v.field;
    const enterprise = (f.pen ?? 0) !== 0;
    w.u16((enterprise ? 0x8000 : 0) | (f.id & 0x7fff));
    w.u16(f.length);
    if (enterprise) w.u32(f.pen!);
    v.values.forEach((item, i) => {
      encodeFieldValue(w, f, item, opts, () => `${where()} basicList item ${i}`);
    });
  } else if (v.kind === 'subTemplateList') {
    w.u16(v.template.id);
    v.records.forEach((r, i) => encodeRecord(w, v.template, r, opts, () => `${where()} subTemplateList record ${i}`));
  } else {
    v.entries.forEach((entry, e) => {
      w.u16(entry.template.id);
      const lenAt = w.reserve(2);
      const start = w.length - 4;
      entry.records.forEach((r, i) =>
        encodeRecord(w, entry.template, r, opts, () => `${where()} subTemplateMultiList entry ${e} record ${i}`),
      );
      const len = w.length - start;
      if (len > 65535) throw new EncodeError(`subTemplateMultiList entry of ${len} bytes exceeds 65535`, where());
      w.patchU16(lenAt, len);
    });
  }
}

/** Encodes one value for one template field (with its length prefix when the field is variable-length). */
export function encodeFieldValue(
  w: ByteWriter,
  field: TemplateField,
  value: FieldInput,
  opts: FieldEncodeOptions,
  where: () => string,
): void {
  const type = resolveFieldType(field, opts.lookupType, where);
  const varlen = field.length === VARIABLE_LENGTH;
  const form = opts.varlenForm ?? 'shortest';
  if (varlen) {
    const natural = naturalLength(type);
    if (natural !== undefined) {
      // A fixed-size type sent as variable length: prefix + its natural size.
      writeVarlenPrefix(w, natural, form, where);
      encodeFixed(w, type, value, natural, opts, where);
      return;
    }
    if (type === 'string' || type === 'octetArray') {
      const b = octets(value, type, where);
      writeVarlenPrefix(w, b.length, form, where);
      w.bytes(b);
      return;
    }
    const sub = new ByteWriter(256);
    encodeList(sub, type, value, opts, where);
    writeVarlenPrefix(w, sub.length, form, where);
    w.bytes(sub.toBuffer());
    return;
  }
  encodeFixed(w, type, value, field.length, opts, where);
}

function encodeFixed(
  w: ByteWriter,
  type: AbstractDataType,
  value: FieldInput,
  len: number,
  opts: FieldEncodeOptions,
  where: () => string,
): void {
  const natural = naturalLength(type);
  switch (type) {
    case 'unsigned8':
    case 'unsigned16':
    case 'unsigned32':
    case 'unsigned64':
      if (len < 1 || len > natural!) throw new EncodeError(`${type} cannot have length ${len} (1…${natural})`, where());
      writeUnsigned(w, toInteger(value, where), len, where);
      return;
    case 'signed8':
    case 'signed16':
    case 'signed32':
    case 'signed64':
      if (len < 1 || len > natural!) throw new EncodeError(`${type} cannot have length ${len} (1…${natural})`, where());
      writeSigned(w, toInteger(value, where), len, where);
      return;
    case 'float32':
    case 'float64': {
      const n = value instanceof Float ? value.value : value;
      if (typeof n !== 'number') throw new EncodeError(`expected a number, got ${describeValue(value)}`, where());
      if (len === 8 && type === 'float64') w.f64(n);
      else if (len === 4) w.f32(n);
      else throw new EncodeError(`${type} cannot have length ${len}`, where());
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new EncodeError(`expected a boolean, got ${describeValue(value)}`, where());
      if (len !== 1) throw new EncodeError(`boolean needs length 1, not ${len}`, where());
      w.u8(value ? 1 : 2);
      return;
    case 'macAddress':
      if (len !== 6) throw new EncodeError(`macAddress needs length 6, not ${len}`, where());
      w.bytes(parseMac(value, where));
      return;
    case 'ipv4Address':
    case 'ipv6Address': {
      const b = addressBytes(value, type === 'ipv4Address' ? 4 : 6, where);
      if (len !== b.length) throw new EncodeError(`${type} needs length ${b.length}, not ${len}`, where());
      w.bytes(b);
      return;
    }
    case 'dateTimeSeconds':
    case 'dateTimeMilliseconds':
    case 'dateTimeMicroseconds':
    case 'dateTimeNanoseconds':
      if (len < 1 || len > natural!) throw new EncodeError(`${type} cannot have length ${len}`, where());
      writeDateTime(w, type, value, len, where);
      return;
    case 'string':
    case 'octetArray': {
      const b = octets(value, type, where);
      if (b.length > len) throw new EncodeError(`${b.length} bytes do not fit the field's fixed length ${len}`, where());
      if (b.length < len && type === 'octetArray') {
        throw new EncodeError(`octetArray of fixed length ${len} got ${b.length} bytes`, where());
      }
      w.bytes(b);
      w.zeros(len - b.length); // strings are NUL-padded to the fixed length
      return;
    }
    case 'basicList':
    case 'subTemplateList':
    case 'subTemplateMultiList': {
      const start = w.length;
      encodeList(w, type, value, opts, where);
      if (w.length - start !== len) {
        throw new EncodeError(`${type} encodes to ${w.length - start} bytes but the field's fixed length is ${len}`, where());
      }
      return;
    }
  }
}

/** Picks a record's value for field i: by index (array) or by name, then index (object). */
function valueFor(record: RecordInput, field: TemplateField, i: number): FieldInput | undefined {
  if (Array.isArray(record)) return (record as readonly (FieldInput | undefined)[])[i];
  const obj = record as { readonly [key: string]: FieldInput | undefined };
  if (field.name !== undefined && obj[field.name] !== undefined) return obj[field.name];
  return obj[String(i)];
}

const PADDING_OCTETS_ID = 210;

/** Encodes one data record with its template. */
export function encodeRecord(
  w: ByteWriter,
  template: Template,
  record: RecordInput,
  opts: FieldEncodeOptions,
  where: () => string,
): void {
  const fields = template.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const fieldWhere = (): string => `${where()} template ${template.id} ${describeField(field, i)}`;
    const value = valueFor(record, field, i);
    if (value === undefined) {
      if ((field.pen ?? 0) === 0 && field.id === PADDING_OCTETS_ID && field.length !== VARIABLE_LENGTH) {
        w.zeros(field.length);
        continue;
      }
      throw new EncodeError('no value given', fieldWhere());
    }
    encodeFieldValue(w, field, value, opts, fieldWhere);
  }
}
