// What the JSON byte writer (json-writer.ts) learns about the maps it writes. Maps of one kind (the
// flows of one netflow template, the events of one input) repeat the same keys in the same order: the
// writer keeps each place where maps occur (the top level, the value of a key) with a tree of the key
// sequences seen there, and compiles a writer for a sequence that keeps coming back. A map is matched
// by walking its keys (for-in, once) down the tree; where the walk ends at a compiled sequence, that
// writer writes it with constant key bytes and named property loads, which stay monomorphic because
// each shape is its own function. A map of any other shape is left to the generic path, so filters may
// change anything.
import { writeUint32 } from './json-digits.ts';

/** Writing primitives the compiled shapes call (the writer implements them). */
export interface ShapeSink {
  buf: Buffer;
  view: DataView;
  pos: number;
  /** Makes room for `n` more bytes (buf and view may be replaced). */
  room(n: number): void;
  /** Writes one value; maps in it are looked up at `owner`'s place. */
  value(v: unknown, owner: KeyStep): void;
  /** Writes a string value. */
  string(s: string): void;
}

/** Writes `m`, whose own enumerable keys are exactly the shape's keys in the shape's order (see knownShape). */
export type ShapeWriter = (sink: ShapeSink, m: object) => void;

/**
 * Constant bytes to copy often (a key with its punctuation, a timestamp): as little-endian 32-bit words,
 * which copy several times faster through a DataView than byte by byte, and the last 0–3 bytes.
 */
export class Bytes {
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

const hasOwn = Object.prototype.hasOwnProperty;

/** Maps found at one place, with the tree of the key sequences seen there. */
export class MapPlace {
  readonly root = new KeyStep(undefined, '', new Bytes(''));
  /** A shape of this place was compiled: maps here are looked up in the tree before the generic path. */
  compiled = false;
}

/**
 * The step of the last key of `m` when every key of `m`, in order, follows the tree from `root` and
 * that sequence has a compiled writer; else undefined. for-in yields own keys before inherited ones:
 * when the last key is own, all are.
 */
export function knownShape(root: KeyStep, m: object): KeyStep | undefined {
  let at = root;
  for (const k in m) {
    let step = at.next;
    if (step === undefined || step.key !== k) {
      step = at.successors?.get(k);
      if (step === undefined) return undefined;
      at.next = step;
    }
    at = step;
  }
  return typeof at.writer === 'function' && hasOwn.call(m, at.key) ? at : undefined;
}

/** A key after a known sequence of keys of one map, with its bytes: `{"key":` when first, else `,"key":`. */
export class KeyStep {
  /** The successor taken last: the next key of the same shape, checked by identity. */
  next: KeyStep | undefined;
  /** Every successor seen, by key. */
  successors: Map<string, KeyStep> | undefined;
  /** Maps that ended with this key, until their shape is compiled. */
  ends = 0;
  /** The compiled shape of maps ending here (false: cannot be compiled). */
  writer: ShapeWriter | false | undefined;
  private nested: MapPlace | undefined;

  constructor(
    readonly parent: KeyStep | undefined,
    readonly key: string,
    readonly bytes: Bytes,
  ) {}

  /** Where maps in this key's value (directly or in a list) are written. */
  get place(): MapPlace {
    return (this.nested ??= new MapPlace());
  }

  /** The steps from the first key to this one. */
  path(): KeyStep[] {
    const steps: KeyStep[] = [];
    for (let s: KeyStep | undefined = this; s?.parent !== undefined; s = s.parent) steps.push(s);
    return steps.reverse();
  }
}

/** Code writing constant bytes at `p` (the sink's pos, with room made): 32-bit words, then the tail. */
function constantBytes(b: Bytes): string {
  const lines: string[] = [];
  for (let i = 0; i < b.words.length; i++) lines.push(`v.setInt32(p + ${4 * i}, ${b.words[i]}, true);`);
  for (let i = 0; i < b.tail.length; i++) lines.push(`u[p + ${4 * b.words.length + i}] = ${b.tail[i]};`);
  return lines.join(' ');
}

/**
 * A writer for maps whose own enumerable keys are exactly the path's keys in order (knownShape found
 * them). Keys that a property access would not read as an own data property (`__proto__`) are not compiled.
 */
export function compileShape(last: KeyStep): ShapeWriter | false {
  const steps = last.path();
  const keys = steps.map((s) => s.key);
  if (keys.length === 0 || keys.includes('__proto__')) return false;
  const body: string[] = ['let u, v, p, x;'];
  steps.forEach((s, i) => {
    // Room for the key and the longest unsigned integer (most flow fields): such a value is written in place.
    body.push(`w.room(${s.bytes.length + 10}); u = w.buf; v = w.view; p = w.pos; ${constantBytes(s.bytes)} p += ${s.bytes.length};`);
    body.push(
      `x = m[${JSON.stringify(s.key)}]; ` +
        `if (typeof x === 'number' && x >>> 0 === x) w.pos = U32(u, p, x); ` +
        `else { w.pos = p; if (typeof x === 'string') w.string(x); else w.value(x, S[${i}]); }`,
    );
  });
  body.push('w.room(1); w.buf[w.pos++] = 125;');
  // One Function per shape: its own property-load feedback, monomorphic for maps of this shape.
  const factory = new Function('S', 'U32', `return function writeShape(w, m) {\n${body.join('\n')}\n};`) as (
    s: readonly KeyStep[],
    u32: typeof writeUint32,
  ) => ShapeWriter;
  return factory(steps, writeUint32);
}
