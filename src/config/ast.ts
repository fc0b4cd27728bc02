// The parsed form of a Logstash pipeline configuration (LSCL).
// Every node carries its source location so validation and runtime errors can point at file:line:col.

export interface SourceLocation {
  /** File the text came from; '<config string>' for -e. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** 0-based byte (UTF-8) offset from the start of the file. */
  offset: number;
}

export type SectionKind = 'input' | 'filter' | 'output';
export type PluginKind = SectionKind | 'codec';

/** A whole file (or -e string): its sections in source order. */
export interface ConfigFile {
  type: 'config';
  file: string;
  sections: Section[];
}

export interface Section {
  type: 'section';
  kind: SectionKind;
  body: Statement[];
  loc: SourceLocation;
  /** Just past the closing `}` (set by the parser). */
  end?: SourceLocation;
}

export type Statement = PluginNode | BranchNode;

export interface PluginNode {
  type: 'plugin';
  /** 'input' | 'filter' | 'output' for section plugins, 'codec' for a plugin used as a value. */
  kind: PluginKind;
  name: string;
  /** Was the name written quoted ("mutate")? Kept so the pretty-printer can round-trip. */
  quotedName?: 'double' | 'single';
  attributes: Attribute[];
  loc: SourceLocation;
  /** Just past the closing `}` (set by the parser). */
  end?: SourceLocation;
}

export interface Attribute {
  type: 'attribute';
  name: string;
  quotedName?: 'double' | 'single';
  value: Value;
  loc: SourceLocation;
}

export type Value =
  | StringValue
  | NumberValue
  | BarewordValue
  | ArrayValue
  | HashValue
  | PluginNode;

export interface StringValue {
  type: 'string';
  /** The text between the quotes, raw (escapes not processed). */
  raw: string;
  quote: 'double' | 'single';
  loc: SourceLocation;
}

export interface NumberValue {
  type: 'number';
  /** The literal as written ("010", "-0.5", "1."): Logstash's Integer()/Float() rules apply at validation. */
  raw: string;
  loc: SourceLocation;
}

export interface BarewordValue {
  type: 'bareword';
  value: string;
  loc: SourceLocation;
}

export interface ArrayValue {
  type: 'array';
  items: Value[];
  loc: SourceLocation;
  /** Just past the closing `]` (set by the parser). */
  end?: SourceLocation;
}

export interface HashEntry {
  type: 'hashentry';
  key: StringValue | NumberValue | BarewordValue;
  value: Value;
  loc: SourceLocation;
}

export interface HashValue {
  type: 'hash';
  entries: HashEntry[];
  loc: SourceLocation;
  /** Just past the closing `}` (set by the parser). */
  end?: SourceLocation;
}

/** if / else if / else chain. */
export interface BranchNode {
  type: 'branch';
  clauses: IfClause[];
  elseBody?: Statement[];
  elseLoc?: SourceLocation;
  loc: SourceLocation;
}

export interface IfClause {
  condition: Condition;
  body: Statement[];
  loc: SourceLocation;
}

export type BooleanOperator = 'and' | 'or' | 'xor' | 'nand';

/**
 * A condition exactly as written: a flat chain `e0 op1 e1 op2 e2 …`.
 * Grouping (Logstash's quirky shunting-yard) is applied by the compiler, not the parser,
 * so `-t` can warn where the evaluation differs from the reading and `fmt` can print it back as written.
 */
export interface Condition {
  type: 'condition';
  first: Expression;
  rest: { op: BooleanOperator; expr: Expression }[];
  loc: SourceLocation;
}

export type Expression =
  | { type: 'paren'; condition: Condition; loc: SourceLocation }
  | { type: 'not'; operand: { type: 'paren'; condition: Condition; loc: SourceLocation } | SelectorRValue; loc: SourceLocation }
  | { type: 'in'; negated: boolean; left: RValue; right: RValue; loc: SourceLocation }
  | { type: 'compare'; op: '==' | '!=' | '<=' | '>=' | '<' | '>'; left: RValue; right: RValue; loc: SourceLocation }
  | { type: 'match'; op: '=~' | '!~'; left: RValue; right: StringValue | RegexpRValue; loc: SourceLocation }
  | { type: 'rvalue'; value: RValue; loc: SourceLocation };

export interface SelectorRValue {
  type: 'selector';
  /** The path elements, e.g. [a][b] → ['a', 'b']; `[]` parses as an empty array, not a selector. */
  path: string[];
  /** The text as written, e.g. "[a][b]". */
  raw: string;
  loc: SourceLocation;
}

export interface RegexpRValue {
  type: 'regexp';
  /** Text between the slashes, raw (`\/` kept as written). */
  raw: string;
  loc: SourceLocation;
}

export interface MethodCallRValue {
  type: 'method_call';
  name: string;
  args: RValue[];
  loc: SourceLocation;
}

export type RValue =
  | StringValue
  | NumberValue
  | SelectorRValue
  | ArrayValue
  | MethodCallRValue
  | RegexpRValue;
