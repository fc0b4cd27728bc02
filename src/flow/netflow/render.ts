// Value rendering exactly as the Logstash netflow codec produces it: addresses, MACs, hex octet
// arrays, trimmed strings, big unsigned integers and the timestamp arithmetic of v5/v9/IPFIX.
import { formatInstant, Timestamp } from '../../event/timestamp.ts';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

const DEC: string[] = [];
for (let i = 0; i < 256; i++) DEC.push(String(i));

export function ipv4At(b: Buffer, o: number): string {
  return DEC[b[o]!] + '.' + DEC[b[o + 1]!] + '.' + DEC[b[o + 2]!] + '.' + DEC[b[o + 3]!];
}

const groups = new Int32Array(8);

/** IPv6 text like Ruby's IPAddr#to_s (leftmost longest run of ≥2 zero groups, then the IPv4 forms). */
export function ipv6At(b: Buffer, o: number): string {
  const g = groups;
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const v = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
    g[i] = v;
    if (v === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart + 1;
      }
    } else runStart = -1;
  }
  let text: string;
  if (bestStart < 0) {
    text = g[0]!.toString(16);
    for (let i = 1; i < 8; i++) text += ':' + g[i]!.toString(16);
    return text;
  }
  text = '';
  for (let i = 0; i < bestStart; i++) text += (i > 0 ? ':' : '') + g[i]!.toString(16);
  text += '::';
  const after = bestStart + bestLen;
  for (let i = after; i < 8; i++) text += (i > after ? ':' : '') + g[i]!.toString(16);
  // IPAddr renders "::x:y" and "::ffff:x:y" with an IPv4 tail.
  if (bestStart === 0) {
    if (after === 6) return `::${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
    if (after === 5 && g[5] === 0xffff) return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  return text;
}

export function macAt(b: Buffer, o: number): string {
  return (
    HEX[b[o]!] + ':' + HEX[b[o + 1]!] + ':' + HEX[b[o + 2]!] + ':' + HEX[b[o + 3]!] + ':' + HEX[b[o + 4]!] + ':' + HEX[b[o + 5]!]
  );
}

export function hexAt(b: Buffer, o: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HEX[b[o + i]!];
  return s;
}

/** Unsigned big-endian integer of 1..8 bytes; a bigint only when beyond 2^53. */
export function uintAt(b: Buffer, o: number, len: number): number | bigint {
  if (len <= 6) return b.readUIntBE(o, len);
  const hi = b.readUIntBE(o, len - 4);
  const lo = b.readUInt32BE(o + len - 4);
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** 8-byte unsigned (the common counter case, kept small so it inlines). */
export function u64At(b: Buffer, o: number): number | bigint {
  if (o < 0 || o + 8 > b.length) throw new RangeError(`8-byte integer at offset ${o} is beyond ${b.length} bytes`);
  const hi = b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  const lo = b[o + 4]! * 16777216 + ((b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!);
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Unsigned integers longer than 8 bytes (reduced-size encoding never exceeds 8; v9 uint fields may). */
export function bigUintAt(b: Buffer, o: number, len: number): number | bigint {
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(b[o + i]!);
  return v <= 9007199254740991n ? Number(v) : v;
}

export function intAt(b: Buffer, o: number, len: number): number | bigint {
  if (len <= 6) return b.readIntBE(o, len);
  const u = BigInt.asIntN(len * 8, BigInt(`0x${hexAt(b, o, len)}`));
  return u >= -9007199254740991n && u <= 9007199254740991n ? Number(u) : u;
}

/**
 * A fixed-length string element as the Logstash codec hands it over: raw bytes, one character per
 * byte, trailing NULs trimmed (the corpus's nprobe_proto_name comes out "\u0000Á\u0000…").
 */
export function trimmedLatin1(b: Buffer, o: number, len: number): string {
  let end = o + len;
  while (end > o && b[end - 1] === 0) end--;
  return b.toString('latin1', o, end);
}

const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * A variable-length string element (BinData VarString) as the Logstash codec hands it over: trailing
 * NULs trimmed, then Ruby's encode to ASCII with replacement — each non-ASCII character of valid UTF-8
 * becomes one '?', and so does each invalid or truncated sequence (its maximal subpart, as TextDecoder
 * marks it with one U+FFFD): "/p\xC3\xA4th" → "/p?th", "ab\xC3\xA9c\xFF" → "ab?c?".
 */
export function rubyAsciiString(b: Buffer, o: number, len: number): string {
  let end = o + len;
  while (end > o && b[end - 1] === 0) end--;
  let plain = true;
  for (let i = o; i < end; i++) {
    if (b[i]! > 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return b.toString('latin1', o, end);
  let s = '';
  for (const ch of utf8Lenient.decode(b.subarray(o, end))) s += ch.charCodeAt(0) > 0x7f ? '?' : ch;
  return s;
}

/** A proper UTF-8 string (for elements the Logstash codec does not know), trailing NULs trimmed. */
export function utf8Trimmed(b: Buffer, o: number, len: number): string {
  let end = o + len;
  while (end > o && b[end - 1] === 0) end--;
  return b.toString('utf8', o, end);
}

// ---- timestamps -------------------------------------------------------------------------------
// The Logstash codec stores these as `LogStash::Timestamp#to_iso8601` text: String fields (quoted in
// rubydebug, compared as strings in conditionals), not Timestamp objects.

/** `new Timestamp(seconds, nanos).toString()` without building the Timestamp (hot path); same cached formatter. */
export function isoTime(seconds: number, nanos: number): string {
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) {
    return new Timestamp(seconds, nanos).toString();
  }
  return formatInstant(seconds, nanos);
}

/** v5 `*_switched` (observed Logstash arithmetic, including the lost `seconds--` on borrow). */
export function v5Switched(uptime: number, unixSec: number, unixNsec: number, v: number): string {
  const millis = uptime - v;
  const seconds = unixSec - Math.floor(millis / 1000);
  let micros = Math.floor(unixNsec / 1000) - mod(millis, 1000) * 1000;
  if (micros < 0) micros += 1000000;
  return isoTime(seconds, micros * 1000);
}

/** v9 `*_switched`: always unix_sec + 1 s − (uptime − v) ms, as the Logstash codec computes it. */
export function v9Switched(uptime: number, unixSec: number, v: number): string {
  const millis = uptime - v;
  let seconds = unixSec - Math.floor(millis / 1000);
  let ms = 1000 - mod(millis, 1000);
  if (ms === 1000) {
    seconds += 1;
    ms = 0;
  }
  return isoTime(seconds, ms * 1e6);
}

export function secondsTs(v: number | bigint): string {
  return isoTime(Number(v), 0);
}

export function millisTs(v: number | bigint): string {
  if (typeof v === 'bigint') return isoTime(Number(v / 1000n), Number(v % 1000n) * 1e6);
  const s = Math.floor(v / 1000);
  return isoTime(s, (v - s * 1000) * 1e6);
}

const NTP_EPOCH_OFFSET = 2208988800;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * NTP 64-bit timestamp as the Logstash codec converts it: seconds − 2208988800, and the fraction
 * as a float number of microseconds whose nanoseconds are truncated (exactly, on the float's value).
 */
export function ntpTs(b: Buffer, o: number, len: number): string {
  let sec: number;
  let frac: number;
  if (len >= 8) {
    sec = b.readUInt32BE(o + len - 8);
    frac = b.readUInt32BE(o + len - 4);
  } else if (len > 4) {
    sec = b.readUIntBE(o, len - 4);
    frac = b.readUInt32BE(o + len - 4);
  } else {
    sec = 0;
    frac = len > 0 ? b.readUIntBE(o, len) : 0;
  }
  const usec = (frac / 4294967296) * 1000000;
  return isoTime(sec - NTP_EPOCH_OFFSET, truncatedNanos(usec));
}

/** floor(x × 1000) computed on the exact binary value of x (0 ≤ x < 1e6). */
function truncatedNanos(x: number): number {
  const approx = Math.floor(x * 1000);
  if (x === 0) return 0;
  f64[0] = x;
  const hi = u32[1]!;
  const lo = u32[0]!;
  const exp = ((hi >>> 20) & 0x7ff) - 1075;
  const mant = (BigInt(hi & 0xfffff | 0x100000) << 32n) | BigInt(lo);
  const scaled = mant * 1000n;
  const exact = exp >= 0 ? scaled << BigInt(exp) : scaled >> BigInt(-exp);
  const n = Number(exact);
  return Number.isFinite(n) ? n : approx;
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
