// One pass over a Ruby (Oniguruma syntax) pattern: the capture groups as Ruby numbers them (when a
// pattern has named groups, plain parentheses do not capture), structural errors with their offset,
// and — when every construct is in the subset where JavaScript's RegExp behaves as Oniguruma does
// (checked by the differential property test in regexp.test.ts) — the equivalent JavaScript source.
//
// The fast-path subset: literals, `.`, `^ $ \A \z \Z \b \B`, `\d \w \s \h` and their negations
// (rewritten to Ruby's ASCII definitions), simple character classes with ranges, (…) (?:…) and
// (?<name>…) with JS-valid names, alternation, greedy and lazy quantifiers, a leading (?m).
// Everything else (atomic groups, possessive quantifiers, lookaround, backreferences, \K \G,
// POSIX brackets, (?i) (?x), Unicode properties, captures inside a repeated group…) goes to Oniguruma.

export interface PatternScan {
  /** Capture names by group number (index 0 unused); undefined for an unnamed capture. */
  groups: (string | undefined)[];
  /** The first structural problem and its offset in the source, if any. */
  error?: { message: string; offset: number };
  /** JavaScript source and flags with Oniguruma's semantics, when the pattern is in the fast-path subset. */
  js?: { source: string; flags: string };
}

const JS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPACE = '\\t\\n\\v\\f\\r ';
const CLASS_ESCAPES: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: SPACE, h: '0-9A-Fa-f', D: '\\D', W: '\\W' };
const ESCAPES: Record<string, string> = {
  d: '[0-9]',
  D: '[^0-9]',
  w: '[A-Za-z0-9_]',
  W: '[^A-Za-z0-9_]',
  s: `[${SPACE}]`,
  S: `[^${SPACE}]`,
  h: '[0-9A-Fa-f]',
  H: '[^0-9A-Fa-f]',
  b: '\\b',
  B: '\\B',
  A: '^',
  z: '$',
  Z: '(?=\\n?$)',
  n: '\\n',
  t: '\\t',
  r: '\\r',
  f: '\\f',
  v: '\\v',
};

function literal(cp: number): string {
  const c = String.fromCodePoint(cp);
  return /[A-Za-z0-9 ]/.test(c) ? c : `\\u{${cp.toString(16)}}`;
}

interface OpenGroup {
  offset: number;
  captures: boolean;
  /**
   * A capture, an anchor, or something that may match empty inside: the group may not take a
   * quantifier on the fast path (JS and Oniguruma treat captures and empty iterations of a
   * repeated group differently).
   */
  containsCapture: boolean;
}

export function scanPattern(source: string): PatternScan {
  const named = /\(\?(<(?![=!])|')/.test(source);
  const groups: (string | undefined)[] = [undefined];
  let error: PatternScan['error'];
  let out = '';
  let fast = true;
  let dotAll = false;
  let extended = false;
  const stack: OpenGroup[] = [];
  /** What the last atom was, to decide whether a quantifier may follow and is safe. */
  let last: 'none' | 'atom' | 'anchor' | 'quantifier' | 'group' = 'none';
  let lastGroupHadCapture = false;
  const fail = (): void => void (fast = false);
  let i = 0;
  const lead = /^\(\?([mix]+)\)/.exec(source);
  if (lead) {
    if (lead[1] === 'm') dotAll = true;
    else fail();
    if (lead[1]!.includes('x')) extended = true;
    i = lead[0].length;
  }
  while (i < source.length) {
    const cp = source.codePointAt(i)!;
    const c = String.fromCodePoint(cp);
    const at = i;
    i += c.length;
    if (extended && /\s/.test(c)) continue;
    if (extended && c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    switch (c) {
      case '\\': {
        const n = source[i];
        if (n === undefined) {
          error ??= { message: 'too short escape sequence', offset: at };
          fail();
          break;
        }
        i++;
        const mapped = ESCAPES[n];
        if (mapped !== undefined) {
          out += mapped;
          last = 'bBAzZ'.includes(n) ? 'anchor' : 'atom';
          if (last === 'anchor') for (const g of stack) g.containsCapture = true;
        } else if (/[A-Za-z0-9]/.test(n)) {
          fail();
          last = 'atom';
          if (n === 'k' || n === 'g' || n === 'p' || n === 'P' || n === 'x' || n === 'u' || n === 'o' || n === 'c' || n === 'C' || n === 'M') {
            // \k<name> \g<name> \p{…} \x{…} \u…: skip a bracketed argument so its characters are not scanned as syntax.
            const open = source[i];
            const close = open === '<' ? '>' : open === "'" ? "'" : open === '{' ? '}' : undefined;
            if (close) {
              const end = source.indexOf(close, i + 1);
              if (end !== -1) i = end + 1;
            }
          }
        } else {
          out += literal(n.codePointAt(0)!);
          last = 'atom';
        }
        break;
      }
      case '[': {
        const end = scanClass(source, at);
        if (end.error) {
          error ??= end.error;
          fail();
          i = source.length;
          break;
        }
        if (end.js === undefined) fail();
        else out += end.js;
        i = end.next;
        last = 'atom';
        break;
      }
      case '(': {
        let captures = false;
        if (source[i] === '?') {
          const kind = source[i + 1];
          if (kind === ':') {
            out += '(?:';
            i += 2;
          } else if ((kind === '<' && source[i + 2] !== '=' && source[i + 2] !== '!') || kind === "'") {
            const close = kind === '<' ? '>' : "'";
            const end = source.indexOf(close, i + 2);
            if (end === -1) {
              error ??= { message: 'invalid group name', offset: at };
              fail();
              i = source.length;
              break;
            }
            const name = source.slice(i + 2, end);
            if (!JS_NAME.test(name) || groups.includes(name)) fail();
            groups.push(name);
            captures = true;
            out += `(?<${name}>`;
            i = end + 1;
          } else if (kind === '#') {
            const end = source.indexOf(')', i);
            if (end === -1) {
              error ??= { message: 'end pattern in group', offset: at };
              i = source.length;
            } else i = end + 1;
            fail();
            break;
          } else {
            fail();
            if (kind !== undefined && /[imx-]/.test(kind)) {
              const m = /^[imx]*(?:-[imx]*)?[:)]/.exec(source.slice(i + 1));
              if (m && m[0].includes('x') && !m[0].includes('-x')) extended = true;
              if (m && m[0].endsWith(')')) {
                i += 1 + m[0].length;
                last = 'none';
                break;
              }
            }
            i++;
          }
        } else if (!named) {
          groups.push(undefined);
          captures = true;
          out += '(';
        } else out += '(?:';
        for (const g of stack) if (captures) g.containsCapture = true;
        stack.push({ offset: at, captures, containsCapture: captures });
        last = 'none';
        break;
      }
      case ')': {
        const g = stack.pop();
        if (!g) {
          error ??= { message: 'unmatched close parenthesis', offset: at };
          fail();
          break;
        }
        out += ')';
        last = 'group';
        lastGroupHadCapture = g.containsCapture;
        break;
      }
      case '*':
      case '+':
      case '?':
      case '{': {
        let text: string = c;
        if (c === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
          if (!m) {
            // Not a valid interval: Ruby takes `{` literally.
            fail();
            last = 'atom';
            break;
          }
          text = m[0];
          i = at + m[0].length;
        }
        if (last !== 'atom' && last !== 'group') {
          fail();
          if (last === 'none') error ??= { message: 'target of repeat operator is not specified', offset: at };
          last = 'quantifier';
          break;
        }
        // JS resets captures of a repeated group per iteration and refuses empty iterations; Ruby keeps them.
        if (last === 'group' && lastGroupHadCapture) fail();
        if (c === '*' || c === '?' || text.startsWith('{0')) for (const g of stack) g.containsCapture = true;
        if (source[i] === '+') {
          fail(); // possessive
          i++;
        } else if (source[i] === '?') {
          text += '?';
          i++;
        }
        if (source[i] === '*' || source[i] === '+' || source[i] === '?' || source[i] === '{') fail();
        out += text;
        last = 'quantifier';
        break;
      }
      case '|':
        out += '|';
        last = 'none';
        for (const g of stack) g.containsCapture = true;
        break;
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        last = 'atom';
        break;
      case '^':
        // Oniguruma: at the start, or after a newline that is not the last character.
        out += '(?:^|(?<=\\n)(?!$))';
        last = 'anchor';
        for (const g of stack) g.containsCapture = true;
        break;
      case '$':
        out += '(?=\\n|$)';
        last = 'anchor';
        for (const g of stack) g.containsCapture = true;
        break;
      default:
        out += literal(cp);
        last = 'atom';
    }
  }
  if (stack.length > 0) {
    error ??= { message: 'end pattern with unmatched parenthesis', offset: stack[stack.length - 1]!.offset };
    fail();
  }
  const scan: PatternScan = { groups };
  if (error) scan.error = error;
  if (fast && !error) {
    try {
      new RegExp(out, 'u');
      scan.js = { source: out, flags: 'u' };
    } catch {
      // Not valid for JS after all: Oniguruma decides.
    }
  }
  return scan;
}

/** A character class from `[` at `start`: where it ends, and its JS form when it is a simple one. */
function scanClass(source: string, start: number): { next: number; js?: string; error?: { message: string; offset: number } } {
  let i = start + 1;
  let js = '[';
  let simple = true;
  if (source[i] === '^') {
    js += '^';
    i++;
  }
  if (source[i] === ']') {
    // Oniguruma: `[]` is an error, `[]a]` a class with `]` — leave both to it.
    simple = false;
    i++;
  }
  let depth = 1;
  let items = 0;
  let lastWasLiteral = false;
  let rangeOpen = false;
  while (i < source.length) {
    const cp = source.codePointAt(i)!;
    const c = String.fromCodePoint(cp);
    i += c.length;
    if (c === '\\') {
      const n = source[i];
      if (n === undefined) break;
      i++;
      if (depth > 1) continue;
      const mapped = CLASS_ESCAPES[n];
      lastWasLiteral = mapped === undefined && !rangeOpen;
      rangeOpen = false;
      if (mapped !== undefined) js += mapped;
      else if (n === 'n' || n === 't' || n === 'r' || n === 'f' || n === 'v') js += '\\' + n;
      else if (/[A-Za-z0-9]/.test(n)) simple = false;
      else js += literal(n.codePointAt(0)!);
      items++;
      continue;
    }
    if (c === '[') {
      simple = false;
      depth++;
      continue;
    }
    if (c === ']') {
      depth--;
      if (depth === 0) return simple && items > 0 ? { next: i, js: js + ']' } : { next: i };
      continue;
    }
    if (depth > 1) continue;
    if (c === '&' && source[i] === '&') simple = false;
    if (c === '-') {
      // A range between two literal characters, or a literal `-` at either end.
      const next = source[i];
      if (items === 0 || next === ']') {
        js += '\\-';
        items++;
        lastWasLiteral = !rangeOpen;
        rangeOpen = false;
        continue;
      } else if (!lastWasLiteral || next === '\\' || next === '[' || next === '-') simple = false;
      else js += '-';
      lastWasLiteral = false;
      rangeOpen = true;
      continue;
    }
    js += literal(cp);
    lastWasLiteral = !rangeOpen;
    rangeOpen = false;
    items++;
  }
  return { next: source.length, error: { message: 'premature end of char-class', offset: start } };
}
