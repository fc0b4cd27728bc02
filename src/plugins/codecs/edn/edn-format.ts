// EDN (extensible data notation) read and written the way the `edn` Ruby gem does it for Logstash's
// edn/edn_lines codecs. Hand-written rather than an npm EDN library: the one maintained package
// returns null for a truncated document instead of failing, and reads `2.0` as the integer 2, while
// Logstash keeps Float and Integer apart (rubydebug prints 2.0). Reading: EDN.read takes the first form
// of the text; values Logstash cannot hold in an event (symbols, sets, #inst and unknown tags) make the
// document unconvertible, which the codecs treat as a parse failure, as Logstash's conversion error is.
import { Float, type FieldMap, type FieldValue, rubyFloatToString } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';

export class EdnError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'EdnError';
  }
}

const DELIMITERS = new Set([...' \t\n\r,()[]{}";']);
const ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', b: '\b', f: '\f', '\\': '\\', '"': '"' };
const NAMED_CHARS: Record<string, string> = { newline: '\n', return: '\r', space: ' ', tab: '\t', formfeed: '\f', backspace: '\b' };
const INTEGER = /^[+-]?(0|[1-9][0-9]*)N?$/;
const FLOAT = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][+-]?[0-9]+)?M?$/;

/** Marks a value the event model cannot hold: the whole document is then refused. */
class Unconvertible {
  constructor(readonly what: string) {}
}

type Read = FieldValue | Unconvertible;

class Reader {
  private pos = 0;
  constructor(private readonly s: string) {}

  private skipSpace(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) return;
      if (c === ';') {
        while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') this.pos++;
      else if (c === '#' && this.s[this.pos + 1] === '_') {
        this.pos += 2;
        this.form();
      } else return;
    }
  }

  /** The next form; throws at the end of the text or on a closing bracket. */
  form(): Read {
    this.skipSpace();
    const start = this.pos;
    const c = this.s[this.pos];
    if (c === undefined) throw new EdnError('unexpected end of input', start);
    switch (c) {
      case '"':
        return this.string();
      case '[':
        this.pos++;
        return this.sequence(']');
      case '(':
        this.pos++;
        return this.sequence(')');
      case '{':
        this.pos++;
        return this.map();
      case ']':
      case ')':
      case '}':
        throw new EdnError(`unexpected '${c}'`, start);
      case '\\':
        return this.character();
      case '#':
        return this.dispatch();
      default:
        return this.atom();
    }
  }

  private sequence(close: string): Read {
    const items: FieldValue[] = [];
    let bad: Unconvertible | undefined;
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === close) {
        this.pos++;
        return bad ?? items;
      }
      if (this.pos >= this.s.length) throw new EdnError(`unterminated collection, expected '${close}'`, this.pos);
      const v = this.form();
      if (v instanceof Unconvertible) bad ??= v;
      else items.push(v);
    }
  }

  private map(): Read {
    const out: FieldMap = {};
    let bad: Unconvertible | undefined;
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return bad ?? out;
      }
      if (this.pos >= this.s.length) throw new EdnError("unterminated map, expected '}'", this.pos);
      const keyAt = this.pos;
      const k = this.form();
      this.skipSpace();
      if (this.s[this.pos] === '}' || this.pos >= this.s.length) throw new EdnError('map has a key without a value', keyAt);
      const v = this.form();
      if (k instanceof Unconvertible) bad ??= k;
      else if (v instanceof Unconvertible) bad ??= v;
      else out[keyText(k)] = v;
    }
  }

  private string(): string {
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) throw new EdnError('unterminated string', start);
      this.pos++;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      if (e === undefined) throw new EdnError('unterminated string', start);
      if (e === 'u') {
        const hex = this.s.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new EdnError('bad \\u escape', this.pos - 2);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 4;
      } else if (ESCAPES[e] !== undefined) out += ESCAPES[e];
      else throw new EdnError(`unknown escape '\\${e}'`, this.pos - 2);
    }
  }

  private token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !DELIMITERS.has(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private character(): string {
    const start = this.pos++;
    const first = this.s[this.pos];
    if (first === undefined) throw new EdnError('unterminated character', start);
    this.pos++;
    const rest = this.token();
    const name = first + rest;
    if (rest === '') return first;
    if (NAMED_CHARS[name] !== undefined) return NAMED_CHARS[name];
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
    throw new EdnError(`unknown character '\\${name}'`, start);
  }

  private dispatch(): Read {
    const start = this.pos;
    const next = this.s[this.pos + 1];
    if (next === '{') {
      this.pos += 2;
      this.sequence('}');
      return new Unconvertible('a set');
    }
    this.pos++;
    const tag = this.token();
    if (tag === '') throw new EdnError("'#' without a tag", start);
    const value = this.form();
    if (tag === 'uuid' && typeof value === 'string') return value;
    return new Unconvertible(`a #${tag} value`);
  }

  private atom(): Read {
    const start = this.pos;
    const t = this.token();
    if (t === 'nil') return null;
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t.startsWith(':')) {
      if (t.length === 1) throw new EdnError("':' without a name", start);
      return t.slice(1);
    }
    if (INTEGER.test(t)) {
      const digits = t.endsWith('N') ? t.slice(0, -1) : t;
      const big = BigInt(digits);
      const n = Number(big);
      return Number.isSafeInteger(n) ? n : big;
    }
    if (FLOAT.test(t)) return new Float(Number(t.endsWith('M') ? t.slice(0, -1) : t));
    if (/^[+-]?[0-9]/.test(t)) throw new EdnError(`invalid number '${t}'`, start);
    return new Unconvertible(`the symbol ${t}`);
  }
}

/** A map key as a Logstash field name: strings as they are, keywords without the colon, numbers as text. */
function keyText(k: FieldValue): string {
  if (typeof k === 'string') return k;
  if (k instanceof Float) return rubyFloatToString(k.value);
  if (k === null) return '';
  if (typeof k === 'object' && !(k instanceof Timestamp)) return writeEdn(k);
  return String(k);
}

/** Reads the first form of the text (as EDN.read); throws EdnError when it is malformed or cannot be an event value. */
export function readEdn(text: string): FieldValue {
  const reader = new Reader(text);
  const v = reader.form();
  if (v instanceof Unconvertible) throw new EdnError(`${v.what} cannot be stored in an event`, 0);
  return v;
}

function writeString(s: string): string {
  // The gem escapes only the quote and the backslash; newlines stay raw.
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A value as the gem's #to_edn writes it: maps `{k v, k v}`, vectors `[a b]`. */
export function writeEdn(v: FieldValue): string {
  if (v === null) return 'nil';
  if (typeof v === 'string') return writeString(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : rubyFloatToString(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Float) return rubyFloatToString(v.value);
  if (v instanceof Timestamp) return writeString(v.toString());
  if (Array.isArray(v)) return `[${v.map(writeEdn).join(' ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${writeString(k)} ${writeEdn(x)}`)
    .join(', ')}}`;
}
