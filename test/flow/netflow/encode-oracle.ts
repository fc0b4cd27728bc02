// TEST ORACLE — a deliberately minimal, independent reading of RFC 7011 / RFC 6313 / RFC 3954 used
// only to check the encoder's bytes. It is given the field types (it has no information model) and
// returns canonical values: integers and times as bigint, addresses/strings/octets as hex of the wire
// bytes, floats as numbers, lists as plain objects. It is not the project's decoder.
import type { AbstractDataType, Template, TemplateField } from '../../../src/flow/netflow/encode/index.ts';

export type Canon = bigint | number | boolean | string | null | Canon[] | { [k: string]: Canon };

export interface OracleField {
  pen: number;
  id: number;
  length: number;
}

export interface OracleRecord {
  setId: number;
  values: Canon[];
}

export interface OracleMessage {
  version: number;
  length: number;
  exportTime: number;
  sequence: number;
  domain: number;
  templates: { id: number; scopeFieldCount: number; fields: OracleField[] }[];
  withdrawals: number[];
  records: OracleRecord[];
}

type TypeOf = (templateId: number, fieldIndex: number) => AbstractDataType;

class Reader {
  constructor(
    readonly b: Buffer,
    public pos: number,
    readonly end: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.end) throw new Error(`oracle: need ${n} bytes at ${this.pos}, end ${this.end}`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  take(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

function uint(b: Buffer): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Decodes one value of `type` from exactly the bytes `b`. `templates` serves subTemplate lists. */
export function decodeValue(type: AbstractDataType, b: Buffer, lookup: SubTemplateLookup): Canon {
  switch (type) {
    case 'unsigned8': case 'unsigned16': case 'unsigned32': case 'unsigned64':
    case 'dateTimeSeconds': case 'dateTimeMilliseconds': case 'dateTimeMicroseconds': case 'dateTimeNanoseconds':
      return uint(b);
    case 'signed8': case 'signed16': case 'signed32': case 'signed64':
      return BigInt.asIntN(8 * b.length, uint(b));
    case 'float32':
      return b.readFloatBE(0);
    case 'float64':
      return b.length === 4 ? b.readFloatBE(0) : b.readDoubleBE(0);
    case 'boolean':
      return b[0] === 1 ? true : b[0] === 2 ? false : `invalid boolean ${b[0]}`;
    case 'macAddress': case 'ipv4Address': case 'ipv6Address': case 'string': case 'octetArray':
      return b.toString('hex');
    case 'basicList': {
      const r = new Reader(b, 0, b.length);
      const semantic = r.u8();
      const rawId = r.u16();
      const length = r.u16();
      const pen = rawId & 0x8000 ? r.u32() : 0;
      const id = rawId & 0x7fff;
      const itemType = lookup.basicListType(pen, id);
      const items: Canon[] = [];
      while (r.pos < r.end) items.push(readField(r, itemType, length, lookup));
      return { semantic: BigInt(semantic), pen: BigInt(pen), id: BigInt(id), length: BigInt(length), items };
    }
    case 'subTemplateList': {
      const r = new Reader(b, 0, b.length);
      const semantic = r.u8();
      const tid = r.u16();
      const records: Canon[] = [];
      while (r.pos < r.end) records.push(readRecord(r, lookup.template(tid), lookup));
      return { semantic: BigInt(semantic), template: BigInt(tid), records };
    }
    case 'subTemplateMultiList': {
      const r = new Reader(b, 0, b.length);
      const semantic = r.u8();
      const entries: Canon[] = [];
      while (r.pos < r.end) {
        const tid = r.u16();
        const len = r.u16();
        const sub = new Reader(b, r.pos, r.pos - 4 + len);
        const records: Canon[] = [];
        while (sub.pos < sub.end) records.push(readRecord(sub, lookup.template(tid), lookup));
        r.pos = sub.end;
        entries.push({ template: BigInt(tid), records });
      }
      return { semantic: BigInt(semantic), entries };
    }
  }
}

export interface SubTemplateLookup {
  template(id: number): Template;
  basicListType(pen: number, id: number): AbstractDataType;
}

function readField(r: Reader, type: AbstractDataType, length: number, lookup: SubTemplateLookup): Canon {
  let len = length;
  if (len === 65535) {
    len = r.u8();
    if (len === 255) len = r.u16();
  }
  return decodeValue(type, r.take(len), lookup);
}

function readRecord(r: Reader, t: Template, lookup: SubTemplateLookup): Canon[] {
  return t.fields.map((f: TemplateField) => readField(r, f.type!, f.length, lookup));
}

/** Parses one IPFIX message; `typeOf` gives each template field's type, `lookup` serves lists. */
export function oracleIpfix(buf: Buffer, typeOf: TypeOf, lookup: SubTemplateLookup): OracleMessage {
  const r = new Reader(buf, 0, buf.length);
  const msg: OracleMessage = {
    version: r.u16(), length: r.u16(), exportTime: r.u32(), sequence: r.u32(), domain: r.u32(),
    templates: [], withdrawals: [], records: [],
  };
  const known = new Map<number, OracleField[]>();
  while (r.pos < buf.length) {
    const setId = r.u16();
    const setLen = r.u16();
    const end = r.pos - 4 + setLen;
    const s = new Reader(buf, r.pos, end);
    if (setId === 2 || setId === 3) {
      while (end - s.pos >= 4) {
        const id = s.u16();
        const count = s.u16();
        if (count === 0) {
          msg.withdrawals.push(id);
          continue;
        }
        const scopeFieldCount = setId === 3 ? s.u16() : 0;
        const fields: OracleField[] = [];
        for (let i = 0; i < count; i++) {
          const raw = s.u16();
          const length = s.u16();
          fields.push({ pen: raw & 0x8000 ? s.u32() : 0, id: raw & 0x7fff, length });
        }
        known.set(id, fields);
        msg.templates.push({ id, scopeFieldCount, fields });
      }
    } else if (setId >= 256) {
      const fields = known.get(setId) ?? lookup.template(setId).fields.map((f) => ({ pen: f.pen ?? 0, id: f.id, length: f.length }));
      const minLen = fields.reduce((n, f) => n + (f.length === 65535 ? 1 : f.length), 0);
      while (s.pos < end && end - s.pos >= Math.max(1, minLen)) {
        const values = fields.map((f, i) => readField(s, typeOf(setId, i), f.length, lookup));
        msg.records.push({ setId, values });
      }
    }
    r.pos = end;
  }
  return msg;
}

export interface OracleV9 {
  version: number;
  count: number;
  sysUptime: number;
  unixSeconds: number;
  sequence: number;
  sourceId: number;
  templates: { id: number; scopeFieldCount: number; fields: OracleField[] }[];
  records: OracleRecord[];
  flowSetLengths: number[];
}

/**
 * TEST ORACLE for NetFlow v9 packets (fixed-length fields only). v9 padding can look like short records
 * and the format cannot tell them apart, so the caller says how many records each data flowset holds.
 */
export function oracleV9(buf: Buffer, typeOf: TypeOf, recordsPerDataFlowSet: number[]): OracleV9 {
  let dataFlowSet = 0;
  const r = new Reader(buf, 0, buf.length);
  const out: OracleV9 = {
    version: r.u16(), count: r.u16(), sysUptime: r.u32(), unixSeconds: r.u32(), sequence: r.u32(), sourceId: r.u32(),
    templates: [], records: [], flowSetLengths: [],
  };
  const known = new Map<number, OracleField[]>();
  const none: SubTemplateLookup = {
    template: () => { throw new Error('no lists in v9'); },
    basicListType: () => { throw new Error('no lists in v9'); },
  };
  while (buf.length - r.pos >= 4) {
    const id = r.u16();
    const len = r.u16();
    out.flowSetLengths.push(len);
    const end = r.pos - 4 + len;
    const s = new Reader(buf, r.pos, end);
    if (id === 0) {
      while (end - s.pos >= 4) {
        const tid = s.u16();
        const count = s.u16();
        if (count === 0) break; // padding
        const fields: OracleField[] = [];
        for (let i = 0; i < count; i++) fields.push({ pen: 0, id: s.u16(), length: s.u16() });
        known.set(tid, fields);
        out.templates.push({ id: tid, scopeFieldCount: 0, fields });
      }
    } else if (id === 1) {
      while (end - s.pos >= 6) {
        const tid = s.u16();
        const scopeLen = s.u16();
        const optLen = s.u16();
        if (tid === 0) break;
        const fields: OracleField[] = [];
        for (let i = 0; i < (scopeLen + optLen) / 4; i++) fields.push({ pen: 0, id: s.u16(), length: s.u16() });
        known.set(tid, fields);
        out.templates.push({ id: tid, scopeFieldCount: scopeLen / 4, fields });
      }
    } else {
      const fields = known.get(id)!;
      const recLen = fields.reduce((n, f) => n + f.length, 0);
      const n = recordsPerDataFlowSet[dataFlowSet++] ?? 0;
      for (let k = 0; k < n; k++) {
        out.records.push({ setId: id, values: fields.map((f, i) => decodeValue(typeOf(id, i), s.take(f.length), none)) });
      }
      if (end - s.pos >= 4 || end - s.pos < 0) throw new Error(`oracle: ${end - s.pos} bytes left in data flowset ${id}`);
    }
    r.pos = end;
  }
  return out;
}
