// Conditions compiled to closures, with Logstash's evaluation rules (EventCondition):
// truthiness (nil, "" and "false" are false; 0 and [] are true), `==` as Ruby deep equality,
// ordered comparisons only between comparable values (otherwise ConditionEvaluationError: the
// runtime drops the event with Logstash's WARN), `=~` only on strings, `in` with its
// substring/membership rules. Constants are folded at compile time. Regexps are Logstash's
// (Ruby syntax, Oniguruma semantics: src/regexp/regexp.ts); a runaway one is cut off, the event
// tagged `_regexp_timeout` and the match taken as failed.
import { ownCode } from './own-code.ts';
import type { ArrayValue, Expression, RValue, SourceLocation, Statement, Value } from '../config/ast.ts';
import type { ConditionTree, PipelineConfig } from '../config/pipeline-config.ts';
import type { Event } from '../event/event.ts';
import { parseFieldReference, toReference } from '../event/fieldref.ts';
import { compileFieldGetter } from '../event/field-getter.ts';
import { type Regexp, RegexpRunawayError, RegexpSyntaxError, compileRegexp, ensureRegexpEngine, regexpNeedsEngine } from '../regexp/regexp.ts';
import { valueToString } from '../event/stringify.ts';
import { Timestamp } from '../event/timestamp.ts';
import { type FieldValue, deepEqual, isFieldMap, numericValue, rubyClassName } from '../event/values.ts';

export type CompiledCondition = (event: Event) => boolean;

/** A condition that cannot be evaluated for an event (Logstash 8.15+: the event is dropped). */
export class ConditionEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionEvaluationError';
  }
}

/** A condition Logstash refuses to compile (reported at pipeline start). */
export class ConditionCompileError extends Error {
  constructor(
    message: string,
    readonly loc?: SourceLocation,
  ) {
    super(message);
    this.name = 'ConditionCompileError';
  }
}

type Getter = (event: Event) => FieldValue | undefined;

interface Operand {
  get: Getter;
  /** Present when the operand is a constant (folded at compile time). */
  constant?: { value: FieldValue };
  isList: boolean;
  text: string;
}

type Leaf = Exclude<Expression, { type: 'paren' } | { type: 'not' }>;

export interface ConditionHooks {
  /** A regexp ran away on an event (rate-limited: one call per condition per 5 s, with the count since). */
  onRunaway?(message: string): void;
}

export function compileCondition(tree: ConditionTree, hooks: ConditionHooks = {}): CompiledCondition {
  switch (tree.op) {
    case 'leaf':
      return compileLeaf(tree.expr, hooks);
    case 'not': {
      const inner = compileCondition(tree.operand, hooks);
      return ownCode<CompiledCondition>({ inner }, 'return !inner(e);');
    }
    case 'and':
    case 'or':
    case 'xor':
    case 'nand': {
      checkCombination(tree.left, tree.right);
      const l = compileCondition(tree.left, hooks);
      const r = compileCondition(tree.right, hooks);
      if (tree.op === 'and') return ownCode<CompiledCondition>({ l, r }, 'return l(e) && r(e);');
      if (tree.op === 'or') return ownCode<CompiledCondition>({ l, r }, 'return l(e) || r(e);');
      if (tree.op === 'xor') return (e) => l(e) !== r(e);
      return (e) => !(l(e) && r(e));
    }
  }
}

/** Logstash rejects a bare string/number constant combined with and/or (#12399, #11303). */
function checkCombination(left: ConditionTree, right: ConditionTree): void {
  const isConst = (t: ConditionTree): boolean =>
    t.op === 'leaf' && t.expr.type === 'rvalue' && (t.expr.value.type === 'string' || t.expr.value.type === 'number');
  if (isConst(left) || isConst(right)) {
    const loc = left.op === 'leaf' ? left.expr.loc : right.op === 'leaf' ? right.expr.loc : undefined;
    throw new ConditionCompileError(
      `Unexpected conditional input combination of '${describeTree(left)}' (left) and '${describeTree(right)}' (right)`,
      loc,
    );
  }
}

function describeTree(t: ConditionTree): string {
  if (t.op === 'leaf') return describeLeaf(t.expr);
  if (t.op === 'not') return `!(${describeTree(t.operand)})`;
  return `(${describeTree(t.left)} ${t.op} ${describeTree(t.right)})`;
}

function describeLeaf(e: Leaf): string {
  switch (e.type) {
    case 'rvalue':
      return rvalueText(e.value);
    case 'compare':
      return `${rvalueText(e.left)} ${e.op} ${rvalueText(e.right)}`;
    case 'match':
      return `${rvalueText(e.left)} ${e.op} ${rvalueText(e.right)}`;
    case 'in':
      return `${rvalueText(e.left)} ${e.negated ? 'not in' : 'in'} ${rvalueText(e.right)}`;
  }
}

function rvalueText(v: RValue | Value): string {
  switch (v.type) {
    case 'string':
      return v.quote === 'double' ? `"${v.raw}"` : `'${v.raw}'`;
    case 'number':
      return v.raw;
    case 'selector':
      return v.raw;
    case 'regexp':
      return `/${v.raw}/`;
    case 'array':
      return `[${v.items.map(rvalueText).join(', ')}]`;
    case 'method_call':
      return `${v.name}(${v.args.map(rvalueText).join(', ')})`;
    case 'bareword':
      return v.value;
    case 'hash':
      return '{…}';
    case 'plugin':
      return v.name;
  }
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

function numberConstant(raw: string, loc: SourceLocation): number {
  if (/^-?\d+$/.test(raw)) {
    const neg = raw.startsWith('-');
    const digits = neg ? raw.slice(1) : raw;
    if (digits.length > 1 && digits.startsWith('0')) {
      if (/[89]/.test(digits)) throw new ConditionCompileError(`invalid value for Integer(): "${raw}" at ${where(loc)}`, loc);
      return (neg ? -1 : 1) * parseInt(digits, 8);
    }
    return Number(raw);
  }
  if (!/^-?\d+\.\d+$/.test(raw)) throw new ConditionCompileError(`invalid value for Float(): "${raw}" at ${where(loc)}`, loc);
  return Number(raw);
}

function constantOf(v: Value | RValue): FieldValue {
  switch (v.type) {
    case 'string':
      return v.raw;
    case 'number':
      return numberConstant(v.raw, v.loc);
    case 'bareword':
      return v.value;
    case 'array':
      return v.items.map(constantOf);
    case 'hash': {
      const out: Record<string, FieldValue> = {};
      for (const e of v.entries) out[String(constantOf(e.key))] = constantOf(e.value);
      return out;
    }
    default:
      throw new ConditionCompileError(`Unsupported value ${rvalueText(v)} in a condition at ${where(v.loc)}`, v.loc);
  }
}

function operand(v: RValue): Operand {
  const text = rvalueText(v);
  if (v.type === 'selector') {
    const ref = toReference(v.path);
    let path: readonly string[] | undefined;
    try {
      path = parseFieldReference(ref);
    } catch {
      // An invalid reference fails where Event.get fails: on the event.
      return { get: (e) => e.get(ref), isList: false, text };
    }
    return { get: compileFieldGetter(path), isList: false, text };
  }
  if (v.type === 'method_call') {
    throw new ConditionCompileError(`Method calls are not supported in conditions: ${text} at ${where(v.loc)}`, v.loc);
  }
  if (v.type === 'regexp') {
    const value = v.raw;
    return { get: () => value, constant: { value }, isList: false, text };
  }
  const value = v.type === 'array' ? (v as ArrayValue).items.map(constantOf) : constantOf(v);
  return { get: () => value, constant: { value }, isList: v.type === 'array', text };
}

export function isTruthy(v: FieldValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v !== '' && v !== 'false';
  return true;
}

function compileLeaf(expr: Leaf, hooks: ConditionHooks): CompiledCondition {
  switch (expr.type) {
    case 'rvalue': {
      const o = operand(expr.value);
      if (o.constant) {
        const t = isTruthy(o.constant.value);
        return () => t;
      }
      return ownCode<CompiledCondition>({ get: o.get, isTruthy }, 'return isTruthy(get(e));');
    }
    case 'compare':
      return compileCompare(expr.op, operand(expr.left), operand(expr.right), expr.loc);
    case 'match': {
      const left = operand(expr.left);
      const re = conditionRegexp(expr.right);
      const negate = expr.op === '!~';
      const report = runawayReporter(expr.right.loc, hooks);
      return (e) => {
        const v = left.get(e);
        let matched = false;
        if (typeof v === 'string') {
          try {
            matched = re.test(v);
          } catch (err) {
            if (!(err instanceof RegexpRunawayError)) throw err;
            e.tag(REGEXP_TIMEOUT_TAG);
            report(err);
          }
        }
        return negate ? !matched : matched;
      };
    }
    case 'in': {
      const test = compileIn(operand(expr.left), operand(expr.right));
      return expr.negated ? (e) => !test(e) : test;
    }
  }
}

function compileCompare(
  op: '==' | '!=' | '<=' | '>=' | '<' | '>',
  left: Operand,
  right: Operand,
  loc: SourceLocation,
): CompiledCondition {
  if (op === '==' || op === '!=') {
    const eq = equality(left, right);
    return op === '==' ? eq : ownCode<CompiledCondition>({ eq }, 'return !eq(e);');
  }
  const accept =
    op === '<' ? (c: number) => c < 0 : op === '<=' ? (c: number) => c <= 0 : op === '>' ? (c: number) => c > 0 : (c: number) => c >= 0;
  const text = `${left.text} ${op} ${right.text}`;
  return (e) => {
    const l = left.get(e);
    const r = right.get(e);
    const c = compareValues(l, r);
    if (c === undefined) {
      throw new ConditionEvaluationError(
        `Unable to compare ${describeValue(l)} with ${describeValue(r)} in condition \`${text}\` at ${where(loc)}`,
      );
    }
    return accept(c);
  };
}

/**
 * `==`: Ruby deep equality, except against an integer constant, which (like Logstash's
 * FieldEqualsLong) only matches an integer field: `[f] == 1` is false for the float 1.0.
 */
function equality(left: Operand, right: Operand): CompiledCondition {
  const intConstant = (o: Operand): boolean => o.constant !== undefined && typeof o.constant.value === 'number' && Number.isInteger(o.constant.value);
  const field = intConstant(right) ? left : intConstant(left) ? right : undefined;
  if (field && !field.constant) {
    const constant = (field === left ? right : left).constant!.value as number;
    return (e) => {
      const v = field.get(e);
      return (typeof v === 'number' && v === constant) || (typeof v === 'bigint' && v === BigInt(constant));
    };
  }
  // Against a string constant deep equality is identity: no other value type equals a String.
  const text = stringConstant(right) ? right : stringConstant(left) ? left : undefined;
  if (text) {
    const other = text === right ? left : right;
    const constant = text.constant!.value as string;
    if (other.constant) {
      const same = deepEqual(other.constant.value, constant);
      return () => same;
    }
    return ownCode<CompiledCondition>({ get: other.get, constant }, 'return get(e) === constant;');
  }
  return (e) => deepEqual(left.get(e), right.get(e));
}

function stringConstant(o: Operand): boolean {
  return o.constant !== undefined && typeof o.constant.value === 'string';
}

function describeValue(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return 'nil (NilClass)';
  return `'${valueToString(v)}' (${rubyClassName(v)})`;
}

/** compareTo between comparable values; undefined when Logstash would throw. */
export function compareValues(l: FieldValue | undefined, r: FieldValue | undefined): number | undefined {
  const nl = numericValue(l);
  const nr = numericValue(r);
  if (nl !== undefined && nr !== undefined) return nl < nr ? -1 : nl > nr ? 1 : 0;
  if (typeof l === 'string' && typeof r === 'string') return l < r ? -1 : l > r ? 1 : 0;
  if (l instanceof Timestamp && r instanceof Timestamp) return Math.sign(l.compare(r));
  if (typeof l === 'boolean' && typeof r === 'boolean') return l === r ? 0 : l ? 1 : -1;
  return undefined;
}

function compileIn(left: Operand, right: Operand): CompiledCondition {
  // Field in a constant list: compared by their text.
  if (right.constant && right.isList) {
    const items = new Set((right.constant.value as FieldValue[]).map(valueToString));
    return (e) => {
      const v = left.get(e);
      if (v === undefined || v === null) return false;
      if (Array.isArray(v) || isFieldMap(v)) return false;
      return items.has(valueToString(v));
    };
  }
  return (e) => {
    const l = left.get(e);
    const r = right.get(e);
    if (l === undefined || l === null || r === undefined || r === null) return false;
    if (Array.isArray(r)) return r.some((x) => deepEqual(x, l) || (typeof x === 'string' && x === valueToString(l)));
    if (isFieldMap(r)) return Object.prototype.hasOwnProperty.call(r, valueToString(l));
    if (Array.isArray(l) || isFieldMap(l)) return false;
    if (typeof r === 'string') return typeof l === 'string' && r.includes(l);
    return deepEqual(l, r);
  };
}

/** Tag of an event on which a conditional's regexp ran away (Logstash would hang on it instead). */
export const REGEXP_TIMEOUT_TAG = '_regexp_timeout';

const RUNAWAY_REPORT_INTERVAL_MS = 5000;

function runawayReporter(loc: SourceLocation, hooks: ConditionHooks): (err: RegexpRunawayError) => void {
  let last = -Infinity;
  let since = 0;
  return (err) => {
    since++;
    const now = Date.now();
    if (!hooks.onRunaway || now - last < RUNAWAY_REPORT_INTERVAL_MS) return;
    const more = since > 1 ? ` (${since} events since the last report)` : '';
    hooks.onRunaway(`${err.message} in the condition at ${where(loc)}; the event is tagged ${REGEXP_TIMEOUT_TAG} and the match taken as failed${more}`);
    last = now;
    since = 0;
  };
}

/** file:line:col of the character `offset` of a regexp literal (`/` at loc) or string. */
function patternWhere(loc: SourceLocation, raw: string, offset: number | undefined): string {
  if (offset === undefined) return where(loc);
  const before = raw.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  if (nl === -1) return `${loc.file}:${loc.line}:${loc.column + 1 + offset}`;
  return `${loc.file}:${loc.line + before.split('\n').length - 1}:${offset - nl}`;
}

function conditionRegexp(right: { raw: string; loc: SourceLocation }): Regexp {
  try {
    return compileRegexp(right.raw);
  } catch (e) {
    if (e instanceof RegexpSyntaxError) {
      throw new ConditionCompileError(`${e.message} at ${patternWhere(right.loc, right.raw, e.offset)}`, right.loc);
    }
    throw e;
  }
}

function conditionsOf(stmts: Statement[], out: ConditionTree[], config: PipelineConfig): void {
  for (const s of stmts) {
    if (s.type !== 'branch') continue;
    for (const c of s.clauses) {
      out.push(config.condition(c.condition));
      conditionsOf(c.body, out, config);
    }
    if (s.elseBody) conditionsOf(s.elseBody, out, config);
  }
}

function regexpsOf(tree: ConditionTree, out: string[]): void {
  if (tree.op === 'leaf') {
    if (tree.expr.type === 'match') out.push(tree.expr.right.raw);
  } else if (tree.op === 'not') regexpsOf(tree.operand, out);
  else {
    regexpsOf(tree.left, out);
    regexpsOf(tree.right, out);
  }
}

function allConditions(config: PipelineConfig): ConditionTree[] {
  const trees: ConditionTree[] = [];
  conditionsOf([...config.filters, ...config.outputs], trees, config);
  return trees;
}

/** Loads the regexp engine when a condition needs it (before the pipeline compiles its conditions). */
export async function prepareConditions(config: PipelineConfig): Promise<void> {
  const patterns: string[] = [];
  for (const t of allConditions(config)) regexpsOf(t, patterns);
  if (patterns.some((p) => regexpNeedsEngine(p))) await ensureRegexpEngine();
}

/** What `-t` reports about conditions: each one compiled (regexps included), one message per failure. */
export async function checkConditions(config: PipelineConfig): Promise<string[]> {
  const errors: string[] = [];
  let trees: ConditionTree[];
  try {
    trees = allConditions(config);
  } catch (e) {
    return [(e as Error).message];
  }
  const patterns: string[] = [];
  for (const t of trees) regexpsOf(t, patterns);
  if (patterns.some((p) => regexpNeedsEngine(p))) await ensureRegexpEngine();
  for (const t of trees) {
    try {
      compileCondition(t);
    } catch (e) {
      errors.push(`Invalid condition: ${(e as Error).message}`);
    }
  }
  return errors;
}
