// A decoded trap → the Logstash event, as logstash-integration-snmp 4.x builds it:
//   SnmpClient.createTrapEvent / coerceVariable (Java) give the PDU fields and the variable binding
//   values; snmptrap.rb process_trap_message puts the mapped bindings at the root (or under `target`),
//   the sender's IP in `host` (ECS off) or `[host][ip]`, `message` = the PDU fields hash's Ruby inspect,
//   and (ECS on) each PDU field under [@metadata][input][snmptrap][pdu].
// Both hashes are Java HashMaps, so their order is the HashMap's (java-hash-order.ts).
import { Event } from '../../../event/event.ts';
import { rubyInspectString } from '../../../event/ruby-inspect.ts';
import type { FieldMap, FieldValue } from '../../../event/values.ts';
import { PDU_TYPE_NAME, type SnmpMessage, type SnmpValue } from './ber.ts';
import { javaHashMapOrder } from './java-hash-order.ts';
import type { MibManager } from './mib.ts';

/** snmp4j SnmpConstants.SNMP_ERROR_MESSAGES, what PDU.getErrorStatusText returns (else "Unknown error: N"). */
const ERROR_STATUS_TEXT = [
  'Success',
  'Response message would have been too large.',
  'There is no such variable name in this MIB.',
  'The value given has the wrong type or length.',
  'This variable is read only',
  'A general failure occured on a variable binding',
  'No access',
  'Wrong type',
  'Wrong length',
  'Wrong encoding',
  'Wrong value',
  'No creation',
  'Inconsistent value',
  'Resource unavailable',
  'Commit failed',
  'Undo failed',
  'Authorization error',
  'Not writable',
  'Inconsistent name',
];

const errorStatusText = (status: number): string => ERROR_STATUS_TEXT[status] ?? `Unknown error: ${status}`;

/** snmp4j OctetString.isPrintable: only HT..CR and 0x20..0x7E (bytes >= 0x80 and other controls are not). */
function isPrintable(bytes: Buffer): boolean {
  for (const b of bytes) if (!((b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d))) return false;
  return true;
}

/** snmp4j OctetString.toHexString: two lower-case hex digits per byte, `:` between. */
const hexString = (bytes: Buffer): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');

const javaLong = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** SnmpClient.coerceVariable: the value Logstash puts in the event for one variable binding. */
export function coerceValue(v: SnmpValue, mib: MibManager, mapOidValues: boolean): string | number | bigint {
  switch (v.type) {
    case 'no_such_instance':
      return 'error: no such instance currently exists at this OID';
    case 'no_such_object':
      return 'error: no such object currently exists at this OID';
    case 'end_of_mib_view':
      return 'error: end of MIB view';
    case 'null':
      return 'null';
    case 'counter32':
    case 'gauge32':
    case 'timeticks':
    case 'uinteger32':
    case 'integer':
      return v.value;
    case 'counter64':
      return javaLong(v.value);
    case 'oid':
      return mapOidValues ? mib.map(v.value) : v.value.join('.');
    case 'ip_address':
      return [...v.bytes].join('.');
    case 'opaque':
      return hexString(v.bytes);
    case 'octet_string':
    case 'bit_string':
      return isPrintable(v.bytes) ? v.bytes.toString('latin1') : hexString(v.bytes);
  }
}

export interface TrapOptions {
  mib: MibManager;
  mapOidValues: boolean;
  ecs: boolean;
  target: string | undefined;
}

type PduField = [string, FieldValue];

/** SnmpClient.createTrapEvent: the PDU fields, in the order the code puts them (HashMap order applied later). */
function pduFields(msg: SnmpMessage, bindings: FieldMap): PduField[] {
  const { pdu } = msg;
  const version = msg.version === 0 ? '1' : '2c';
  const out: PduField[] = [
    ['version', version],
    ['type', PDU_TYPE_NAME[pdu.type] ?? 'unknown'],
  ];
  if (msg.version > 0) {
    out.push(['request_id', pdu.requestId], ['error_status', pdu.errorStatus], ['error_status_text', errorStatusText(pdu.errorStatus)], ['error_index', pdu.errorIndex]);
  } else {
    // A v1 message always decodes to a PDUv1; a non-trap PDU keeps PDUv1's defaults.
    const v1 = pdu.v1 ?? { enterprise: [], agentAddr: Buffer.from([0, 0, 0, 0]), genericTrap: 0, specificTrap: 0, timestamp: 0 };
    out.push(['enterprise', v1.enterprise.join('.')], ['agent_addr', [...v1.agentAddr].join('.')], ['generic_trap', v1.genericTrap], ['specific_trap', v1.specificTrap], ['timestamp', v1.timestamp]);
  }
  out.push(['community', communityString(msg.community)]);
  out.push(['variable_bindings', bindings]);
  return out;
}

/** `new String(securityName)`: the community bytes as UTF-8 (Java's default charset). */
export const communityString = (c: Buffer): string => c.toString('utf8');

/** Ruby's Hash#inspect (JRuby 9.4: `{"k"=>v, ...}`) of the PDU fields. */
function inspectValue(v: FieldValue): string {
  if (typeof v === 'string') return rubyInspectString(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as FieldMap);
    return `{${entries.map(([k, x]) => `${rubyInspectString(k)}=>${inspectValue(x)}`).join(', ')}}`;
  }
  return 'nil';
}

/** Entries of `pairs` rebuilt in java.util.HashMap iteration order (a later duplicate key replaces the value in place). */
function inHashMapOrder(pairs: readonly (readonly [string, FieldValue])[], initialCapacity?: number): FieldMap {
  const values = new Map<string, FieldValue>();
  for (const [k, v] of pairs) values.set(k, v);
  const out: FieldMap = {};
  for (const k of javaHashMapOrder(pairs.map(([k]) => k), initialCapacity)) out[k] = values.get(k)!;
  return out;
}

/** The event for one accepted trap from `peerIp`. */
export function trapEvent(msg: SnmpMessage, peerIp: string, o: TrapOptions): Event {
  const vbs = msg.pdu.varbinds;
  const n = vbs.length;
  const coerced = vbs.map((vb) => coerceValue(vb.value, o.mib, o.mapOidValues));
  // createTrapEvent: numeric OID keys; doTrap: MIB-mapped keys; both `new HashMap<>(size)`.
  const rawBindings = inHashMapOrder(vbs.map((vb, i) => [vb.oid.join('.'), coerced[i]!] as const), n);
  const formatted = inHashMapOrder(vbs.map((vb, i) => [o.mib.map(vb.oid), coerced[i]!] as const), n);
  const pdu = inHashMapOrder(pduFields(msg, rawBindings));

  let event: Event;
  if (o.target === undefined) event = new Event(formatted);
  else {
    event = new Event();
    event.set(o.target, formatted);
  }
  event.set(o.ecs ? '[host][ip]' : 'host', peerIp);
  event.set('message', inspectValue(pdu));
  if (o.ecs) {
    // add_metadata_fields sets each (non-nil) field in turn; none is nil here, so one copy of the hash is the same.
    event.set('[@metadata][input][snmptrap][pdu]', { ...pdu, variable_bindings: { ...rawBindings } });
  }
  return event;
}
