// A batch of events as one buffer, for handing decoded events to filter/output worker threads
// (transfer the buffer; structuredClone would lose Float, Timestamp and key order guarantees and is slower).
//
// Format (all multi-byte numbers little-endian):
//   batch   = MAGIC VERSION varint(count) event*
//   event   = flags(bit0 = cancelled) map(data) map(metadata)
//   map     = varint(n) (key value)*
//   key     = varint(h): h even → the key with index h/2 in this batch's key table;
//             h = 4·len+1 → a new key of len UTF-8 bytes; h = 4·len+3 → a new key of len UTF-16 code units
//   value   = one tag byte, then:
//     0x00 null | 0x01 false | 0x02 true
//     0x03 varint  non-negative integer number ≤ 2^53-1      0x04 varint(-v)  negative integer number ≥ -(2^53-1)
//     0x05 f64     any other number (-0, NaN, ±Infinity, fractions, large)
//     0x06 f64     Float
//     0x07 f64 seconds, u32 nanos  Timestamp                  0x08 f64 seconds, f64 nanos  Timestamp outside that shape
//     0x09 i64     bigint in int64                            0x0a varint(len) ASCII decimal  any other bigint
//     0x0b varint(n) value*  array (holes are written as null)
//     0x0c map
//     0x0d varint(bytes) UTF-8 string                         0x0e varint(units) u16*  string with lone surrogates
//     0x40|v       integer number v < 64
//     0x80|len     ASCII string of len < 128 bytes
import { Event } from '../../event/event.ts';
import { Timestamp } from '../../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue } from '../../event/values.ts';

const MAGIC = 0xf5;
const VERSION = 1;
const MAX_DEPTH = 1000;

const T_NULL = 0x00;
const T_FALSE = 0x01;
const T_TRUE = 0x02;
const T_UINT = 0x03;
const T_NEGINT = 0x04;
const T_DOUBLE = 0x05;
const T_FLOAT = 0x06;
const T_TIMESTAMP = 0x07;
const T_TIMESTAMP_RAW = 0x08;
const T_BIGINT64 = 0x09;
const T_BIGTEXT = 0x0a;
const T_ARRAY = 0x0b;
const T_MAP = 0x0c;
const T_UTF8 = 0x0d;
const T_UTF16 = 0x0e;
const T_SMALL_INT = 0x40;
const T_ASCII = 0x80;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Thrown by decodeEvents on a truncated or corrupt buffer, with the byte offset and what was expected. */
export class EventWireError extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
    detail = 'buffer ends',
  ) {
    super(`event wire: at byte ${offset}: expected ${expected} (${detail})`);
    this.name = 'EventWireError';
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding: one module-level scratch buffer grows as needed and is copied out at the end.

let out = Buffer.allocUnsafe(1 << 16);
let view = new DataView(out.buffer, out.byteOffset, out.byteLength);
let pos = 0;
const keyIndex = new Map<string, number>();
const path: (string | number)[] = [];

function ensure(n: number): void {
  if (pos + n <= out.length) return;
  let size = out.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  out.copy(next, 0, 0, pos);
  out = next;
  view = new DataView(out.buffer, out.byteOffset, out.byteLength);
}

/** Non-negative integer ≤ 2^53-1; `& 0x7f` keeps the low bits exactly (ToInt32 is mod 2^32). */
function writeVarint(v: number): void {
  ensure(8);
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
}

/** Encodes events (data, metadata, cancelled flag) into one buffer; the caller transfers buffer.buffer. */
export function encodeEvents(events: readonly Event[]): Uint8Array {
  pos = 0;
  keyIndex.clear();
  try {
    ensure(2);
    out[pos++] = MAGIC;
    out[pos++] = VERSION;
    writeVarint(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      ensure(1);
      out[pos++] = e.cancelled ? 1 : 0;
      writeMap(e.data, 0);
      path.push('@metadata');
      writeMap(e.metadata, 1);
      path.length = 0;
    }
    const result = new Uint8Array(pos);
    result.set(out.subarray(0, pos));
    return result;
  } finally {
    path.length = 0;
    keyIndex.clear();
    // A rare huge batch must not pin its scratch for the life of the thread.
    if (out.length > 1 << 24) {
      out = Buffer.allocUnsafe(1 << 16);
      view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
  }
}

function writeMap(m: FieldMap, depth: number): void {
  if (depth > MAX_DEPTH) throw unsupported(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
  const keys = Object.keys(m);
  writeVarint(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    writeKey(k);
    path.push(k);
    writeValue(m[k], depth + 1);
    path.pop();
  }
}

function writeKey(k: string): void {
  const known = keyIndex.get(k);
  if (known !== undefined) {
    writeVarint(known * 2);
    return;
  }
  keyIndex.set(k, keyIndex.size);
  const n = k.length;
  if (n < 32) {
    // Optimistic ASCII: the header is 4·len+1 < 128, one byte.
    ensure(1 + n);
    const start = pos;
    out[pos++] = n * 4 + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = k.charCodeAt(i);
      if (c >= 0x80) break;
      out[pos++] = c;
    }
    if (i === n) return;
    pos = start;
  }
  if (isWellFormed(k)) {
    const bytes = Buffer.byteLength(k, 'utf8');
    writeVarint(bytes * 4 + 1);
    ensure(bytes);
    pos += out.write(k, pos, bytes, 'utf8');
  } else {
    writeVarint(n * 4 + 3);
    writeUtf16(k);
  }
}

function writeString(s: string): void {
  const n = s.length;
  if (n < 128) {
    ensure(1 + n);
    const start = pos;
    out[pos++] = T_ASCII | n;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[pos++] = c;
    }
    if (i === n) return;
    pos = start;
  }
  if (isWellFormed(s)) {
    const bytes = Buffer.byteLength(s, 'utf8');
    ensure(1);
    out[pos++] = T_UTF8;
    writeVarint(bytes);
    ensure(bytes);
    pos += out.write(s, pos, bytes, 'utf8');
  } else {
    ensure(1);
    out[pos++] = T_UTF16;
    writeVarint(n);
    writeUtf16(s);
  }
}

/** UTF-8 would turn a lone surrogate into U+FFFD; code units keep the string exactly. */
function writeUtf16(s: string): void {
  ensure(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    view.setUint16(pos, s.charCodeAt(i), true);
    pos += 2;
  }
}

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function writeValue(v: FieldValue | undefined, depth: number): void {
  switch (typeof v) {
    case 'string':
      writeString(v);
      return;
    case 'number':
      writeNumber(v);
      return;
    case 'boolean':
      ensure(1);
      out[pos++] = v ? T_TRUE : T_FALSE;
      return;
    case 'bigint':
      writeBigint(v);
      return;
    case 'object':
      break;
    default:
      throw unsupported(typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`);
  }
  if (v === null) {
    ensure(1);
    out[pos++] = T_NULL;
    return;
  }
  if (Array.isArray(v)) {
    if (depth > MAX_DEPTH) throw unsupported(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
    ensure(1);
    out[pos++] = T_ARRAY;
    const n = v.length;
    writeVarint(n);
    for (let i = 0; i < n; i++) {
      path.push(i);
      // A hole reads as undefined; the event code never makes one (setIn pads lists with nil).
      const item = v[i];
      writeValue(item === undefined && !(i in v) ? null : item, depth + 1);
      path.pop();
    }
    return;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Object.prototype || proto === null) {
    ensure(1);
    out[pos++] = T_MAP;
    writeMap(v as FieldMap, depth);
    return;
  }
  if (v instanceof Float) {
    ensure(9);
    out[pos++] = T_FLOAT;
    view.setFloat64(pos, v.value, true);
    pos += 8;
    return;
  }
  if (v instanceof Timestamp) {
    writeTimestamp(v);
    return;
  }
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  throw unsupported(typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a foreign prototype');
}

function writeNumber(v: number): void {
  if (Number.isInteger(v) && !(v === 0 && 1 / v < 0)) {
    if (v >= 0 && v < 64) {
      ensure(1);
      out[pos++] = T_SMALL_INT | v;
      return;
    }
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      ensure(1);
      out[pos++] = T_UINT;
      writeVarint(v);
      return;
    }
    if (v < 0 && v >= -Number.MAX_SAFE_INTEGER) {
      ensure(1);
      out[pos++] = T_NEGINT;
      writeVarint(-v);
      return;
    }
  }
  ensure(9);
  out[pos++] = T_DOUBLE;
  view.setFloat64(pos, v, true);
  pos += 8;
}

function writeBigint(v: bigint): void {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    ensure(9);
    out[pos++] = T_BIGINT64;
    view.setBigInt64(pos, v, true);
    pos += 8;
    return;
  }
  const text = v.toString();
  ensure(1 + 8 + text.length);
  out[pos++] = T_BIGTEXT;
  writeVarint(text.length);
  pos += out.write(text, pos, text.length, 'latin1');
}

function writeTimestamp(t: Timestamp): void {
  const { seconds, nanos } = t;
  const usual = Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9;
  ensure(17);
  out[pos++] = usual ? T_TIMESTAMP : T_TIMESTAMP_RAW;
  view.setFloat64(pos, seconds, true);
  pos += 8;
  if (usual) {
    view.setUint32(pos, nanos, true);
    pos += 4;
  } else {
    view.setFloat64(pos, nanos, true);
    pos += 8;
  }
}

function unsupported(what: string): TypeError {
  return new TypeError(`event wire: cannot encode ${what} at ${describePath()} (fields hold strings, numbers, bigints, booleans, nil, Float, Timestamp, lists and maps)`);
}

function describePath(): string {
  if (path.length === 0) return 'the event';
  let s = '';
  for (const p of path) s += `[${p}]`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/** Cursor over one buffer; `keys` is the batch's key table. */
class Reader {
  pos = 0;
  readonly end: number;
  readonly buf: Buffer;
  readonly view: DataView;
  readonly keys: string[] = [];

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
  }

  need(n: number, expected: string): void {
    if (n > this.end - this.pos) throw new EventWireError(this.pos, expected, `${this.end - this.pos} bytes left, ${n} needed`);
  }

  byte(expected: string): number {
    if (this.pos >= this.end) throw new EventWireError(this.pos, expected);
    return this.buf[this.pos++]!;
  }

  varint(expected: string): number {
    const start = this.pos;
    let b = this.byte(expected);
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let mul = 128;
    for (let i = 1; i < 8; i++) {
      b = this.byte(expected);
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) break;
        return v;
      }
      mul *= 128;
    }
    throw new EventWireError(start, expected, 'varint longer than 2^53');
  }

  f64(expected: string): number {
    this.need(8, expected);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A count of items each at least `minBytes` long: bounded by what is left, so a corrupt count cannot run away. */
  count(minBytes: number, expected: string): number {
    const start = this.pos;
    const n = this.varint(expected);
    if (n * minBytes > this.end - this.pos) {
      throw new EventWireError(start, expected, `${n} items cannot fit in the ${this.end - this.pos} bytes left`);
    }
    return n;
  }

  ascii(n: number, expected: string): string {
    this.need(n, expected);
    const buf = this.buf;
    const start = this.pos;
    this.pos += n;
    // Measured for 1–40 byte strings: a fromCharCode loop beats latin1Slice up to about a dozen characters.
    if (n <= 12) {
      let s = '';
      for (let i = start; i < start + n; i++) s += String.fromCharCode(buf[i]!);
      return s;
    }
    return buf.toString('latin1', start, start + n);
  }

  utf8(n: number, expected: string): string {
    this.need(n, expected);
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('utf8', start, start + n);
  }

  /** A key's UTF-8 text; keys are nearly always ASCII. */
  keyText(n: number): string {
    this.need(n, 'key text');
    const buf = this.buf;
    for (let i = this.pos; i < this.pos + n; i++) if (buf[i]! >= 0x80) return this.utf8(n, 'key text');
    return this.ascii(n, 'key text');
  }

  utf16(units: number, expected: string): string {
    this.need(units * 2, expected);
    let s = '';
    for (let i = 0; i < units; i++) {
      s += String.fromCharCode(this.view.getUint16(this.pos, true));
      this.pos += 2;
    }
    return s;
  }
}

/** Decodes what encodeEvents wrote; throws EventWireError on a truncated or corrupt buffer. */
export function decodeEvents(bytes: Uint8Array): Event[] {
  const r = new Reader(bytes);
  try {
    if (r.byte('the batch header') !== MAGIC) throw new EventWireError(0, 'the batch header', `not 0x${MAGIC.toString(16)}`);
    const version = r.byte('the format version');
    if (version !== VERSION) throw new EventWireError(1, `format version ${VERSION}`, `version ${version}`);
    const n = r.count(3, 'the event count');
    const events: Event[] = new Array<Event>(n);
    for (let i = 0; i < n; i++) {
      const flagsAt = r.pos;
      const flags = r.byte('event flags');
      if (flags > 1) throw new EventWireError(flagsAt, 'event flags', `0x${flags.toString(16)}`);
      const data = readMap(r, 0);
      const metadata = readMap(r, 0);
      let event: Event;
      if (data['@timestamp'] instanceof Timestamp && data['@version'] !== undefined) event = new Event(data, metadata);
      else {
        // The constructor would rebuild other data (defaults, @timestamp first): the fields are carried as they were.
        event = new Event({ '@timestamp': EPOCH, '@version': '1' }, metadata);
        event.data = data;
      }
      if (flags === 1) event.cancelled = true;
      events[i] = event;
    }
    if (r.pos !== r.end) throw new EventWireError(r.pos, 'the end of the batch', `${r.end - r.pos} bytes left over`);
    return events;
  } catch (err) {
    if (err instanceof EventWireError) throw err;
    // Corrupt nesting can exhaust the stack; nothing else is expected here.
    throw new EventWireError(r.pos, 'a well-formed batch', err instanceof Error ? err.message : String(err));
  }
}

const EPOCH = new Timestamp(0, 0);

function readKey(r: Reader): string {
  const at = r.pos;
  const h = r.varint('a key');
  if (h % 2 === 0) {
    const k = r.keys[h / 2];
    if (k === undefined) throw new EventWireError(at, 'a key', `key index ${h / 2} of ${r.keys.length}`);
    return k;
  }
  const len = Math.floor(h / 4);
  const k = h % 4 === 1 ? r.keyText(len) : r.utf16(len, 'key text');
  r.keys.push(k);
  return k;
}

function readMap(r: Reader, depth: number): FieldMap {
  if (depth > MAX_DEPTH) throw new EventWireError(r.pos, 'a map', `nesting deeper than ${MAX_DEPTH}`);
  const n = r.count(2, 'a map size');
  const m: FieldMap = {};
  for (let i = 0; i < n; i++) {
    const k = readKey(r);
    const v = readValue(r, depth + 1);
    if (k === '__proto__') Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
    else m[k] = v;
  }
  return m;
}

function readValue(r: Reader, depth: number): FieldValue {
  const at = r.pos;
  const tag = r.byte('a value tag');
  if (tag >= T_ASCII) return r.ascii(tag - T_ASCII, 'string bytes');
  if (tag >= T_SMALL_INT) {
    if (tag < T_SMALL_INT + 64) return tag - T_SMALL_INT;
    throw new EventWireError(at, 'a value tag', `0x${tag.toString(16)}`);
  }
  switch (tag) {
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_UINT:
      return r.varint('an integer');
    case T_NEGINT:
      return -r.varint('an integer');
    case T_DOUBLE:
      return r.f64('a number');
    case T_FLOAT:
      return new Float(r.f64('a float'));
    case T_TIMESTAMP: {
      const seconds = r.f64('timestamp seconds');
      r.need(4, 'timestamp nanoseconds');
      const nanos = r.view.getUint32(r.pos, true);
      r.pos += 4;
      if (nanos >= 1e9 || !Number.isInteger(seconds)) throw new EventWireError(at, 'a timestamp', `${seconds} s ${nanos} ns`);
      return new Timestamp(seconds, nanos);
    }
    case T_TIMESTAMP_RAW: {
      const seconds = r.f64('timestamp seconds');
      const nanos = r.f64('timestamp nanoseconds');
      // Outside the constructor's normal form (NaN from an unparseable instant): rebuilt field by field.
      const t = Object.create(Timestamp.prototype) as { seconds: number; nanos: number };
      t.seconds = seconds;
      t.nanos = nanos;
      return t as unknown as Timestamp;
    }
    case T_BIGINT64: {
      r.need(8, 'a 64-bit integer');
      const v = r.view.getBigInt64(r.pos, true);
      r.pos += 8;
      return v;
    }
    case T_BIGTEXT: {
      const n = r.varint('a big integer length');
      const text = r.ascii(n, 'big integer digits');
      if (!/^-?\d+$/.test(text)) throw new EventWireError(at, 'a big integer', JSON.stringify(text.slice(0, 40)));
      return BigInt(text);
    }
    case T_ARRAY: {
      if (depth > MAX_DEPTH) throw new EventWireError(at, 'a list', `nesting deeper than ${MAX_DEPTH}`);
      const n = r.count(1, 'a list length');
      const list: FieldValue[] = [];
      for (let i = 0; i < n; i++) list.push(readValue(r, depth + 1));
      return list;
    }
    case T_MAP:
      return readMap(r, depth);
    case T_UTF8:
      return r.utf8(r.varint('a string length'), 'string bytes');
    case T_UTF16:
      return r.utf16(r.varint('a string length'), 'string code units');
    default:
      throw new EventWireError(at, 'a value tag', `0x${tag.toString(16)}`);
  }
}
