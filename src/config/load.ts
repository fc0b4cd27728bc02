// Config files → validated PipelineConfig: read and parse each file on its own, evaluate values
// (escapes, ${VAR}, Ruby number rules, repeated-attribute merging, duplicate hash keys), validate
// every plugin against the registry, group conditions, and merge files the way Logstash does.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Condition, ConfigFile, Expression, HashValue, PluginNode, RValue, Statement, StringValue, Value } from './ast.ts';
import type { ConditionTree, LoadOptions, PipelineConfig, ValidatedPlugin } from './pipeline-config.ts';
import { findPlugin } from '../plugins/registry.ts';
import { checkCondition, conditionTree, UnexpectedOperatorError } from './condition-tree.ts';
import { ConfigError } from './errors.ts';
import { substituteAll, substituteWhole, type Environment } from './env.ts';
import { resolveConfigPaths } from './files.ts';
import { parseNumberLiteral, processEscapes } from './literals.ts';
import { ConfigSyntaxError, parseConfig } from './parser.ts';
import { printCondition, printConditionTree, printExpression } from './printer.ts';
import { SourceText } from './source-text.ts';
import { checkOptions, isCodecRef, plain, unknownPluginMessage, type CodecRef, type ConfigHash, type ConfigValue, type Problem } from './validate.ts';

export const CONFIG_STRING_SOURCE = '<config string>';
const DEFAULT_INPUT = 'input { stdin { type => stdin } }';
const DEFAULT_OUTPUT = 'output { stdout { codec => rubydebug } }';

interface Part {
  file: string;
  /** Name shown in messages (relative to the cwd when shorter). */
  display: string;
  text: SourceText;
  ast: ConfigFile;
}

/** The user-facing text of a syntax error: Logstash's message, then where, the line, a caret, a hint. */
export function formatSyntaxError(e: ConfigSyntaxError, display: string): string {
  const lineNo = String(e.line);
  const gutter = ' '.repeat(lineNo.length);
  const { shown, caretColumn } = lineWindow(e.sourceLine, e.column);
  const caretPad = [...shown].slice(0, caretColumn - 1).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const lines = [
    e.logstashMessage,
    `${gutter}--> ${display}:${e.line}:${e.column}`,
    `${gutter} |`,
    `${lineNo} | ${shown}`,
    `${gutter} | ${caretPad}^`,
  ];
  const hint = syntaxHint(e);
  if (hint) lines.push(`${gutter} = hint: ${hint}`);
  return lines.join('\n');
}

/** A long source line is shown as a window around the error column (a minified or generated config). */
function lineWindow(line: string, column: number): { shown: string; caretColumn: number } {
  const chars = [...line];
  if (chars.length <= 160) return { shown: line, caretColumn: column };
  const from = Math.max(0, column - 1 - 100);
  const to = Math.min(chars.length, column - 1 + 60);
  const head = from > 0 ? '…' : '';
  return { shown: head + chars.slice(from, to).join('') + (to < chars.length ? '…' : ''), caretColumn: column - from + head.length };
}

/** A plain-words guess at the usual mistake behind a syntax error (Logstash gives none). */
export function syntaxHint(e: ConfigSyntaxError): string | undefined {
  const expects = (item: string): boolean => e.expected.includes(item);
  if (e.index === 0 && e.found === '\uFEFF') return 'the file starts with a UTF-8 byte order mark (BOM), which Logstash rejects; save it without one';
  if ((e.found === ':' || e.found === '=') && expects('"=>"')) return 'settings are written `name => value`';
  if (e.found === ',' && expects('"}"')) return 'settings and hash entries are separated by spaces or newlines, not commas';
  if (e.found === ']' && expects('"["')) return 'an array cannot end with a comma';
  if (e.found === '' && expects('"}"')) return 'the text ends inside a block: a closing `}` is missing';
  if (e.found === '' && (expects("'\\\"'") || expects('"\\\\\'"'))) return 'a quoted string is never closed (note that a string cannot end with a backslash)';
  if (expects('"{"') && /=>\s*[A-Za-z_]\s*$/.test([...e.sourceLine].slice(0, e.column - 1).join(''))) {
    return 'a bare word needs at least two characters; quote one-character values';
  }
  if (expects('"input"') && expects('"filter"') && expects('"output"') && !expects('"{"')) {
    return 'a config consists of `input { … }`, `filter { … }` and `output { … }` sections; conditionals go inside them';
  }
  return undefined;
}

function displayName(file: string): string {
  if (file === CONFIG_STRING_SOURCE || !path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel.length < file.length && !rel.startsWith('..') ? rel : file;
}

function parsePart(file: string, content: string): Part {
  const display = displayName(file);
  const text = new SourceText(content);
  try {
    return { file, display, text, ast: parseConfig(content, file) };
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw new ConfigError(formatSyntaxError(e, display), { file, line: e.line, column: e.column, offset: text.byteOffset(e.index) });
    throw e;
  }
}

function readParts(options: LoadOptions, warnings: string[]): Part[] {
  if (options.parts !== undefined) return options.parts.map((p) => parsePart(p.file, p.text));
  if (options.configString !== undefined) {
    const s = options.configString;
    const parts = [parsePart(CONFIG_STRING_SOURCE, s)];
    if (!/input\s*{/.test(s)) {
      warnings.push(`No input specified in the config string (-e): adding the default ${DEFAULT_INPUT}`);
      parts.push(parsePart('<default input>', DEFAULT_INPUT));
    }
    if (!/output\s*{/.test(s)) {
      warnings.push(`No output specified in the config string (-e): adding the default ${DEFAULT_OUTPUT}`);
      parts.push(parsePart('<default output>', DEFAULT_OUTPUT));
    }
    return parts;
  }
  const specs = options.paths ?? [];
  if (specs.length === 0) throw new ConfigError('No configuration given: use -f PATH or -e STRING');
  const { files, warnings: pathWarnings } = resolveConfigPaths(specs);
  warnings.push(...pathWarnings);
  if (files.length === 0) throw new ConfigError(`No config files found in path ${specs.map((s) => `'${s}'`).join(', ')}`);
  const notUtf8: string[] = [];
  // ignoreBOM keeps a leading BOM in the text: Logstash keeps it too (and rejects the file).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const contents = files.map((file) => {
    try {
      return decoder.decode(readFileSync(file));
    } catch {
      notUtf8.push(file);
      return '';
    }
  });
  if (notUtf8.length > 0) {
    throw new ConfigError(`The following config files contains non-ascii characters but are not UTF-8 encoded ${JSON.stringify(notUtf8)}`);
  }
  return files.map((file, i) => parsePart(file, contents[i]!));
}

/** Per-load evaluation state. */
class Compiler {
  readonly plugins = new Map<PluginNode, ValidatedPlugin>();
  readonly conditions = new Map<Condition, ConditionTree | ConfigError>();
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private readonly ids = new Map<string, string[]>();
  private part!: Part;

  constructor(
    private readonly env: Environment,
    private readonly supportEscapes: boolean,
  ) {}

  private where(loc: { line: number; column: number }): string {
    return `${this.part.display}:${loc.line}:${loc.column}`;
  }

  private problem(loc: { line: number; column: number }, message: string): void {
    this.problems.push(`${this.where(loc)}: ${message}`);
  }

  compilePart(part: Part): void {
    this.part = part;
    for (const section of part.ast.sections) {
      if (section.kind === 'input' && section.body.some((s) => s.type === 'branch')) {
        this.warnings.push(`${this.where(section.loc)}: conditionals in an input section are not evaluated by Logstash (it has no events yet to test); move the condition to a filter or output`);
      }
      this.statements(section.body);
    }
  }

  private statements(body: Statement[]): void {
    for (const stmt of body) {
      if (stmt.type === 'plugin') {
        this.plugin(stmt);
        continue;
      }
      for (const clause of stmt.clauses) {
        this.condition(clause.condition);
        this.statements(clause.body);
      }
      if (stmt.elseBody) this.statements(stmt.elseBody);
    }
  }

  // ---- values --------------------------------------------------------------------------------

  private string(v: StringValue): string {
    return this.supportEscapes ? processEscapes(v.raw) : v.raw;
  }

  private value(v: Value): ConfigValue | undefined {
    switch (v.type) {
      case 'string':
        try {
          return substituteAll(this.string(v), this.env);
        } catch (e) {
          if (e instanceof ConfigError) return void this.problem(v.loc, e.message);
          throw e;
        }
      case 'bareword':
        return v.value;
      case 'number': {
        const n = parseNumberLiteral(v.raw);
        if (!n.ok) return void this.problem(v.loc, n.message);
        return n.value;
      }
      case 'array': {
        const out: ConfigValue[] = [];
        for (const item of v.items) {
          const x = this.value(item);
          if (x !== undefined) out.push(x);
        }
        return out;
      }
      case 'hash':
        return this.hash(v);
      case 'plugin':
        this.plugin(v);
        return { codecNode: v } satisfies CodecRef;
    }
  }

  private hash(v: HashValue): ConfigHash | undefined {
    const duplicates = duplicateKeys(v);
    if (duplicates.length > 0) {
      const idx = this.part.text.indexOfByte(v.loc.offset);
      const { line, column } = this.part.text.lineColumn(idx);
      this.problems.push(
        `${this.where(v.loc)}: Duplicate keys found in your configuration: [${duplicates.join(', ')}]\n` +
          `At line: ${line}, column ${column} (byte ${this.part.text.charIndex(idx) + 1})\n` +
          `after ${this.part.text.text.slice(0, idx + 1)}`,
      );
      return undefined;
    }
    const out: ConfigHash = {};
    for (const entry of v.entries) {
      const key = entry.key.type === 'string' ? this.string(entry.key) : entry.key.type === 'bareword' ? entry.key.value : entry.key.raw;
      const value = this.value(entry.value);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  // ---- plugins -------------------------------------------------------------------------------

  private plugin(node: PluginNode): void {
    const attributes = new Map<string, ConfigValue>();
    const unevaluated = new Set<string>();
    let codecs = 0;
    for (const attr of node.attributes) {
      if (attr.name === 'codec' && (node.kind === 'input' || node.kind === 'output')) {
        codecs++;
        if (codecs === 2) {
          this.problem(attr.loc, `The ${node.kind} plugin ${node.name} at line ${node.loc.line} has multiple \`codec\` declarations - this is not a valid configuration, only one top-level \`codec\` per ${node.kind} plugin is supported.`);
        }
      }
      const value = this.value(attr.value);
      if (value === undefined) {
        unevaluated.add(attr.name);
        continue;
      }
      const existing = attributes.get(attr.name);
      attributes.set(attr.name, existing === undefined ? value : mergeRepeated(existing, value));
    }
    if (!findPlugin(node.kind, node.name)) {
      this.problem(node.loc, unknownPluginMessage(node.kind, node.name));
      return;
    }
    const check = checkOptions(node, attributes, unevaluated);
    for (const p of check.problems) this.reportProblem(p);
    for (const w of check.warnings) this.warnings.push(`${this.where(this.attributeLoc(w))}: ${w.message}`);
    const options = check.options;
    if (node.kind === 'input' || node.kind === 'output') options.codec = this.codecFor(node, options.codec);
    this.checkPaths(node, options);
    const id = typeof options.id === 'string' ? options.id : generatedId(node);
    if (typeof options.id === 'string') {
      const seen = this.ids.get(id) ?? [];
      seen.push(this.where(node.loc));
      this.ids.set(id, seen);
    }
    this.plugins.set(node, {
      kind: node.kind,
      name: node.name,
      id,
      options,
      node,
      emulated: findPlugin(node.kind, node.name)?.implementation !== undefined,
    });
  }

  private reportProblem(p: Problem): void {
    this.problem(this.attributeLoc(p), p.message);
  }

  /** Where a problem points: the attribute it is about, else the plugin. */
  private attributeLoc(p: Problem): { line: number; column: number } {
    const attr = p.attribute ? p.node.attributes.find((a) => a.name === p.attribute) : undefined;
    return (attr ?? p.node).loc;
  }

  /** Resolves an input/output's codec option to a validated codec (explicit or default). */
  private codecFor(node: PluginNode, value: unknown): ValidatedPlugin | undefined {
    if (isCodecRef(value)) {
      const validated = this.plugins.get(value.codecNode);
      return validated && node.name === 'stdin' ? this.streamingCodec(validated) : validated;
    }
    let name = typeof value === 'string' ? value : 'plain';
    if (node.name === 'stdin') name = name === 'plain' ? 'line' : name === 'json' ? 'json_lines' : name;
    const attr = node.attributes.find((a) => a.name === 'codec');
    const loc = attr?.value.loc ?? node.loc;
    const codecNode: PluginNode = { type: 'plugin', kind: 'codec', name, attributes: [], loc };
    if (!findPlugin('codec', name)) {
      this.problem(loc, unknownPluginMessage('codec', name));
      return undefined;
    }
    const check = checkOptions(codecNode, new Map());
    for (const p of check.problems) this.reportProblem(p);
    const validated: ValidatedPlugin = {
      kind: 'codec',
      name,
      id: generatedId(codecNode),
      options: check.options,
      node: codecNode,
      emulated: findPlugin('codec', name)?.implementation !== undefined,
    };
    this.plugins.set(codecNode, validated);
    return validated;
  }

  /** stdin switches plain→line and json→json_lines (Logstash's fix_streaming_codecs). */
  private streamingCodec(codec: ValidatedPlugin): ValidatedPlugin {
    const replacement = codec.name === 'plain' ? 'line' : codec.name === 'json' ? 'json_lines' : undefined;
    if (!replacement) return codec;
    const registered = findPlugin('codec', replacement);
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(codec.options)) if (registered?.options[k]) options[k] = v;
    for (const [k, spec] of Object.entries(registered?.options ?? {})) if (!(k in options) && spec.default !== undefined) options[k] = structuredClone(spec.default);
    return { ...codec, name: replacement, options, emulated: registered?.implementation !== undefined };
  }

  /** Logstash refuses `:path` settings naming a missing file; -t here only warns (other machine). */
  private checkPaths(node: PluginNode, options: Record<string, unknown>): void {
    const specs = findPlugin(node.kind, node.name)?.options ?? {};
    for (const attr of node.attributes) {
      const spec = specs[attr.name];
      const value = options[attr.name];
      if (spec?.type !== 'path' || typeof value !== 'string') continue;
      if (!existsSync(value)) {
        this.warnings.push(`${this.where(attr.loc)}: ${node.name} setting '${attr.name}' names a file that does not exist here: ${value} (Logstash refuses to start with "File does not exist or cannot be opened ${value}")`);
      }
    }
  }

  finish(): void {
    for (const [id, places] of this.ids) {
      if (places.length > 1) this.problems.push(`Config has duplicate Ids: \nID: ${id}\n${places.map((p) => `  ${p}`).join('\n')}`);
    }
  }

  // ---- conditions ----------------------------------------------------------------------------

  private condition(condition: Condition): void {
    for (const c of nestedConditions(condition)) {
      for (const call of methodCalls(c)) {
        this.problem(call.loc, `method calls in conditions are not supported by Logstash's pipeline compiler: ${call.name}(…)`);
      }
      if (c.rest.length > 0) {
        for (const operand of [c.first, ...c.rest.map((r) => r.expr)]) {
          if (operand.type !== 'rvalue' || operand.value.type === 'selector') continue;
          this.warnings.push(
            `${this.where(operand.loc)}: \`${printExpression(operand)}\` is a constant, not a test, combined with and/or: -t passes it but Logstash fails when the pipeline starts ` +
              `("Unexpected conditional input combination"); write a test such as \`${printExpression(operand)} in [tags]\``,
          );
        }
      }
      const issue = checkCondition(c);
      if (issue?.kind === 'grouping') {
        this.warnings.push(
          `${this.where(c.loc)}: Logstash evaluates \`${printCondition(c)}\` as \`${printConditionTree(issue.actual)}\`, ` +
            `not as \`${printConditionTree(issue.expected)}\` (its and/or grouping differs from the usual precedence); add parentheses`,
        );
      } else if (issue?.kind === 'unsupported') {
        this.warnings.push(`${this.where(c.loc)}: Logstash will refuse to start this pipeline: ${issue.message}`);
      }
    }
    try {
      this.conditions.set(condition, conditionTree(condition, (leaf) => this.substituteLeaf(leaf)));
    } catch (e) {
      if (e instanceof UnexpectedOperatorError) this.conditions.set(condition, e);
      else if (e instanceof ConfigError) this.problem(condition.loc, e.message);
      else throw e;
    }
  }

  /** Java's pass: only a constant that is entirely `${…}` is substituted; escapes applied. */
  private substituteLeaf<T extends Expression>(leaf: T): T {
    const fix = (r: RValue): RValue => {
      if (r.type === 'string') return { ...r, raw: substituteWhole(this.string(r), this.env) };
      if (r.type === 'array') return { ...r, items: r.items.map((i) => (i.type === 'string' ? { ...i, raw: substituteWhole(this.string(i), this.env) } : i)) };
      return r;
    };
    switch (leaf.type) {
      case 'compare':
      case 'in':
        return { ...leaf, left: fix(leaf.left), right: fix(leaf.right) };
      case 'match':
        return { ...leaf, left: fix(leaf.left), right: leaf.right.type === 'string' ? fix(leaf.right) : leaf.right };
      case 'rvalue':
        return { ...leaf, value: fix(leaf.value) };
      default:
        return leaf;
    }
  }
}

function nestedConditions(c: Condition): Condition[] {
  const out = [c];
  for (const e of [c.first, ...c.rest.map((r) => r.expr)]) {
    if (e.type === 'paren') out.push(...nestedConditions(e.condition));
    if (e.type === 'not' && e.operand.type === 'paren') out.push(...nestedConditions(e.operand.condition));
  }
  return out;
}

function methodCalls(c: Condition): { name: string; loc: { line: number; column: number } }[] {
  const calls: { name: string; loc: { line: number; column: number } }[] = [];
  const visit = (r: RValue): void => {
    if (r.type === 'method_call') {
      calls.push(r);
      r.args.forEach(visit);
    }
  };
  for (const e of [c.first, ...c.rest.map((r) => r.expr)]) {
    if (e.type === 'compare' || e.type === 'in') [e.left, e.right].forEach(visit);
    else if (e.type === 'match') visit(e.left);
    else if (e.type === 'rvalue') visit(e.value);
  }
  return calls;
}

/** Keys appearing more than once among this hash's entries *and all nested hashes* (lscl.rb's recursive_select). */
function duplicateKeys(h: HashValue): string[] {
  const keys: string[] = [];
  const collect = (v: Value): void => {
    if (v.type === 'hash') {
      for (const e of v.entries) {
        keys.push(e.key.type === 'string' ? (e.key.quote === 'double' ? `"${e.key.raw}"` : `'${e.key.raw}'`) : e.key.type === 'bareword' ? e.key.value : e.key.raw);
        collect(e.value);
      }
    } else if (v.type === 'array') v.items.forEach(collect);
  };
  collect(h);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}

function isConfigHash(v: ConfigValue): v is ConfigHash {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isCodecRef(v);
}

function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  return JSON.stringify(plain(a), bigintSafe) === JSON.stringify(plain(b), bigintSafe);
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** lscl.rb: hash+hash deep-merges, array+value concatenates, two different scalars → [a, b]. */
export function mergeRepeated(existing: ConfigValue, value: ConfigValue): ConfigValue {
  if (isConfigHash(existing) && isConfigHash(value)) return hashMerge({ ...existing }, value);
  if (Array.isArray(existing)) return Array.isArray(value) ? [...existing, ...value] : [...existing, value];
  return sameValue(existing, value) ? existing : [existing, value];
}

/** LogStash::Util.hash_merge. */
function hashMerge(dst: ConfigHash, src: ConfigHash): ConfigHash {
  for (const [name, svalue] of Object.entries(src)) {
    if (!(name in dst)) {
      dst[name] = svalue;
      continue;
    }
    const dvalue = dst[name]!;
    if (isConfigHash(dvalue) && isConfigHash(svalue)) dst[name] = hashMerge({ ...dvalue }, svalue);
    else if (Array.isArray(svalue)) {
      const base = Array.isArray(dvalue) ? [...dvalue] : [dvalue];
      for (const s of svalue) if (!base.some((b) => sameValue(b, s))) base.push(s);
      dst[name] = base;
    } else if (Array.isArray(dvalue)) {
      dst[name] = dvalue.some((d) => sameValue(d, svalue)) ? dvalue : [...dvalue, svalue];
    } else if (!sameValue(dvalue, svalue)) dst[name] = [dvalue, svalue];
  }
  return dst;
}

function generatedId(node: PluginNode): string {
  return createHash('sha256').update(`${node.loc.file}:${node.loc.line}:${node.loc.column}:${node.kind}:${node.name}`).digest('hex');
}

/**
 * Loads, validates and merges a pipeline. Throws ConfigError with the complete user-facing text
 * (every problem found, one per paragraph) when Logstash would refuse it.
 */
export async function loadPipelineConfig(options: LoadOptions): Promise<PipelineConfig> {
  const warnings: string[] = [];
  const parts = readParts(options, warnings);
  const env = options.env ?? process.env;
  const supportEscapes = options.supportEscapes ?? false;
  const compiler = new Compiler(env, supportEscapes);
  for (const part of parts) compiler.compilePart(part);
  compiler.finish();
  if (compiler.problems.length > 0) throw new ConfigError(compiler.problems.join('\n\n'));
  const sections = parts.flatMap((p) => p.ast.sections);
  const pick = (kind: 'input' | 'filter' | 'output'): Statement[] => sections.filter((s) => s.kind === kind).flatMap((s) => s.body);
  return {
    sources: parts.map((p) => p.file),
    inputs: pick('input'),
    filters: pick('filter'),
    outputs: pick('output'),
    warnings: [...warnings, ...compiler.warnings],
    origin: { parts: parts.map((p) => ({ file: p.file, text: p.text.text })), env: { ...env }, supportEscapes },
    plugin(node: PluginNode): ValidatedPlugin {
      const found = compiler.plugins.get(node);
      if (!found) throw new Error(`plugin node ${node.kind} '${node.name}' at ${node.loc.file}:${node.loc.line}:${node.loc.column} is not part of this pipeline`);
      return found;
    },
    condition(condition: Condition): ConditionTree {
      const tree = compiler.conditions.get(condition);
      if (tree === undefined) throw new Error(`condition at ${condition.loc.file}:${condition.loc.line}:${condition.loc.column} is not part of this pipeline`);
      if (tree instanceof ConfigError) throw tree;
      return tree;
    },
  };
}
