// Mutations of the 40 real configs, the way people break configs, checked against properties that
// follow from the grammar (there is no real Logstash here):
//  * a mutation that must break the config (unbalanced brace, `=>` typed as `=`/`:`, a trailing
//    comma, a cut inside a section, a stray word before a plugin) is rejected;
//  * the prefix before the mutation point p is untouched, so the parse is identical until a
//    terminal starting at ≥ p-5 (the longest literal, "filter"/"output", has 6 characters) sees
//    the change: the reported position is ≥ p-5, and never past the end of the text;
//  * for the mutations where the grammar pins the position (stray word, `=>` replaced, `{` of a
//    statement plugin deleted, trailing comma), the exact line/column is checked;
//  * line/column/byte agree with Ruby's rules for the reported index and "after" is the text
//    that precedes it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attribute, ConfigFile, PluginNode, Statement, Value, ArrayValue } from '../../src/config/ast.ts';
import { ConfigSyntaxError, parseConfig } from '../../src/config/parser.ts';
import { SourceText } from '../../src/config/source-text.ts';
import { HAVE_SHARED, realConfigs } from './shared.ts';

interface Failure {
  index: number;
  line: number;
  column: number;
  message: string;
}

function parseFailure(text: string): Failure | undefined {
  try {
    parseConfig(text, 'm.conf');
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigSyntaxError)) throw e;
    return { index: e.index, line: e.line, column: e.column, message: e.logstashMessage };
  }
}

/** Checks the message's own consistency and returns the UTF-16 index it refers to. */
function checkedIndex(text: string, f: Failure): number {
  const m = / at line (\d+), column (\d+) \(byte (\d+)\)(?: after ([\s\S]*))?$/.exec(f.message);
  expect(m, f.message).not.toBeNull();
  const chars = [...text];
  const charIndex = Number(m![3]) - 1;
  expect(charIndex).toBe(f.index);
  expect(charIndex).toBeLessThanOrEqual(chars.length);
  const utf16 = chars.slice(0, charIndex).join('').length;
  const before = text.slice(0, utf16);
  expect(Number(m![1])).toBe(before.split('\n').length);
  expect(Number(m![2])).toBe([...before.slice(before.lastIndexOf('\n') + 1)].length + 1);
  if (charIndex > 0) expect(before.endsWith(m![4] ?? '')).toBe(true);
  return utf16;
}

// ---- locating things in a parsed config --------------------------------------------------------

interface Found {
  statementPlugins: PluginNode[];
  attributes: Attribute[];
  arrays: ArrayValue[];
}

function collect(ast: ConfigFile): Found {
  const found: Found = { statementPlugins: [], attributes: [], arrays: [] };
  const value = (v: Value): void => {
    if (v.type === 'plugin') plugin(v);
    else if (v.type === 'array') {
      if (v.items.length > 0) found.arrays.push(v);
      v.items.forEach(value);
    } else if (v.type === 'hash') v.entries.forEach((e) => value(e.value));
  };
  const plugin = (p: PluginNode): void => {
    for (const a of p.attributes) {
      found.attributes.push(a);
      value(a.value);
    }
  };
  const statement = (s: Statement): void => {
    if (s.type === 'plugin') {
      found.statementPlugins.push(s);
      plugin(s);
    } else {
      s.clauses.forEach((c) => c.body.forEach(statement));
      s.elseBody?.forEach(statement);
    }
  };
  ast.sections.forEach((s) => s.body.forEach(statement));
  return found;
}

/** Index just past a name (bare or quoted) and the comments/whitespace after it. */
function afterNameAndSpace(text: string, start: number, name: string, quoted: boolean): { nameEnd: number; next: number } {
  const nameEnd = start + name.length + (quoted ? 2 : 0);
  let i = nameEnd;
  for (;;) {
    if (/[ \t\r\n]/.test(text[i] ?? '')) i++;
    else if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return { nameEnd, next: i };
}

/** A small deterministic PRNG so the sample of mutations is the same on every run. */
function sampler(seed: number): <T>(items: T[], n: number) => T[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(items: T[], n: number): T[] => {
    if (items.length <= n) return items;
    const out: T[] = [];
    const used = new Set<number>();
    while (out.length < n) {
      const i = Math.floor(next() * items.length);
      if (!used.has(i)) {
        used.add(i);
        out.push(items[i]!);
      }
    }
    return out;
  };
}

const PER_KIND = 4;

describe.skipIf(!HAVE_SHARED)('mutations of the real configs', () => {
  const configs = realConfigs();

  it.each(configs)('$name', ({ name, text }) => {
    const source = new SourceText(text);
    const ast = parseConfig(text, name);
    const idx = (loc: { offset: number }): number => source.indexOfByte(loc.offset);
    const found = collect(ast);
    const pick = sampler(name.length * 7919 + text.length);
    let checked = 0;

    const expectRejectedAt = (mutated: string, exact: number | undefined, point: number, why: string): Failure => {
      const f = parseFailure(mutated);
      expect(f, `${why} must be rejected`).toBeDefined();
      const at = checkedIndex(mutated, f!);
      if (exact !== undefined) expect(at, `${why}: ${f!.message.slice(0, 200)}`).toBe(exact);
      else expect(at, why).toBeGreaterThanOrEqual(point - 5);
      checked++;
      return f!;
    };

    // A stray word before a statement plugin: `xyz mutate {` fails at the plugin's name.
    for (const p of pick(found.statementPlugins, PER_KIND)) {
      const at = idx(p.loc);
      const f = expectRejectedAt(text.slice(0, at) + 'xyz ' + text.slice(at), at + 4, at, `stray word before ${p.name}`);
      // An `else {` right before can make Logstash read `else` as a plugin and `xyz` as a setting,
      // which adds "=>" at the same position.
      expect(f.message).toMatch(/^Expected one of \[ \\t\\r\\n\], "#", "\{"(, "=>")? at /);
    }

    // `=>` typed as `=` or `:` fails exactly there, expecting "=>".
    for (const a of pick(found.attributes, PER_KIND)) {
      const { next } = afterNameAndSpace(text, idx(a.loc), a.name, a.quotedName !== undefined);
      expect(text.startsWith('=>', next)).toBe(true);
      for (const typo of ['=', ':']) {
        const f = expectRejectedAt(text.slice(0, next) + typo + text.slice(next + 2), next, next, `'=>' typed as '${typo}' for ${a.name}`);
        expect(f.message).toMatch(/"=>" at line/);
      }
    }

    // Deleting the `{` of a statement plugin fails at the next token.
    for (const p of pick(found.statementPlugins, PER_KIND)) {
      const { next } = afterNameAndSpace(text, idx(p.loc), p.name, p.quotedName !== undefined);
      expect(text[next]).toBe('{');
      const mutated = text.slice(0, next) + text.slice(next + 1);
      const { next: token } = afterNameAndSpace(mutated, next, '', false);
      const f = expectRejectedAt(mutated, token, next, `deleted '{' of ${p.name}`);
      expect(f.message).toContain('"{"');
    }

    // Deleting the closing `}` of a plugin unbalances the braces: rejected, at or after it.
    for (const p of pick([...found.statementPlugins], PER_KIND)) {
      const close = idx(p.end!) - 1;
      expect(text[close]).toBe('}');
      expectRejectedAt(text.slice(0, close) + text.slice(close + 1), undefined, close, `deleted '}' of ${p.name}`);
    }

    // A trailing comma in an array fails at the `]`.
    for (const a of pick(found.arrays, PER_KIND)) {
      const close = idx(a.end!) - 1;
      expect(text[close]).toBe(']');
      const f = expectRejectedAt(text.slice(0, close) + ',' + text.slice(close), close + 1, close, 'trailing comma');
      expect(f.message).toMatch(/"\[", "\{" at line/);
    }

    // Cutting the text inside a section: rejected, within 5 characters of the cut.
    const cuts = ast.sections.flatMap((s) => {
      const from = idx(s.loc) + 1;
      const to = idx(s.end!) - 1;
      return Array.from({ length: 8 }, (_, k) => from + Math.floor(((to - from) * (k + 0.5)) / 8));
    });
    for (const cut of pick(cuts, PER_KIND)) {
      const mutated = text.slice(0, cut);
      const f = expectRejectedAt(mutated, undefined, cut, `cut at ${cut}`);
      expect(checkedIndex(mutated, f)).toBeLessThanOrEqual(cut);
    }

    // Deleting any quote: not always invalid, but if rejected the position obeys the prefix rule.
    const quotes = [...text.matchAll(/["']/g)].map((m) => m.index!);
    for (const q of pick(quotes, PER_KIND)) {
      const mutated = text.slice(0, q) + text.slice(q + 1);
      const f = parseFailure(mutated);
      if (f) expect(checkedIndex(mutated, f)).toBeGreaterThanOrEqual(q - 5);
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('hand-derived positions for representative mistakes', () => {
  const base = 'input {\n  udp {\n    port => 4739\n    codec => netflow { versions => [10] }\n  }\n}\n';
  const cases: [string, string, string][] = [
    ['missing => (typed =)', base.replace('port =>', 'port ='), 'Expected one of [ \\t\\r\\n], "#", "=>" at line 3, column 10 (byte 26) after input {\n  udp {\n    port '],
    ['colon instead of =>', base.replace('port =>', 'port:'), 'Expected one of [A-Za-z0-9_-], [ \\t\\r\\n], "#", "=>" at line 3, column 9 (byte 25) after input {\n  udp {\n    port'],
    ['trailing comma', base.replace('[10]', '[10,]'), 'Expected one of [ \\t\\r\\n], "#", [A-Za-z0-9_-], \'"\', "\'", [A-Za-z_], "-", [0-9], "[", "{" at line 4, column 40 (byte 73) after input {\n  udp {\n    port => 4739\n    codec => netflow { versions => [10,'],
    ['missing closing brace at EOF', base.slice(0, -2), 'Expected one of [ \\t\\r\\n], "#", "if", [A-Za-z0-9_-], \'"\', "\'", "}" at line 6, column 1 (byte 80) after input {\n  udp {\n    port => 4739\n    codec => netflow { versions => [10] }\n  }\n'],
    ['unterminated string runs to EOF', base.replace('4739', '"4739'), 'Expected one of \'\\"\', \'"\', any character at line 7, column 1 (byte 83) after input {\n  udp {\n    port => "4739\n    codec => netflow { versions => [10] }\n  }\n}\n'],
    ['comma between attributes', 'filter { mutate { a => "x", b => "y" } }', 'Expected one of [ \\t\\r\\n], "#", "{", "}" at line 1, column 27 (byte 27) after filter { mutate { a => "x"'],
    ['second section after complete one', 'input { stdin {} }\nfilter { mutate { a => } }', 'Expected one of [ \\t\\r\\n], "#", [A-Za-z0-9_-], \'"\', "\'", [A-Za-z_], "-", [0-9], "[", "{" at line 2, column 24 (byte 43) after filter { mutate { a => '],
    // `else` alone is a plugin name, so `drop` is read as its first setting.
    ['else without if', 'filter { else { drop {} } }', 'Expected one of [ \\t\\r\\n], "#", "=>" at line 1, column 22 (byte 22) after filter { else { drop '],
    ['unknown operator', 'filter { if [a] === 1 { drop {} } }', 'Expected one of [ \\t\\r\\n], "#", \'"\', "\'", "-", [0-9], "[", [A-Za-z_], \'/\' at line 1, column 19 (byte 19) after filter { if [a] =='],
    ['CRLF line ends', 'input {\r\n  stdin {\r\n    type x\r\n  }\r\n}\r\n', 'Expected one of [ \\t\\r\\n], "#", "=>" at line 3, column 10 (byte 30) after input {\r\n  stdin {\r\n    type '],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const f = parseFailure(text);
    expect(f?.message).toBe(expected);
  });
});

describe('robustness', () => {
  const only = (text: string): void => {
    try {
      parseConfig(text);
    } catch (e) {
      if (!(e instanceof ConfigSyntaxError)) throw e;
      checkedIndex(text, { index: e.index, line: e.line, column: e.column, message: e.logstashMessage });
    }
  };

  it('arbitrary text never crashes the parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), only), { numRuns: 400 });
  });

  it('arbitrary sequences of LSCL tokens never crash the parser', () => {
    const token = fc.constantFrom(
      'input', 'filter', 'output', '{', '}', '[', ']', '(', ')', ' ', '\n', '\t', '#c\n', '=>', ',', '"s"', "'q'", '"', "'", '\\',
      'if', 'else', 'and', 'or', 'xor', 'nand', 'not ', 'in', '==', '!=', '=~', '!~', '<', '>', '!', '/r/', '-1.5', '010', 'ab', 'x', '[f]', 'é', '${V}',
    );
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (tokens) => only(tokens.join(''))), { numRuns: 600 });
  });

  it('deeply nested input is parsed at realistic depths and refused with a message beyond', () => {
    const nest = (depth: number): string[] => [
      `filter { if ${'('.repeat(depth)}[a]${')'.repeat(depth)} { drop {} } }`,
      `filter { ${'if [a] { '.repeat(depth)}${'}'.repeat(depth + 1)}`,
      `input { x { y => ${'['.repeat(depth)}${']'.repeat(depth)} } }`,
    ];
    for (const text of nest(200)) expect(() => parseConfig(text)).not.toThrow();
    for (const text of nest(20000)) expect(() => parseConfig(text)).toThrow(/^Nesting deeper than 1000 levels at line 1, column \d+/);
  });
});
