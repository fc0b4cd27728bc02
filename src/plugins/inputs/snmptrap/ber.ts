// BER decoding of SNMP messages (RFC 1157 v1, RFC 3416 v2c): the message wrapper, Trap-PDU,
// SNMPv2-Trap / InformRequest and the other PDUs, variable bindings and the SMI value types. Every
// fault is a SnmpDecodeError naming its kind and byte offset; nothing here throws anything else.
// Limits follow snmp4j 3.x's BER class (what Logstash's integration uses): INTEGER at most 4 bytes,
// Counter/Gauge/TimeTicks 32-bit unsigned, Counter64 64-bit, sub-identifiers 32-bit unsigned.

export type MalformedKind =
  | 'truncated'
  | 'bad_length'
  | 'unexpected_tag'
  | 'bad_integer'
  | 'bad_oid'
  | 'bad_ip_address'
  | 'unsupported_value_type'
  | 'unsupported_pdu_type';

export class SnmpDecodeError extends Error {
  constructor(
    readonly kind: MalformedKind,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'SnmpDecodeError';
  }
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  IP_ADDRESS: 0x40,
  COUNTER32: 0x41,
  GAUGE32: 0x42,
  TIMETICKS: 0x43,
  OPAQUE: 0x44,
  COUNTER64: 0x46,
  UINTEGER32: 0x47,
  NO_SUCH_OBJECT: 0x80,
  NO_SUCH_INSTANCE: 0x81,
  END_OF_MIB_VIEW: 0x82,
} as const;

/** PDU tags (context-specific, constructed) and the names snmp4j's PDU.getTypeString gives them. */
export const PDU_TYPE = {
  GET: 0xa0,
  GETNEXT: 0xa1,
  RESPONSE: 0xa2,
  SET: 0xa3,
  V1TRAP: 0xa4,
  GETBULK: 0xa5,
  INFORM: 0xa6,
  TRAP: 0xa7,
  REPORT: 0xa8,
} as const;

export const PDU_TYPE_NAME: Record<number, string> = {
  [PDU_TYPE.GET]: 'GET',
  [PDU_TYPE.GETNEXT]: 'GETNEXT',
  [PDU_TYPE.RESPONSE]: 'RESPONSE',
  [PDU_TYPE.SET]: 'SET',
  [PDU_TYPE.V1TRAP]: 'V1TRAP',
  [PDU_TYPE.GETBULK]: 'GETBULK',
  [PDU_TYPE.INFORM]: 'INFORM',
  [PDU_TYPE.TRAP]: 'TRAP',
  [PDU_TYPE.REPORT]: 'REPORT',
};

export type SnmpValue =
  | { type: 'integer'; value: number }
  | { type: 'octet_string'; bytes: Buffer }
  | { type: 'bit_string'; bytes: Buffer }
  | { type: 'opaque'; bytes: Buffer }
  | { type: 'null' }
  | { type: 'oid'; value: number[] }
  | { type: 'ip_address'; bytes: Buffer }
  | { type: 'counter32' | 'gauge32' | 'timeticks' | 'uinteger32'; value: number }
  | { type: 'counter64'; value: bigint }
  | { type: 'no_such_object' | 'no_such_instance' | 'end_of_mib_view' };

export interface VarBind {
  oid: number[];
  value: SnmpValue;
}

export interface Pdu {
  /** The PDU tag (PDU_TYPE). */
  type: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: VarBind[];
  /** The Trap-PDU fields (v1 only). */
  v1?: { enterprise: number[]; agentAddr: Buffer; genericTrap: number; specificTrap: number; timestamp: number };
}

export interface SnmpMessage {
  /** msgVersion as sent: 0 = SNMPv1, 1 = SNMPv2c, 3 = SNMPv3. */
  version: number;
  community: Buffer;
  pdu: Pdu;
}

interface Tlv {
  tag: number;
  start: number;
  /** Offset of the contents and one past their end. */
  body: number;
  end: number;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly limit: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.limit;
  }

  tlv(): Tlv {
    const start = this.pos;
    if (start >= this.limit) throw new SnmpDecodeError('truncated', 'expected a BER element, found the end of its container', start);
    const tag = this.buf[start]!;
    if ((tag & 0x1f) === 0x1f) throw new SnmpDecodeError('unexpected_tag', `multi-byte BER tag 0x${hex(tag)} is not used by SNMP`, start);
    let p = start + 1;
    if (p >= this.limit) throw new SnmpDecodeError('truncated', 'BER length missing', p);
    const first = this.buf[p++]!;
    let length: number;
    if (first < 0x80) length = first;
    else if (first === 0x80) throw new SnmpDecodeError('bad_length', 'indefinite BER length is not allowed in SNMP', p - 1);
    else {
      const n = first & 0x7f;
      if (n > 4) throw new SnmpDecodeError('bad_length', `BER length of ${n} bytes is too long`, p - 1);
      if (p + n > this.limit) throw new SnmpDecodeError('truncated', 'BER length bytes cut short', p);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + this.buf[p++]!;
    }
    if (p + length > this.limit) throw new SnmpDecodeError('truncated', `element 0x${hex(tag)} claims ${length} bytes, ${this.limit - p} remain`, start);
    this.pos = p + length;
    return { tag, start, body: p, end: p + length };
  }

  /** The next element, which must have `tag` (checked before its length, so foreign data reads as a wrong tag). */
  expect(tag: number, what: string): Tlv {
    const found = this.pos < this.limit ? this.buf[this.pos]! : undefined;
    if (found !== undefined && found !== tag) throw new SnmpDecodeError('unexpected_tag', `${what}: expected tag 0x${hex(tag)}, found 0x${hex(found)}`, this.pos);
    return this.tlv();
  }

  inner(t: Tlv): Reader {
    return new Reader(this.buf, t.body, t.end);
  }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** INTEGER (Integer32): two's complement, at most 4 bytes as snmp4j's BER.decodeInteger requires. */
function integer(buf: Buffer, t: Tlv, what: string): number {
  const len = t.end - t.body;
  if (len === 0) throw new SnmpDecodeError('bad_integer', `${what}: empty INTEGER`, t.start);
  if (len > 4) throw new SnmpDecodeError('bad_integer', `${what}: INTEGER of ${len} bytes exceeds 32 bits`, t.start);
  return buf.readIntBE(t.body, len);
}

/** Counter32/Gauge32/TimeTicks: up to 5 bytes, the fifth only as a leading zero (snmp4j decodeUnsignedInteger). */
function unsigned32(buf: Buffer, t: Tlv): number {
  const len = t.end - t.body;
  if (len === 0) throw new SnmpDecodeError('bad_integer', 'empty unsigned integer', t.start);
  if (len > 5 || (len === 5 && buf[t.body] !== 0)) throw new SnmpDecodeError('bad_integer', 'unsigned integer exceeds 32 bits', t.start);
  let v = 0;
  for (let i = t.body; i < t.end; i++) v = v * 256 + buf[i]!;
  return v;
}

/** Counter64: up to 9 bytes (leading zero); snmp4j keeps a signed Java long. */
function counter64(buf: Buffer, t: Tlv): bigint {
  const len = t.end - t.body;
  if (len === 0) throw new SnmpDecodeError('bad_integer', 'empty Counter64', t.start);
  if (len > 9 || (len === 9 && buf[t.body] !== 0)) throw new SnmpDecodeError('bad_integer', 'Counter64 exceeds 64 bits', t.start);
  let v = 0n;
  for (let i = t.body; i < t.end; i++) v = (v << 8n) | BigInt(buf[i]!);
  return BigInt.asIntN(64, v);
}

function oid(buf: Buffer, t: Tlv): number[] {
  const out: number[] = [];
  let v = 0;
  let pending = false;
  for (let i = t.body; i < t.end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    pending = true;
    if (v > 0xffffffff) throw new SnmpDecodeError('bad_oid', 'OID sub-identifier exceeds 32 bits', i);
    if (!(b & 0x80)) {
      if (out.length === 0) {
        if (v < 80) out.push(Math.floor(v / 40), v % 40);
        else out.push(2, v - 80);
      } else out.push(v);
      v = 0;
      pending = false;
    }
  }
  if (pending) throw new SnmpDecodeError('bad_oid', 'OID ends inside a sub-identifier', t.end);
  return out;
}

function value(r: Reader): SnmpValue {
  const t = r.tlv();
  const bytes = (): Buffer => r.buf.subarray(t.body, t.end);
  const empty = (type: 'null' | 'no_such_object' | 'no_such_instance' | 'end_of_mib_view'): SnmpValue => {
    if (t.end !== t.body) throw new SnmpDecodeError('bad_length', `${type} value with ${t.end - t.body} content bytes`, t.start);
    return { type };
  };
  switch (t.tag) {
    case TAG.INTEGER:
      return { type: 'integer', value: integer(r.buf, t, 'value') };
    case TAG.OCTET_STRING:
      return { type: 'octet_string', bytes: bytes() };
    case TAG.BIT_STRING:
      return { type: 'bit_string', bytes: bytes() };
    case TAG.OPAQUE:
      return { type: 'opaque', bytes: bytes() };
    case TAG.NULL:
      return empty('null');
    case TAG.OID:
      return { type: 'oid', value: oid(r.buf, t) };
    case TAG.IP_ADDRESS:
      if (t.end - t.body !== 4) throw new SnmpDecodeError('bad_ip_address', `IpAddress of ${t.end - t.body} bytes (4 expected)`, t.start);
      return { type: 'ip_address', bytes: bytes() };
    case TAG.COUNTER32:
      return { type: 'counter32', value: unsigned32(r.buf, t) };
    case TAG.GAUGE32:
      return { type: 'gauge32', value: unsigned32(r.buf, t) };
    case TAG.TIMETICKS:
      return { type: 'timeticks', value: unsigned32(r.buf, t) };
    case TAG.UINTEGER32:
      return { type: 'uinteger32', value: unsigned32(r.buf, t) };
    case TAG.COUNTER64:
      return { type: 'counter64', value: counter64(r.buf, t) };
    case TAG.NO_SUCH_OBJECT:
      return empty('no_such_object');
    case TAG.NO_SUCH_INSTANCE:
      return empty('no_such_instance');
    case TAG.END_OF_MIB_VIEW:
      return empty('end_of_mib_view');
    default:
      throw new SnmpDecodeError('unsupported_value_type', `unsupported SMI value type 0x${hex(t.tag)}`, t.start);
  }
}

function varbinds(r: Reader): VarBind[] {
  const list = r.inner(r.expect(TAG.SEQUENCE, 'variable-bindings'));
  const out: VarBind[] = [];
  while (!list.done) {
    const vb = list.inner(list.expect(TAG.SEQUENCE, 'VarBind'));
    const name = oid(vb.buf, vb.expect(TAG.OID, 'VarBind name'));
    const v = value(vb);
    if (!vb.done) throw new SnmpDecodeError('bad_length', 'VarBind has bytes after its value', vb.pos);
    out.push({ oid: name, value: v });
  }
  return out;
}

/**
 * Decodes one SNMP message. v1 messages carry any PDU (a Trap-PDU has its own layout); v2c
 * messages refuse the v1 Trap-PDU tag, as snmp4j's PDU.decodeBER does. v3 messages are reported
 * by version only (msgVersion 3): their PDU is inside a security envelope this decoder does not open.
 */
export function decodeSnmpMessage(buf: Buffer): SnmpMessage | { version: number; pdu?: undefined } {
  const top = new Reader(buf, 0, buf.length);
  const msg = top.inner(top.expect(TAG.SEQUENCE, 'SNMP message'));
  const version = integer(buf, msg.expect(TAG.INTEGER, 'msgVersion'), 'msgVersion');
  if (version !== 0 && version !== 1) return { version };
  const community = buf.subarray(...bounds(msg.expect(TAG.OCTET_STRING, 'community')));
  const p = msg.tlv();
  if (!PDU_TYPE_NAME[p.tag]) throw new SnmpDecodeError('unsupported_pdu_type', `unsupported PDU type 0x${hex(p.tag)}`, p.start);
  if (version === 1 && p.tag === PDU_TYPE.V1TRAP) throw new SnmpDecodeError('unsupported_pdu_type', 'SNMPv1 Trap-PDU in an SNMPv2c message', p.start);
  const r = msg.inner(p);
  let pdu: Pdu;
  if (p.tag === PDU_TYPE.V1TRAP) {
    const enterprise = oid(buf, r.expect(TAG.OID, 'enterprise'));
    const addr = r.expect(TAG.IP_ADDRESS, 'agent-addr');
    if (addr.end - addr.body !== 4) throw new SnmpDecodeError('bad_ip_address', `agent-addr of ${addr.end - addr.body} bytes (4 expected)`, addr.start);
    const genericTrap = integer(buf, r.expect(TAG.INTEGER, 'generic-trap'), 'generic-trap');
    const specificTrap = integer(buf, r.expect(TAG.INTEGER, 'specific-trap'), 'specific-trap');
    const timestamp = unsigned32(buf, r.expect(TAG.TIMETICKS, 'time-stamp'));
    pdu = { type: p.tag, requestId: 0, errorStatus: 0, errorIndex: 0, varbinds: varbinds(r), v1: { enterprise, agentAddr: buf.subarray(addr.body, addr.end), genericTrap, specificTrap, timestamp } };
  } else {
    const requestId = integer(buf, r.expect(TAG.INTEGER, 'request-id'), 'request-id');
    const errorStatus = integer(buf, r.expect(TAG.INTEGER, 'error-status'), 'error-status');
    const errorIndex = integer(buf, r.expect(TAG.INTEGER, 'error-index'), 'error-index');
    pdu = { type: p.tag, requestId, errorStatus, errorIndex, varbinds: varbinds(r) };
  }
  if (!r.done) throw new SnmpDecodeError('bad_length', 'PDU has bytes after its variable-bindings', r.pos);
  return { version, community, pdu };
}

const bounds = (t: Tlv): [number, number] => [t.body, t.end];

/** The length of the BER element starting at `buf[0]` (header included), undefined while incomplete; for TCP framing. */
export function berElementLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const first = buf[1]!;
  if (first < 0x80) return 2 + first;
  if (first === 0x80) throw new SnmpDecodeError('bad_length', 'indefinite BER length is not allowed in SNMP', 1);
  const n = first & 0x7f;
  if (n > 4) throw new SnmpDecodeError('bad_length', `BER length of ${n} bytes is too long`, 1);
  if (buf.length < 2 + n) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[2 + i]!;
  return 2 + n + length;
}
