// The information model: IPFIX elements by (PEN, id) and NetFlow v9 field types by id, from the
// generated table (scripts/gen-infomodel.ts), plus the Logstash codec's decoding type for each.
import { IPFIX_ROWS, V9_ROWS, IANA_REGISTRY_UPDATED } from './infomodel.generated.ts';
import type { AbstractType, GeneratedRow, LogstashType } from './infomodel-types.ts';

export type { AbstractType, LogstashType } from './infomodel-types.ts';
export { IANA_REGISTRY_UPDATED };

export const ABSTRACT_TYPES: readonly AbstractType[] = [
  'unsigned8', 'unsigned16', 'unsigned32', 'unsigned64', 'signed8', 'signed16', 'signed32', 'signed64',
  'float32', 'float64', 'boolean', 'macAddress', 'octetArray', 'string', 'dateTimeSeconds',
  'dateTimeMilliseconds', 'dateTimeMicroseconds', 'dateTimeNanoseconds', 'ipv4Address', 'ipv6Address',
  'basicList', 'subTemplateList', 'subTemplateMultiList',
];

export const LOGSTASH_TYPES: readonly LogstashType[] = [
  '', 'uint', 'uint8', 'uint15', 'uint16', 'uint24', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float', 'double',
  'ip4_addr', 'ip6_addr', 'mac_addr', 'string', 'octetarray', 'skip', 'forwarding_status', 'application_id',
  'acl_id_asa', 'mpls_label_stack_octets',
];

/** Well-known private enterprise numbers. */
export const PEN = {
  IANA: 0,
  CISCO: 9,
  IXIA: 3054,
  NETSCALER: 5951,
  CERT: 6871,
  VMWARE: 6876,
  BARRACUDA: 10704,
  BARRACUDA_2: 12326,
  PROCERA: 15397,
  GIGAMON: 26866,
  REVERSE: 29305,
} as const;

export interface InfoElement {
  /** Private enterprise number; 0 for IANA elements and for every NetFlow v9 field type. */
  pen: number;
  id: number;
  /** The Logstash codec's name where it has one, else the registry's (vendor-prefixed) name; '' for unnamed `skip`. */
  name: string;
  type: AbstractType;
  /** How the Logstash codec decodes it ('' when the Logstash codec does not know the element). */
  logstashType: LogstashType;
  /** For logstashType 'uint' (v9 bare integers): the default length. */
  logstashLength: number;
  /** Where the entry came from (registry file names joined by '+'). */
  source: string;
}

function toElement(r: GeneratedRow): InfoElement {
  return {
    pen: r[0],
    id: r[1],
    name: r[2],
    type: r[3] as AbstractType,
    logstashType: r[4] as LogstashType,
    logstashLength: r[5],
    source: r[6],
  };
}

const ipfixIndex = new Map<number, InfoElement>();
for (const r of IPFIX_ROWS) ipfixIndex.set(r[0] * 65536 + r[1], toElement(r));
const v9Index = new Map<number, InfoElement>();
for (const r of V9_ROWS) v9Index.set(r[1], toElement(r));
const ipfixByName = new Map<string, InfoElement>();
for (const e of ipfixIndex.values()) if (e.name && !ipfixByName.has(e.name)) ipfixByName.set(e.name, e);

/** The built-in IPFIX element for (pen, id), or undefined. `id` is without the enterprise bit. */
export function lookupIpfixElement(pen: number, id: number): InfoElement | undefined {
  return ipfixIndex.get(pen * 65536 + (id & 0x7fff));
}

/** The built-in NetFlow v9 field type, or undefined (the Logstash codec's netflow.yaml ids). */
export function lookupV9Element(id: number): InfoElement | undefined {
  return v9Index.get(id);
}

/** The IPFIX element with this name (first by PEN, then id), e.g. for the encoder. */
export function lookupIpfixElementByName(name: string): InfoElement | undefined {
  return ipfixByName.get(name);
}

/** All built-in IPFIX elements, sorted by PEN then id. */
export function allIpfixElements(): InfoElement[] {
  return [...ipfixIndex.values()];
}

/** All built-in NetFlow v9 field types, sorted by id. */
export function allV9Elements(): InfoElement[] {
  return [...v9Index.values()];
}

/** Fixed length in octets of an abstract type, or undefined when variable (string, octetArray, lists). */
export function defaultLength(type: AbstractType): number | undefined {
  switch (type) {
    case 'unsigned8': case 'signed8': case 'boolean': return 1;
    case 'unsigned16': case 'signed16': return 2;
    case 'unsigned32': case 'signed32': case 'float32': case 'ipv4Address': case 'dateTimeSeconds': return 4;
    case 'unsigned64': case 'signed64': case 'float64': case 'dateTimeMilliseconds':
    case 'dateTimeMicroseconds': case 'dateTimeNanoseconds': return 8;
    case 'macAddress': return 6;
    case 'ipv6Address': return 16;
    default: return undefined;
  }
}
