// How each template field is decoded: the name, the value kind, the length, the time conversion,
// and what the Logstash codec would build for it (for its cache file and its size warnings).
import { lookupIpfixElement, type AbstractType } from './infomodel.ts';
import type { Definition, Definitions } from './definitions.ts';

export const VARLEN = 65535;

export type FieldKind =
  | 'uint' | 'int' | 'float' | 'bool' | 'ipv4' | 'ipv6' | 'mac'
  | 'latin1' | 'ascii' | 'utf8' | 'hex' | 'skip'
  | 'fwdstatus' | 'appid' | 'aclasa' | 'mplsstack'
  | 'basicList' | 'subTemplateList' | 'subTemplateMultiList';

export type TimeConv = 'none' | 'v9switched' | 'seconds' | 'millis' | 'ntp';

export interface FieldSpec {
  pen: number;
  id: number;
  /** Template length; VARLEN (65535) for variable length. */
  length: number;
  /** '' when consumed but not emitted. */
  name: string;
  kind: FieldKind;
  time: TimeConv;
  /** The Logstash codec's BinData tuple for its template cache file. */
  logstash: LogstashTuple;
  /** Bytes the Logstash codec's BinData field occupies (v9 size-mismatch warning). */
  logstashSize: number;
}

export type LogstashTuple = [string, string | null] | [string, string | null, Record<string, number | boolean>] | [string];

export interface TemplateFieldRef {
  pen: number;
  id: number;
  length: number;
}

/** A warning the template compiler wants logged (Logstash's texts). */
export interface SpecWarning {
  message: string;
  data?: Record<string, unknown>;
}

const IPFIX_SECONDS = /^flow(?:Start|End)Seconds$/;
const IPFIX_SUBSECONDS = /^flow(?:Start|End)(Milli|Micro|Nano)seconds$/;
const V9_SWITCHED = /_switched$/;
const V9_SCOPES: Record<number, string> = {
  1: 'scope_system',
  2: 'scope_interface',
  3: 'scope_line_card',
  4: 'scope_netflow_cache',
  5: 'scope_template',
};

function unknownName(pen: number, id: number): string {
  return pen === 0 ? `ie${id}` : `pen${pen}_ie${id}`;
}

function kindOfAbstract(t: AbstractType): FieldKind {
  switch (t) {
    case 'unsigned8': case 'unsigned16': case 'unsigned32': case 'unsigned64':
    case 'dateTimeSeconds': case 'dateTimeMilliseconds': case 'dateTimeMicroseconds': case 'dateTimeNanoseconds':
      return 'uint';
    case 'signed8': case 'signed16': case 'signed32': case 'signed64': return 'int';
    case 'float32': case 'float64': return 'float';
    case 'boolean': return 'bool';
    case 'macAddress': return 'mac';
    case 'ipv4Address': return 'ipv4';
    case 'ipv6Address': return 'ipv6';
    case 'string': return 'utf8';
    case 'basicList': return 'basicList';
    case 'subTemplateList': return 'subTemplateList';
    case 'subTemplateMultiList': return 'subTemplateMultiList';
    default: return 'hex';
  }
}

/** Byte sizes of the fixed Logstash BinData types (template length ignored by them). */
const FIXED_SIZE: Record<string, number> = {
  ip4_addr: 4, ip6_addr: 16, mac_addr: 6, double: 8, float: 4, int8: 1, int16: 2, int32: 4, int64: 8,
  forwarding_status: 1, acl_id_asa: 12, mpls_label_stack_octets: 4,
};

function uintTuple(name: string | null, len: number): LogstashTuple {
  return [`uint${len * 8}`, name];
}

/** A field whose type comes from a Logstash definition. */
function fromDefinition(d: Definition, len: number, version: 9 | 10, warnings: SpecWarning[]): Omit<FieldSpec, 'pen' | 'id' | 'time'> {
  const name = d.name;
  const nm = name || null;
  switch (d.type) {
    case 'uint':
    case 'uint8': case 'uint15': case 'uint16': case 'uint24': case 'uint32': case 'uint64': {
      const natural = d.type === 'uint' ? d.length : d.type === 'uint15' ? 2 : Number(d.type.slice(4)) / 8;
      // The Logstash codec warns for uint16/32/64 only (uint8 and uint24 are resized silently).
      const warns = d.type === 'uint16' || d.type === 'uint32' || d.type === 'uint64';
      if (version === 9 && warns && len > natural && len !== VARLEN) {
        warnings.push({
          message: `Reduced-size encoding for ${d.type} is larger than ${d.type}`,
          data: { field: [`uint${len * 8}`, name], length: len },
        });
      }
      const size = len === VARLEN ? natural : len;
      return { length: len, name, kind: 'uint', logstash: uintTuple(nm, size), logstashSize: size };
    }
    case 'int8': case 'int16': case 'int32': case 'int64':
      return { length: len, name, kind: 'int', logstash: [d.type, nm], logstashSize: FIXED_SIZE[d.type]! };
    case 'float': case 'double':
      return { length: len, name, kind: 'float', logstash: [d.type, nm], logstashSize: FIXED_SIZE[d.type]! };
    case 'ip4_addr':
      return { length: len, name, kind: 'ipv4', logstash: [d.type, nm], logstashSize: 4 };
    case 'ip6_addr':
      return { length: len, name, kind: 'ipv6', logstash: [d.type, nm], logstashSize: 16 };
    case 'mac_addr':
      return { length: len, name, kind: 'mac', logstash: [d.type, nm], logstashSize: 6 };
    case 'string':
      if (len === VARLEN) return { length: len, name, kind: 'ascii', logstash: ['VarString', nm], logstashSize: 1 };
      return { length: len, name, kind: 'latin1', logstash: ['string', nm, { length: len, trim_padding: true }], logstashSize: len };
    case 'octetarray':
      return { length: len, name, kind: 'hex', logstash: ['OctetArray', nm, { initial_length: len }], logstashSize: len === VARLEN ? 1 : len };
    case 'skip':
      if (len === VARLEN) return { length: len, name: '', kind: 'skip', logstash: ['VarSkip'], logstashSize: 1 };
      return { length: len, name: '', kind: 'skip', logstash: ['skip', null, { length: len }], logstashSize: len };
    case 'forwarding_status':
      return { length: len, name, kind: 'fwdstatus', logstash: [d.type, nm], logstashSize: 1 };
    case 'mpls_label_stack_octets':
      return { length: len, name, kind: 'mplsstack', logstash: [d.type, nm], logstashSize: 4 };
    case 'acl_id_asa':
      return { length: len, name, kind: 'aclasa', logstash: [d.type, nm], logstashSize: 12 };
    case 'application_id': {
      const bits = len === 2 ? 16 : len * 8;
      return { length: len, name, kind: 'appid', logstash: [`Application_Id${bits}`, nm], logstashSize: len === 2 ? 4 : len };
    }
    default:
      return { length: len, name, kind: 'hex', logstash: ['OctetArray', nm, { initial_length: len }], logstashSize: len };
  }
}

function fromAbstract(name: string, t: AbstractType, len: number): Omit<FieldSpec, 'pen' | 'id' | 'time'> {
  const kind = kindOfAbstract(t);
  const nm = name || null;
  const size = len === VARLEN ? 1 : len;
  switch (kind) {
    case 'uint': case 'bool':
      return { length: len, name, kind, logstash: len === VARLEN ? ['VarSkip'] : uintTuple(nm, len), logstashSize: size };
    case 'int':
      return { length: len, name, kind, logstash: len === 1 ? ['int8', nm] : ['skip', null, { length: len }], logstashSize: size };
    case 'float':
      return { length: len, name, kind, logstash: [len === 4 ? 'float' : 'double', nm], logstashSize: size };
    case 'ipv4': return { length: len, name, kind, logstash: ['ip4_addr', nm], logstashSize: size };
    case 'ipv6': return { length: len, name, kind, logstash: ['ip6_addr', nm], logstashSize: size };
    case 'mac': return { length: len, name, kind, logstash: ['mac_addr', nm], logstashSize: size };
    case 'utf8':
      return {
        length: len, name, kind,
        logstash: len === VARLEN ? ['VarString', nm] : ['string', nm, { length: len, trim_padding: true }],
        logstashSize: size,
      };
    case 'hex':
      return {
        length: len, name, kind,
        logstash: len === VARLEN ? ['VarSkip'] : ['OctetArray', nm, { initial_length: len }],
        logstashSize: size,
      };
    default:
      // RFC 6313 lists: the Logstash codec skips them.
      return { length: len, name, kind, logstash: len === VARLEN ? ['VarSkip'] : ['skip', null, { length: len }], logstashSize: size };
  }
}

function timeConv(version: 9 | 10, kind: FieldKind, name: string): TimeConv {
  if (kind !== 'uint' || !name) return 'none';
  if (version === 9) return V9_SWITCHED.test(name) ? 'v9switched' : 'none';
  if (IPFIX_SECONDS.test(name)) return 'seconds';
  const m = IPFIX_SUBSECONDS.exec(name);
  if (m) return m[1] === 'Milli' ? 'millis' : 'ntp';
  return 'none';
}

export type SpecResult = { spec: FieldSpec } | { unsupported: SpecWarning };

/** IPFIX field → spec. `unsupported` is the Logstash warning when the policy rejects unknown elements. */
export function ipfixFieldSpec(
  f: TemplateFieldRef,
  defs: Definitions,
  dropUnknown: boolean,
  warnings: SpecWarning[],
): SpecResult {
  const penDefs = defs.ipfix.get(f.pen);
  const d = penDefs?.get(f.id);
  let base: Omit<FieldSpec, 'pen' | 'id' | 'time'>;
  if (d) {
    // Logstash skips lists; flowstash decodes them (the element's abstract type says which list).
    const ie = lookupIpfixElement(f.pen, f.id);
    if (d.type === 'skip' && ie && (ie.type === 'basicList' || ie.type === 'subTemplateList' || ie.type === 'subTemplateMultiList')) {
      base = fromAbstract(d.name || ie.name, ie.type, f.length);
    } else {
      base = fromDefinition(d, f.length, 10, warnings);
    }
  } else {
    if (dropUnknown) {
      return penDefs
        ? { unsupported: { message: 'Unsupported enterprise field', data: { type: f.id, enterprise: f.pen, length: f.length } } }
        : { unsupported: { message: 'Unsupported enterprise', data: { enterprise: f.pen } } };
    }
    const ie = lookupIpfixElement(f.pen, f.id);
    base = ie ? fromAbstract(ie.name, ie.type, f.length) : fromAbstract(unknownName(f.pen, f.id), 'octetArray', f.length);
    if (ie && f.pen === 0 && f.id === 210) base = { ...base, name: '', kind: 'skip' };
  }
  return { spec: { ...base, pen: f.pen, id: f.id, time: timeConv(10, base.kind, base.name) } };
}

/** NetFlow v9 field → spec. */
export function v9FieldSpec(
  f: TemplateFieldRef,
  templateId: number,
  defs: Definitions,
  dropUnknown: boolean,
  warnings: SpecWarning[],
): SpecResult {
  const d = defs.v9.get(f.id);
  let base: Omit<FieldSpec, 'pen' | 'id' | 'time'>;
  if (d) {
    base = fromDefinition(d, f.length, 9, warnings);
  } else {
    if (dropUnknown) {
      return { unsupported: { message: `Unsupported field in template ${templateId}`, data: { type: f.id, length: f.length } } };
    }
    // v9 field types below 32768 are the IPFIX IANA element ids.
    const ie = f.id < 32768 ? lookupIpfixElement(0, f.id) : undefined;
    base = ie ? fromAbstract(ie.name, ie.type, f.length) : fromAbstract(unknownName(0, f.id), 'octetArray', f.length);
  }
  return { spec: { ...base, pen: 0, id: f.id, time: timeConv(9, base.kind, base.name) } };
}

/** v9 options scope field: named uint for the five RFC 3954 scope types, anonymous otherwise. */
export function v9ScopeSpec(f: TemplateFieldRef): FieldSpec {
  const name = V9_SCOPES[f.id] ?? '';
  return {
    pen: 0,
    id: f.id,
    length: f.length,
    name,
    kind: name ? 'uint' : 'skip',
    time: 'none',
    logstash: uintTuple(name || null, f.length),
    logstashSize: f.length,
  };
}

/** Rebuilds a spec from a Logstash cache-file tuple (no element ids there: names and types only). */
export function specFromLogstashTuple(t: unknown[], version: 9 | 10): FieldSpec | undefined {
  const type = typeof t[0] === 'string' ? t[0] : undefined;
  if (!type) return undefined;
  const name = typeof t[1] === 'string' ? t[1] : '';
  const opts = (t[2] && typeof t[2] === 'object' ? t[2] : {}) as Record<string, unknown>;
  const mk = (kind: FieldKind, length: number): FieldSpec => ({
    pen: 0, id: 0, length, name: kind === 'skip' ? '' : name, kind,
    time: timeConv(version, kind, name),
    logstash: t as LogstashTuple,
    logstashSize: length === VARLEN ? 1 : length,
  });
  const m = /^uint(\d+)$/.exec(type);
  if (m) return Number(m[1]) % 8 === 0 && Number(m[1]) > 0 ? mk(name ? 'uint' : 'skip', Number(m[1]) / 8) : undefined;
  const app = /^Application_Id(\d+)$/.exec(type);
  if (app) return mk('appid', Number(app[1]) === 16 ? 2 : Number(app[1]) / 8);
  switch (type) {
    case 'int8': return mk('int', 1);
    case 'int16': return mk('int', 2);
    case 'int32': return mk('int', 4);
    case 'int64': return mk('int', 8);
    case 'float': return mk('float', 4);
    case 'double': return mk('float', 8);
    case 'ip4_addr': return mk('ipv4', 4);
    case 'ip6_addr': return mk('ipv6', 16);
    case 'mac_addr': return mk('mac', 6);
    case 'string': return mk('latin1', Number(opts['length'] ?? 0));
    case 'VarString': return mk('ascii', VARLEN);
    case 'OctetArray': return mk('hex', Number(opts['initial_length'] ?? 0));
    case 'skip': return mk('skip', Number(opts['length'] ?? 0));
    case 'VarSkip': return mk('skip', VARLEN);
    case 'forwarding_status': return mk('fwdstatus', 1);
    case 'mpls_label_stack_octets': return mk('mplsstack', 4);
    case 'acl_id_asa': return mk('aclasa', 12);
    default: return undefined;
  }
}
