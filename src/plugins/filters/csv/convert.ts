// The csv filter's `convert` types (csv.rb CONVERTERS, on top of Ruby CSV::Converters): integer
// (Kernel#Integer), float (Kernel#Float), date and date_time (CSV's DateMatcher/DateTimeMatcher then
// Date.parse/DateTime.parse, made a Timestamp) — each gives the original text back when it does not
// apply — and boolean ("true"/"false" after strip+downcase, else the stripped, downcased text).
import { rubyFloat } from '../../../event/ruby-strings.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldValue } from '../../../event/values.ts';

export const CONVERSIONS = ['integer', 'float', 'date', 'date_time', 'boolean'] as const;
export type Conversion = (typeof CONVERSIONS)[number];
export type Converter = (value: string | null) => FieldValue;

const RUBY_INTEGER = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB]([01]+(?:_[01]+)*)|0[oO_]?([0-7]+(?:_[0-7]+)*)|([1-9]\d*(?:_\d+)*|0))[ \t\n\v\f\r]*$/;

/** Kernel#Integer(string): decimal, 0x hex, 0b binary, leading-0 octal, underscores between digits. */
export function rubyInteger(s: string): number | bigint | undefined {
  const m = RUBY_INTEGER.exec(s);
  if (!m) return undefined;
  const [, sign, hex, bin, oct, dec] = m;
  const digits = (hex ?? bin ?? oct ?? dec)!.replace(/_/g, '');
  const prefix = hex !== undefined ? '0x' : bin !== undefined ? '0b' : oct !== undefined ? '0o' : '';
  let big = BigInt(prefix + digits);
  if (sign === '-') big = -big;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?([+-]\d{2}(?::\d{2})|Z)?)?)?$/;

/** Date.parse(...).to_time: midnight of that day in the local zone. */
function toDate(s: string): FieldValue {
  if (!DATE.test(s)) return s;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const local = new Date(y, m - 1, d);
  if (local.getMonth() !== m - 1) return s;
  return Timestamp.fromMillis(local.getTime());
}

/** DateTime.parse(...).to_time: the instant, UTC when no offset is written. */
function toDateTime(s: string): FieldValue {
  const m = DATE_TIME.exec(s);
  if (!m) return s;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - offset * 60_000;
  if (Number.isNaN(ms) || new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCMonth() !== Number(mo) - 1) return s;
  const nanos = frac === '' ? 0 : Number(frac.slice(1, 10).padEnd(9, '0'));
  return new Timestamp(Math.floor(ms / 1000), nanos);
}

const CONVERTERS: Record<Conversion, Converter> = {
  integer: (v) => (v === null ? v : (rubyInteger(v) ?? v)),
  float: (v) => {
    if (v === null) return v;
    try {
      return new Float(rubyFloat(v));
    } catch {
      return v;
    }
  },
  date: (v) => (v === null ? v : toDate(v)),
  date_time: (v) => (v === null ? v : toDateTime(v)),
  boolean: (v) => {
    if (v === null) throw new TypeError("undefined method `strip' for nil");
    const s = v.replace(/^[ \t\n\v\f\r\0]+|[ \t\n\v\f\r\0]+$/g, '').toLowerCase();
    return s === 'false' ? false : s === 'true' ? true : s;
  },
};

export function converterFor(type: Conversion): Converter {
  return CONVERTERS[type];
}
