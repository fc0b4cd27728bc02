// A batch of events as one buffer, for handing decoded events to filter/output worker threads
// (transfer the buffer; structured clone would turn Float and Timestamp into plain objects, and is slower: bench/event-wire.ts).
//
// Format (all multi-byte numbers little-endian):
//   batch   = MAGIC VERSION varint(count) event*
//   event   = flags(bit0 = cancelled) map(data) map(metadata)
//   map     = varint(n) (key value)*     (decoded with one cached object literal per key sequence)
//   key     = varint(h): h even → the key with index h/2 in this batch's key table;
//             h = 4·len+1 → a new key of len UTF-8 bytes; h = 4·len+3 → a new key of len UTF-16 code units
//   value   = one tag byte, then:
//     0x00 null | 0x01 false | 0x02 true
//     0x03 varint  non-negative integer number ≤ 2^53-1      0x04 varint(-v)  negative integer number ≥ -(2^53-1)
//     0x05 f64     any other number (-0, NaN, ±Infinity, fractions, large)
//     0x06 f64     Float
//     0x07 f64 seconds, u32 nanos  Timestamp (integer seconds, 0 ≤ nanos < 1e9)
//     0x08 f64 seconds, f64 nanos  any other Timestamp (NaN from an unparseable instant)
//     0x09 i64     bigint in int64                            0x0a varint(len) ASCII decimal  any other bigint
//     0x0b varint(n) value*  array (holes are written as null)
//     0x0c map
//     0x0d varint(bytes) UTF-8 string                         0x0e varint(units) u16*  string with lone surrogates
//     0x40|v       integer number v < 64
//     0x80|len     ASCII string of len < 128 bytes
import { Event } from '../../event/event.ts';
import { Timestamp } from '../../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, setOwn } from '../../event/values.ts';

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

/** An unencodable value; the hot path keeps no path, the error message finds it afterwards (locate). */
class Unencodable {
  constructor(readonly what: string) {}
}

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
      writeMap(e.metadata, 1);
    }
    const result = new Uint8Array(pos);
    result.set(out.subarray(0, pos));
    return result;
  } catch (err) {
    if (err instanceof Unencodable) {
      const path = locate(events);
      const where = path === undefined ? 'an event' : path.map((p) => `[${p}]`).join('');
      throw new TypeError(
        `event wire: cannot encode ${err.what} at ${where} (fields hold strings, numbers, bigints, booleans, nil, Float, Timestamp, lists and maps)`,
      );
    }
    throw err;
  } finally {
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
    writeValue(m[k], depth + 1);
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
  // Optimistic ASCII: the header is 4·len+1 < 128, one byte.
  if (n < 32 && asciiAfter(n * 4 + 1, k)) return;
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

/** Writes the one-byte header, then `s` as ASCII; false (nothing written) when `s` has a non-ASCII character. */
function asciiAfter(header: number, s: string): boolean {
  const n = s.length;
  ensure(1 + n);
  const start = pos;
  out[pos++] = header;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      pos = start;
      return false;
    }
    out[pos++] = c;
  }
  return true;
}

function writeString(s: string): void {
  const n = s.length;
  if (n < 128 && asciiAfter(T_ASCII | n, s)) return;
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
      // A hole reads as undefined; the event code never makes one (setIn pads lists with nil).
      const item = v[i];
      writeValue(item === undefined && !(i in v) ? null : item, depth + 1);
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
  const usual = Number.isInteger(seconds) && Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9;
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

function unsupported(what: string): Unencodable {
  return new Unencodable(what);
}

/** The path of the first value writeValue rejects (the same checks, slowly, with the path kept). */
function locate(events: readonly Event[]): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  const bad = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'bigint':
        return false;
      case 'object':
        break;
      default:
        return true;
    }
    if (v === null || v instanceof Float || v instanceof Timestamp) return false;
    if (Array.isArray(v)) {
      if (depth > MAX_DEPTH) return true;
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        if (bad(i in v ? v[i] : null, depth + 1)) return true;
        path.pop();
      }
      return false;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null) return true;
    return badMap(v as FieldMap, depth);
  };
  const badMap = (m: FieldMap, depth: number): boolean => {
    if (depth > MAX_DEPTH) return true;
    for (const k of Object.keys(m)) {
      path.push(k);
      if (bad(m[k], depth + 1)) return true;
      path.pop();
    }
    return false;
  };
  for (const e of events) {
    if (badMap(e.data, 0)) return path;
    path.push('@metadata');
    if (badMap(e.metadata, 1)) return path;
    path.pop();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/** Buffer's slice methods without toString's argument handling (present in every Node version flowstash runs on). */
interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Cursor over one buffer; `keys` is the batch's key table. */
class Reader {
  pos = 0;
  readonly end: number;
  readonly buf: Buffer & FastSlices;
  readonly view: DataView;
  readonly keys: string[] = [];
  readonly shapes: ShapeNode = { next: [], build: undefined };

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Buffer & FastSlices;
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
    return buf.latin1Slice(start, start + n);
  }

  utf8(n: number, expected: string): string {
    this.need(n, expected);
    const start = this.pos;
    this.pos += n;
    return this.buf.utf8Slice(start, start + n);
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
  stackTop = 0;
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
  } finally {
    // The stacks must not keep the batch's values alive.
    valueStack.length = 0;
    keyStack.length = 0;
  }
}

const EPOCH = new Timestamp(0, 0);

/** The key's index in the batch's key table (a new key is added to it). */
function readKey(r: Reader): number {
  const at = r.pos;
  const h = r.varint('a key');
  if (h % 2 === 0) {
    const idx = h / 2;
    if (idx >= r.keys.length) throw new EventWireError(at, 'a key', `key index ${idx} of ${r.keys.length}`);
    return idx;
  }
  const len = Math.floor(h / 4);
  r.keys.push(h % 4 === 1 ? r.keyText(len) : r.utf16(len, 'key text'));
  return r.keys.length - 1;
}

// Maps are built by one object literal per key sequence ("shape"): adding properties one by one with
// keys only known at run time goes through V8's slow generic store, a literal is one allocation.
// The shapes of a batch form a trie over key indexes; the literal functions are kept across batches.

type MapBuilder = (values: FieldValue[], base: number) => FieldMap;

/** A key sequence seen in this batch: its continuations by key index, and its builder once a map ended here. */
interface ShapeNode {
  next: ShapeNode[];
  build: MapBuilder | undefined;
}

const MAX_SHAPE_KEYS = 64;
const MAX_BUILDERS = 2000;
const builders = new Map<string, MapBuilder>();

/** Values of the maps being read (nested maps stack above their parent's values). */
const valueStack: FieldValue[] = [];
const keyStack: number[] = [];
let stackTop = 0;

function builderFor(keys: string[]): MapBuilder | undefined {
  const id = JSON.stringify(keys);
  let build = builders.get(id);
  if (build === undefined && builders.size < MAX_BUILDERS) {
    // JSON text is a JS string literal for any key (lone surrogates escaped); a computed `__proto__`
    // defines an own property where a literal one would set the prototype.
    const fields = keys.map((k, i) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: v[b + ${i}]`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one literal (one allocation) per shape
    build = new Function('v', 'b', `return {${fields.join(', ')}};`) as MapBuilder;
    builders.set(id, build);
  }
  return build;
}

function readMap(r: Reader, depth: number): FieldMap {
  if (depth > MAX_DEPTH) throw new EventWireError(r.pos, 'a map', `nesting deeper than ${MAX_DEPTH}`);
  const n = r.count(2, 'a map size');
  if (n === 0) return {};
  if (n > MAX_SHAPE_KEYS) return readMapByKeys(r, depth, n);
  // Slots from base up are this map's; a nested map uses those above the ones filled so far.
  const base = stackTop;
  let node = r.shapes;
  for (let i = 0; i < n; i++) {
    const k = readKey(r);
    let child = node.next[k];
    if (child === undefined) {
      child = { next: [], build: undefined };
      node.next[k] = child;
    }
    node = child;
    const v = readValue(r, depth + 1);
    valueStack[base + i] = v;
    keyStack[base + i] = k;
    stackTop = base + i + 1;
  }
  stackTop = base;
  let build = node.build;
  if (build === undefined) {
    const keys: string[] = [];
    for (let i = 0; i < n; i++) keys.push(r.keys[keyStack[base + i]!]!);
    build = node.build = builderFor(keys) ?? assigner(keys);
  }
  return build(valueStack, base);
}

/** Beyond the shapes kept: the keys added one by one. */
function assigner(keys: readonly string[]): MapBuilder {
  return (values, base) => {
    const m: FieldMap = {};
    for (let i = 0; i < keys.length; i++) setOwn(m, keys[i]!, values[base + i]!);
    return m;
  };
}

function readMapByKeys(r: Reader, depth: number, n: number): FieldMap {
  const m: FieldMap = {};
  for (let i = 0; i < n; i++) {
    const k = r.keys[readKey(r)]!;
    setOwn(m, k, readValue(r, depth + 1));
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
