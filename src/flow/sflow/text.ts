// How the Logstash sflow codec renders values: every field is Ruby's `to_s` of the BinData value —
// decimal integers, dotted IPv4, IPAddr#to_s for IPv6, lowercase colon MACs, Float#to_s of the
// widened float32, and Hash#inspect (Ruby 3.1) for a nested record.
import { rubyFloatToString } from '../../event/values.ts';

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** A big-endian uint32 (the caller has checked the 4 bytes are there). */
export function u32be(buf: Buffer, p: number): number {
  return buf[p]! * 0x1000000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
}

export function macText(buf: Buffer, p: number): string {
  return `${HEX2[buf[p]!]}:${HEX2[buf[p + 1]!]}:${HEX2[buf[p + 2]!]}:${HEX2[buf[p + 3]!]}:${HEX2[buf[p + 4]!]}:${HEX2[buf[p + 5]!]}`;
}

export function ip4Text(buf: Buffer, p: number): string {
  return `${buf[p]}.${buf[p + 1]}.${buf[p + 2]}.${buf[p + 3]}`;
}

/**
 * Ruby IPAddr#to_s: leading zeros dropped, the longest (leftmost) run of two or more zero groups
 * becomes `::`, and `::a:b` / `::ffff:a:b` are written with a dotted IPv4 tail.
 */
export function ip6Text(buf: Buffer, p: number): string {
  const g = GROUPS;
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const v = (buf[p + 2 * i]! << 8) | buf[p + 2 * i + 1]!;
    g[i] = v;
    if (v === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  if (bestStart === 0 && bestLen === 6 && g[6] !== 0) return `::${dotted(g[6]!, g[7]!)}`;
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${dotted(g[6]!, g[7]!)}`;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return out;
}

const GROUPS = new Array<number>(8).fill(0);

function dotted(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Decimal text of a big-endian uint64, exact beyond 2^53. */
export function u64Text(buf: Buffer, p: number): string {
  const hi = u32be(buf, p);
  const lo = u32be(buf, p + 4);
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Ruby Float#to_s of a big-endian float32 widened to double. */
export function f32Text(buf: Buffer, p: number): string {
  return rubyFloatToString(buf.readFloatBE(p));
}

/** A nested value in Ruby 3.1 Hash#inspect form: `{:a=>1, :b=>"x"}`. */
export function rubyHashInspect(pairs: readonly (readonly [string, string | number])[]): string {
  const parts = pairs.map(([k, v]) => `:${k}=>${typeof v === 'number' ? String(v) : rubyStringInspect(v)}`);
  return `{${parts.join(', ')}}`;
}

function rubyStringInspect(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c).replace(/#(?=[{$@])/g, '\\#')}"`;
}

/** An XDR string's bytes as event text (invalid UTF-8 becomes U+FFFD). */
export function bytesText(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end);
}
