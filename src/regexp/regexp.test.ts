// Expected values come from Ruby's Regexp documentation (doc/regexp.rdoc, Onigmo's RE) — the
// semantics Logstash's Joni implements — never from running flowstash.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RegexpRunawayError, RegexpSyntaxError, compileRegexp, ensureRegexpEngine, regexpNeedsEngine, type Regexp } from './regexp.ts';

beforeAll(async () => {
  await ensureRegexpEngine();
});

function groups(re: Regexp, input: string): Record<string, string | null> | null {
  const m = re.exec(input);
  if (!m) return null;
  const out: Record<string, string | null> = { 0: input.slice(m.starts[0], m.ends[0]) };
  re.groupNames.forEach((name, g) => {
    if (g === 0) return;
    out[name ?? String(g)] = m.starts[g]! < 0 ? null : input.slice(m.starts[g], m.ends[g]);
  });
  return out;
}

describe('Oniguruma features Logstash patterns use', () => {
  it('atomic groups do not give back what they matched', () => {
    expect(compileRegexp('(?>a+)a').test('aaa')).toBe(false);
    expect(compileRegexp('(?>a+)b').test('aaab')).toBe(true);
  });
  it('possessive quantifiers', () => {
    expect(compileRegexp('a++a').test('aaa')).toBe(false);
    expect(compileRegexp('"[^"]*+"').test('say "hi"')).toBe(true);
    expect(compileRegexp('x?+x').test('x')).toBe(false);
  });
  it('\\A \\z \\Z are string anchors; ^ and $ are line anchors', () => {
    expect(compileRegexp('\\Ab').test('a\nb')).toBe(false);
    expect(compileRegexp('^b').test('a\nb')).toBe(true);
    expect(compileRegexp('a$').test('a\nb')).toBe(true);
    expect(compileRegexp('a\\z').test('a\n')).toBe(false);
    expect(compileRegexp('a\\Z').test('a\n')).toBe(true);
    expect(compileRegexp('a\\Z').test('a\nb')).toBe(false);
  });
  it('\\h is a hex digit, \\H its complement', () => {
    expect(groups(compileRegexp('\\h+'), 'zz0xC0ffee!')).toEqual({ 0: '0' });
    expect(groups(compileRegexp('x\\h+'), 'zz0xC0ffee!')).toEqual({ 0: 'xC0ffee' });
    expect(groups(compileRegexp('\\H+'), 'c0ffee-tea')).toEqual({ 0: '-t' });
  });
  it('\\K keeps what came before out of the match; \\G anchors at the search start', () => {
    expect(compileRegexp('foo\\Kbar').gsub('foobar', 'X')).toBe('fooX');
    expect(compileRegexp('\\Ga').gsub('aab', 'x')).toBe('xxb');
    expect(compileRegexp('\\Ga').gsub('baa', 'x')).toBe('baa');
  });
  it('(?m) makes the dot match newlines (Ruby\'s multiline is JS dotAll)', () => {
    expect(compileRegexp('a.b').test('a\nb')).toBe(false);
    expect(compileRegexp('(?m)a.b').test('a\nb')).toBe(true);
    expect(compileRegexp('(?m:a.b)').test('a\nb')).toBe(true);
  });
  it('named groups whose names hold ":" and "-" (grok field names)', () => {
    for (const engine of ['auto', 'oniguruma'] as const) {
      const re = compileRegexp('(?<IP:source-ip>\\d+)-(?<user-name:x>\\w+)', { engine });
      expect(groups(re, 'from 10-bob')).toEqual({ 0: '10-bob', 'IP:source-ip': '10', 'user-name:x': 'bob' });
    }
  });
  it('plain parentheses do not capture in a pattern with named groups (Ruby)', () => {
    const re = compileRegexp('(a)(?<n>b)');
    expect(re.groupNames).toEqual([undefined, 'n']);
    expect(groups(re, 'ab')).toEqual({ 0: 'ab', n: 'b' });
    expect(compileRegexp('(a)(b)').groupNames).toEqual([undefined, undefined, undefined]);
  });
  it('\\w \\d \\s \\b are ASCII, POSIX brackets and \\p{…} are Unicode (Ruby)', () => {
    expect(compileRegexp('\\w').test('é')).toBe(false);
    expect(compileRegexp('\\s').test('\u00a0')).toBe(false);
    expect(compileRegexp('\\d').test('٣')).toBe(false);
    expect(compileRegexp('[[:alpha:]]').test('é')).toBe(true);
    expect(compileRegexp('\\p{Alpha}').test('é')).toBe(true);
    expect(compileRegexp('\\bx\\b').test('éxé')).toBe(true);
  });
  it('case-insensitive compilation', () => {
    expect(compileRegexp('get', { ignoreCase: true }).test('GET /')).toBe(true);
    expect(compileRegexp('(?i)get').test('GET /')).toBe(true);
  });
  it('offsets are UTF-16 positions in the JS string', () => {
    const re = compileRegexp('(?<x>b+)(?>c)');
    expect(groups(re, '😀éxbbc')).toEqual({ 0: 'bbc', x: 'bb' });
  });
  it('a group that did not take part is unset, an empty one is empty', () => {
    const re = compileRegexp('(?<a>x)?(?<b>y*)(?>z)');
    expect(groups(re, 'z')).toEqual({ 0: 'z', a: null, b: '' });
  });
});

describe('Ruby gsub and split', () => {
  it('replacement references: \\0 \\& \\1 \\k<name> \\\\ and literal $', () => {
    expect(compileRegexp('(a)(b)').gsub('xaby', '[\\2\\1\\0\\&$1]')).toBe('x[baabab$1]y');
    expect(compileRegexp('(?<w>o+)').gsub('foo', '<\\k<w>>')).toBe('f<oo>');
    expect(compileRegexp('a').gsub('a', '\\\\')).toBe('\\');
    expect(compileRegexp('(?>b)').gsub('abc', "\\`\\'")).toBe('aacc');
  });
  it('empty matches step one character ("abc".gsub(/x*/, "-") == "-a-b-c-")', () => {
    expect(compileRegexp('x*').gsub('abc', '-')).toBe('-a-b-c-');
    expect(compileRegexp('a*').gsub('aaa', '-')).toBe('--');
    expect(compileRegexp('(?>x*)').gsub('😀', '-')).toBe('-😀-');
  });
  it('split drops trailing empty fields and keeps captured separators', () => {
    expect(compileRegexp(',\\s*').split('a, b,,c,,')).toEqual(['a', 'b', '', 'c']);
    expect(compileRegexp('(-)').split('a-b')).toEqual(['a', '-', 'b']);
  });
});

describe('errors', () => {
  it('syntax errors name the problem and its offset', () => {
    const err = (p: string): RegexpSyntaxError => {
      try {
        compileRegexp(p);
      } catch (e) {
        return e as RegexpSyntaxError;
      }
      throw new Error(`/${p}/ compiled`);
    };
    expect(err('ab[')).toMatchObject({ name: 'RegexpSyntaxError', offset: 2 });
    expect(err('ab[').message).toMatch(/premature end of char-class/);
    expect(err('a)')).toMatchObject({ offset: 1 });
    expect(err('x(?<n>a')).toMatchObject({ offset: 1 });
    expect(err('(?<n>a').message).toMatch(/unmatched parenthesis/);
    expect(err('(?<n>a)\\k<m>').message).toMatch(/undefined name/);
  });
  it('a runaway pattern is cut off and reported, not left to hang', () => {
    const re = compileRegexp('^(a+)+$');
    expect(() => re.test('a'.repeat(40) + 'b')).toThrow(RegexpRunawayError);
    expect(re.test('a'.repeat(40))).toBe(true);
  });
});

// The fast path (JS RegExp) may only be taken where it agrees with Oniguruma: generated patterns
// over constructs inside and outside the subset, generated inputs with the characters where the
// engines' defaults differ (\r, \u2028, NBSP, non-ASCII letters, astral characters).
describe('differential: fast path vs Oniguruma', () => {
  const chars = fc.constantFrom('a', 'b', 'A', '_', '0', '7', ' ', '\t', '\n', '\r', '\u2028', '\u00a0', 'é', '😀', '-', '.', 'x');
  const literal = fc.constantFrom('a', 'b', 'A', '0', ' ', '-', '\\.', '\\-', '\\/', 'é', '😀', 'x', '\\n', '\\t', '=', '}', ']', ',');
  const classItem = fc.constantFrom('a', 'b', 'a-c', '0-9', '\\d', '\\w', '\\s', '\\h', '\\D', '\\W', '-', 'é', '\\.', '.', '^', ' ', '\\n', 'x-z', '[:alpha:]');
  const atom = fc.oneof(
    { weight: 4, arbitrary: literal },
    { weight: 2, arbitrary: fc.constantFrom('.', '\\d', '\\w', '\\s', '\\h', '\\D', '\\W', '\\S', '\\H', '\\b', '\\B', '^', '$', '\\A', '\\z', '\\Z') },
    { weight: 2, arbitrary: fc.tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 4 })).map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`) },
  );
  const quant = fc.constantFrom('', '', '', '*', '+', '?', '*?', '+?', '??', '{2}', '{1,3}', '{2,}', '{0,1}?', '++', '*+', '?+', '{,2}', '{2}+');
  const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
    term: fc.oneof(
      { weight: 5, arbitrary: fc.tuple(atom, quant).map(([a, q]) => (/^(\^|\$|\\[bBAzZ])$/.test(a) ? a : a + q)) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('(', '(?:', '(?<g>', '(?<h>', '(?>', '(?>', '(?=', '(?!', '(?<=', '(?<!', '(?<n-m>'), tie('alt') as fc.Arbitrary<string>, quant)
          .map(([open, body, q]) => `${open}${body})${q}`),
      },
    ),
    seq: fc.array(tie('term') as fc.Arbitrary<string>, { minLength: 1, maxLength: 4 }).map((t) => t.join('')),
    alt: fc.array(tie('seq') as fc.Arbitrary<string>, { minLength: 1, maxLength: 2 }).map((s) => s.join('|')),
    top: fc.tuple(fc.constantFrom('', '', '(?m)'), tie('alt') as fc.Arbitrary<string>).map(([f, a]) => f + a),
  })).top as fc.Arbitrary<string>;
  const input = fc.array(chars, { maxLength: 12 }).map((c) => c.join(''));

  it('both engines find the same matches, groups and replacements wherever the fast path is taken', () => {
    let fastTaken = 0;
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 4 }), (p, inputs) => {
        let fast: Regexp;
        let onig: Regexp;
        try {
          fast = compileRegexp(p);
        } catch {
          return; // invalid for Oniguruma too (the subset never accepts what Oniguruma refuses: checked below)
        }
        if (fast.engine !== 'javascript') return;
        fastTaken++;
        onig = compileRegexp(p, { engine: 'oniguruma' });
        expect(fast.groupNames).toEqual(onig.groupNames);
        for (const s of inputs) {
          for (let from = 0; from <= s.length; from++) {
            if (/[\udc00-\udfff]/.test(s[from] ?? '') && from > 0) continue; // callers never start inside a surrogate pair
            const a = fast.exec(s, from);
            const b = onig.exec(s, from);
            expect(a, `/${p}/ on ${JSON.stringify(s)} from ${from}`).toEqual(b);
          }
          expect(fast.gsub(s, '<\\0>'), `/${p}/ gsub ${JSON.stringify(s)}`).toBe(onig.gsub(s, '<\\0>'));
        }
      }),
      { numRuns: 1500 },
    );
    expect(fastTaken).toBeGreaterThan(300);
  });

  it('the fast path never accepts a pattern Oniguruma refuses', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '(', ')', '[', ']', '{', '}', '*', '+', '?', '|', '\\', '-', '^', '$', '.', ',', '1'), { maxLength: 8 }), (parts) => {
        const p = parts.join('');
        if (regexpNeedsEngine(p)) return;
        expect(() => compileRegexp(p, { engine: 'oniguruma' }), `/${p}/`).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});

describe('group names Joni accepts and Oniguruma does not', () => {
  it('(?<[a][b]>…) as ECS grok patterns write them, with \\k<…> references', () => {
    const re = compileRegexp('(?<[exim][log][flags]><=) (?<x>a)\\k<x>(?<[exim][log][flags]>z)?');
    expect(re.groupNames).toEqual([undefined, '[exim][log][flags]', 'x', '[exim][log][flags]']);
    const m = re.exec('<= aa')!;
    expect(m.starts.slice(0, 3)).toEqual([0, 0, 3]);
  });
});

describe('the fast path never takes a pattern JS could backtrack on without end', () => {
  it('nested or ambiguous repeats stay on Oniguruma (its retry limit guards them)', () => {
    for (const p of ['^(?:a+)+$', '(?:::?)+$', '(?:a|aa)+$', '^(?:\\w+\\s?)+$', '(?:a*)*b', '(?:a?b?)+c', '^(a+)+$']) {
      expect(regexpNeedsEngine(p), p).toBe(true);
    }
  });
  it('delimited or atomic repeats may take it', () => {
    for (const p of ['(?:\\.[a-z]+)*$', '(?:[0-9a-f]{1,4}:){7}', '(?>\\\\.|[^\\\\"]+)+', 'a++b']) expect(regexpNeedsEngine(p), p).toBe(false);
  });
});
