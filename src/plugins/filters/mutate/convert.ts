// mutate's `convert` (logstash-filter-mutate 3.5.8+, lib/logstash/filters/mutate.rb: the strict rules
// Logstash 8.14 and later apply; older Logstash converted leniently with to_i/to_f). A value that
// cannot be converted throws: the filter then stops (see mutate.ts). Running on JRuby 9.4 (which
// cannot parse signed hex with Float()), so the signed-hex fallback branch of the plugin is the one
// modelled here.
//   integer: a String is stripped and its commas deleted; hex (`0x…`, signed) → Integer(); a string
//     containing a lowercase `e` → BigDecimal(s).to_i (strict: "none" fails); any other string →
//     String#to_i (lenient: "abc" → 0, "12abc" → 12); true/false → 1/0; a Float truncates; a Hash fails.
//   float: a String is stripped and its commas deleted; hex → signed Float; otherwise Kernel#Float
//     (strict: "abc", "" and "1e" fail); true/false → 1.0/0.0; an Integer widens; a Hash fails.
//   integer_eu / float_eu: a String has `,` and `.` swapped first ("1.234,5" → "1,234.5").
//   boolean: true/t/yes/y/1/1.0 and false/f/no/n/0/0.0/"" (any case) else unchanged, with a WARN.
//   string: Ruby's to_s.
import { rubyFloat, rubyStrip, rubyToI } from '../../../event/ruby-strings.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldValue, rubyClassName } from '../../../event/values.ts';
import type { Logger } from '../../types.ts';

export const CONVERSIONS = ['string', 'integer', 'float', 'boolean', 'integer_eu', 'float_eu'] as const;
export type Conversion = (typeof CONVERSIONS)[number];

/** What a Ruby conversion raises (ArgumentError, TypeError, FloatDomainError); the message is Ruby's. */
export class ConversionError extends Error {}

// Ruby's /^(true|t|yes|y|1|1.0)$/i as written: line anchors, and an unescaped dot.
const TRUE_RE = /^(true|t|yes|y|1|1.0)$/im;
const FALSE_RE = /^(false|f|no|n|0|0.0)$/im;
const HEX_PREFIX = /^[+-]?0x/i;
const BIG_DECIMAL = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?(?:[eEdD]([+-]?\d+))?[ \t\n\v\f\r]*$/;

const intOrBig = (b: bigint): number | bigint => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

/** Kernel#Integer(Float): truncates; NaN and infinities raise FloatDomainError. */
function integerOfFloat(x: number): number | bigint {
  if (!Number.isFinite(x)) throw new ConversionError(Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
  const t = Math.trunc(x);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/** BigDecimal(s).to_i, exactly: digits, optional fraction and exponent; anything else raises. */
function bigDecimalToI(s: string): number | bigint {
  const m = BIG_DECIMAL.exec(s);
  if (!m || (m[2] === undefined && m[3] === undefined)) throw new ConversionError(`invalid value for BigDecimal(): ${JSON.stringify(s)}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const digits = (int + frac).replace(/_/g, '') || '0';
  const scale = Number(exp) - frac.replace(/_/g, '').length;
  let n = BigInt(digits);
  if (scale >= 0) n *= 10n ** BigInt(Math.min(scale, 100_000));
  else n /= 10n ** BigInt(Math.min(-scale, 100_000));
  return intOrBig(sign === '-' ? -n : n);
}

/** mutate.rb#parse_signed_hex_str on JRuby 9.4: `sign * Float(unsigned)` for a 0x string, else none. */
function signedHex(s: string): number | undefined {
  if (!HEX_PREFIX.test(s)) return undefined;
  const sign = s.startsWith('-') ? -1 : 1;
  return sign * rubyFloat(s.replace(/^[+-]/, '').toLowerCase());
}

/** Kernel#Integer("0x1A") and its signs, exactly. */
function integerOfHex(s: string): number | bigint {
  const neg = s.startsWith('-');
  const n = BigInt(s.replace(/^[+-]/, '').toLowerCase());
  return intOrBig(neg ? -n : n);
}

/** Plain decimal digits that fit a safe integer: what the general path below gives them is Number(s). */
function isShortDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function convertInteger(value: FieldValue): FieldValue {
  if (typeof value === 'string') {
    if (isShortDigits(value)) return Number(value);
    const s = rubyStrip(value).replace(/,/g, '');
    const hex = signedHex(s);
    if (hex !== undefined) return s.includes('.') ? integerOfFloat(hex) : integerOfHex(s);
    if (s.includes('e')) return bigDecimalToI(s);
    return rubyToI(s);
  }
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Float) return integerOfFloat(value.value);
  if (value instanceof Timestamp) return value.seconds;
  throw new ConversionError(`can't convert ${rubyClassName(value)} into Integer`);
}

export function convertFloat(value: FieldValue): FieldValue {
  if (typeof value === 'string') {
    const s = rubyStrip(value).replace(/,/g, '');
    const hex = signedHex(s);
    if (hex !== undefined) return new Float(hex);
    try {
      return new Float(rubyFloat(s));
    } catch {
      throw new ConversionError(`invalid value for Float(): ${JSON.stringify(s)}`);
    }
  }
  if (value === true) return new Float(1);
  if (value === false) return new Float(0);
  if (value instanceof Float) return value;
  if (typeof value === 'number') return new Float(value);
  if (typeof value === 'bigint') return new Float(Number(value));
  if (value instanceof Timestamp) return new Float(value.seconds + value.nanos / 1e9);
  throw new ConversionError(`can't convert ${rubyClassName(value)} into Float`);
}

/** Ruby tr(",.", ".,") on strings; other values unchanged. */
const euToUs = (v: FieldValue): FieldValue => (typeof v === 'string' ? v.replace(/[,.]/g, (c) => (c === ',' ? '.' : ',')) : v);

export function converter(type: Conversion, log: Logger): (value: FieldValue) => FieldValue {
  switch (type) {
    case 'string':
      return (v) => valueToString(v);
    case 'integer':
      return convertInteger;
    case 'float':
      return convertFloat;
    case 'integer_eu':
      return (v) => convertInteger(euToUs(v));
    case 'float_eu':
      return (v) => convertFloat(euToUs(v));
    case 'boolean':
      return (v) => {
        const s = valueToString(v);
        if (TRUE_RE.test(s)) return true;
        if (s === '' || FALSE_RE.test(s)) return false;
        log.warn(`Failed to convert ${s} into boolean.`);
        return v;
      };
  }
}

