// Ruby (Onigmo) regular expressions → JavaScript RegExp, for `=~`, `!~` and mutate gsub.
// Handled differences:
//   ^ and $ are line anchors in Ruby           → the `m` flag
//   \A, \z, \Z                                   → lookarounds on input start/end
//   \h, \H (hex digit)                           → [0-9a-fA-F] / [^0-9a-fA-F]
//   POSIX brackets [[:alpha:]] etc.              → explicit ranges
//   a leading (?i) / (?m) / (?x) / (?mi)…        → flags i / s (Ruby's m is JS dotAll) / extended stripped
//   (?<name>…) named groups                      → same syntax in JS
// Not expressible in JS (rejected with a message naming the construct): possessive quantifiers,
// atomic groups (?>…), \G, \K, inline flag groups in the middle of a pattern, conditionals (?(…)).

export class RubyRegexpError extends Error {
  constructor(source: string, why: string) {
    super(`Cannot use regular expression /${source}/: ${why}`);
    this.name = 'RubyRegexpError';
  }
}

const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\r\\n\\v\\f',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  ascii: '\\x00-\\x7f',
};

const cache = new Map<string, RegExp>();

/** A JS RegExp equivalent to the Ruby pattern (cached); throws RubyRegexpError when it has no equivalent. */
export function rubyRegexp(source: string, extraFlags = ''): RegExp {
  const key = extraFlags + '\u0000' + source;
  const hit = cache.get(key);
  if (hit) return hit;
  const re = translate(source, extraFlags);
  if (cache.size > 5000) cache.clear();
  cache.set(key, re);
  return re;
}

function translate(source: string, extraFlags: string): RegExp {
  let src = source;
  const flags = new Set(['m', ...extraFlags]);
  let extended = false;
  const lead = /^\(\?([imx]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i') flags.add('i');
      else if (f === 'm') flags.add('s');
      else extended = true;
    }
    src = src.slice(lead[0].length);
  }
  let out = '';
  let inClass = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new RubyRegexpError(source, 'trailing backslash');
      i++;
      if (inClass === 0 && n === 'A') out += '(?<![\\s\\S])';
      else if (inClass === 0 && n === 'z') out += '(?![\\s\\S])';
      else if (inClass === 0 && n === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      else if (n === 'h') out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
      else if (n === 'H' && inClass === 0) out += '[^0-9a-fA-F]';
      else if (n === 'G' || n === 'K') throw new RubyRegexpError(source, `\\${n} is not supported`);
      else if (n === '/') out += '\\/';
      else out += '\\' + n;
      continue;
    }
    if (inClass > 0) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        if (end !== -1) {
          const name = src.slice(i + 2, end);
          const negated = name.startsWith('^');
          const range = POSIX[negated ? name.slice(1) : name];
          if (range === undefined) throw new RubyRegexpError(source, `unknown POSIX class [:${name}:]`);
          if (negated) throw new RubyRegexpError(source, `negated POSIX class [:${name}:] is not supported`);
          out += range;
          i = end + 1;
          continue;
        }
      }
      if (c === '[') throw new RubyRegexpError(source, 'nested character classes are not supported');
      if (c === ']') inClass--;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass++;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const n = src[i + 2];
      if (n === '>') throw new RubyRegexpError(source, 'atomic groups (?>…) are not supported');
      if (n === '(') throw new RubyRegexpError(source, 'conditional groups are not supported');
      if (n === '#') {
        const end = src.indexOf(')', i);
        i = end === -1 ? src.length : end;
        continue;
      }
      if (n !== undefined && /[imx-]/.test(n)) throw new RubyRegexpError(source, 'inline option groups are only supported at the start');
    }
    if ((c === '+') && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') {
      throw new RubyRegexpError(source, 'possessive quantifiers are not supported');
    }
    if (extended && /\s/.test(c)) continue;
    if (extended && c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    out += c;
  }
  if (/\\p\{/i.test(out)) flags.add('u');
  try {
    return new RegExp(out, [...flags].join(''));
  } catch (e) {
    throw new RubyRegexpError(source, (e as Error).message);
  }
}

/** Ruby gsub replacement text (`\1`, `\k<name>`, `\0`, `\\`) → JS replacement (`$1`, `$<name>`, `$&`, `$$` escaped). */
export function rubyReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '$') {
      out += '$$';
      continue;
    }
    if (c === '\\' && i + 1 < replacement.length) {
      const n = replacement[i + 1]!;
      if (/\d/.test(n)) {
        out += n === '0' ? '$&' : '$' + n;
        i++;
        continue;
      }
      if (n === '&') {
        out += '$&';
        i++;
        continue;
      }
      if (n === 'k' && replacement[i + 2] === '<') {
        const end = replacement.indexOf('>', i + 3);
        if (end !== -1) {
          out += '$<' + replacement.slice(i + 3, end) + '>';
          i = end;
          continue;
        }
      }
      if (n === '\\') {
        out += '\\';
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}
