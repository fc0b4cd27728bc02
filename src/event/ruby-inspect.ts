// Ruby's inspect as JRuby 9.4 prints event values (rubyInspect), and String#inspect for UTF-8
// strings as amazing_print prints strings and hash keys (rubyInspectString):
// `"` and `\` escaped, `#{` `#$` `#@` escaped, named escapes (\n \t \r \f \v \b \a \e),
// other non-printable characters as \uXXXX (\u{XXXXX} above the BMP), printable non-ASCII raw.
import { valueToString } from './stringify.ts';
import { Timestamp } from './timestamp.ts';
import { type FieldValue, isFieldMap } from './values.ts';

const NAMED: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0c: '\\f',
  0x0b: '\\v',
  0x08: '\\b',
  0x07: '\\a',
  0x1b: '\\e',
};

// Characters Onigmo does not count as printable: controls, unassigned, surrogates, line/paragraph separators.
const NON_PRINTABLE = /[\p{Cc}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;
const NEEDS_WORK = /["\\#\p{Cc}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;

export function rubyInspectString(s: string): string {
  if (!NEEDS_WORK.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const named = NAMED[c];
    if (named !== undefined) {
      out += named;
      continue;
    }
    if (c === 0x23 /* # */) {
      const n = s[i + 1];
      out += n === '{' || n === '$' || n === '@' ? '\\#' : '#';
      continue;
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    if ((cp >= 0xd800 && cp <= 0xdfff) || NON_PRINTABLE.test(ch)) {
      out += cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/**
 * Ruby's inspect of a byte string that is not valid UTF-8: valid characters as rubyInspectString
 * prints them, each invalid byte as `\xHH`. Without the surrounding quotes (Logstash's
 * `data.inspect[1..-2]` for input it cannot decode).
 */
export function rubyInspectBytesInner(bytes: Buffer): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  const flushRun = (end: number): void => {
    if (end > runStart) out += rubyInspectString(bytes.toString('utf8', runStart, end)).slice(1, -1);
  };
  while (i < bytes.length) {
    const len = validSequenceLength(bytes, i);
    if (len > 0) {
      i += len;
      continue;
    }
    flushRun(i);
    out += '\\x' + bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
    i++;
    runStart = i;
  }
  flushRun(i);
  return out;
}

function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
  else return 0;
  let cp = c & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const x = b[i + k];
    if (x === undefined || (x & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (x & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return need + 1;
}

/** Text that is already Ruby's inspect of a value: a log line prints it as it is. */
export class RubyInspected {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** java.time.Instant#toString (Logstash 8's Timestamp#to_s); `minimumDecimals` 3 gives the fingerprint filter's refined form. */
export function instantText(ts: Timestamp, minimumDecimals: 0 | 3 = 0): string {
  const seconds = new Date(ts.seconds * 1000).toISOString().slice(0, 19);
  const n = ts.nanos;
  const digits = n === 0 ? minimumDecimals : n % 1_000_000 === 0 ? 3 : n % 1000 === 0 ? 6 : 9;
  return digits === 0 ? `${seconds}Z` : `${seconds}.${String(n).padStart(9, '0').slice(0, digits)}Z`;
}

/** Ruby's inspect of an event value as JRuby 9.4 prints it: `["a", 1]`, `{"k"=>nil}` (Ruby 3.1 style). */
export function rubyInspect(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return rubyInspectString(v);
  if (Array.isArray(v)) return '[' + v.map(rubyInspect).join(', ') + ']';
  if (isFieldMap(v)) return '{' + Object.keys(v).map((k) => `${rubyInspectString(k)}=>${rubyInspect(v[k])}`).join(', ') + '}';
  if (v instanceof Timestamp) return instantText(v);
  return valueToString(v);
}
