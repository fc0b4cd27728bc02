// Reads only the parts of a MaxMind DB record the filter writes (the data-section format of the
// MaxMind DB spec: control byte, pointers, maps, arrays, scalars), skipping the rest — most of a
// City record is names in eight languages that the filter never writes. A projection names the
// keys to keep; `true` keeps the whole value below a key.
export type Projection = { readonly [key: string]: Projection | true };

interface Compiled {
  keys: Buffer[];
  names: string[];
  next: (Compiled | true)[];
}

export function compileProjection(p: Projection): Compiled {
  const names = Object.keys(p);
  return { names, keys: names.map((n) => Buffer.from(n, 'utf8')), next: names.map((n) => (p[n] === true ? true : compileProjection(p[n] as Projection))) };
}

export type Decoded = string | number | bigint | boolean | Buffer | null | Decoded[] | { [key: string]: Decoded };

const POINTER = 1;
const STRING = 2;
const DOUBLE = 3;
const BYTES = 4;
const UINT16 = 5;
const UINT32 = 6;
const MAP = 7;
const INT32 = 8;
const UINT64 = 9;
const UINT128 = 10;
const ARRAY = 11;
const BOOLEAN = 14;
const FLOAT = 15;

export class RecordProjector {
  /** Offset of the data section in the file (pointers are relative to it). */
  private readonly base: number;
  /** Read position: decoding moves it past what it read (no tuple per value on the hot path). */
  private pos = 0;
  private keyStart = 0;
  private keyEnd = 0;

  constructor(
    private readonly db: Buffer,
    dataSectionStart: number,
    private readonly projection: Compiled,
  ) {
    this.base = dataSectionStart;
  }

  /** The projected record at a file offset (a resolved tree pointer). */
  record(offset: number): Decoded {
    this.pos = offset;
    return this.value(this.projection);
  }

  /** Size from the control byte's low bits (and following bytes), moving pos past them. */
  private size(ctrl: number): number {
    const db = this.db;
    let size = ctrl & 0x1f;
    if (size >= 29) {
      if (size === 29) size = 29 + db[this.pos++]!;
      else if (size === 30) {
        size = 285 + ((db[this.pos]! << 8) | db[this.pos + 1]!);
        this.pos += 2;
      } else {
        size = 65821 + ((db[this.pos]! << 16) | (db[this.pos + 1]! << 8) | db[this.pos + 2]!);
        this.pos += 3;
      }
    }
    return size;
  }

  /** Decodes the value at pos; a pointer is followed for the value and pos ends after the pointer. */
  private value(p: Compiled | true): Decoded {
    const db = this.db;
    const ctrl = db[this.pos++]!;
    let type = ctrl >> 5;
    if (type === POINTER) {
      const target = this.pointer(ctrl);
      const after = this.pos;
      this.pos = target;
      const v = this.value(p);
      this.pos = after;
      return v;
    }
    if (type === 0) type = 7 + db[this.pos++]!;
    const size = this.size(ctrl);
    const at = this.pos;
    switch (type) {
      case STRING:
        this.pos = at + size;
        return db.toString('utf8', at, at + size);
      case DOUBLE:
        this.pos = at + 8;
        return db.readDoubleBE(at);
      case FLOAT:
        this.pos = at + 4;
        return db.readFloatBE(at);
      case BYTES:
        this.pos = at + size;
        return db.subarray(at, at + size);
      case UINT16:
      case UINT32:
        this.pos = at + size;
        return size === 0 ? 0 : db.readUIntBE(at, size);
      case INT32:
        this.pos = at + size;
        return size === 0 ? 0 : size === 4 ? db.readInt32BE(at) : db.readUIntBE(at, size);
      case UINT64:
      case UINT128: {
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(db[at + i]!);
        this.pos = at + size;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case BOOLEAN:
        return size !== 0;
      case ARRAY: {
        const out: Decoded[] = [];
        for (let i = 0; i < size; i++) out.push(this.value(p));
        return out;
      }
      case MAP: {
        const out: { [key: string]: Decoded } = {};
        for (let i = 0; i < size; i++) {
          this.key();
          if (p === true) out[db.toString('utf8', this.keyStart, this.keyEnd)] = this.value(true);
          else {
            const wanted = this.indexOfKey(p, this.keyStart, this.keyEnd);
            if (wanted >= 0) out[p.names[wanted]!] = this.value(p.next[wanted]!);
            else this.skip();
          }
        }
        return out;
      }
      default:
        throw new Error(`unknown MaxMind DB data type ${type} at offset ${at}`);
    }
  }

  private indexOfKey(p: Compiled, start: number, end: number): number {
    const db = this.db;
    const len = end - start;
    // Keys are a few bytes: a byte loop beats Buffer#compare's argument checks.
    next: for (let k = 0; k < p.keys.length; k++) {
      const key = p.keys[k]!;
      if (key.length !== len) continue;
      for (let i = 0; i < len; i++) if (key[i] !== db[start + i]) continue next;
      return k;
    }
    return -1;
  }

  /** Reads a map key at pos into keyStart/keyEnd (keys may be pointers to strings). */
  private key(): void {
    const ctrl = this.db[this.pos++]!;
    if (ctrl >> 5 === POINTER) {
      const target = this.pointer(ctrl);
      const after = this.pos;
      this.pos = target;
      this.key();
      this.pos = after;
      return;
    }
    const size = this.size(ctrl);
    this.keyStart = this.pos;
    this.keyEnd = this.pos + size;
    this.pos += size;
  }

  /** Moves pos past a value without decoding it. */
  private skip(): void {
    const db = this.db;
    const ctrl = db[this.pos++]!;
    let type = ctrl >> 5;
    if (type === POINTER) {
      this.pos += ((ctrl >> 3) & 3) + 1;
      return;
    }
    if (type === 0) type = 7 + db[this.pos++]!;
    const size = this.size(ctrl);
    switch (type) {
      case MAP:
        for (let i = 0; i < size; i++) {
          this.skip();
          this.skip();
        }
        return;
      case ARRAY:
        for (let i = 0; i < size; i++) this.skip();
        return;
      case DOUBLE:
        this.pos += 8;
        return;
      case FLOAT:
        this.pos += 4;
        return;
      case BOOLEAN:
        return;
      default:
        this.pos += size;
    }
  }

  /** The file offset a pointer names; pos moves past the pointer. */
  private pointer(ctrl: number): number {
    const db = this.db;
    const o = this.pos;
    const ss = (ctrl >> 3) & 3;
    const vvv = ctrl & 7;
    let v: number;
    switch (ss) {
      case 0:
        v = (vvv << 8) | db[o]!;
        break;
      case 1:
        v = ((vvv << 16) | (db[o]! << 8) | db[o + 1]!) + 2048;
        break;
      case 2:
        v = ((vvv << 24) | (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!) + 526336;
        break;
      default:
        v = db.readUInt32BE(o);
    }
    this.pos = o + ss + 1;
    return this.base + v;
  }
}
