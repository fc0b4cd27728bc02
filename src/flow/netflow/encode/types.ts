// Shapes the netflow encoder takes: templates (IPFIX / v9), record values, and list values (RFC 6313).
import type { Timestamp } from '../../../event/timestamp.ts';
import type { Float } from '../../../event/values.ts';
import type { AbstractType } from '../infomodel-types.ts';

/** IPFIX abstract data types (RFC 7012 §3.1, RFC 6313 for the list types): the information model's. */
export type AbstractDataType = AbstractType;

/** Template length meaning "variable length" (RFC 7011 §7). */
export const VARIABLE_LENGTH = 65535;

/** One field specifier of a template. */
export interface TemplateField {
  /** Private enterprise number; absent or 0 = IANA. */
  pen?: number;
  /** Information element id (15 bits in IPFIX, 16 in v9). */
  id: number;
  /** Octets on the wire, or VARIABLE_LENGTH (65535). */
  length: number;
  /** How to encode the value; when absent it is looked up in the information model (see resolveFieldType). */
  type?: AbstractDataType;
  /** Name under which a record's value may be given (and by which error messages refer to it). */
  name?: string;
}

/** A template or, with scopeFieldCount > 0, an options template (the first scopeFieldCount fields are scopes). */
export interface Template {
  /** 256…65535. */
  id: number;
  fields: TemplateField[];
  scopeFieldCount?: number;
}

/** dateTimeMicroseconds / dateTimeNanoseconds on the wire: NTP seconds since 1900 and a 2^-32 s fraction. */
export interface NtpTime {
  ntpSeconds: number;
  fraction: number;
}

/** RFC 6313 list semantics. */
export type ListSemantic = 'noneOf' | 'exactlyOneOf' | 'oneOrMoreOf' | 'allOf' | 'ordered' | 'undefined';

export const LIST_SEMANTIC_CODES: Record<ListSemantic, number> = {
  noneOf: 0,
  exactlyOneOf: 1,
  oneOrMoreOf: 2,
  allOf: 3,
  ordered: 4,
  undefined: 255,
};

export interface BasicListValue {
  kind: 'basicList';
  semantic: ListSemantic;
  /** The element every list item is an instance of (its length may be VARIABLE_LENGTH). */
  field: TemplateField;
  values: FieldInput[];
}

export interface SubTemplateListValue {
  kind: 'subTemplateList';
  semantic: ListSemantic;
  template: Template;
  records: RecordInput[];
}

export interface SubTemplateMultiListValue {
  kind: 'subTemplateMultiList';
  semantic: ListSemantic;
  entries: { template: Template; records: RecordInput[] }[];
}

export type ListValue = BasicListValue | SubTemplateListValue | SubTemplateMultiListValue;

/**
 * A value the encoder accepts for one field. Which forms fit which type:
 * - unsigned/signed: number (safe integer) or bigint;
 * - float32/float64: number or Float;
 * - boolean: boolean (encoded 1 = true, 2 = false, RFC 7011 §6.1.5);
 * - macAddress: "aa:bb:cc:dd:ee:ff" or 6 bytes;
 * - ipv4Address/ipv6Address: textual address, or 4/16 bytes;
 * - string: text (UTF-8) or raw bytes; octetArray: bytes or a hex string;
 * - dateTimeSeconds/Milliseconds: Unix seconds/milliseconds as number or bigint, or a Timestamp;
 * - dateTimeMicroseconds/Nanoseconds: NtpTime, the raw 64-bit NTP value as bigint, or a Timestamp;
 * - list types: a ListValue.
 */
export type FieldInput =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | Float
  | Timestamp
  | NtpTime
  | ListValue;

/** A data record: values by field index (array), or an object keyed by field name or index. */
export type RecordInput = readonly (FieldInput | undefined)[] | { readonly [key: string]: FieldInput | undefined };
