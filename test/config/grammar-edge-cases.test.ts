// Every case of grammar-edge-cases.txt (the real treetop parser's verdicts and messages) must get
// the same verdict and, for failures, the identical message.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSyntaxError, parseConfig } from '../../src/config/parser.ts';
import { GRAMMAR_CASES } from './grammar-cases.ts';
import { EDGE_CASES, HAVE_SHARED } from './shared.ts';

function verdict(input: string): string {
  try {
    parseConfig(input);
    return 'OK';
  } catch (e) {
    if (!(e instanceof ConfigSyntaxError)) throw e;
    // The corpus file writes the raw newlines of the "after" text as \n.
    return `FAIL: ${e.message.replace(/\n/g, '\\n')}`;
  }
}

describe.skipIf(!HAVE_SHARED)('grammar edge cases (../shared/configs/grammar-edge-cases.txt)', () => {
  const lines = HAVE_SHARED ? readFileSync(EDGE_CASES, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  const cases = lines.map((line) => {
    const m = /^(.+?)\s{2,}(OK|FAIL: .*)$/.exec(line);
    if (!m) throw new Error(`unparseable edge case line: ${line}`);
    return { name: m[1]!.trim(), expected: m[2]! };
  });

  it('has an input for every case in the corpus file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(cases.map((c) => c.name).filter((n) => GRAMMAR_CASES[n] === undefined)).toEqual([]);
  });

  it.each(cases)('$name', ({ name, expected }) => {
    expect(verdict(GRAMMAR_CASES[name]!)).toBe(expected);
  });
});

describe('syntax error details', () => {
  it('reports line, column and the offending line of a multi-line config', () => {
    const text = 'input { stdin { } }\nfilter {\n  mutate { add_field => { "a" => "b", "c" => "d" } }\n}\n';
    try {
      parseConfig(text, 'x.conf');
      expect.unreachable();
    } catch (e) {
      const err = e as ConfigSyntaxError;
      expect(err.logstashMessage).toBe(
        'Expected one of [ \\t\\r\\n], "#", "{", "-", [0-9], [A-Za-z_], \'"\', "\'", "}" at line 3, column 37 (byte 66) after filter {\n  mutate { add_field => { "a" => "b"',
      );
      expect([err.line, err.column, err.sourceLine]).toEqual([3, 37, '  mutate { add_field => { "a" => "b", "c" => "d" } }']);
    }
  });

  it('counts columns and bytes in characters like Ruby (non-ASCII before the error)', () => {
    expect(verdict('input { stdin { type => "é" x => } }')).toBe(
      'FAIL: Expected one of [ \\t\\r\\n], "#", [A-Za-z0-9_-], \'"\', "\'", [A-Za-z_], "-", [0-9], "[", "{" at line 1, column 34 (byte 34) after input { stdin { type => "é" x => ',
    );
  });

  it('single expected item is printed without "one of"', () => {
    expect(verdict('filter { mutate { add_field => { a => 1 } } }')).toMatch(/^FAIL: Expected \[A-Za-z0-9_\] at line 1, column 35/);
  });
});
