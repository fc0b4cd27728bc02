// Events serialised straight into bytes, exactly as json.ts renders them (jsonMap), for the
// json_lines hot path: a whole batch is written into a large slab and leaves as one Buffer (a view
// of it), with no intermediate strings for keys, integers or ASCII text. Anything unusual (escapes,
// non-ASCII, floats, large integers, bigints) takes json.ts's own rendering, so the two cannot disagree.
//
// Keys: the maps of one kind (the flows of one netflow template, events of one input) repeat the same
// keys in the same order, so the writer remembers key sequences as a tree of steps, each holding the
// bytes `{"key":` or `,"key":` ready to copy. Following a sequence seen before costs one string identity
// comparison per key (for-in yields the same internalised key strings); a new branch is looked up or
// added once. This is the per-shape serializer, learnt from the events themselves rather than
// compiled from a template, so a filter that adds, removes or reorders fields only leaves the known path.
import { jsonValue } from './json.ts';
import { Timestamp } from './timestamp.ts';
import { Float, type FieldMap, type FieldValue } from './values.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const hasOwn = Object.prototype.hasOwnProperty;
/** "00".."99" as ASCII bytes. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));
/** Key steps one writer remembers; beyond this (events with ever-new keys) keys are written as text. */
const MAX_KEY_STEPS = 20_000;

/**
 * Constant bytes to copy often (a key with its punctuation, a timestamp): as little-endian 32-bit words,
 * which copy several times faster through a DataView than byte by byte, and the last 0–3 bytes.
 */
class Bytes {
  readonly length: number;
  readonly words: Int32Array;
  readonly tail: Uint8Array;
  constructor(text: string) {
    const b = Buffer.from(text);
    this.length = b.length;
    this.words = new Int32Array(b.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = b.readInt32LE(4 * i);
    this.tail = b.subarray(4 * this.words.length);
  }
}

/** A key after a known sequence of keys of one map, with its bytes: `{"key":` when first, else `,"key":`. */
class KeyStep {
  /** The successor taken last: the next key of the same shape, checked by identity. */
  next: KeyStep | undefined;
  /** Every successor seen, by key. */
  successors: Map<string, KeyStep> | undefined;
  constructor(
    readonly key: string,
    readonly bytes: Bytes,
  ) {}
}

export class JsonBatchWriter {
  /** Batches are written one after another into a slab; a full slab is left to the GC once its batches are. */
  private buf: Buffer;
  private start = 0;
  private pos = 0;
  /** The start of every map: its successors are the first keys. */
  private readonly keys = new KeyStep('', new Bytes(''));
  private keySteps = 0;
  /** The flows of one datagram share its Timestamp, and datagrams share their second: its quoted bytes. */
  private lastSeconds = Number.NaN;
  private lastNanos = 0;
  private lastTimestampBytes = new Bytes('');
  private view: DataView;

  constructor(
    private readonly slabBytes = 1 << 20,
    private readonly maxKeySteps = MAX_KEY_STEPS,
  ) {
    this.buf = Buffer.allocUnsafe(slabBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Appends one event's fields as a JSON object followed by `terminator` (e.g. "\n"). */
  writeLine(data: FieldMap, terminator: string): void {
    this.map(data);
    this.text(terminator);
  }

  /** Forgets anything written since the last take() (a batch abandoned half-way). */
  reset(): void {
    this.pos = this.start;
  }

  /** The bytes written since the last take(): a view the writer never writes into again. */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    // A new slab, with the batch written so far carried over.
    const pending = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.slabBytes, 2 * (pending + extra)));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
    this.start = 0;
    this.pos = pending;
  }

  private map(m: FieldMap): void {
    let at: KeyStep | undefined = this.keys;
    let written = false;
    for (const k in m) {
      if (!hasOwn.call(m, k)) continue;
      if (at !== undefined) {
        let step: KeyStep | undefined = at.next;
        if (step === undefined || step.key !== k) step = this.successor(at, k);
        if (step !== undefined) {
          this.bytes(step.bytes);
          at = step;
          written = true;
          this.value(m[k]);
          continue;
        }
        at = undefined;
      }
      this.ensure(1);
      this.buf[this.pos++] = written ? COMMA : 0x7b; // {
      written = true;
      this.string(k);
      this.ensure(1);
      this.buf[this.pos++] = COLON;
      this.value(m[k]);
    }
    this.ensure(2);
    if (!written) this.buf[this.pos++] = 0x7b; // {
    this.buf[this.pos++] = 0x7d; // }
  }

  /** The step for key `k` after `at` (learnt on first sight), or undefined once the writer knows enough steps. */
  private successor(at: KeyStep, k: string): KeyStep | undefined {
    let step = at.successors?.get(k);
    if (step === undefined) {
      if (this.keySteps >= this.maxKeySteps) return undefined;
      this.keySteps++;
      step = new KeyStep(k, new Bytes((at === this.keys ? '{' : ',') + JSON.stringify(k) + ':'));
      (at.successors ??= new Map()).set(k, step);
    }
    at.next = step;
    return step;
  }

  private bytes(b: Bytes): void {
    this.ensure(b.length);
    const view = this.view;
    const words = b.words;
    let at = this.pos;
    for (let i = 0; i < words.length; i++) {
      view.setInt32(at, words[i]!, true);
      at += 4;
    }
    const tail = b.tail;
    const buf = this.buf;
    for (let i = 0; i < tail.length; i++) buf[at++] = tail[i]!;
    this.pos = at;
  }

  private value(v: FieldValue | undefined): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        if (Number.isSafeInteger(v)) this.integer(v);
        else this.text(jsonValue(v));
        return;
      case 'boolean':
        this.text(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) break;
        if (v instanceof Timestamp) {
          if (v.seconds !== this.lastSeconds || v.nanos !== this.lastNanos) {
            this.lastSeconds = v.seconds;
            this.lastNanos = v.nanos;
            this.lastTimestampBytes = new Bytes(`"${v.toString()}"`);
          }
          this.bytes(this.lastTimestampBytes);
          return;
        }
        if (Array.isArray(v)) {
          this.ensure(1);
          this.buf[this.pos++] = 0x5b; // [
          for (let i = 0; i < v.length; i++) {
            if (i > 0) {
              this.ensure(1);
              this.buf[this.pos++] = COMMA;
            }
            this.value(v[i]);
          }
          this.ensure(1);
          this.buf[this.pos++] = 0x5d; // ]
          return;
        }
        if (v instanceof Float) {
          this.text(jsonValue(v));
          return;
        }
        this.map(v);
        return;
      case 'undefined':
        break;
      default:
        this.text(jsonValue(v));
        return;
    }
    this.text('null');
  }

  /** A safe integer in decimal, as String(n) writes it (−0 prints "0"); two digits per division. */
  private integer(n: number): void {
    this.ensure(17);
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d; // -
      n = -n;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    let at = this.pos + digits;
    this.pos = at;
    while (n >= 100) {
      let q = Math.floor(n / 100);
      let r = n - q * 100;
      // n / 100 may round up to the next integer near 2^53.
      if (r < 0) {
        q--;
        r += 100;
      }
      at -= 2;
      buf[at] = DIGIT_PAIRS[2 * r]!;
      buf[at + 1] = DIGIT_PAIRS[2 * r + 1]!;
      n = q;
    }
    if (n >= 10) {
      buf[at - 2] = DIGIT_PAIRS[2 * n]!;
      buf[at - 1] = DIGIT_PAIRS[2 * n + 1]!;
    } else buf[at - 1] = 0x30 + n;
  }

  /** A JSON string literal: plain ASCII copied byte by byte, anything else as JSON.stringify writes it. */
  private string(s: string): void {
    const len = s.length;
    this.ensure(len + 2);
    const buf = this.buf;
    const start = this.pos;
    let at = start;
    buf[at++] = QUOTE;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) {
        this.pos = start;
        this.text(JSON.stringify(s));
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = QUOTE;
    this.pos = at;
  }

  /** Text already in its final form (UTF-8 encoded as Buffer.from(text) would). */
  private text(t: string): void {
    const len = t.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.ensure(len * 3);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < len; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x80) {
        this.pos += buf.write(t, this.pos, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    this.pos = at;
  }
}
