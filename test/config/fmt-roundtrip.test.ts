// `flowstash fmt`: printing any AST and parsing the text again gives the same AST (locations aside),
// for generated ASTs and for every real config (whose comments must survive too).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ArrayValue, Attribute, BooleanOperator, BranchNode, Condition, ConfigFile, Expression, HashEntry, PluginNode, RValue,
  SectionKind, SelectorRValue, SourceLocation, Statement, StringValue, Value,
} from '../../src/config/ast.ts';
import { parseConfig, parseConfigWithComments } from '../../src/config/parser.ts';
import { printConfig } from '../../src/config/printer.ts';
import { formatConfigText } from '../../src/cli/fmt.ts';
import { HAVE_SHARED, realConfigs, withoutLocations } from './shared.ts';

const loc: SourceLocation = { file: 'gen', line: 1, column: 1, offset: 0 };

const KEYWORDS = new Set(['if', 'else']);
const nameChars = fc.constantFrom(...'abcxyz_-019'.split(''));
const bareName = fc.string({ unit: nameChars, minLength: 1, maxLength: 8 }).filter((s) => !KEYWORDS.has(s));
const bareword = fc
  .tuple(fc.constantFrom(...'abz_'.split('')), fc.string({ unit: fc.constantFrom(...'abz_09'.split('')), minLength: 1, maxLength: 6 }))
  .map(([a, b]) => a + b);

/** Raw string contents the grammar reads back identically: no bare quote, no trailing backslash. */
function rawString(quote: '"' | "'"): fc.Arbitrary<string> {
  const other = quote === '"' ? "'" : '"';
  const piece = fc.constantFrom('a', 'Z', ' ', '#', '{', '}', '[', ']', ',', '=>', '\n', '\t', 'é', '${X}', other, `\\${quote}`, '\\n', '\\\\x');
  return fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
}
const stringValue: fc.Arbitrary<StringValue> = fc.oneof(
  rawString('"').map((raw): StringValue => ({ type: 'string', raw, quote: 'double', loc })),
  rawString("'").map((raw): StringValue => ({ type: 'string', raw, quote: 'single', loc })),
);
const numberRaw = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 99999 }), fc.option(fc.stringMatching(/^[0-9]{0,3}$/), { nil: undefined }), fc.boolean())
  .map(([neg, int, frac, lead]) => `${neg ? '-' : ''}${lead ? '0' : ''}${int}${frac === undefined ? '' : '.' + frac}`);
const numberValue = numberRaw.map((raw) => ({ type: 'number' as const, raw, loc }));
const quotedName = fc.oneof(
  bareName.map((n) => ({ name: n })),
  rawString('"').map((n) => ({ name: n, quotedName: 'double' as const })),
);

const { value } = fc.letrec<{ value: Value; plugin: PluginNode; array: ArrayValue; hash: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringValue,
    numberValue,
    bareword.map((v) => ({ type: 'bareword' as const, value: v, loc })),
    tie('array'),
    tie('hash'),
    tie('plugin'),
  ),
  array: fc.array(tie('value'), { maxLength: 3 }).map((items): ArrayValue => ({ type: 'array', items, loc })),
  hash: fc
    .array(
      fc.record({
        key: fc.oneof(stringValue, numberValue, bareword.map((v) => ({ type: 'bareword' as const, value: v, loc }))),
        value: tie('value'),
      }),
      { maxLength: 3 },
    )
    .map((entries) => ({ type: 'hash' as const, entries: entries.map((e): HashEntry => ({ type: 'hashentry', ...e, loc })), loc })),
  plugin: fc
    .tuple(quotedName, fc.array(fc.tuple(quotedName, tie('value')), { maxLength: 3 }))
    .map(([n, attrs]): PluginNode => ({
      type: 'plugin',
      kind: 'codec',
      ...n,
      attributes: attrs.map(([an, v]): Attribute => ({ type: 'attribute', ...an, value: v, loc })),
      loc,
    })),
}));

const selector: fc.Arbitrary<SelectorRValue> = fc
  .array(fc.string({ unit: fc.constantFrom(...'ab @._-1'.split('')), minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 })
  .map((path) => ({ type: 'selector', path, raw: path.map((p) => `[${p}]`).join(''), loc }));

/**
 * Arrays in conditions: a one-item array would print like a selector, which the grammar prefers,
 * and so would `["]", 1]` (the selector rule reads `["]`); parsed configs never contain those.
 */
const bracketFree = stringValue.filter((s) => !/[[\]]/.test(s.raw));
const conditionArray: fc.Arbitrary<ArrayValue> = fc
  .oneof(fc.constant([] as Value[]), fc.array(fc.oneof(bracketFree, numberValue), { minLength: 2, maxLength: 3 }))
  .map((items) => ({ type: 'array', items, loc }));

const rvalue: fc.Arbitrary<RValue> = fc.oneof(
  stringValue,
  numberValue,
  selector,
  conditionArray,
  fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/).filter((s) => s.length >= 1).map((raw) => ({ type: 'regexp' as const, raw, loc })),
  fc
    .tuple(bareword, fc.array(fc.oneof(stringValue, selector), { maxLength: 2 }))
    .map(([name, args]) => ({ type: 'method_call' as const, name, args, loc })),
);

const { condition } = fc.letrec<{ condition: Condition; expression: Expression }>((tie) => ({
  condition: fc
    .tuple(tie('expression'), fc.array(fc.tuple(fc.constantFrom<BooleanOperator>('and', 'or', 'xor', 'nand'), tie('expression')), { maxLength: 3 }))
    .map(([first, rest]): Condition => ({ type: 'condition', first, rest: rest.map(([op, expr]) => ({ op, expr })), loc })),
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    rvalue.map((v): Expression => ({ type: 'rvalue', value: v, loc })),
    fc.tuple(rvalue, fc.constantFrom('==', '!=', '<=', '>=', '<', '>'), rvalue).map(([left, op, right]): Expression => ({ type: 'compare', op, left, right, loc })),
    fc.tuple(rvalue, fc.boolean(), rvalue).map(([left, negated, right]): Expression => ({ type: 'in', negated, left, right, loc })),
    fc
      .tuple(rvalue, fc.constantFrom('=~', '!~'), fc.oneof(stringValue, fc.constant({ type: 'regexp' as const, raw: 'a\\/b', loc })))
      .map(([left, op, right]): Expression => ({ type: 'match', op, left, right, loc })),
    selector.map((operand): Expression => ({ type: 'not', operand, loc })),
    tie('condition').map((c): Expression => ({ type: 'paren', condition: c, loc })),
    tie('condition').map((c): Expression => ({ type: 'not', operand: { type: 'paren', condition: c, loc }, loc })),
  ),
}));

function statements(kind: SectionKind, depth: number): fc.Arbitrary<Statement[]> {
  const plugin: fc.Arbitrary<Statement> = fc
    .tuple(quotedName, fc.array(fc.tuple(quotedName, value), { maxLength: 3 }))
    .map(([n, attrs]): PluginNode => ({
      type: 'plugin',
      kind,
      ...n,
      attributes: attrs.map(([an, v]): Attribute => ({ type: 'attribute', ...an, value: v, loc })),
      loc,
    }));
  if (depth === 0) return fc.array(plugin, { maxLength: 2 });
  const branch: fc.Arbitrary<Statement> = fc
    .tuple(
      fc.array(fc.tuple(condition, statements(kind, depth - 1)), { minLength: 1, maxLength: 2 }),
      fc.option(statements(kind, depth - 1), { nil: undefined }),
    )
    .map(([clauses, elseBody]): BranchNode => {
      const node: BranchNode = { type: 'branch', clauses: clauses.map(([c, body]) => ({ condition: c, body, loc })), loc };
      if (elseBody) {
        node.elseBody = elseBody;
        node.elseLoc = loc;
      }
      return node;
    });
  return fc.array(fc.oneof(plugin, branch), { maxLength: 3 });
}

const config: fc.Arbitrary<ConfigFile> = fc
  .array(fc.constantFrom<SectionKind>('input', 'filter', 'output').chain((kind) => statements(kind, 2).map((body) => ({ type: 'section' as const, kind, body, loc }))), { maxLength: 3 })
  .map((sections) => ({ type: 'config', file: 'gen', sections }));

describe('fmt round trip', () => {
  it('parse(print(ast)) equals ast for generated ASTs', () => {
    fc.assert(
      fc.property(config, (ast) => {
        const text = printConfig(ast);
        expect(withoutLocations(parseConfig(text, 'gen'))).toEqual(withoutLocations(ast));
      }),
      { numRuns: Number(process.env.FMT_RUNS ?? 300) },
    );
  });

  it('printing is idempotent on its own output', () => {
    fc.assert(
      fc.property(config, (ast) => {
        const once = printConfig(ast);
        expect(formatConfigText(once)).toBe(once);
      }),
      { numRuns: 100 },
    );
  });

  it.skipIf(!HAVE_SHARED).each(realConfigs())('real config $name: same AST, same comments, stable', ({ name, text }) => {
    const before = parseConfigWithComments(text, name);
    const printed = formatConfigText(text, name);
    const after = parseConfigWithComments(printed, name);
    expect(withoutLocations(after.ast)).toEqual(withoutLocations(before.ast));
    expect(after.comments.map((c) => c.text.trim())).toEqual(before.comments.map((c) => c.text.trim()));
    expect(formatConfigText(printed, name)).toBe(printed);
  });

  it('prints the canonical layout', () => {
    const text = 'input{udp{port=>4739 codec=>netflow{versions=>[10]} type=>ipfix}}output{stdout{codec=>"rubydebug"}}';
    expect(formatConfigText(text)).toBe(
      'input {\n  udp {\n    port => 4739\n    codec => netflow {\n      versions => [10]\n    }\n    type => ipfix\n  }\n}\n\noutput {\n  stdout {\n    codec => "rubydebug"\n  }\n}\n',
    );
  });

  it('keeps a comment before the closing brace of a plugin inside that plugin', () => {
    const text = 'filter {\n  mutate {\n    add_tag => ["a"]\n    # keep me here\n  }\n}\n';
    expect(formatConfigText(text)).toBe(text);
  });
});
