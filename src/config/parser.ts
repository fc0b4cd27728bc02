// LSCL parser: a hand-written recursive-descent PEG parser that mirrors Logstash's treetop grammar
// (lscl_grammar.treetop) rule by rule, alternative by alternative.
//
// Why hand-written rather than peggy: Logstash's syntax error text is treetop's `failure_reason`,
// which lists every terminal that failed at the furthest position *in the order treetop attempted
// them*, printed as written in the grammar source (`[ \t\r\n]`, `"#"`, `'"'`), and an "after" text
// that starts where the root rule's partial match ended. Reproducing that exactly needs control
// over attempt order and the root's resume index; a direct port of the grammar gives both, and
// every `record()` call below corresponds to one terminal of the treetop grammar.
// Treetop memoises rule results per position; that never changes the (uniq'd, first-attempt
// ordered) failure list, so only rvalue/value are memoised here, purely for speed.
import type {
  ArrayValue,
  Attribute,
  BarewordValue,
  BooleanOperator,
  BranchNode,
  Condition,
  ConfigFile,
  Expression,
  HashEntry,
  HashValue,
  IfClause,
  MethodCallRValue,
  NumberValue,
  PluginKind,
  PluginNode,
  RegexpRValue,
  RValue,
  Section,
  SectionKind,
  SelectorRValue,
  SourceLocation,
  Statement,
  StringValue,
  Value,
} from './ast.ts';
import { SourceText } from './source-text.ts';

/** A syntax error with treetop's exact message and the position it refers to. */
export class ConfigSyntaxError extends Error {
  constructor(
    /** Logstash's own text: `Expected one of … at line L, column C (byte B) after …`. */
    readonly logstashMessage: string,
    readonly file: string,
    /** 1-based line and column, 0-based character index (Ruby string index) of the failure. */
    readonly line: number,
    readonly column: number,
    readonly index: number,
    /** The full text of the offending line (without its newline). */
    readonly sourceLine: string,
    /** The expected items as listed in the message (uniq'd, in attempt order). */
    readonly expected: readonly string[] = [],
    /** The character at the failure position ('' at the end of the text). */
    readonly found = '',
  ) {
    super(logstashMessage);
    this.name = 'ConfigSyntaxError';
  }
}

type Memo<T> = Map<number, { node: T | null; end: number; comments: { start: number; end: number }[] }>;

const WS = '[ \\t\\r\\n]';
/** Nesting depth (values in values, conditions in conditions) accepted before giving up. */
const MAX_NESTING = 1000;

class LsclParser {
  private at = 0;
  private depth = 0;
  private maxFail = 0;
  /** Comments of the parse that is currently accepted (dropped again on backtracking). */
  readonly comments: { start: number; end: number }[] = [];
  private fails: string[] = [];
  private readonly s: string;
  private readonly len: number;
  private readonly valueMemo: Memo<Value> = new Map();
  private readonly rvalueMemo: Memo<RValue> = new Map();

  constructor(
    private readonly text: SourceText,
    private readonly file: string,
  ) {
    this.s = text.text;
    this.len = this.s.length;
  }

  private get pos(): number {
    return this.at;
  }

  private set pos(to: number) {
    const c = this.comments;
    while (c.length > 0 && c[c.length - 1]!.start >= to) c.pop();
    this.at = to;
  }

  // ---- terminals -------------------------------------------------------------------------------

  private record(expected: string): void {
    if (this.pos < this.maxFail) return;
    if (this.pos > this.maxFail) {
      this.maxFail = this.pos;
      this.fails = [];
    }
    this.fails.push(expected);
  }

  /** A string terminal; `shown` is how the grammar source writes it. */
  private lit(str: string, shown = `"${str}"`): boolean {
    if (this.s.startsWith(str, this.pos)) {
      this.pos += str.length;
      return true;
    }
    this.record(shown);
    return false;
  }

  /** A one-character class terminal. */
  private cls(test: (c: number) => boolean, shown: string): boolean {
    if (this.pos < this.len && test(this.s.charCodeAt(this.pos))) {
      this.pos++;
      return true;
    }
    this.record(shown);
    return false;
  }

  /** `.` */
  private any(): boolean {
    if (this.pos < this.len) {
      this.pos++;
      return true;
    }
    this.record('any character');
    return false;
  }

  /** `!'x'`-style lookahead on a one-or-two-character literal: treetop records the inner failure. */
  private notLit(str: string, shown: string): boolean {
    const start = this.pos;
    if (this.lit(str, shown)) {
      this.pos = start;
      this.record(`something other than ${shown}`);
      return false;
    }
    return true;
  }

  private loc(at: number): SourceLocation {
    return this.text.location(this.file, at);
  }

  // ---- layout ----------------------------------------------------------------------------------

  private whitespace(): boolean {
    if (!this.cls(isWs, WS)) return false;
    while (this.cls(isWs, WS));
    return true;
  }

  /** comment := (whitespace? "#" [^\r\n]* newline_or_eoi)+ */
  private comment(): boolean {
    let n = 0;
    for (;;) {
      const start = this.pos;
      this.whitespace();
      const hash = this.pos;
      if (!this.lit('#')) {
        this.pos = start;
        break;
      }
      while (this.cls(isNotNewline, '[^\\r\\n]'));
      const end = this.pos;
      if (!this.newlineOrEoi()) {
        this.pos = start;
        break;
      }
      this.comments.push({ start: hash, end });
      n++;
    }
    return n > 0;
  }

  /** newline_or_eoi := "\r"? "\n" / !. */
  private newlineOrEoi(): boolean {
    const start = this.pos;
    this.lit('\r', '"\\r"');
    if (this.lit('\n', '"\\n"')) return true;
    this.pos = start;
    if (this.any()) {
      this.pos = start;
      this.record('something other than any character');
      return false;
    }
    return true;
  }

  /** cs := (comment / whitespace)* */
  private cs(): void {
    for (;;) {
      if (this.comment()) continue;
      if (this.whitespace()) continue;
      break;
    }
  }

  // ---- sections --------------------------------------------------------------------------------

  parseConfig(): ConfigFile {
    const sections: Section[] = [];
    for (;;) {
      const start = this.pos;
      this.cs();
      const section = this.pluginSection();
      if (!section) {
        this.pos = start;
        break;
      }
      sections.push(section);
    }
    this.cs();
    if (this.pos !== this.len) throw this.syntaxError();
    return { type: 'config', file: this.file, sections };
  }

  private syntaxError(): ConfigSyntaxError {
    const idx = this.maxFail;
    const items = [...new Set(this.fails)];
    const what = this.fails.length === 1 ? this.fails[0] : `one of ${items.join(', ')}`;
    const { line, column } = this.text.lineColumn(idx);
    const charIndex = this.text.charIndex(idx);
    let msg = `Expected ${what} at line ${line}, column ${column} (byte ${charIndex + 1})`;
    if (idx > 0) msg += ` after ${shortenAfter(this.s.slice(this.pos, idx))}`;
    const found = idx < this.len ? String.fromCodePoint(this.s.codePointAt(idx)!) : '';
    return new ConfigSyntaxError(msg, this.file, line, column, charIndex, this.text.lineText(line), items, found);
  }

  private pluginSection(): Section | null {
    const start = this.pos;
    let kind: SectionKind;
    if (this.lit('input')) kind = 'input';
    else if (this.lit('filter')) kind = 'filter';
    else if (this.lit('output')) kind = 'output';
    else return null;
    this.cs();
    if (!this.lit('{')) return this.reset(start);
    this.cs();
    const body = this.statements(kind);
    if (!this.lit('}')) return this.reset(start);
    return { type: 'section', kind, body, loc: this.loc(start), end: this.loc(this.pos) };
  }

  private statements(kind: SectionKind): Statement[] {
    return this.nested(() => this.statementsRule(kind));
  }

  /** (branch_or_plugin cs)* */
  private statementsRule(kind: SectionKind): Statement[] {
    const body: Statement[] = [];
    for (;;) {
      const start = this.pos;
      const stmt = this.branch(kind) ?? this.plugin(kind);
      if (!stmt) {
        this.pos = start;
        break;
      }
      body.push(stmt);
      this.cs();
    }
    return body;
  }

  private reset(to: number): null {
    this.pos = to;
    return null;
  }

  // ---- plugins and values ----------------------------------------------------------------------

  private plugin(kind: PluginKind): PluginNode | null {
    const start = this.pos;
    const name = this.name();
    if (!name) return null;
    this.cs();
    if (!this.lit('{')) return this.reset(start);
    this.cs();
    const first = this.attribute();
    const separator = (): boolean => {
      if (!this.whitespace()) return false;
      this.cs();
      return true;
    };
    const attributes: Attribute[] = first ? [first, ...this.repeated(separator, () => this.attribute())] : [];
    this.cs();
    if (!this.lit('}')) return this.reset(start);
    const node: PluginNode = { type: 'plugin', kind, name: name.text, attributes, loc: this.loc(start), end: this.loc(this.pos) };
    if (name.quote) node.quotedName = name.quote;
    return node;
  }

  /** name := [A-Za-z0-9_-]+ / string */
  private name(): { text: string; quote?: 'double' | 'single' } | null {
    const start = this.pos;
    if (this.cls(isNameChar, '[A-Za-z0-9_-]')) {
      while (this.cls(isNameChar, '[A-Za-z0-9_-]'));
      return { text: this.s.slice(start, this.pos) };
    }
    const str = this.string();
    return str ? { text: str.raw, quote: str.quote } : null;
  }

  private attribute(): Attribute | null {
    const start = this.pos;
    const name = this.name();
    if (!name) return null;
    this.cs();
    if (!this.lit('=>')) return this.reset(start);
    this.cs();
    const value = this.value();
    if (!value) return this.reset(start);
    const attr: Attribute = { type: 'attribute', name: name.text, value, loc: this.loc(start) };
    if (name.quote) attr.quotedName = name.quote;
    return attr;
  }

  /** Guards the recursive rules: deeper nesting than this is refused instead of overflowing the stack. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) {
      const { line, column } = this.text.lineColumn(this.pos);
      const charIndex = this.text.charIndex(this.pos);
      this.depth = 0;
      throw new ConfigSyntaxError(
        `Nesting deeper than ${MAX_NESTING} levels at line ${line}, column ${column} (byte ${charIndex + 1}): flowstash refuses configs nested this deeply (Logstash's parser runs out of stack on them)`,
        this.file,
        line,
        column,
        charIndex,
        this.text.lineText(line),
      );
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private value(): Value | null {
    return this.nested(() => this.valueRule());
  }

  /** value := plugin / bareword / string / number / array / hash */
  private valueRule(): Value | null {
    const start = this.pos;
    const memo = this.valueMemo.get(start);
    if (memo) {
      this.pos = memo.end;
      this.comments.push(...memo.comments);
      return memo.node;
    }
    const before = this.comments.length;
    const node =
      this.plugin('codec') ?? this.bareword() ?? this.string() ?? this.number() ?? this.array() ?? this.hash();
    this.valueMemo.set(start, { node, end: this.pos, comments: this.comments.slice(before) });
    return node;
  }

  /** bareword := [A-Za-z_] [A-Za-z0-9_]+ */
  private bareword(): BarewordValue | null {
    const start = this.pos;
    if (!this.cls(isBarewordStart, '[A-Za-z_]')) return null;
    if (!this.cls(isWordChar, '[A-Za-z0-9_]')) return this.reset(start);
    while (this.cls(isWordChar, '[A-Za-z0-9_]'));
    return { type: 'bareword', value: this.s.slice(start, this.pos), loc: this.loc(start) };
  }

  /** string := double_quoted_string / single_quoted_string */
  private string(): StringValue | null {
    return this.quoted('"', `'"'`, `'\\"'`, 'double') ?? this.quoted("'", `"'"`, `"\\\\'"`, 'single');
  }

  /** q ( '\q' / !q . )* q — strings and regexps; returns the raw text between the delimiters. */
  private delimited(q: string, shownQ: string, shownEsc: string): string | null {
    const start = this.pos;
    if (!this.lit(q, shownQ)) return null;
    for (;;) {
      if (this.lit('\\' + q, shownEsc)) continue;
      const at = this.pos;
      if (!this.notLit(q, shownQ)) break;
      if (!this.any()) {
        this.pos = at;
        break;
      }
    }
    if (!this.lit(q, shownQ)) return this.reset(start);
    return this.s.slice(start + 1, this.pos - 1);
  }

  private quoted(q: string, shownQ: string, shownEsc: string, quote: 'double' | 'single'): StringValue | null {
    const start = this.pos;
    const raw = this.delimited(q, shownQ, shownEsc);
    return raw === null ? null : { type: 'string', raw, quote, loc: this.loc(start) };
  }

  /** regexp := '/' ( '\/' / !'/' . )* '/' */
  private regexp(): RegexpRValue | null {
    const start = this.pos;
    const raw = this.delimited('/', `'/'`, `'\\/'`);
    return raw === null ? null : { type: 'regexp', raw, loc: this.loc(start) };
  }

  /** number := "-"? [0-9]+ ("." [0-9]*)? */
  private number(): NumberValue | null {
    const start = this.pos;
    this.lit('-');
    if (!this.cls(isDigit, '[0-9]')) return this.reset(start);
    while (this.cls(isDigit, '[0-9]'));
    if (this.lit('.')) while (this.cls(isDigit, '[0-9]'));
    return { type: 'number', raw: this.s.slice(start, this.pos), loc: this.loc(start) };
  }

  /**
   * `(separator item)*`: every repetition the grammar writes after a first item. A repetition that fails part-way
   * (separator matched, item not) is undone, as a PEG repetition is; the attempts are the grammar's, in its order.
   */
  private repeated<T>(separator: () => boolean, item: () => T | null): T[] {
    const items: T[] = [];
    for (;;) {
      const at = this.pos;
      const v = separator() ? item() : null;
      if (!v) {
        this.pos = at;
        return items;
      }
      items.push(v);
    }
  }

  /** cs as a separator (it always matches). */
  private readonly csSeparator = (): boolean => {
    this.cs();
    return true;
  };

  /** `(item (cs "," cs item)*)?` — the optional comma-separated list inside arrays and method calls. */
  private commaList<T>(item: () => T | null): T[] {
    const first = item();
    if (!first) return [];
    const comma = (): boolean => {
      this.cs();
      if (!this.lit(',')) return false;
      this.cs();
      return true;
    };
    return [first, ...this.repeated(comma, item)];
  }

  /** array := "[" cs (value (cs "," cs value)*)? cs "]" */
  private array(): ArrayValue | null {
    const start = this.pos;
    if (!this.lit('[')) return null;
    this.cs();
    const items = this.commaList(() => this.value());
    this.cs();
    if (!this.lit(']')) return this.reset(start);
    return { type: 'array', items, loc: this.loc(start), end: this.loc(this.pos) };
  }

  /** hash := "{" cs hashentries? cs "}" ; hashentries := hashentry (cs hashentry)* */
  private hash(): HashValue | null {
    const start = this.pos;
    if (!this.lit('{')) return null;
    this.cs();
    const first = this.hashEntry();
    const entries: HashEntry[] = first ? [first, ...this.repeated(this.csSeparator, () => this.hashEntry())] : [];
    this.cs();
    if (!this.lit('}')) return this.reset(start);
    return { type: 'hash', entries, loc: this.loc(start), end: this.loc(this.pos) };
  }

  /** hashentry := (number / bareword / string) cs "=>" cs value */
  private hashEntry(): HashEntry | null {
    const start = this.pos;
    const key = this.number() ?? this.bareword() ?? this.string();
    if (!key) return null;
    this.cs();
    if (!this.lit('=>')) return this.reset(start);
    this.cs();
    const value = this.value();
    if (!value) return this.reset(start);
    return { type: 'hashentry', key, value, loc: this.loc(start) };
  }

  // ---- conditionals ----------------------------------------------------------------------------

  /** branch := if (cs else_if)* (cs else)? */
  private branch(kind: SectionKind): BranchNode | null {
    const start = this.pos;
    const first = this.ifClause(kind, false);
    if (!first) return null;
    const clauses: IfClause[] = [first, ...this.repeated(this.csSeparator, () => this.ifClause(kind, true))];
    const node: BranchNode = { type: 'branch', clauses, loc: this.loc(start) };
    const at = this.pos;
    this.cs();
    const elseStart = this.pos;
    if (this.lit('else')) {
      this.cs();
      if (this.lit('{')) {
        this.cs();
        const body = this.statements(kind);
        if (this.lit('}')) {
          node.elseBody = body;
          node.elseLoc = this.loc(elseStart);
          return node;
        }
      }
    }
    this.pos = at;
    return node;
  }

  /** if := "if" cs condition cs "{" cs (branch_or_plugin cs)* "}" ; else_if := "else" cs "if" … */
  private ifClause(kind: SectionKind, isElse: boolean): IfClause | null {
    const start = this.pos;
    if (isElse) {
      if (!this.lit('else')) return null;
      this.cs();
    }
    if (!this.lit('if')) return this.reset(start);
    this.cs();
    const condition = this.condition();
    if (!condition) return this.reset(start);
    this.cs();
    if (!this.lit('{')) return this.reset(start);
    this.cs();
    const body = this.statements(kind);
    if (!this.lit('}')) return this.reset(start);
    return { condition, body, loc: this.loc(start) };
  }

  private condition(): Condition | null {
    return this.nested(() => this.conditionRule());
  }

  /** condition := expression (cs boolean_operator cs expression)* */
  private conditionRule(): Condition | null {
    const start = this.pos;
    const first = this.expression();
    if (!first) return null;
    const rest = this.repeated(this.csSeparator, (): { op: BooleanOperator; expr: Expression } | null => {
      const op = this.booleanOperator();
      if (!op) return null;
      this.cs();
      const expr = this.expression();
      return expr ? { op, expr } : null;
    });
    return { type: 'condition', first, rest, loc: this.loc(start) };
  }

  private booleanOperator(): BooleanOperator | null {
    if (this.lit('and')) return 'and';
    if (this.lit('or')) return 'or';
    if (this.lit('xor')) return 'xor';
    if (this.lit('nand')) return 'nand';
    return null;
  }

  private expression(): Expression | null {
    const start = this.pos;
    const paren = this.parenCondition();
    if (paren) return paren;
    const neg = this.negativeExpression();
    if (neg) return neg;
    return (
      this.inExpression(false) ??
      this.inExpression(true) ??
      this.compareExpression() ??
      this.regexpExpression() ??
      this.rvalueExpression(start)
    );
  }

  /** "(" cs condition cs ")" */
  private parenCondition(): { type: 'paren'; condition: Condition; loc: SourceLocation } | null {
    const start = this.pos;
    if (!this.lit('(')) return null;
    this.cs();
    const condition = this.condition();
    if (!condition) return this.reset(start);
    this.cs();
    if (!this.lit(')')) return this.reset(start);
    return { type: 'paren', condition, loc: this.loc(start) };
  }

  /** negative_expression := ("!" cs "(" cs condition cs ")") / ("!" cs selector) */
  private negativeExpression(): Expression | null {
    const start = this.pos;
    if (this.lit('!')) {
      this.cs();
      const paren = this.parenCondition();
      if (paren) return { type: 'not', operand: paren, loc: this.loc(start) };
    }
    this.pos = start;
    if (this.lit('!')) {
      this.cs();
      const sel = this.selector();
      if (sel) return { type: 'not', operand: sel, loc: this.loc(start) };
    }
    return this.reset(start);
  }

  /**
   * `rvalue cs OP cs RIGHT`, the shape of the in / not in / compare / regexp expressions: the whole match or
   * nothing (position restored).
   */
  private infix<Op, Right>(
    operator: () => Op | null,
    right: () => Right | null,
    build: (left: RValue, op: Op, right: Right, loc: SourceLocation) => Expression,
  ): Expression | null {
    const start = this.pos;
    const left = this.rvalue();
    if (!left) return null;
    this.cs();
    const op = operator();
    if (op === null) return this.reset(start);
    this.cs();
    const r = right();
    if (!r) return this.reset(start);
    return build(left, op, r, this.loc(start));
  }

  /** in_expression := rvalue cs "in" cs rvalue ; not_in_expression := rvalue cs "not " cs "in" cs rvalue */
  private inExpression(negated: boolean): Expression | null {
    const keyword = (): true | null => {
      if (negated) {
        if (!this.lit('not ')) return null;
        this.cs();
      }
      return this.lit('in') ? true : null;
    };
    return this.infix(keyword, () => this.rvalue(), (left, _op, right, loc) => ({ type: 'in', negated, left, right, loc }));
  }

  private compareExpression(): Expression | null {
    const operator = (): '==' | '!=' | '<=' | '>=' | '<' | '>' | null => {
      for (const candidate of ['==', '!=', '<=', '>=', '<', '>'] as const) if (this.lit(candidate)) return candidate;
      return null;
    };
    return this.infix(operator, () => this.rvalue(), (left, op, right, loc) => ({ type: 'compare', op, left, right, loc }));
  }

  private regexpExpression(): Expression | null {
    const operator = (): '=~' | '!~' | null => (this.lit('=~') ? '=~' : this.lit('!~') ? '!~' : null);
    return this.infix(operator, () => this.string() ?? this.regexp(), (left, op, right, loc) => ({ type: 'match', op, left, right, loc }));
  }

  private rvalueExpression(start: number): Expression | null {
    const value = this.rvalue();
    return value ? { type: 'rvalue', value, loc: this.loc(start) } : null;
  }

  /** rvalue := string / number / selector / array / method_call / regexp */
  private rvalue(): RValue | null {
    const start = this.pos;
    const memo = this.rvalueMemo.get(start);
    if (memo) {
      this.pos = memo.end;
      this.comments.push(...memo.comments);
      return memo.node;
    }
    const before = this.comments.length;
    const node =
      this.string() ?? this.number() ?? this.selector() ?? this.array() ?? this.methodCall() ?? this.regexp();
    this.rvalueMemo.set(start, { node, end: this.pos, comments: this.comments.slice(before) });
    return node;
  }

  /** method_call := bareword cs "(" cs (rvalue (cs "," cs rvalue)*)? cs ")" */
  private methodCall(): MethodCallRValue | null {
    const start = this.pos;
    const name = this.bareword();
    if (!name) return null;
    this.cs();
    if (!this.lit('(')) return this.reset(start);
    this.cs();
    const args = this.commaList(() => this.rvalue());
    this.cs();
    if (!this.lit(')')) return this.reset(start);
    return { type: 'method_call', name: name.value, args, loc: this.loc(start) };
  }

  /** selector := ("[" [^\]\[,]+ "]")+ */
  private selector(): SelectorRValue | null {
    const start = this.pos;
    const path: string[] = [];
    for (;;) {
      const at = this.pos;
      if (!this.lit('[')) break;
      const nameStart = this.pos;
      if (!this.cls(isSelectorChar, '[^\\]\\[,]')) {
        this.pos = at;
        break;
      }
      while (this.cls(isSelectorChar, '[^\\]\\[,]'));
      const name = this.s.slice(nameStart, this.pos);
      if (!this.lit(']')) {
        this.pos = at;
        break;
      }
      path.push(name);
    }
    if (path.length === 0) return this.reset(start);
    return { type: 'selector', path, raw: this.s.slice(start, this.pos), loc: this.loc(start) };
  }
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isNotNewline = (c: number): boolean => c !== 0x0d && c !== 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isBarewordStart = (c: number): boolean => isAlpha(c) || c === 0x5f;
const isWordChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x5f;
const isNameChar = (c: number): boolean => isWordChar(c) || c === 0x2d;
const isSelectorChar = (c: number): boolean => c !== 0x5d && c !== 0x5b && c !== 0x2c;

/**
 * Parses one file's text. Throws ConfigSyntaxError (treetop's message) when Logstash's grammar
 * rejects it. `file` names the source in locations ('<config string>' for -e).
 */
export function parseConfig(text: string, file = '<config string>'): ConfigFile {
  return new LsclParser(new SourceText(text), file).parseConfig();
}

export interface ParsedConfig {
  ast: ConfigFile;
  source: SourceText;
  /** Every comment of the file in order: text from `#` to the end of its line. */
  comments: { start: number; text: string }[];
}

/** Like parseConfig, also returning the comments (for the pretty-printer) and the source text. */
export function parseConfigWithComments(text: string, file = '<config string>'): ParsedConfig {
  const source = new SourceText(text);
  const parser = new LsclParser(source, file);
  const ast = parser.parseConfig();
  const seen = new Set<number>();
  const comments = parser.comments
    .filter((c) => !seen.has(c.start) && seen.add(c.start))
    .sort((a, b) => a.start - b.start)
    .map((c) => ({ start: c.start, text: text.slice(c.start, c.end) }));
  return { ast, source, comments };
}

/** Logstash prints the whole text since the last section; past 100,000 characters (no hand-written section is that long) flowstash keeps its last 2,000. */
const AFTER_LIMIT = 100_000;
const AFTER_KEPT = 2000;

function shortenAfter(text: string): string {
  if (text.length <= AFTER_LIMIT) return text;
  return `…(${text.length - AFTER_KEPT} characters left out)…${text.slice(-AFTER_KEPT)}`;
}
