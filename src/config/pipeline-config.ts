// The validated pipeline description the runtime consumes: what `loadPipelineConfig` returns.
//
// Usage (runtime):
//   const config = await loadPipelineConfig({ paths: ['conf/'] });
//   for (const stmt of config.inputs) … stmt.type === 'plugin' → config.plugin(stmt) gives the
//   ValidatedPlugin (options coerced, defaults filled, codec resolved); stmt.type === 'branch' →
//   for each clause, config.condition(clause.condition) gives the grouped boolean tree.
// Statements are the parser's AST nodes (src/config/ast.ts), so errors can point at file:line:col.
import type { BooleanOperator, Expression, PluginKind, PluginNode, Statement, Condition } from './ast.ts';
import type { ResolvedOptions } from '../plugins/types.ts';

export interface ValidatedPlugin {
  kind: PluginKind;
  name: string;
  /** The explicit `id` option, or a stable generated one (`<name>_<file>_<line>_<column>`-derived hash). */
  id: string;
  /**
   * Every option of the plugin's schema (plus the common options of its kind): given values coerced
   * to JS (string, number, boolean, array, plain object), defaults filled in; options with neither
   * are absent. `${VAR}` substitution and (optional) escape processing are already applied.
   * The `codec` option of an input/output is always present as a ValidatedPlugin (explicit or default).
   */
  options: ResolvedOptions;
  node: PluginNode;
  /** True when src/plugins/implementations.ts has a factory for it; false = validated only. */
  emulated: boolean;
}

/**
 * A condition grouped the way Logstash actually evaluates it (its quirky shunting-yard, see
 * condition-tree.ts). Leaves are the parser's expressions, except that in their StringValues
 * (and string items of arrays) `raw` is the final text: escapes processed when
 * config.support_escapes is on, and a constant that is entirely `${VAR}` substituted (Logstash's
 * Java pass). `(…)` groups are flattened into the tree; `!` becomes a 'not' node (a negated
 * selector is a 'not' over an 'rvalue' leaf). Number literals stay raw: use parseNumberLiteral
 * from literals.ts for Ruby's Integer()/Float() value.
 */
export type ConditionTree =
  | { op: BooleanOperator; left: ConditionTree; right: ConditionTree }
  | { op: 'not'; operand: ConditionTree }
  | { op: 'leaf'; expr: Exclude<Expression, { type: 'paren' } | { type: 'not' }> };

export interface PipelineConfig {
  /** Files read, in the order their filters run; ['<config string>'] for -e. */
  sources: string[];
  /** Input statements of every file (unioned). */
  inputs: Statement[];
  /** Filter statements of every file, chained in file order. */
  filters: Statement[];
  /** Output statements of every file (unioned). */
  outputs: Statement[];
  /** The validated form of a plugin node found anywhere in inputs/filters/outputs (incl. codecs used as values). */
  plugin(node: PluginNode): ValidatedPlugin;
  /** The grouped tree for a condition; throws ConfigError for chains Logstash rejects (xor/nand with ≥2 operators). */
  condition(condition: Condition): ConditionTree;
  /** Human-readable warnings (defaults added for -e, precedence surprises, deprecated settings …). */
  warnings: string[];
  /** What it was loaded from, to load the same pipeline again elsewhere (a filter thread): absent when built by hand. */
  origin?: ConfigOrigin;
}

/** The texts a config was compiled from (after reading files; -e's default parts included) and how. */
export interface ConfigOrigin {
  parts: { file: string; text: string }[];
  env: Record<string, string | undefined>;
  supportEscapes: boolean;
}

export interface LoadOptions {
  /** -f values: files, globs or directories. */
  paths?: string[];
  /** -e value. */
  configString?: string;
  /** Environment for ${VAR}; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** config.support_escapes (default false). */
  supportEscapes?: boolean;
  /** Texts already read (a ConfigOrigin's parts): loaded as given, paths and configString ignored. */
  parts?: { file: string; text: string }[];
}

export { ConfigError } from './errors.ts';
export { loadPipelineConfig } from './load.ts';
