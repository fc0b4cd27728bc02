// JSON text → event values the way Logstash's Jackson reads it: integers stay integers (bigint
// past 2^53), numbers with a fraction or exponent become Float (so `1.0` stays `1.0`), key order
// kept. Errors carry the byte offset.
import { Float, type FieldMap, type FieldValue, setOwn } from './values.ts';

export class JsonParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonParseError';
  }
}

export function parseJsonValue(text: string): FieldValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) throw new JsonParseError('Unexpected character after the JSON value', p.pos);
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_DEPTH = 1000;

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): FieldValue {
    if (depth > MAX_DEPTH) throw new JsonParseError('JSON nested too deeply', this.pos);
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private literal(word: string, v: FieldValue): FieldValue {
    if (!this.s.startsWith(word, this.pos)) throw new JsonParseError(`Unexpected token`, this.pos);
    this.pos += word.length;
    return v;
  }

  private number(): FieldValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) throw new JsonParseError(this.pos >= this.s.length ? 'Unexpected end of input' : 'Unexpected token', this.pos);
    this.pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return new Float(Number(m[0]));
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  }

  private string(): string {
    const s = this.s;
    const start = ++this.pos;
    let i = start;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c || c < 0x20) break;
      i++;
    }
    // Slow path: escapes present; let JSON.parse decode the literal exactly.
    let j = i;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x5c) j += 2;
      else if (c === 0x22) break;
      else if (c < 0x20) throw new JsonParseError('Control character in string', j);
      else j++;
    }
    if (j >= s.length) throw new JsonParseError('Unterminated string', start - 1);
    this.pos = j + 1;
    try {
      return JSON.parse(s.slice(start - 1, j + 1)) as string;
    } catch {
      throw new JsonParseError('Invalid escape in string', start - 1);
    }
  }

  private array(depth: number): FieldValue[] {
    this.pos++;
    const out: FieldValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') throw new JsonParseError("Expected ',' or ']'", this.pos - 1);
    }
  }

  private object(depth: number): FieldMap {
    this.pos++;
    const out: FieldMap = {};
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') throw new JsonParseError('Expected a string key', this.pos);
      const k = this.string();
      this.ws();
      if (this.s[this.pos++] !== ':') throw new JsonParseError("Expected ':'", this.pos - 1);
      this.ws();
      setOwn(out, k, this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') throw new JsonParseError("Expected ',' or '}'", this.pos - 1);
    }
  }
}
