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
  /**
   * JavaScript source and flags with Oniguruma's semantics, when the pattern is in the fast-path
   * subset; groups[g] is the JS group number of Ruby group g (atomic groups and possessive
   * quantifiers become `(?=(X))\N`, which adds groups).
   */
  js?: { source: string; flags: string; groups: number[] };
}

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

interface Shape {
  atoms: string[];
  repeated: string[];
  alternation: boolean;
  /** The body's first character when it starts with a literal (undefined: nothing yet; null: not a literal). */
  first?: string | null;
  /** The body's last character when it ends with a literal. */
  lastLit?: string | null;
}

const newShape = (): Shape => ({ atoms: [], repeated: [], alternation: false });

/**
 * JS has no retry limit, so the fast path only takes repeats that cannot backtrack exponentially:
 * an atomic group; a group of fixed length (no alternation, no quantifier other than {n}); or one
 * whose iterations start or end with a literal that no variable atom inside can match (iterations
 * then split one way only). `repeated` holds the variable atoms (under any other quantifier).
 */
function repeatIsLinear(g: Shape, atomic: boolean): boolean {
  if (atomic) return true;
  if (g.alternation) return false;
  if (g.repeated.length === 0) return true;
  const delimiters = [g.first, g.lastLit].filter((x): x is string => typeof x === 'string');
  return delimiters.some((d) =>
    g.repeated.every((src) => {
      try {
        return !new RegExp(src, 'u').test(d);
      } catch {
        return false;
      }
    }),
  );
}

interface OpenGroup {
  offset: number;
  captures: boolean;
  /** What closes the group in the JS output. */
  close: string;
  kind: 'group' | 'atomic' | 'lookahead' | 'lookbehind';
  /** dotAll before a (?m:…) group. */
  restoreDotAll?: boolean;
  /** Whether each item of the current alternative may match empty; whether an earlier alternative may. */
  items: boolean[];
  anyNullable: boolean;
  shape: Shape;
  /** A capture inside (JS resets a repeated group's captures each iteration; Oniguruma keeps them). */
  containsCapture: boolean;
}

export function scanPattern(source: string): PatternScan {
  const named = /\(\?(<(?![=!])|')/.test(source);
  const groups: (string | undefined)[] = [undefined];
  const jsGroups: number[] = [0];
  let jsCount = 0;
  let atomStart = 0;
  const inLookbehind = (): boolean => stack.some((g) => g.kind === 'lookbehind');
  const root = { items: [] as boolean[], anyNullable: false, shape: newShape() };
  const frame = (): { items: boolean[]; anyNullable: boolean; shape: Shape } => stack[stack.length - 1] ?? root;
  let lastAtom = '';
  let lastGroupShape: Shape | undefined;
  let lastGroupAtomic = false;
  /** Records an atom (its JS source, and the literal character it is, if one) in the current frame. */
  const atom = (src: string, literalChar: string | null): void => {
    const sh = frame().shape;
    sh.atoms.push(src);
    if (sh.first === undefined && !sh.alternation) sh.first = literalChar;
    sh.lastLit = literalChar;
    lastAtom = src;
  };
  let error: PatternScan['error'];
  let out = '';
  let fast = true;
  let dotAll = false;
  let extended = false;
  const stack: OpenGroup[] = [];
  /** What the last atom was, to decide whether a quantifier may follow and is safe. */
  let last: 'none' | 'atom' | 'anchor' | 'quantifier' | 'group' = 'none';
  let lastGroupHadCapture = false;
  let lastGroupNullable = false;
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
    const outBefore = out.length;
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
          atomStart = outBefore;
          if (last === 'anchor' && inLookbehind()) fail();
          frame().items.push(last === 'anchor');
          if (last === 'atom') atom(mapped, null);
        } else if (/[A-Za-z0-9]/.test(n)) {
          fail();
          last = 'atom';
          frame().items.push(false);
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
          atomStart = outBefore;
          frame().items.push(false);
          atom(out.slice(outBefore), n);
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
        atomStart = outBefore;
        frame().items.push(false);
        if (end.js !== undefined) atom(end.js, null);
        break;
      }
      case '(': {
        let captures = false;
        let close = ')';
        let groupKind: OpenGroup['kind'] = 'group';
        let restoreDotAll: boolean | undefined;
        if (inLookbehind()) fail();
        if (source[i] === '?') {
          const kind = source[i + 1];
          if (kind === ':') {
            out += '(?:';
            i += 2;
          } else if (kind === '>') {
            // Atomic group: a lookahead does not backtrack into what it matched; the backreference consumes it.
            // Its helper group is set and used within one iteration: a quantifier on it is safe.
            jsCount++;
            out += '(?:(?=(';
            close = `))\\${jsCount})`;
            groupKind = 'atomic';
            i += 2;
          } else if (kind === 'm' && source[i + 2] === ':') {
            // (?m:…): the dot matches newlines inside the group only.
            out += '(?:';
            close = ')';
            restoreDotAll = dotAll;
            dotAll = true;
            i += 3;
          } else if (kind === '=' || kind === '!') {
            out += `(?${kind}`;
            groupKind = 'lookahead';
            i += 2;
          } else if (kind === '<' && (source[i + 2] === '=' || source[i + 2] === '!')) {
            out += `(?<${source[i + 2]}`;
            groupKind = 'lookbehind';
            i += 3;
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
            // JS never sees the name (groups map by number), so any name Oniguruma takes is fine.
            groups.push(name);
            jsGroups.push(++jsCount);
            captures = true;
            out += '(';
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
          jsGroups.push(++jsCount);
          captures = true;
          out += '(';
        } else out += '(?:';
        for (const g of stack) if (captures) g.containsCapture = true;
        stack.push({ offset: at, captures, containsCapture: captures, close, kind: groupKind, items: [], anyNullable: false, shape: newShape(), ...(restoreDotAll !== undefined ? { restoreDotAll } : {}) });
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
        out += g.close;
        if (g.restoreDotAll !== undefined) dotAll = g.restoreDotAll;
        last = g.kind === 'group' || g.kind === 'atomic' ? 'group' : 'anchor';
        // JS resets a repeated group's captures each iteration and refuses empty iterations; Oniguruma
        // keeps them and allows them: a group with captures, or one that may match empty, takes no quantifier.
        const nullable = (g.kind !== 'group' && g.kind !== 'atomic') || g.anyNullable || g.items.every(Boolean);
        const parent = frame().shape;
        parent.atoms.push(...g.shape.atoms);
        parent.repeated.push(...g.shape.repeated);
        parent.alternation ||= g.shape.alternation && g.kind !== 'atomic';
        if (parent.first === undefined && !parent.alternation) parent.first = g.kind === 'group' && !g.shape.alternation ? (g.shape.first ?? null) : null;
        parent.lastLit = g.kind === 'group' && !g.shape.alternation ? (g.shape.lastLit ?? null) : null;
        lastGroupShape = g.shape;
        lastGroupAtomic = g.kind === 'atomic';
        frame().items.push(nullable);
        lastGroupHadCapture = g.containsCapture;
        lastGroupNullable = nullable;
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
        // One optional iteration keeps captures alike in both engines; more do not.
        const once = c === '?' || text === '{0,1}' || text === '{1}' || text === '{1,1}' || text === '{0,1}';
        if (last === 'group' && (lastGroupNullable || (lastGroupHadCapture && !once))) fail();
        if (!/^\{\d+\}$/.test(text)) {
          // A variable count: the atom (or everything in the group) is a variable atom from here up.
          const sh = frame().shape;
          sh.lastLit = null;
          if (last === 'atom') sh.repeated.push(lastAtom);
          else if (last === 'group' && lastGroupShape) {
            if (!once && !repeatIsLinear(lastGroupShape, lastGroupAtomic)) fail();
            sh.repeated.push(...lastGroupShape.atoms);
          }
        }
        if (c === '*' || c === '?' || text.startsWith('{0')) {
          const f = frame();
          if (f.items.length > 0) f.items[f.items.length - 1] = true;
        }
        if (inLookbehind()) fail();
        if (source[i] === '+') {
          i++;
          // `?+` is left to Oniguruma (the differential test found them apart on it).
          if (c === '{' || c === '?' || last !== 'atom') fail();
          else {
            // Possessive X*+ X++ on a single atom: (?=(X*))\N, like an atomic group.
            const atom = out.slice(atomStart);
            jsCount++;
            out = `${out.slice(0, atomStart)}(?:(?=(${atom}${text}))\\${jsCount})`;
            last = 'quantifier';
            break;
          }
        } else if (source[i] === '?') {
          text += '?';
          i++;
        }
        if (source[i] === '*' || source[i] === '+' || source[i] === '?' || source[i] === '{') fail();
        out += text;
        last = 'quantifier';
        break;
      }
      case '|': {
        if (inLookbehind()) fail();
        const f = frame();
        f.anyNullable ||= f.items.every(Boolean);
        f.items = [];
        f.shape.alternation = true;
        out += '|';
        last = 'none';
        break;
      }
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        last = 'atom';
        atomStart = outBefore;
        frame().items.push(false);
        atom(out.slice(outBefore), null);
        break;
      case '^':
        // Oniguruma: at the start, or after a newline that is not the last character.
        out += '(?:^|(?<=\\n)(?!$))';
        last = 'anchor';
        if (inLookbehind()) fail();
        frame().items.push(true);
        break;
      case '$':
        out += '(?=\\n|$)';
        last = 'anchor';
        if (inLookbehind()) fail();
        frame().items.push(true);
        break;
      default:
        out += literal(cp);
        last = 'atom';
        atomStart = outBefore;
        frame().items.push(false);
        atom(out.slice(outBefore), c);
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
      scan.js = { source: out, flags: 'u', groups: jsGroups };
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
