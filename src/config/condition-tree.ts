// Grouping of boolean chains the way Logstash actually does it (lscl.rb's shunting-yard, which pops
// at most one operator per incoming operator and only when the stacked one binds tighter):
// `a and b and c or d` → `a and ((b and c) or d)`. Chains with two or more operators that contain
// xor/nand make Logstash raise `Unexpected operator …` when the pipeline is compiled.
import type { BooleanOperator, Condition, Expression } from './ast.ts';
import type { ConditionTree } from './pipeline-config.ts';
import { ConfigError } from './errors.ts';

type Leaf = Extract<ConditionTree, { op: 'leaf' }>['expr'];

export class UnexpectedOperatorError extends ConfigError {}

function precedence(op: BooleanOperator, condition: Condition): number {
  if (op === 'and') return 2;
  if (op === 'or') return 1;
  throw new UnexpectedOperatorError(
    `Unexpected operator ${op}: Logstash cannot evaluate a chain of two or more boolean operators containing xor or nand; add parentheses`,
    condition.loc,
  );
}

/** Logstash's grouping. `mapLeaf` lets the caller substitute constants in the leaves. */
export function conditionTree(condition: Condition, mapLeaf: (e: Leaf) => Leaf = (e) => e): ConditionTree {
  const operands: ConditionTree[] = [expressionTree(condition.first, mapLeaf)];
  if (condition.rest.length === 0) return operands[0]!;
  // Reverse Polish output of the quirky shunting-yard.
  const output: (ConditionTree | BooleanOperator)[] = [operands[0]!];
  const stack: BooleanOperator[] = [];
  for (const { op, expr } of condition.rest) {
    const top = stack[stack.length - 1];
    if (top !== undefined && precedence(top, condition) > precedence(op, condition)) output.push(stack.pop()!);
    stack.push(op);
    output.push(expressionTree(expr, mapLeaf));
  }
  while (stack.length > 0) output.push(stack.pop()!);
  const values: ConditionTree[] = [];
  for (const item of output) {
    if (typeof item === 'string') {
      const right = values.pop()!;
      const left = values.pop()!;
      values.push({ op: item, left, right });
    } else values.push(item);
  }
  return values[0]!;
}

function expressionTree(expr: Expression, mapLeaf: (e: Leaf) => Leaf): ConditionTree {
  switch (expr.type) {
    case 'paren':
      return conditionTree(expr.condition, mapLeaf);
    case 'not':
      return {
        op: 'not',
        operand:
          expr.operand.type === 'paren'
            ? conditionTree(expr.operand.condition, mapLeaf)
            : { op: 'leaf', expr: mapLeaf({ type: 'rvalue', value: expr.operand, loc: expr.operand.loc }) },
      };
    default:
      return { op: 'leaf', expr: mapLeaf(expr) };
  }
}

/** The grouping a reader expects: `and` binds tighter than `or`, left to right; xor/nand like `or`… but we only compare and/or chains. */
function conventionalTree(condition: Condition): ConditionTree {
  const items: (ConditionTree | BooleanOperator)[] = [expressionTree(condition.first, (e) => e)];
  for (const { op, expr } of condition.rest) items.push(op, expressionTree(expr, (e) => e));
  // Standard precedence climbing: and(2) > or(1), left associative.
  const ops: BooleanOperator[] = [];
  const vals: ConditionTree[] = [];
  const reduce = (): void => {
    const op = ops.pop()!;
    const right = vals.pop()!;
    const left = vals.pop()!;
    vals.push({ op, left, right });
  };
  const prec = (op: BooleanOperator): number => (op === 'and' || op === 'nand' ? 2 : 1);
  for (const item of items) {
    if (typeof item === 'string') {
      while (ops.length > 0 && prec(ops[ops.length - 1]!) >= prec(item)) reduce();
      ops.push(item);
    } else vals.push(item);
  }
  while (ops.length > 0) reduce();
  return vals[0]!;
}

/** Flatten associative runs (a and (b and c) ≡ (a and b) and c) so only real differences count. */
function canonical(tree: ConditionTree): unknown {
  if (tree.op === 'leaf') return tree.expr.loc.offset;
  if (tree.op === 'not') return ['not', canonical(tree.operand)];
  if (tree.op === 'and' || tree.op === 'or') {
    const parts: unknown[] = [];
    const collect = (t: ConditionTree): void => {
      if (t.op === tree.op) {
        collect((t as { left: ConditionTree }).left);
        collect((t as { right: ConditionTree }).right);
      } else parts.push(canonical(t));
    };
    collect(tree);
    return [tree.op, ...parts];
  }
  return [tree.op, canonical(tree.left), canonical(tree.right)];
}

export type ConditionIssue =
  | { kind: 'grouping'; actual: ConditionTree; expected: ConditionTree }
  | { kind: 'unsupported'; message: string };

/** What `-t` should say about a condition chain (not about its parenthesised sub-chains). */
export function checkCondition(condition: Condition): ConditionIssue | undefined {
  if (condition.rest.length < 2) return undefined;
  let actual: ConditionTree;
  try {
    actual = conditionTree(condition);
  } catch (e) {
    if (e instanceof UnexpectedOperatorError) return { kind: 'unsupported', message: e.message };
    throw e;
  }
  const expected = conventionalTree(condition);
  if (JSON.stringify(canonical(actual)) === JSON.stringify(canonical(expected))) return undefined;
  return { kind: 'grouping', actual, expected };
}
