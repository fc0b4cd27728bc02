// Grok expressions → one regexp, as jls-grok (the library logstash-filter-grok uses) builds it:
// the leftmost `%{NAME}`, `%{NAME:field}`, `%{NAME:field:int}` or `%{NAME=definition}` is replaced
// by the pattern's text — a named group `(?<NAME:field>…)`, or `(?:…)` when named_captures_only and
// there is no field — until none is left (10,000 rounds at most); the result is compiled with
// Regexp::MULTILINE (Ruby's (?m): the dot matches newlines). Captures are reported per name, in the
// order names first appear, each name's groups in order (Ruby's named_captures).
import { type Regexp, compileRegexp } from '../../../regexp/regexp.ts';

/** A grok expression that cannot be compiled: an undefined pattern, endless recursion, a bad regexp. */
export class GrokPatternError extends Error {
  constructor(
    message: string,
    /** The expression as configured. */
    readonly expression: string,
    /** Offset of the problem in the expression, when it is there (an undefined %{NAME} written in it). */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'GrokPatternError';
  }
}

export interface GrokCapture {
  /** Field the value goes to (the semantic, else the pattern name). */
  field: string;
  /** Group numbers holding it, in order. */
  groups: number[];
  coerce?: 'int' | 'float';
}

export interface CompiledGrok {
  expression: string;
  regexp: Regexp;
  captures: GrokCapture[];
}

interface Reference {
  start: number;
  end: number;
  pattern: string;
  name: string;
  definition?: string;
}

const NAME_CHAR = /[A-z0-9]/;
const SUBNAME_CHAR = /[@[\]A-z0-9_:.-]/;

/** The leftmost well-formed %{…} at or after `from` (jls-grok's PATTERN_RE). */
export function findReference(text: string, from = 0): Reference | undefined {
  for (let at = text.indexOf('%{', from); at !== -1; at = text.indexOf('%{', at + 1)) {
    let i = at + 2;
    const nameStart = i;
    while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
    if (i === nameStart) continue;
    const pattern = text.slice(nameStart, i);
    if (text[i] === ':' && i + 1 < text.length && SUBNAME_CHAR.test(text[i + 1]!)) {
      i++;
      while (i < text.length && SUBNAME_CHAR.test(text[i]!)) i++;
    }
    const name = text.slice(nameStart, i);
    let definition: string | undefined;
    if (text[i] === '=') {
      const defStart = i + 1;
      let j = defStart;
      let depth = 0;
      while (j < text.length) {
        const c = text[j]!;
        if (c === '\\') j += 2;
        else if (c === '{') {
          depth++;
          j++;
        } else if (c === '}') {
          if (depth === 0) break;
          depth--;
          j++;
        } else j++;
      }
      if (j > defStart && j < text.length) {
        definition = text.slice(defStart, j);
        i = j;
      }
    }
    const close = text.indexOf('}', i);
    if (close === -1) return undefined;
    return { start: at, end: close + 1, pattern, name, ...(definition !== undefined ? { definition } : {}) };
  }
  return undefined;
}

const MAX_ROUNDS = 10000;

/** Expands and compiles one grok expression (the regexp engine must be loaded). */
export function compileGrok(expression: string, patterns: Readonly<Record<string, string>>, namedCapturesOnly: boolean): CompiledGrok {
  const local: Record<string, string> = {};
  let expanded = expression;
  let rounds = MAX_ROUNDS;
  for (;;) {
    const ref = findReference(expanded);
    if (!ref) break;
    if (rounds-- === 0) {
      throw new GrokPatternError(`Deep recursion pattern compilation of ${JSON.stringify(expression)}`, expression);
    }
    if (ref.definition !== undefined) local[ref.pattern] = ref.definition;
    const regex = Object.prototype.hasOwnProperty.call(local, ref.pattern) ? local[ref.pattern] : Object.prototype.hasOwnProperty.call(patterns, ref.pattern) ? patterns[ref.pattern] : undefined;
    if (regex === undefined) {
      const text = expanded.slice(ref.start, ref.end);
      const offset = expression.indexOf(text);
      throw new GrokPatternError(`pattern ${text} not defined`, expression, offset === -1 ? undefined : offset);
    }
    const replacement = namedCapturesOnly && !ref.name.includes(':') ? `(?:${regex})` : `(?<${ref.name}>${regex})`;
    expanded = expanded.slice(0, ref.start) + replacement + expanded.slice(ref.end);
  }
  let regexp: Regexp;
  try {
    regexp = compileRegexp(`(?m:${expanded})`);
  } catch (e) {
    throw new GrokPatternError((e as Error).message.replace(/^invalid regular expression \/[\s\S]*\/: /, 'invalid regular expression: '), expression);
  }
  return { expression, regexp, captures: capturesOf(regexp) };
}

function capturesOf(regexp: Regexp): GrokCapture[] {
  const byName = new Map<string, number[]>();
  regexp.groupNames.forEach((name, g) => {
    if (name === undefined) return;
    const list = byName.get(name);
    if (list) list.push(g);
    else byName.set(name, [g]);
  });
  return [...byName].map(([name, groups]) => {
    const [pattern, semantic, coerce] = name.split(':');
    const capture: GrokCapture = { field: semantic || pattern!, groups };
    if (coerce === 'int' || coerce === 'float') capture.coerce = coerce;
    return capture;
  });
}
