// Logstash's DLQEntry (org.logstash.DLQEntry#serialize) and the event inside it (Event#serialize):
// five length-prefixed parts — entry time, event, plugin type, plugin id, reason — each a 32-bit
// big-endian length and the bytes. The event is what Logstash's CBOR_MAPPER writes: Jackson CBOR
// with default typing NON_FINAL, so every non-final value travels as a two-element array
// [class name, value] ("type wrapper"): the root HashMap {DATA, META}, each ConvertedMap,
// ConvertedList, RubyString, Timestamp and RubyNil. Numbers and booleans are final/untyped scalars;
// WRITE_MINIMAL_INTS is off, so integers are always 8 bytes. Arrays and maps are indefinite-length
// (0x9f/0xbf … 0xff), as in logstash-core's stringref-disabled.annotated-cbor.asc fixture.
// decodeEntry() reads these bytes back (and any other well-formed CBOR of the same shape).
import { Event } from '../../event/event.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap } from '../../event/values.ts';
import { Timestamp } from '../../event/timestamp.ts';
import { parseIso8601 } from '../../event/datetime-pattern.ts';
import { UTC } from '../../event/timezone.ts';

const HASH_MAP = 'java.util.HashMap';
const CONVERTED_MAP = 'org.logstash.ConvertedMap';
const CONVERTED_LIST = 'org.logstash.ConvertedList';
const RUBY_STRING = 'org.jruby.RubyString';
const RUBY_NIL = 'org.jruby.RubyNil';
const TIMESTAMP = 'org.logstash.Timestamp';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Appends CBOR items to a growing buffer. */
class CborWriter {
  private buf = Buffer.allocUnsafe(1024);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** A major type with its argument in the shortest form (lengths; Jackson writes these minimal). */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) {
      this.byte(m | 24);
      this.byte(n);
    } else if (n < 0x10000) {
      this.ensure(3);
      this.buf[this.len++] = m | 25;
      this.buf.writeUInt16BE(n, this.len);
      this.len += 2;
    } else {
      this.ensure(5);
      this.buf[this.len++] = m | 26;
      this.buf.writeUInt32BE(n, this.len);
      this.len += 4;
    }
  }

  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.head(3, n);
    this.ensure(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** A 64-bit integer, never shortened (WRITE_MINIMAL_INTS false). */
  int64(v: bigint): void {
    this.ensure(9);
    if (v < 0n) {
      this.buf[this.len++] = 0x3b;
      this.buf.writeBigUInt64BE(-1n - v, this.len);
    } else {
      this.buf[this.len++] = 0x1b;
      this.buf.writeBigUInt64BE(v, this.len);
    }
    this.len += 8;
  }

  /** A BigInteger (RubyBignum): tag 2/3 and the magnitude's bytes. */
  bignum(v: bigint): void {
    const negative = v < 0n;
    let mag = negative ? -1n - v : v;
    const bytes: number[] = [];
    while (mag > 0n) {
      bytes.unshift(Number(mag & 0xffn));
      mag >>= 8n;
    }
    this.head(6, negative ? 3 : 2);
    this.head(2, bytes.length);
    for (const b of bytes) this.byte(b);
  }

  double(x: number): void {
    this.ensure(9);
    this.buf[this.len++] = 0xfb;
    this.buf.writeDoubleBE(x, this.len);
    this.len += 8;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function typed(w: CborWriter, className: string, body: () => void): void {
  w.byte(0x9f);
  w.text(className);
  body();
  w.byte(0xff);
}

function writeMap(w: CborWriter, map: FieldMap, top: boolean): void {
  typed(w, CONVERTED_MAP, () => {
    w.byte(0xbf);
    for (const [k, v] of Object.entries(map)) {
      w.text(k);
      // Event sets @version as a java.lang.String (final: no type wrapper); every other string is a RubyString.
      if (top && k === '@version' && typeof v === 'string') w.text(v);
      else writeValue(w, v);
    }
    w.byte(0xff);
  });
}

function writeValue(w: CborWriter, v: FieldValue): void {
  if (typeof v === 'string') typed(w, RUBY_STRING, () => w.text(v));
  else if (typeof v === 'boolean') w.byte(v ? 0xf5 : 0xf4);
  else if (v === null) typed(w, RUBY_NIL, () => w.byte(0xf6));
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) w.int64(BigInt(v));
    else w.double(v);
  } else if (typeof v === 'bigint') {
    if (v >= INT64_MIN && v <= INT64_MAX) w.int64(v);
    else w.bignum(v);
  } else if (v instanceof Float) w.double(v.value);
  else if (v instanceof Timestamp) typed(w, TIMESTAMP, () => w.text(v.toString()));
  else if (Array.isArray(v)) {
    typed(w, CONVERTED_LIST, () => {
      w.byte(0x9f);
      for (const item of v) writeValue(w, item);
      w.byte(0xff);
    });
  } else writeMap(w, v, false);
}

/** Event#serialize: {DATA: the fields, META: @metadata}, typed as Logstash's CBOR_MAPPER types them. */
export function serializeEvent(event: Event): Buffer {
  const w = new CborWriter();
  typed(w, HASH_MAP, () => {
    w.byte(0xbf);
    w.text('DATA');
    writeMap(w, event.data, true);
    w.text('META');
    writeMap(w, event.metadata, false);
    w.byte(0xff);
  });
  return w.bytes();
}

export interface DlqEntry {
  entryTime: Timestamp;
  event: Event;
  pluginType: string;
  pluginId: string;
  reason: string;
}

/** DLQEntry#serialize. */
export function serializeEntry(entry: DlqEntry): Buffer {
  const parts = [
    Buffer.from(entry.entryTime.toString(), 'utf8'),
    serializeEvent(entry.event),
    Buffer.from(entry.pluginType, 'utf8'),
    Buffer.from(entry.pluginId, 'utf8'),
    Buffer.from(entry.reason, 'utf8'),
  ];
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeInt32BE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** A DLQ record that does not decode (truncated, not CBOR, not the shape Logstash writes). */
export class DlqEntryError extends Error {
  override readonly name = 'DlqEntryError';
}

const BREAK = Symbol('break');
type Cbor = string | number | bigint | boolean | null | undefined | Cbor[] | Map<string, Cbor> | Uint8Array | typeof BREAK;

/** A CBOR decoder for the items Jackson writes (definite and indefinite lengths, tags 2/3). */
class CborReader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new DlqEntryError(`CBOR item truncated at byte ${this.at}`);
  }

  private arg(info: number): number | bigint | undefined {
    if (info < 24) return info;
    if (info === 24) {
      this.need(1);
      return this.buf[this.at++]!;
    }
    if (info === 25) {
      this.need(2);
      const v = this.buf.readUInt16BE(this.at);
      this.at += 2;
      return v;
    }
    if (info === 26) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.at);
      this.at += 4;
      return v;
    }
    if (info === 27) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.at);
      this.at += 8;
      return v;
    }
    if (info === 31) return undefined;
    throw new DlqEntryError(`reserved CBOR additional info ${info} at byte ${this.at - 1}`);
  }

  private length(info: number): number | undefined {
    const n = this.arg(info);
    if (typeof n === 'bigint') {
      if (n > BigInt(this.buf.length)) throw new DlqEntryError(`CBOR length ${n} beyond the record at byte ${this.at}`);
      return Number(n);
    }
    return n;
  }

  item(): Cbor {
    this.need(1);
    const start = this.at;
    const ib = this.buf[this.at++]!;
    const major = ib >> 5;
    const info = ib & 0x1f;
    switch (major) {
      case 0:
      case 1: {
        const n = this.arg(info);
        if (n === undefined) throw new DlqEntryError(`indefinite integer at byte ${start}`);
        const big = BigInt(n);
        const v = major === 0 ? big : -1n - big;
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 2:
      case 3: {
        const n = this.length(info);
        let bytes: Buffer;
        if (n === undefined) {
          const chunks: Buffer[] = [];
          for (;;) {
            const c = this.item();
            if (c === BREAK) break;
            chunks.push(Buffer.from(typeof c === 'string' ? Buffer.from(c, 'utf8') : (c as Uint8Array)));
          }
          bytes = Buffer.concat(chunks);
        } else {
          this.need(n);
          bytes = this.buf.subarray(this.at, this.at + n);
          this.at += n;
        }
        return major === 3 ? bytes.toString('utf8') : new Uint8Array(bytes);
      }
      case 4: {
        const n = this.length(info);
        const out: Cbor[] = [];
        for (let i = 0; n === undefined || i < n; i++) {
          const v = this.item();
          if (v === BREAK) {
            if (n !== undefined) throw new DlqEntryError(`unexpected break at byte ${this.at - 1}`);
            break;
          }
          out.push(v);
        }
        return out;
      }
      case 5: {
        const n = this.length(info);
        const out = new Map<string, Cbor>();
        for (let i = 0; n === undefined || i < n; i++) {
          const k = this.item();
          if (k === BREAK) {
            if (n !== undefined) throw new DlqEntryError(`unexpected break at byte ${this.at - 1}`);
            break;
          }
          if (typeof k !== 'string') throw new DlqEntryError(`map key at byte ${start} is not text`);
          out.set(k, this.item());
        }
        return out;
      }
      case 6: {
        const tag = this.arg(info);
        const v = this.item();
        if ((tag === 2 || tag === 3) && v instanceof Uint8Array) {
          let mag = 0n;
          for (const b of v) mag = (mag << 8n) | BigInt(b);
          return tag === 2 ? mag : -1n - mag;
        }
        return v;
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) {
          this.need(2);
          const half = this.buf.readUInt16BE(this.at);
          this.at += 2;
          return halfToNumber(half);
        }
        if (info === 26) {
          this.need(4);
          const v = this.buf.readFloatBE(this.at);
          this.at += 4;
          return v;
        }
        if (info === 27) {
          this.need(8);
          const v = this.buf.readDoubleBE(this.at);
          this.at += 8;
          return v;
        }
        if (info === 31) return BREAK;
        throw new DlqEntryError(`unsupported CBOR simple value ${info} at byte ${start}`);
      }
    }
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A decoded CBOR item as an event value: type wrappers unwrapped, doubles as Float. */
function toValue(c: Cbor): FieldValue {
  if (Array.isArray(c)) {
    if (c.length === 2 && typeof c[0] === 'string' && /^(org|java)\./.test(c[0])) {
      const [cls, inner] = c as [string, Cbor];
      if (cls === TIMESTAMP && typeof inner === 'string') {
        const ts = parseIso8601(inner, UTC, true);
        if (!ts) throw new DlqEntryError(`bad Timestamp ${JSON.stringify(inner)}`);
        return ts;
      }
      if (cls === RUBY_NIL) return null;
      return toValue(inner);
    }
    return c.map((x) => toValue(x));
  }
  if (c instanceof Map) {
    const out: FieldMap = {};
    for (const [k, v] of c) out[k] = toValue(v);
    return out;
  }
  if (c === undefined || c === BREAK || c instanceof Uint8Array) throw new DlqEntryError('unexpected CBOR item in an event');
  if (typeof c === 'number' && !Number.isInteger(c)) return new Float(c);
  return c;
}

/** Event.deserialize: the {DATA, META} map back into an event. */
export function deserializeEvent(bytes: Buffer): Event {
  const reader = new CborReader(bytes);
  const root = toValue(reader.item());
  if (!isFieldMap(root)) throw new DlqEntryError('incompatible from binary object type only HashMap is supported');
  const data = root['DATA'];
  const meta = root['META'];
  if (!isFieldMap(data)) throw new DlqEntryError('The deserialized Map must contain the "DATA" key');
  if (!isFieldMap(meta)) throw new DlqEntryError('The deserialized Map must contain the "META" key');
  return new Event(data, meta);
}

/** DLQEntry.deserialize. */
export function deserializeEntry(bytes: Buffer): DlqEntry {
  let at = 0;
  const part = (what: string): Buffer => {
    if (at + 4 > bytes.length) throw new DlqEntryError(`DLQ entry truncated before its ${what} length`);
    const n = bytes.readInt32BE(at);
    if (n < 0 || at + 4 + n > bytes.length) throw new DlqEntryError(`DLQ entry ${what} length ${n} runs past the entry (${bytes.length} bytes)`);
    const p = bytes.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return p;
  };
  const timeText = part('entry time').toString('utf8');
  const entryTime = parseIso8601(timeText, UTC, true);
  if (!entryTime) throw new DlqEntryError(`DLQ entry time ${JSON.stringify(timeText)} is not ISO8601`);
  const event = deserializeEvent(part('event'));
  return {
    entryTime,
    event,
    pluginType: part('plugin type').toString('utf8'),
    pluginId: part('plugin id').toString('utf8'),
    reason: part('reason').toString('utf8'),
  };
}
