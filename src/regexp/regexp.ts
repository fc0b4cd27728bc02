// Logstash's regular expressions (Ruby syntax, Joni/Oniguruma semantics) for every place a config
// holds one: `=~`/`!~` conditionals, mutate gsub, grok, translate (regex mode), kv's *_pattern options.
//
// API (what other plugins call):
//   await ensureRegexpEngine()            load Oniguruma's WebAssembly once (in register(), or before
//                                         compiling conditions); fast-path patterns never need it
//   compileRegexp(source, { ignoreCase }) → Regexp (sync; throws RegexpSyntaxError with the offset of
//                                         the problem when known; RegexpEngineNotLoaded if the pattern
//                                         needs Oniguruma and it is not loaded yet)
//   regexp.test(s) / regexp.exec(s, from) → RegexpMatch (whole match and group spans, UTF-16 offsets)
//   regexp.groupNames                     capture names by group number, Ruby's numbering (plain
//                                         parentheses do not capture in a pattern with named groups)
//   regexp.gsub(s, replacement)           Ruby String#gsub with a replacement string (\0 \1 \k<name> \\)
//   regexp.split(s)                       Ruby String#split with a regexp
// A search that backtracks without end is cut off by Oniguruma's retry limit and reported as a
// RegexpRunawayError (the caller tags the event and goes on: the process never hangs on one line).
//
// Engines: Oniguruma (vscode-oniguruma, Ruby syntax, \w \d \s \b ASCII as in Ruby) is the reference;
// patterns in the subset pattern-scan.ts recognises run on JavaScript's RegExp instead (faster, and
// shown equivalent by the differential property test beside this file).
import type { OnigScanner, OnigString } from 'vscode-oniguruma';
import { ensureRegexpEngine, loadedEngine } from './onig.ts';
import { threadCpuMillis } from './thread-cpu.ts';
import { scanPattern } from './pattern-scan.ts';

export { ensureRegexpEngine } from './onig.ts';

/** vscode-oniguruma's const enums, by value (const enums cannot be imported across isolated modules). */
const SYNTAX_RUBY = 10;
const OPTION_IGNORECASE = 2;
const OPTION_WORD_IS_ASCII = 15;
const OPTION_DIGIT_IS_ASCII = 16;
const OPTION_SPACE_IS_ASCII = 17;

/**
 * A failing search that works longer than this was stopped by the retry limit (a runaway pattern),
 * not by the end of the text: ordinary failing searches over log lines take microseconds per
 * character, exhausting the retry limit takes 4–300 ms of CPU (pattern and warmth; one that exhausts it
 * faster than the threshold is missed — reported as no match). A search slower than this on the wall
 * clock is searched once more and judged by the CPU time of that second search, so a busy machine or
 * a GC pause never turns a plain failure into a runaway.
 */
export function runawayThresholdMs(inputLength: number): number {
  return 10 + inputLength * 0.002;
}

export class RegexpSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
    /** Offset of the problem in the pattern, when known. */
    readonly offset?: number,
  ) {
    super(`invalid regular expression /${clip(pattern)}/: ${reason}${offset !== undefined ? ` (at offset ${offset} of the pattern)` : ''}`);
    this.name = 'RegexpSyntaxError';
  }
}

export class RegexpRunawayError extends Error {
  constructor(
    readonly pattern: string,
    readonly inputLength: number,
    readonly elapsedMs: number,
  ) {
    super(`regular expression /${clip(pattern)}/ gave up after ${Math.round(elapsedMs)} ms of backtracking on a ${inputLength}-character value (runaway pattern)`);
    this.name = 'RegexpRunawayError';
  }
}

export class RegexpEngineNotLoaded extends Error {
  constructor(pattern: string) {
    super(`the regular expression /${clip(pattern)}/ needs Oniguruma: await ensureRegexpEngine() before compiling it`);
    this.name = 'RegexpEngineNotLoaded';
  }
}

/** Oniguruma fills some messages from a buffer it does not keep (`invalid group name <\ufffd>`): drop the debris. */
function onigMessage(message: string): string {
  return message.replace(/\s*<[^>]*[\ufffd\x00-\x1f][^>]*>/g, '').replace(/[\ufffd\x00-\x1f]/g, '');
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

export interface RegexpMatch {
  /** starts[g], ends[g]: the span of group g (0 = the whole match); -1 when the group did not take part. */
  starts: number[];
  ends: number[];
}

export interface Regexp {
  readonly source: string;
  readonly engine: 'javascript' | 'oniguruma';
  readonly groupNames: readonly (string | undefined)[];
  test(input: string): boolean;
  exec(input: string, from?: number): RegexpMatch | null;
  gsub(input: string, replacement: string): string;
  split(input: string): string[];
}

export interface CompileOptions {
  ignoreCase?: boolean;
  /** Force Oniguruma (the differential test compares both engines). */
  engine?: 'auto' | 'oniguruma';
}

/** True when compiling `source` needs Oniguruma loaded first. */
export function regexpNeedsEngine(source: string, options: CompileOptions = {}): boolean {
  return options.ignoreCase === true || options.engine === 'oniguruma' || scanPattern(source).js === undefined;
}

export function compileRegexp(source: string, options: CompileOptions = {}): Regexp {
  const scan = scanPattern(source);
  if (scan.js && !options.ignoreCase && options.engine !== 'oniguruma') return new JsRegexp(source, scan.groups, scan.js.source, scan.js.groups);
  const onig = loadedEngine();
  if (!onig) throw new RegexpEngineNotLoaded(source);
  let scanner: OnigScanner;
  try {
    const opts = [OPTION_WORD_IS_ASCII, OPTION_DIGIT_IS_ASCII, OPTION_SPACE_IS_ASCII];
    if (options.ignoreCase) opts.push(OPTION_IGNORECASE);
    scanner = new onig.OnigScanner([onigNames(source)], { syntax: SYNTAX_RUBY, options: opts as never[] });
  } catch (e) {
    throw new RegexpSyntaxError(source, onigMessage((e as Error).message), scan.error?.offset);
  }
  if (scan.error) throw new RegexpSyntaxError(source, scan.error.message, scan.error.offset);
  return new OnigRegexp(source, scan.groups, scanner, (s) => new onig.OnigString(s));
}

/**
 * Joni accepts group names Oniguruma refuses (ECS grok patterns write `(?<[exim][log][flags]>…)`):
 * every name becomes `n<k>` (one per distinct name, so duplicates stay duplicates), references too.
 * groupNames keeps the names as written.
 */
function onigNames(source: string): string {
  if (!source.includes('(?<') && !source.includes("(?'") && !source.includes('\\k') && !source.includes('\\g')) return source;
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    if (/^\d+$|^[+-]\d+$/.test(name)) return name;
    let v = ids.get(name);
    if (!v) ids.set(name, (v = `n${ids.size}`));
    return v;
  };
  let out = '';
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if ((n === 'k' || n === 'g') && depth === 0 && (source[i + 2] === '<' || source[i + 2] === "'")) {
        const close = source[i + 2] === '<' ? '>' : "'";
        const end = source.indexOf(close, i + 3);
        if (end !== -1) {
          const ref = source.slice(i + 3, end);
          const level = /^(.*?)([+-]\d+)$/.exec(ref);
          const name = level && !/^[+-]?\d+$/.test(ref) ? level[1]! : ref;
          out += `\\${n}${source[i + 2]}${id(name)}${level && name !== ref ? level[2] : ''}${close}`;
          i = end;
          continue;
        }
      }
      out += c + (n ?? '');
      i++;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (depth === 0 && c === '(' && source[i + 1] === '?' && ((source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') || source[i + 2] === "'")) {
      const close = source[i + 2] === '<' ? '>' : "'";
      const end = source.indexOf(close, i + 3);
      if (end !== -1) {
        out += `(?${source[i + 2]}${id(source.slice(i + 3, end))}${close}`;
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** Loads the engine when the pattern needs it, then compiles. */
export async function compileRegexpAsync(source: string, options: CompileOptions = {}): Promise<Regexp> {
  if (regexpNeedsEngine(source, options)) await ensureRegexpEngine();
  return compileRegexp(source, options);
}

/** A Ruby replacement string, parsed once: literal text and references (\0 \& \1 \k<name> \` \'). */
type ReplacementPart = string | { group: number } | { name: string } | { pre: true } | { post: true };

function parseReplacement(replacement: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c !== '\\' || i + 1 >= replacement.length) {
      text += c;
      continue;
    }
    const n = replacement[i + 1]!;
    let ref: ReplacementPart | undefined;
    let skip = 1;
    if (n >= '0' && n <= '9') ref = { group: Number(n) };
    else if (n === '&') ref = { group: 0 };
    else if (n === '`') ref = { pre: true };
    else if (n === "'") ref = { post: true };
    else if (n === '\\') {
      text += '\\';
      i++;
      continue;
    } else if (n === 'k' && replacement[i + 2] === '<') {
      const end = replacement.indexOf('>', i + 3);
      if (end !== -1) {
        ref = { name: replacement.slice(i + 3, end) };
        skip = end - i;
      }
    }
    if (!ref) {
      text += c;
      continue;
    }
    if (text) parts.push(text);
    text = '';
    parts.push(ref);
    i += skip;
  }
  if (text) parts.push(text);
  return parts;
}

abstract class BaseRegexp implements Regexp {
  abstract readonly engine: 'javascript' | 'oniguruma';
  private replacements = new Map<string, ReplacementPart[]>();

  constructor(
    readonly source: string,
    readonly groupNames: readonly (string | undefined)[],
  ) {}

  abstract test(input: string): boolean;
  abstract exec(input: string, from?: number): RegexpMatch | null;

  /** Matches from `from` on, one after another, with Ruby's rule for empty matches (step one character). */
  protected *matches(input: string): Generator<RegexpMatch> {
    let pos = 0;
    while (pos <= input.length) {
      const m = this.exec(input, pos);
      if (!m) return;
      yield m;
      const start = m.starts[0]!;
      const end = m.ends[0]!;
      if (end > start) pos = end;
      else if (start >= input.length) return;
      else pos = start + (input.codePointAt(start)! > 0xffff ? 2 : 1);
    }
  }

  gsub(input: string, replacement: string): string {
    let parts = this.replacements.get(replacement);
    if (!parts) {
      parts = parseReplacement(replacement);
      if (this.replacements.size > 1000) this.replacements.clear();
      this.replacements.set(replacement, parts);
    }
    let out = '';
    let copied = 0;
    for (const m of this.matches(input)) {
      const start = m.starts[0]!;
      const end = m.ends[0]!;
      out += input.slice(copied, start);
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else if ('group' in p) out += this.groupText(input, m, p.group);
        else if ('name' in p) out += this.groupText(input, m, this.groupNames.lastIndexOf(p.name));
        else if ('pre' in p) out += input.slice(0, start);
        else out += input.slice(end);
      }
      if (end > start) copied = end;
      else {
        copied = start;
      }
    }
    return out + input.slice(copied);
  }

  split(input: string): string[] {
    const out: string[] = [];
    let from = 0;
    for (const m of this.matches(input)) {
      const start = m.starts[0]!;
      const end = m.ends[0]!;
      if (end === start && (start === 0 || start >= input.length)) continue;
      if (end === 0) continue;
      out.push(input.slice(from, start));
      for (let g = 1; g < m.starts.length; g++) if (m.starts[g]! >= 0) out.push(input.slice(m.starts[g], m.ends[g]));
      from = end;
    }
    out.push(input.slice(from));
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  private groupText(input: string, m: RegexpMatch, g: number): string {
    if (g < 0 || g >= m.starts.length || m.starts[g]! < 0) return '';
    return input.slice(m.starts[g], m.ends[g]);
  }
}

function insidePair(s: string, i: number): boolean {
  if (i <= 0 || i >= s.length) return false;
  const lo = s.charCodeAt(i);
  const hi = s.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff;
}

class JsRegexp extends BaseRegexp {
  readonly engine = 'javascript';
  private readonly tester: RegExp;
  private readonly finder: RegExp;

  constructor(
    source: string,
    groups: (string | undefined)[],
    js: string,
    /** JS group number of each Ruby group. */
    private readonly jsGroups: number[],
  ) {
    super(source, groups);
    this.tester = new RegExp(js, 'u');
    this.finder = new RegExp(js, 'gud');
  }

  test(input: string): boolean {
    const m = this.tester.exec(input);
    if (!m) return false;
    return !insidePair(input, m.index) || this.exec(input) !== null;
  }

  exec(input: string, from = 0): RegexpMatch | null {
    const re = this.finder;
    re.lastIndex = from;
    let m = re.exec(input);
    // V8 tries assertions between the halves of a surrogate pair even with /u; Oniguruma never starts there.
    while (m && insidePair(input, m.index)) {
      re.lastIndex = m.index + 1;
      m = re.exec(input);
    }
    if (!m) return null;
    const indices = m.indices!;
    const map = this.jsGroups;
    const starts: number[] = new Array(map.length);
    const ends: number[] = new Array(map.length);
    for (let g = 0; g < map.length; g++) {
      const span = indices[map[g]!];
      starts[g] = span ? span[0] : -1;
      ends[g] = span ? span[1] : -1;
    }
    return { starts, ends };
  }
}

/** vscode-oniguruma 2.0.1 internals read directly: group spans without per-call objects, and unset groups (-1) told apart from empty ones. */
interface ScannerInternals {
  _ptr: number;
  _onigBinding: {
    HEAPU32: Uint32Array;
    _findNextOnigScannerMatch(scanner: number, strId: number, strPtr: number, strLength: number, position: number, options: number): number;
  };
}
interface StringInternals {
  id: number;
  ptr: number;
  utf8Length: number;
  convertUtf16OffsetToUtf8(offset: number): number;
  convertUtf8OffsetToUtf16(offset: number): number;
}

const UNSET = 0xffffffff;

function runawayKey(input: string, from: number): string {
  return `${from}:${input}`;
}

class OnigRegexp extends BaseRegexp {
  readonly engine = 'oniguruma';
  private readonly internals: ScannerInternals | undefined;
  /** Texts this pattern ran away on (key: offset + text), with the time it took. */
  private readonly runaways = new Map<string, number>();

  constructor(
    source: string,
    groups: (string | undefined)[],
    private readonly scanner: OnigScanner,
    private readonly text: (s: string) => OnigString,
  ) {
    super(source, groups);
    const s = scanner as unknown as Partial<ScannerInternals>;
    this.internals = typeof s._ptr === 'number' && typeof s._onigBinding?._findNextOnigScannerMatch === 'function' ? (s as ScannerInternals) : undefined;
  }

  test(input: string): boolean {
    return this.exec(input) !== null;
  }

  exec(input: string, from = 0): RegexpMatch | null {
    const known = this.runaways.size > 0 ? this.runaways.get(runawayKey(input, from)) : undefined;
    if (known !== undefined) throw new RegexpRunawayError(this.source, input.length, known);
    const t0 = performance.now();
    const m = this.searchOnce(input, from);
    if (m) return m;
    const threshold = runawayThresholdMs(input.length);
    if (performance.now() - t0 <= threshold) return null;
    const c1 = threadCpuMillis();
    const again = this.searchOnce(input, from);
    const elapsed = threadCpuMillis() - c1;
    if (again || elapsed <= threshold) return again;
    // The same text runs away again (a flood of one bad line): remember the last few.
    if (input.length <= 4096) {
      if (this.runaways.size >= 32) this.runaways.delete(this.runaways.keys().next().value!);
      this.runaways.set(runawayKey(input, from), elapsed);
    }
    throw new RegexpRunawayError(this.source, input.length, elapsed);
  }

  private searchOnce(input: string, from: number): RegexpMatch | null {
    const str = this.text(input);
    try {
      return this.internals ? this.search(str as unknown as StringInternals, from) : this.searchPublic(str, from);
    } finally {
      str.dispose();
    }
  }

  private search(str: StringInternals, from: number): RegexpMatch | null {
    const { _ptr, _onigBinding: b } = this.internals!;
    const at = b._findNextOnigScannerMatch(_ptr, str.id, str.ptr, str.utf8Length, str.convertUtf16OffsetToUtf8(from), 0);
    if (at === 0) return null;
    const heap = b.HEAPU32;
    let p = at / 4 + 1;
    const count = heap[p++]!;
    const starts: number[] = new Array(count);
    const ends: number[] = new Array(count);
    for (let g = 0; g < count; g++) {
      const s = heap[p++]!;
      const e = heap[p++]!;
      if (s === UNSET) {
        starts[g] = -1;
        ends[g] = -1;
      } else {
        starts[g] = str.convertUtf8OffsetToUtf16(s);
        ends[g] = str.convertUtf8OffsetToUtf16(e);
      }
    }
    return { starts, ends };
  }

  private searchPublic(str: OnigString, from: number): RegexpMatch | null {
    const m = this.scanner.findNextMatchSync(str, from);
    if (!m) return null;
    const len = str.content.length;
    const caps = m.captureIndices;
    return {
      starts: caps.map((c) => (c.start > len ? -1 : c.start)),
      ends: caps.map((c) => (c.start > len ? -1 : c.end)),
    };
  }
}
