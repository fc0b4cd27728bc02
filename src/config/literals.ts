// Turning literal text into values the way Logstash does: numbers through Ruby's Integer()/Float(),
// strings raw unless config.support_escapes, and Ruby's `inspect` for messages.

export type NumberLiteral = { ok: true; value: number | bigint; isFloat: boolean } | { ok: false; message: string };

/**
 * A number literal as the grammar admits it (`-?[0-9]+(\.[0-9]*)?`), evaluated like Ruby:
 * `Integer("010")` is octal 8, `Integer("09")` and `Float("1.")` raise ArgumentError.
 */
export function parseNumberLiteral(raw: string): NumberLiteral {
  if (raw.includes('.')) {
    if (!/^-?[0-9]+\.[0-9]+$/.test(raw)) return { ok: false, message: `invalid value for Float(): ${rubyInspect(raw)}` };
    return { ok: true, value: Number(raw), isFloat: true };
  }
  const negative = raw.startsWith('-');
  const digits = negative ? raw.slice(1) : raw;
  let value: bigint;
  if (digits.length > 1 && digits.startsWith('0')) {
    if (!/^[0-7]+$/.test(digits)) return { ok: false, message: `invalid value for Integer(): ${rubyInspect(raw)}` };
    value = BigInt('0o' + digits);
  } else {
    value = BigInt(digits);
  }
  if (negative) value = -value;
  const asNumber = Number(value);
  return { ok: true, value: Number.isSafeInteger(asNumber) ? asNumber : value, isFloat: false };
}

/** config.support_escapes: `\"` `\'` `\\` `\n` `\r` `\t` `\0` are replaced; any other `\x` is kept. */
export function processEscapes(raw: string): string {
  return raw.replace(/\\(.)/gs, (all, c: string) => {
    switch (c) {
      case '"':
        return '"';
      case "'":
        return "'";
      case '\\':
        return '\\';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '0':
        return '\0';
      default:
        return all;
    }
  });
}

/** Ruby's `inspect` for the values a config can hold (used verbatim in Logstash's messages). */
export function rubyInspect(value: unknown): string {
  if (typeof value === 'string') {
    let out = '"';
    for (const ch of value) {
      const c = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\r') out += '\\r';
      else if (c === 0x1b) out += '\\e';
      else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
      else out += ch;
    }
    return out + '"';
  }
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : rubyFloat(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return '[' + value.map(rubyInspect).join(', ') + ']';
  if (typeof value === 'object') {
    return '{' + Object.entries(value as Record<string, unknown>).map(([k, v]) => `${rubyInspect(k)}=>${rubyInspect(v)}`).join(', ') + '}';
  }
  return String(value);
}

function rubyFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}
