// Flow and counter records read by their layouts (layouts.ts), fields flattened into an event map
// the way the codec's assign_key_value does: names as in BinData, arrays left out, their counts kept.
import type { FieldMap } from '../../event/values.ts';
import { readFailure, SflowAddressTypeError } from './errors.ts';
import type { FieldOp, RecordLayout } from './layouts.ts';
import { bytesText, f32Text, ip4Text, ip6Text, macText, rubyHashInspect, u32be, u64Text } from './text.ts';

/** How strings are padded: the codec skips `length % 4` bytes (wrong for 4n+1 and 4n+3); XDR pads to 4. */
export type StringPadding = 'logstash' | 'xdr';

/** A layout op with its event name resolved against the removed-field list (null: not emitted). */
type CompiledOp = { op: FieldOp; key: string | null };

export interface CompiledLayout {
  format: number;
  kind: string;
  /** Index of its counter (`records_<kind>`) in the decoder's counts. */
  counterIndex: number;
  /** Straight-line reader for layouts of fixed-size fields (bytes read), given the room is checked. */
  fixed?: { size: number; read: (buf: Buffer, p: number, out: FieldMap) => void };
  ops: readonly CompiledOp[];
}

export function compileLayout(layout: RecordLayout, removed: ReadonlySet<string>, counterIndex: number): CompiledLayout {
  const ops = layout.fields.map((op) => ({ op, key: 'name' in op && !removed.has(op.name) ? op.name : null }));
  return { format: layout.format, kind: layout.kind, counterIndex, ops, fixed: compileFixed(ops) };
}

const FIXED_SIZE: Partial<Record<FieldOp['t'], number>> = { u32: 4, u64: 8, u8: 1, f32: 4, mac: 6, ip4: 4, ip6: 16, uuid: 16 };

/** One function of plain property stores for a layout whose fields all have fixed sizes (most records). */
function compileFixed(ops: readonly CompiledOp[]): CompiledLayout['fixed'] {
  let off = 0;
  const lines: string[] = [];
  for (const { op, key } of ops) {
    const size = op.t === 'skip' ? op.bytes : FIXED_SIZE[op.t];
    if (size === undefined) return undefined;
    if (key !== null) {
      const k = JSON.stringify(key);
      const at = `p + ${off}`;
      const value = op.t === 'u32' ? `String(u32be(buf, ${at}))`
        : op.t === 'u8' ? `String(buf[${at}])`
        : op.t === 'u64' ? `u64Text(buf, ${at})`
        : op.t === 'f32' ? `f32Text(buf, ${at})`
        : op.t === 'mac' ? `macText(buf, ${at})`
        : op.t === 'ip4' ? `ip4Text(buf, ${at})`
        : `ip6Text(buf, ${at})`;
      lines.push(`out[${k}] = ${value};`);
    }
    off += size;
  }
  const make = new Function('u32be', 'u64Text', 'f32Text', 'macText', 'ip4Text', 'ip6Text', `return function (buf, p, out) {\n${lines.join('\n')}\n};`) as (
    ...helpers: unknown[]
  ) => (buf: Buffer, p: number, out: FieldMap) => void;
  return { size: off, read: make(u32be, u64Text, f32Text, macText, ip4Text, ip6Text) };
}

export class RecordReader {
  /**
   * `logstash`: the codec's reads — strings skip `length % 4` bytes, and skips are seeks that never
   * fail (a later read does); `xdr`: XDR padding, and every byte must be inside `end`.
   */
  constructor(private readonly padding: StringPadding) {}

  /** Reads one record at `p` (reads stop at `end`) into `out`; returns the offset after it. */
  read(buf: Buffer, p: number, end: number, layout: CompiledLayout, out: FieldMap): number {
    const fixed = layout.fixed;
    if (fixed !== undefined && fixed.size <= end - p) {
      fixed.read(buf, p, out);
      return p + fixed.size;
    }
    for (const { op, key } of layout.ops) p = this.field(buf, p, end, op, key, out, layout.kind);
    return p;
  }

  /** A seek: the codec's never fails; the bounded read's must stay inside the record. */
  private seek(p: number, n: number, end: number, what: () => string): number {
    if (this.padding === 'xdr' && n > end - p) throw readFailure(what(), p, n, end);
    return p + n;
  }

  /** `count` uint32s read one by one from `p`. */
  private u32s(p: number, count: number, end: number, what: () => string): number {
    if (count * 4 <= end - p) return p + count * 4;
    const failing = p + 4 * Math.floor(Math.max(0, end - p) / 4);
    throw readFailure(what(), failing, 4, end);
  }

  private field(buf: Buffer, p: number, end: number, op: FieldOp, key: string | null, out: FieldMap, kind: string): number {
    switch (op.t) {
      case 'u32':
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        if (key) out[key] = String(u32be(buf, p));
        return p + 4;
      case 'u64':
        if (8 > end - p) throw readFailure(`${kind}.${op.name}`, p, 8, end);
        if (key) out[key] = u64Text(buf, p);
        return p + 8;
      case 'u8':
        if (1 > end - p) throw readFailure(`${kind}.${op.name}`, p, 1, end, Infinity, true);
        if (key) out[key] = String(buf[p]!);
        return p + 1;
      case 'f32':
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        if (key) out[key] = f32Text(buf, p);
        return p + 4;
      case 'mac':
        if (6 > end - p) throw readFailure(`${kind}.${op.name}`, p, 6, end, Infinity, true);
        if (key) out[key] = macText(buf, p);
        return p + 6;
      case 'ip4':
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        if (key) out[key] = ip4Text(buf, p);
        return p + 4;
      case 'ip6':
        if (16 > end - p) throw readFailure(`${kind}.${op.name}`, p, 16, end);
        if (key) out[key] = ip6Text(buf, p);
        return p + 16;
      case 'skip':
        return this.seek(p, op.bytes, end, () => `${kind} padding`);
      case 'uuid':
        if (16 > end - p) throw readFailure(`${kind}.uuid`, p, 16, end, Infinity, true);
        return p + 16;
      case 'str': {
        if (4 > end - p) throw readFailure(`${kind}.${op.name} length`, p, 4, end);
        const len = u32be(buf, p);
        if (len > end - p - 4) throw readFailure(`${kind}.${op.name}`, p + 4, len, end);
        if (key) out[key] = bytesText(buf, p + 4, p + 4 + len);
        const pad = this.padding === 'logstash' ? len % 4 : (4 - (len % 4)) % 4;
        return this.seek(p + 4 + len, pad, end, () => `${kind}.${op.name} padding`);
      }
      case 'addr': {
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        const type = u32be(buf, p);
        if (key) out[key] = String(type);
        const len = type === 1 ? 4 : type === 2 ? 16 : -1;
        if (len < 0) throw new SflowAddressTypeError(`${kind} address`, p, type);
        if (len > end - p - 4) throw readFailure(`${kind} address`, p + 4, len, end);
        return p + 4 + len;
      }
      case 'u32list': {
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        const count = u32be(buf, p);
        if (key) out[key] = String(count);
        return this.u32s(p + 4, count, end, () => `${kind} list of ${count}`);
      }
      case 'aspaths': {
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        const count = u32be(buf, p);
        if (key) out[key] = String(count);
        p += 4;
        for (let i = 0; i < count; i++) {
          p = this.u32s(p, 2, end, () => `${kind} AS path segment ${i + 1}`);
          p = this.u32s(p, u32be(buf, p - 4), end, () => `${kind} AS path segment ${i + 1}`);
        }
        return p;
      }
      case 'adapters': {
        if (4 > end - p) throw readFailure(`${kind}.${op.name}`, p, 4, end);
        const count = u32be(buf, p);
        if (key) out[key] = String(count);
        p += 4;
        for (let i = 0; i < count; i++) {
          p = this.u32s(p, 2, end, () => `${kind} adapter ${i + 1}`);
          const macs = u32be(buf, p - 4);
          for (let m = 0; m < macs; m++) {
            if (6 > end - p) throw readFailure(`${kind} adapter ${i + 1} MAC`, p, 6, end, Infinity, true);
            p = this.seek(p + 6, 2, end, () => `${kind} adapter ${i + 1} padding`);
          }
        }
        return p;
      }
      case 'nested': {
        const pairs: [string, string | number][] = [];
        p = this.nested(buf, p, end, op.layout, pairs, `${kind}.${op.name}`);
        if (key) out[key] = rubyHashInspect(pairs);
        return p;
      }
    }
  }

  /** A nested BinData record's snapshot: integers stay numbers, addresses and MACs are strings. */
  private nested(buf: Buffer, p: number, end: number, layout: readonly FieldOp[], pairs: [string, string | number][], what: string): number {
    for (const op of layout) {
      switch (op.t) {
        case 'u32':
          if (4 > end - p) throw readFailure(`${what}.${op.name}`, p, 4, end);
          pairs.push([op.name, u32be(buf, p)]);
          p += 4;
          break;
        case 'mac':
          if (6 > end - p) throw readFailure(`${what}.${op.name}`, p, 6, end, Infinity, true);
          pairs.push([op.name, macText(buf, p)]);
          p += 6;
          break;
        case 'ip4':
          if (4 > end - p) throw readFailure(`${what}.${op.name}`, p, 4, end);
          pairs.push([op.name, ip4Text(buf, p)]);
          p += 4;
          break;
        case 'ip6':
          if (16 > end - p) throw readFailure(`${what}.${op.name}`, p, 16, end);
          pairs.push([op.name, ip6Text(buf, p)]);
          p += 16;
          break;
        case 'skip':
          p = this.seek(p, op.bytes, end, () => `${what} padding`);
          break;
        default:
          throw new Error(`nested layout op ${op.t} is not supported`);
      }
    }
    return p;
  }
}
