// Canonical pretty-printer for the config AST (`flowstash fmt`): two-space indent, one attribute
// per line, sections separated by a blank line. Strings, numbers, selectors and regexps are printed
// exactly as written, so parse(print(ast)) gives the same AST.
import type { Attribute, BranchNode, Condition, ConfigFile, Expression, HashValue, PluginNode, RValue, Statement, Value } from './ast.ts';
import type { ConditionTree } from './pipeline-config.ts';

const INDENT = '  ';
/** Flat arrays longer than this are printed one item per line. */
const MAX_LINE = 100;

/** A comment to re-emit: its text (from `#`, without the line break) and UTF-16 start offset. */
export interface CommentText {
  start: number;
  text: string;
}

class Printer {
  private out: string[] = [];
  private next = 0;

  /** `startOf` maps an AST node's location back to the text index comments are keyed on. */
  constructor(
    private readonly comments: CommentText[],
    private readonly startOf: (node: { loc: { offset: number } }) => number,
  ) {}

  /** Emits the comments that come before `index` in the source, at the given depth. */
  private flushComments(index: number, depth: number): void {
    while (this.next < this.comments.length && this.comments[this.next]!.start < index) {
      this.out.push(INDENT.repeat(depth) + this.comments[this.next]!.text);
      this.next++;
    }
  }

  private hasCommentsIn(v: { loc: { offset: number }; end?: { offset: number } }): boolean {
    const c = this.comments[this.next];
    return c !== undefined && v.end !== undefined && c.start < this.startOf({ loc: v.end });
  }

  private line(depth: number, text: string): void {
    this.out.push(INDENT.repeat(depth) + text);
  }

  config(file: ConfigFile, endIndex: number): string {
    file.sections.forEach((section, i) => {
      if (i > 0) this.out.push('');
      this.flushComments(this.startOf(section), 0);
      this.line(0, `${section.kind} {`);
      this.statements(section.body, 1);
      this.closeBlock(0, endIndexOfSection(file, i, endIndex, this.startOf));
    });
    if (this.next < this.comments.length) {
      if (file.sections.length > 0) this.out.push('');
      this.flushComments(Infinity, 0);
    }
    return this.out.length === 0 ? '' : this.out.join('\n') + '\n';
  }

  /** Closes a block: comments inside it before its end go at the block's inner depth. */
  private closeBlock(depth: number, before: number): void {
    this.flushComments(before, depth + 1);
    this.line(depth, '}');
  }

  private statements(body: Statement[], depth: number): void {
    for (const stmt of body) {
      this.flushComments(this.startOf(stmt), depth);
      if (stmt.type === 'plugin') this.plugin(stmt, depth, '');
      else this.branch(stmt, depth);
    }
  }

  private branch(node: BranchNode, depth: number): void {
    node.clauses.forEach((clause, i) => {
      const head = `${i === 0 ? 'if' : '} else if'} ${printCondition(clause.condition)} {`;
      this.line(depth, head);
      this.statements(clause.body, depth + 1);
      const nextStart = i + 1 < node.clauses.length ? this.startOf(node.clauses[i + 1]!) : node.elseLoc ? this.startOf({ loc: node.elseLoc }) : undefined;
      if (nextStart !== undefined) this.flushComments(nextStart, depth + 1);
    });
    if (node.elseBody) {
      this.line(depth, '} else {');
      this.statements(node.elseBody, depth + 1);
    }
    this.line(depth, '}');
  }

  private plugin(node: PluginNode, depth: number, prefix: string): void {
    const name = printName(node.name, node.quotedName);
    if (node.attributes.length === 0) {
      this.line(depth, `${prefix}${name} {}`);
      return;
    }
    this.line(depth, `${prefix}${name} {`);
    for (const attr of node.attributes) this.attribute(attr, depth + 1);
    if (node.end) this.flushComments(this.startOf({ loc: node.end }), depth + 1);
    this.line(depth, '}');
  }

  private attribute(attr: Attribute, depth: number): void {
    this.flushComments(this.startOf(attr), depth);
    this.value(attr.value, depth, `${printName(attr.name, attr.quotedName)} => `, '');
  }

  /** Prints a value that starts on a line beginning with `prefix` and ends with `suffix`. */
  private value(v: Value, depth: number, prefix: string, suffix: string): void {
    if (v.type === 'plugin') {
      if (v.attributes.length === 0) {
        this.line(depth, `${prefix}${printName(v.name, v.quotedName)} {}${suffix}`);
        return;
      }
      this.plugin(v, depth, prefix);
      this.out[this.out.length - 1] += suffix;
      return;
    }
    if (v.type === 'hash') {
      this.hash(v, depth, prefix, suffix);
      return;
    }
    if (v.type === 'array' && v.items.length > 0 && (!isFlat(v.items) || this.hasCommentsIn(v) || (INDENT.repeat(depth) + prefix + printScalar(v)).length > MAX_LINE)) {
      this.line(depth, `${prefix}[`);
      v.items.forEach((item, i) => {
        this.flushComments(this.startOf(item), depth + 1);
        this.value(item, depth + 1, '', i < v.items.length - 1 ? ',' : '');
      });
      if (v.end) this.flushComments(this.startOf({ loc: v.end }), depth + 1);
      this.line(depth, `]${suffix}`);
      return;
    }
    this.line(depth, prefix + printScalar(v) + suffix);
  }

  private hash(v: HashValue, depth: number, prefix: string, suffix: string): void {
    if (v.entries.length === 0) {
      this.line(depth, `${prefix}{}${suffix}`);
      return;
    }
    this.line(depth, `${prefix}{`);
    for (const entry of v.entries) {
      this.flushComments(this.startOf(entry), depth + 1);
      this.value(entry.value, depth + 1, `${printScalar(entry.key)} => `, '');
    }
    if (v.end) this.flushComments(this.startOf({ loc: v.end }), depth + 1);
    this.line(depth, `}${suffix}`);
  }
}

function endIndexOfSection(file: ConfigFile, i: number, endIndex: number, startOf: (n: { loc: { offset: number } }) => number): number {
  const next = file.sections[i + 1];
  return next ? startOf(next) : endIndex;
}

function isFlat(items: Value[]): boolean {
  return items.every((i) => i.type !== 'plugin' && i.type !== 'hash' && (i.type !== 'array' || isFlat(i.items)));
}

export function printName(name: string, quoted?: 'double' | 'single'): string {
  if (quoted === 'double') return `"${name}"`;
  if (quoted === 'single') return `'${name}'`;
  return name;
}

/** A value on one line (strings, numbers, barewords, flat arrays, and rvalues). */
export function printScalar(v: Value | RValue): string {
  switch (v.type) {
    case 'string':
      return v.quote === 'double' ? `"${v.raw}"` : `'${v.raw}'`;
    case 'number':
      return v.raw;
    case 'bareword':
      return v.value;
    case 'array':
      return `[${v.items.map(printScalar).join(', ')}]`;
    case 'selector':
      return v.raw;
    case 'regexp':
      return `/${v.raw}/`;
    case 'method_call':
      return `${v.name}(${v.args.map(printScalar).join(', ')})`;
    case 'hash':
      return v.entries.length === 0 ? '{}' : `{ ${v.entries.map((e) => `${printScalar(e.key)} => ${printScalar(e.value)}`).join(' ')} }`;
    case 'plugin':
      return `${printName(v.name, v.quotedName)} { ${v.attributes.map((a) => `${printName(a.name, a.quotedName)} => ${printScalar(a.value)}`).join(' ')} }`;
  }
}

export function printCondition(c: Condition): string {
  let s = printExpression(c.first);
  for (const { op, expr } of c.rest) s += ` ${op} ${printExpression(expr)}`;
  return s;
}

export function printExpression(e: Expression): string {
  switch (e.type) {
    case 'paren':
      return `(${printCondition(e.condition)})`;
    case 'not':
      return e.operand.type === 'paren' ? `!(${printCondition(e.operand.condition)})` : `!${e.operand.raw}`;
    case 'in':
      return `${printScalar(e.left)} ${e.negated ? 'not in' : 'in'} ${printScalar(e.right)}`;
    case 'compare':
    case 'match':
      return `${printScalar(e.left)} ${e.op} ${printScalar(e.right)}`;
    case 'rvalue':
      return printScalar(e.value);
  }
}

/** A grouped condition with every binary operation parenthesised (for -t warnings). */
export function printConditionTree(t: ConditionTree, top = true): string {
  switch (t.op) {
    case 'leaf':
      return printExpression(t.expr);
    case 'not':
      return `!(${printConditionTree(t.operand, true)})`;
    default: {
      const s = `${printConditionTree(t.left, false)} ${t.op} ${printConditionTree(t.right, false)}`;
      return top ? s : `(${s})`;
    }
  }
}

/**
 * Prints a parsed file canonically. `comments` (from parseConfigWithComments) are kept, each
 * before the node that follows it; `sourceIndex` maps node locations back to text indices.
 */
export function printConfig(
  file: ConfigFile,
  comments: CommentText[] = [],
  sourceIndex: (node: { loc: { offset: number } }) => number = (n) => n.loc.offset,
  endIndex = Infinity,
): string {
  return new Printer(comments, sourceIndex).config(file, endIndex);
}
