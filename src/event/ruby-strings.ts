// Ruby String/Array/Kernel behaviours mutate relies on: String#split, #strip, #capitalize,
// #to_i, Kernel#Float, Array#join.
import { type FieldValue } from './values.ts';
import { valueToString } from './stringify.ts';

/** Ruby String#split(sep): " " splits on whitespace runs (leading ignored); trailing empty fields dropped. */
export function rubySplit(s: string, sep: string): string[] {
  let parts: string[];
  if (sep === ' ') parts = s.replace(/^[ \t\n\v\f\r\0]+/, '').split(/[ \t\n\v\f\r\0]+/);
  else if (sep === '') parts = Array.from(s);
  else parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Ruby String#strip: ASCII whitespace and NUL at both ends. */
export function rubyStrip(s: string): string {
  if (s === '' || (!isStripSpace(s.charCodeAt(0)) && !isStripSpace(s.charCodeAt(s.length - 1)))) return s;
  return s.replace(/^[ \t\n\v\f\r\0]+|[ \t\n\v\f\r\0]+$/g, '');
}

/** The characters rubyStrip removes: space, \t \n \v \f \r and NUL. */
function isStripSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0;
}

/** 1–15 ASCII digits: its to_i is Number(s), exactly (what flow fields hold). */
function isShortDigits(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function rubyCapitalize(s: string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return first.toUpperCase() + s.slice(first.length).toLowerCase();
}

/** Ruby String#to_i: the leading integer (underscores between digits allowed), 0 when none. */
export function rubyToI(s: string): number | bigint {
  if (isShortDigits(s)) return Number(s);
  const m = /^[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)/.exec(s);
  if (!m) return 0;
  const digits = m[1]!.replace(/_/g, '');
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

/** Ruby Kernel#Float(string): strict; throws ArgumentError's message like Ruby. */
export function rubyFloat(s: string): number {
  const t = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  if (/^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?$/.test(t) && /\d/.test(t.split(/[eE]/)[0]!)) {
    return Number(t.replace(/_/g, ''));
  }
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.replace(/^([+-]?)0x/i, '$1'), 16);
  throw new Error(`invalid value for Float(): ${JSON.stringify(s)}`);
}

/** Ruby Array#join(sep): nested arrays flattened, nil as "". */
export function rubyJoin(a: FieldValue[], sep: string): string {
  return a.map((x) => (Array.isArray(x) ? rubyJoin(x, sep) : valueToString(x))).join(sep);
}

/** Ruby String#to_f: the leading decimal number (underscores between digits, an exponent), 0.0 when none. */
export function rubyToF(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?)(?:([eE][+-]?\d+(?:_\d+)*))?/.exec(s);
  const mantissa = m?.[1] ?? '';
  if (!/\d/.test(mantissa)) return 0;
  const n = Number((mantissa + (m![2] ?? '')).replace(/_/g, ''));
  return Number.isNaN(n) ? 0 : n;
}
