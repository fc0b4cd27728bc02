// Events serialised straight into bytes, exactly as json.ts renders them (jsonMap), for the hot
// paths (json_lines, the elasticsearch output's bulk lines): a whole batch is written into a large slab and leaves as one Buffer (a view
// of it), with no intermediate strings for keys, integers or ASCII text. Anything unusual (escapes,
// non-ASCII, floats, large integers, bigints) takes json.ts's own rendering, so the two cannot disagree.
//
// Maps of a repeated shape are written by code compiled for that shape (json-shapes.ts).
import { jsonValue } from './json.ts';
import { DIGIT_PAIRS, writeUint32 } from './json-digits.ts';
import { Bytes, compileShape, KeyStep, knownShape, MapPlace, type ShapeSink, type ShapeWriter } from './json-shapes.ts';
import { Timestamp } from './timestamp.ts';
import { Float, type FieldMap, type FieldValue } from './values.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const hasOwn = Object.prototype.hasOwnProperty;
/** Key steps one writer remembers; beyond this (events with ever-new keys) keys are written as text. */
const MAX_KEY_STEPS = 20_000;
/** Timestamps whose bytes a writer keeps, by second: exporters' clocks interleave in one batch. */
const TIMESTAMP_SLOTS = 8;
/** Compiled shapes one writer keeps. */
const MAX_SHAPES = 1_000;
/** A key sequence is compiled once this many maps had it (one-off shapes stay on the generic path). */
const COMPILE_AFTER = 4;

/** A batch's bytes, lent by the writer until released (after the write that used them completed). */
export interface BatchLease {
  readonly data: Buffer;
  /** Gives the memory back to the writer; later calls do nothing. */
  release(): void;
}

/** One allocation batches are written into. */
class Slab {
  readonly view: DataView;
  /** Leased batches not given back yet. */
  leases = 0;
  /** A batch was taken for good (take()): the slab is never written over. */
  untracked = false;
  constructor(readonly buf: Buffer) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }
  free(): boolean {
    return this.leases === 0 && !this.untracked;
  }
}

export class JsonBatchWriter implements ShapeSink {
  /** Batches are written one after another into a slab; a full slab is left to the GC once its batches are. */
  buf: Buffer;
  view: DataView;
  pos = 0;
  private start = 0;
  /** The top level: events. */
  private readonly events = new MapPlace();
  private keySteps = 0;
  private shapes = 0;
  /** The flows of one datagram share its Timestamp: the quoted bytes of recent instants, by second. */
  private readonly stampSeconds = new Float64Array(TIMESTAMP_SLOTS).fill(Number.NaN);
  private readonly stampNanos = new Float64Array(TIMESTAMP_SLOTS);
  private readonly stampBytes: Bytes[] = new Array<Bytes>(TIMESTAMP_SLOTS).fill(new Bytes(''));
  private slab: Slab;
  /** The slab written before this one, reusable once every lease on it is released. */
  private spare: Slab | undefined;

  constructor(
    private readonly slabBytes = 1 << 20,
    private readonly maxKeySteps = MAX_KEY_STEPS,
    private readonly maxShapes = MAX_SHAPES,
  ) {
    this.slab = new Slab(Buffer.allocUnsafe(slabBytes));
    this.buf = this.slab.buf;
    this.view = this.slab.view;
  }

  /** Appends one event's fields as a JSON object followed by `terminator` (e.g. "\n"). */
  writeLine(data: FieldMap, terminator: string): void {
    this.map(data, this.events);
    this.text(terminator);
  }

  /** Bytes written since the last take() or lease(): where the next line starts in the batch's data. */
  get batchLength(): number {
    return this.pos - this.start;
  }

  /** Forgets anything written since the last take() (a batch abandoned half-way); starts a batch. */
  reset(): void {
    this.pos = this.start;
    // Every batch of this slab was leased and given back: write over it again (it is warm in the cache).
    if (this.slab.free()) this.start = this.pos = 0;
  }

  /** The bytes written since the last take(): a view the writer never writes into again. */
  take(): Buffer {
    this.slab.untracked = true;
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /**
   * The bytes written since the last take() or lease(), lent until `release()`: the writer reuses the
   * memory of batches given back instead of allocating (and page-faulting) new slabs.
   */
  lease(): BatchLease {
    const slab = this.slab;
    slab.leases++;
    const data = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    let released = false;
    return {
      data,
      release: () => {
        if (released) return;
        released = true;
        slab.leases--;
      },
    };
  }

  room(n: number): void {
    if (this.pos + n > this.buf.length) this.ensure(n);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const pending = this.pos - this.start;
    const need = pending + extra;
    if (this.slab.free() && this.buf.length >= need) {
      // Nothing lent out of this slab: move the batch so far to its start.
      this.buf.copyWithin(0, this.start, this.pos);
    } else {
      // Another slab, with the batch written so far carried over: the spare once all its leases are
      // back, else a new one. A slab whose views were taken for good is never written again.
      let next = this.spare;
      if (next !== undefined && next.free() && next.buf.length >= need) this.spare = undefined;
      else next = new Slab(Buffer.allocUnsafe(Math.max(this.slabBytes, 2 * need)));
      this.buf.copy(next.buf, 0, this.start, this.pos);
      if (!this.slab.untracked) this.spare = this.slab;
      this.slab = next;
      this.buf = next.buf;
      this.view = next.view;
    }
    this.start = 0;
    this.pos = pending;
  }

  private map(m: FieldMap, place: MapPlace | undefined): void {
    let at: KeyStep | undefined;
    if (place !== undefined) {
      if (place.compiled) {
        const known = knownShape(place.root, m);
        if (known !== undefined) {
          (known.writer as ShapeWriter)(this, m);
          return;
        }
      }
      at = place.root;
    }
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
          this.value(m[k], step);
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
      this.value(m[k], undefined);
    }
    this.ensure(2);
    if (!written) this.buf[this.pos++] = 0x7b; // {
    this.buf[this.pos++] = 0x7d; // }
    if (at !== undefined && written) this.ended(place!, at);
  }

  /** A map of `place` ended at `last`: its shape is compiled once it recurs. */
  private ended(place: MapPlace, last: KeyStep): void {
    if (last.writer !== undefined || ++last.ends < COMPILE_AFTER || this.shapes >= this.maxShapes) return;
    this.shapes++;
    last.writer = compileShape(last);
    if (last.writer !== false) place.compiled = true;
  }

  /** The step for key `k` after `at` (learnt on first sight), or undefined once the writer knows enough steps. */
  private successor(at: KeyStep, k: string): KeyStep | undefined {
    let step = at.successors?.get(k);
    if (step === undefined) {
      if (this.keySteps >= this.maxKeySteps) return undefined;
      this.keySteps++;
      step = new KeyStep(at, k, new Bytes((at.parent === undefined ? '{' : ',') + JSON.stringify(k) + ':'));
      (at.successors ??= new Map()).set(k, step);
    }
    at.next = step;
    return step;
  }

  /** Constant bytes (e.g. a bulk action line shared by a batch's documents). */
  bytes(b: Bytes): void {
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

  /** One value; maps in it are written at `owner`'s place (none: not tracked). */
  value(v: FieldValue | undefined, owner: KeyStep | undefined): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        if (v >>> 0 === v) this.uint32(v);
        else if (Number.isSafeInteger(v)) this.integer(v);
        else this.text(jsonValue(v));
        return;
      case 'boolean':
        this.text(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) break;
        if (v instanceof Timestamp) {
          const slot = v.seconds & (TIMESTAMP_SLOTS - 1);
          if (v.seconds !== this.stampSeconds[slot] || v.nanos !== this.stampNanos[slot]) {
            this.stampSeconds[slot] = v.seconds;
            this.stampNanos[slot] = v.nanos;
            this.stampBytes[slot] = new Bytes(`"${v.toString()}"`);
          }
          this.bytes(this.stampBytes[slot]!);
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
            this.value(v[i], owner);
          }
          this.ensure(1);
          this.buf[this.pos++] = 0x5d; // ]
          return;
        }
        if (v instanceof Float) {
          this.text(jsonValue(v));
          return;
        }
        this.map(v, owner?.place);
        return;
      case 'undefined':
        break;
      default:
        this.text(jsonValue(v));
        return;
    }
    this.text('null');
  }

  /** 0 ≤ n < 2^32 (and −0, printed "0" as String does) in decimal. */
  private uint32(n: number): void {
    this.ensure(10);
    this.pos = writeUint32(this.buf, this.pos, n);
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
  string(s: string): void {
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
  text(t: string): void {
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
