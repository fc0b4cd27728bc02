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

  constructor(
    private readonly db: Buffer,
    dataSectionStart: number,
    private readonly projection: Compiled,
  ) {
    this.base = dataSectionStart;
  }

  /** The projected record at a file offset (a resolved tree pointer). */
  record(offset: number): Decoded {
    return this.value(offset, this.projection)[0];
  }

  /** [value, offset after it]; pointers are followed for the value but the cursor moves past the pointer. */
  private value(offset: number, p: Compiled | true): [Decoded, number] {
    const db = this.db;
    const ctrl = db[offset++]!;
    let type = ctrl >> 5;
    if (type === POINTER) {
      const [target, after] = this.pointer(ctrl, offset);
      return [this.value(target, p)[0], after];
    }
    if (type === 0) type = 7 + db[offset++]!;
    let size = ctrl & 0x1f;
    if (size >= 29) {
      if (size === 29) size = 29 + db[offset++]!;
      else if (size === 30) {
        size = 285 + db.readUInt16BE(offset);
        offset += 2;
      } else {
        size = 65821 + db.readUIntBE(offset, 3);
        offset += 3;
      }
    }
    switch (type) {
      case STRING:
        return [db.toString('utf8', offset, offset + size), offset + size];
      case DOUBLE:
        return [db.readDoubleBE(offset), offset + 8];
      case FLOAT:
        return [db.readFloatBE(offset), offset + 4];
      case BYTES:
        return [db.subarray(offset, offset + size), offset + size];
      case UINT16:
      case UINT32:
        return [size === 0 ? 0 : db.readUIntBE(offset, size), offset + size];
      case INT32:
        return [size === 0 ? 0 : size === 4 ? db.readInt32BE(offset) : db.readUIntBE(offset, size), offset + size];
      case UINT64:
      case UINT128: {
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(db[offset + i]!);
        return [v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, offset + size];
      }
      case BOOLEAN:
        return [size !== 0, offset];
      case ARRAY: {
        const out: Decoded[] = [];
        for (let i = 0; i < size; i++) {
          const [v, next] = this.value(offset, p);
          out.push(v);
          offset = next;
        }
        return [out, offset];
      }
      case MAP: {
        const out: { [key: string]: Decoded } = {};
        for (let i = 0; i < size; i++) {
          const [keyStart, keyEnd, afterKey] = this.keyBytes(offset);
          offset = afterKey;
          const wanted = p === true ? -1 : this.indexOfKey(p, keyStart, keyEnd);
          if (p === true || wanted >= 0) {
            const [v, next] = this.value(offset, p === true ? true : p.next[wanted]!);
            out[p === true ? db.toString('utf8', keyStart, keyEnd) : p.names[wanted]!] = v;
            offset = next;
          } else offset = this.skip(offset);
        }
        return [out, offset];
      }
      default:
        throw new Error(`unknown MaxMind DB data type ${type} at offset ${offset}`);
    }
  }

  private indexOfKey(p: Compiled, start: number, end: number): number {
    const len = end - start;
    for (let k = 0; k < p.keys.length; k++) {
      const key = p.keys[k]!;
      if (key.length === len && this.db.compare(key, 0, len, start, end) === 0) return k;
    }
    return -1;
  }

  /** A map key's bytes [start, end) and the offset after the key (keys may be pointers to strings). */
  private keyBytes(offset: number): [number, number, number] {
    const db = this.db;
    const ctrl = db[offset]!;
    if (ctrl >> 5 === POINTER) {
      const [target, after] = this.pointer(ctrl, offset + 1);
      const [s, e] = this.keyBytes(target);
      return [s, e, after];
    }
    let at = offset + 1;
    let size = ctrl & 0x1f;
    if (size === 29) size = 29 + db[at++]!;
    else if (size === 30) {
      size = 285 + db.readUInt16BE(at);
      at += 2;
    } else if (size === 31) {
      size = 65821 + db.readUIntBE(at, 3);
      at += 3;
    }
    return [at, at + size, at + size];
  }

  /** The offset after a value, without decoding it. */
  private skip(offset: number): number {
    const db = this.db;
    const ctrl = db[offset++]!;
    let type = ctrl >> 5;
    if (type === POINTER) return offset + ((ctrl >> 3) & 3) + 1;
    if (type === 0) type = 7 + db[offset++]!;
    let size = ctrl & 0x1f;
    if (size >= 29) {
      if (size === 29) size = 29 + db[offset++]!;
      else if (size === 30) {
        size = 285 + db.readUInt16BE(offset);
        offset += 2;
      } else {
        size = 65821 + db.readUIntBE(offset, 3);
        offset += 3;
      }
    }
    switch (type) {
      case MAP:
        for (let i = 0; i < size; i++) offset = this.skip(this.skip(offset));
        return offset;
      case ARRAY:
        for (let i = 0; i < size; i++) offset = this.skip(offset);
        return offset;
      case DOUBLE:
        return offset + 8;
      case FLOAT:
        return offset + 4;
      case BOOLEAN:
        return offset;
      default:
        return offset + size;
    }
  }

  /** [file offset of the target, offset after the pointer]. */
  private pointer(ctrl: number, offset: number): [number, number] {
    const db = this.db;
    const ss = (ctrl >> 3) & 3;
    const vvv = ctrl & 7;
    let v: number;
    switch (ss) {
      case 0:
        v = (vvv << 8) | db[offset]!;
        break;
      case 1:
        v = ((vvv << 16) | db.readUInt16BE(offset)) + 2048;
        break;
      case 2:
        v = ((vvv << 24) | db.readUIntBE(offset, 3)) + 526336;
        break;
      default:
        v = db.readUInt32BE(offset);
    }
    return [this.base + v, offset + ss + 1];
  }
}
