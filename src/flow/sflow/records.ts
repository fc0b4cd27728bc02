// Flow and counter records read by their layouts (layouts.ts), fields flattened into an event map
// the way the codec's assign_key_value does: names as in BinData, arrays left out, their counts kept.
import type { FieldMap } from '../../event/values.ts';
import { SflowAddressTypeError, SflowTruncatedError } from './errors.ts';
import type { FieldOp, RecordLayout } from './layouts.ts';
import { bytesText, f32Text, ip4Text, ip6Text, macText, rubyHashInspect, u64Text } from './text.ts';

/** How strings are padded: the codec skips `length % 4` bytes (wrong for 4n+1 and 4n+3); XDR pads to 4. */
export type StringPadding = 'logstash' | 'xdr';

/** A layout op with its event name resolved against the removed-field list (null: not emitted). */
type CompiledOp = { op: FieldOp; key: string | null };

export interface CompiledLayout {
  format: number;
  kind: string;
  ops: readonly CompiledOp[];
}

export function compileLayout(layout: RecordLayout, removed: ReadonlySet<string>): CompiledLayout {
  return {
    format: layout.format,
    kind: layout.kind,
    ops: layout.fields.map((op) => ({ op, key: 'name' in op && !removed.has(op.name) ? op.name : null })),
  };
}

export class RecordReader {
  constructor(private readonly padding: StringPadding) {}

  /** Reads one record at `p` (no further than `end`) into `out`; returns the offset after it. */
  read(buf: Buffer, p: number, end: number, layout: CompiledLayout, out: FieldMap): number {
    for (const { op, key } of layout.ops) p = this.field(buf, p, end, op, key, out, layout.kind);
    return p;
  }

  private need(p: number, n: number, end: number, what: string): void {
    if (n > end - p) throw new SflowTruncatedError(what, p, n, end - p);
  }

  private field(buf: Buffer, p: number, end: number, op: FieldOp, key: string | null, out: FieldMap, kind: string): number {
    switch (op.t) {
      case 'u32':
        this.need(p, 4, end, `${kind}.${op.name}`);
        if (key) out[key] = String(buf.readUInt32BE(p));
        return p + 4;
      case 'u64':
        this.need(p, 8, end, `${kind}.${op.name}`);
        if (key) out[key] = u64Text(buf, p);
        return p + 8;
      case 'u8':
        this.need(p, 1, end, `${kind}.${op.name}`);
        if (key) out[key] = String(buf[p]!);
        return p + 1;
      case 'f32':
        this.need(p, 4, end, `${kind}.${op.name}`);
        if (key) out[key] = f32Text(buf, p);
        return p + 4;
      case 'mac':
        this.need(p, 6, end, `${kind}.${op.name}`);
        if (key) out[key] = macText(buf, p);
        return p + 6;
      case 'ip4':
        this.need(p, 4, end, `${kind}.${op.name}`);
        if (key) out[key] = ip4Text(buf, p);
        return p + 4;
      case 'ip6':
        this.need(p, 16, end, `${kind}.${op.name}`);
        if (key) out[key] = ip6Text(buf, p);
        return p + 16;
      case 'skip':
        this.need(p, op.bytes, end, `${kind} padding`);
        return p + op.bytes;
      case 'uuid':
        this.need(p, 16, end, `${kind}.uuid`);
        return p + 16;
      case 'str': {
        this.need(p, 4, end, `${kind}.${op.name} length`);
        const len = buf.readUInt32BE(p);
        this.need(p + 4, len, end, `${kind}.${op.name}`);
        if (key) out[key] = bytesText(buf, p + 4, p + 4 + len);
        const pad = this.padding === 'logstash' ? len % 4 : (4 - (len % 4)) % 4;
        this.need(p + 4 + len, pad, end, `${kind}.${op.name} padding`);
        return p + 4 + len + pad;
      }
      case 'addr': {
        this.need(p, 4, end, `${kind}.${op.name}`);
        const type = buf.readUInt32BE(p);
        if (key) out[key] = String(type);
        const len = type === 1 ? 4 : type === 2 ? 16 : -1;
        if (len < 0) throw new SflowAddressTypeError(`${kind} address`, p, type);
        this.need(p + 4, len, end, `${kind} address`);
        return p + 4 + len;
      }
      case 'u32list': {
        this.need(p, 4, end, `${kind}.${op.name}`);
        const count = buf.readUInt32BE(p);
        if (key) out[key] = String(count);
        this.need(p + 4, count * 4, end, `${kind} list of ${count}`);
        return p + 4 + count * 4;
      }
      case 'aspaths': {
        this.need(p, 4, end, `${kind}.${op.name}`);
        const count = buf.readUInt32BE(p);
        if (key) out[key] = String(count);
        p += 4;
        for (let i = 0; i < count; i++) {
          this.need(p, 8, end, `${kind} AS path segment ${i + 1}`);
          const n = buf.readUInt32BE(p + 4);
          this.need(p + 8, n * 4, end, `${kind} AS path segment ${i + 1}`);
          p += 8 + n * 4;
        }
        return p;
      }
      case 'adapters': {
        this.need(p, 4, end, `${kind}.${op.name}`);
        const count = buf.readUInt32BE(p);
        if (key) out[key] = String(count);
        p += 4;
        for (let i = 0; i < count; i++) {
          this.need(p, 8, end, `${kind} adapter ${i + 1}`);
          const macs = buf.readUInt32BE(p + 4);
          this.need(p + 8, macs * 8, end, `${kind} adapter ${i + 1}`);
          p += 8 + macs * 8;
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
          this.need(p, 4, end, `${what}.${op.name}`);
          pairs.push([op.name, buf.readUInt32BE(p)]);
          p += 4;
          break;
        case 'mac':
          this.need(p, 6, end, `${what}.${op.name}`);
          pairs.push([op.name, macText(buf, p)]);
          p += 6;
          break;
        case 'ip4':
          this.need(p, 4, end, `${what}.${op.name}`);
          pairs.push([op.name, ip4Text(buf, p)]);
          p += 4;
          break;
        case 'ip6':
          this.need(p, 16, end, `${what}.${op.name}`);
          pairs.push([op.name, ip6Text(buf, p)]);
          p += 16;
          break;
        case 'skip':
          this.need(p, op.bytes, end, `${what} padding`);
          p += op.bytes;
          break;
        default:
          throw new Error(`nested layout op ${op.t} is not supported`);
      }
    }
    return p;
  }
}
