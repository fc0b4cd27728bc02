// The grok filter (logstash-filter-grok 4.4): for each field of `match` (in order), its expressions
// are tried in order; a match hands every capture to handle() (skip nil/"" unless
// keep_empty_captures; set, or append to what is there — a string becomes an array — unless the
// field is in `overwrite`); break_on_match stops at the first matching expression and field. An
// array field is matched item by item. Success runs filter_matched, failure adds tag_on_failure.
// A match slower than timeout_millis (per expression, or per event with timeout_scope => event),
// or one the regexp engine cuts off as a runaway, ends the filter for the event: WARN
// "Timeout executing grok …" and tag_on_timeout, as Logstash's GrokTimeoutException does.
// Patterns: the generated logstash-patterns-core table (legacy set when ecs_compatibility is
// disabled, ecs-v1 otherwise), then patterns_dir files (glob patterns_files_glob), then
// pattern_definitions — a later definition wins.
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import { rubyToF, rubyToI } from '../../../event/ruby-strings.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Float, type FieldValue } from '../../../event/values.ts';
import { ensureRegexpEngine, RegexpRunawayError } from '../../../regexp/regexp.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, EcsCompatibility, Filter, PluginContext } from '../../types.ts';
import { type CompiledGrok, GrokPatternError, compileGrok } from './compiler.ts';
import { ECS_V1_PATTERNS, LEGACY_PATTERNS } from './patterns.generated.ts';
import type { GrokFilterOptions } from './schema.ts';
import { parsePatternsFile } from './patterns-file.ts';

/** A match that ran past timeout_millis or was cut off by the engine (Logstash: GrokTimeoutException). */
class GrokTimeout extends Error {
  constructor(grok: CompiledGrok, field: string, value: string) {
    super(`Timeout executing grok '${grok.expression}' against field '${field}' with value '${truncated(value)}'!`);
  }
}

function truncated(value: string): string {
  if (value.length <= 255) return value;
  return `Value too large to output (${Buffer.byteLength(value)} bytes)! First 255 chars are: ${value.slice(0, 256)}`;
}

/** match => { field => expression | [expressions] } as ordered pairs. */
function matchPairs(match: unknown): [string, string[]][] {
  if (match === undefined || match === null) return [];
  const entries: [string, unknown][] = Array.isArray(match)
    ? Array.from({ length: Math.floor(match.length / 2) }, (_, i) => [String(match[2 * i]), match[2 * i + 1]])
    : Object.entries(match as Record<string, unknown>);
  const out = new Map<string, string[]>();
  for (const [field, value] of entries) {
    const list = out.get(field) ?? [];
    for (const v of Array.isArray(value) ? value : [value]) list.push(String(v));
    out.set(field, list);
  }
  return [...out];
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end === -1) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, end).split(',').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*/g, '[^/]*')).join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The pattern files of patterns_dir (a directory → its entries matching the glob; a file as is), Logstash's order. */
async function patternFiles(dirs: string[], glob: string): Promise<string[]> {
  const files: string[] = [];
  const re = globRegExp(glob);
  for (const dir of dirs) {
    let isDir = false;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch {
      continue; // Dir.glob of a missing path finds nothing
    }
    if (!isDir) {
      files.push(dir);
      continue;
    }
    for (const name of (await readdir(dir)).sort()) {
      if (!re.test(name)) continue;
      const file = path.join(dir, name);
      if ((await stat(file)).isDirectory()) continue;
      files.push(file);
    }
  }
  return files;
}

/** Every pattern the filter sees, in Logstash's precedence (core, then patterns_dir, then pattern_definitions). */
async function patternTable(options: GrokFilterOptions, ecs: EcsCompatibility): Promise<Record<string, string>> {
  const table: Record<string, string> = { ...(ecs === 'disabled' ? LEGACY_PATTERNS : ECS_V1_PATTERNS) };
  const dirs = (options.patterns_dir ?? []).map(String);
  for (const file of await patternFiles(dirs, options.patterns_files_glob ?? '*')) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new Error(`Grok pattern file does not exist: ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const [name, pattern] of parsePatternsFile(text)) table[name] = pattern;
  }
  for (const [name, pattern] of Object.entries(options.pattern_definitions ?? {})) {
    if (pattern === null || pattern === undefined) continue;
    table[name] = String(pattern).replace(/\r?\n$/, '');
  }
  return table;
}

interface FieldGroks {
  field: string;
  groks: CompiledGrok[];
}

async function compileAll(options: GrokFilterOptions, ecs: EcsCompatibility): Promise<FieldGroks[]> {
  const table = await patternTable(options, ecs);
  await ensureRegexpEngine();
  return matchPairs(options.match).map(([field, expressions]) => ({
    field,
    groks: expressions.map((e) => compileGrok(e, table, options.named_captures_only !== false)),
  }));
}

export class GrokFilter extends FilterBase<GrokFilterOptions> {
  private fields: FieldGroks[] = [];
  private readonly overwrite: Set<string>;
  private readonly target: string | undefined;
  private readonly timeoutMs: number;
  private readonly eventScope: boolean;
  private readonly tagOnFailure: string[];
  timeouts = 0;

  constructor(options: GrokFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.overwrite = new Set((options.overwrite ?? []).map(String));
    const t = options.target?.trim();
    this.target = t ? (/\[.*?\]/.test(t) ? t : `[${t}]`) : undefined;
    this.timeoutMs = Number(options.timeout_millis ?? 30000);
    this.eventScope = options.timeout_scope === 'event';
    this.tagOnFailure = (options.tag_on_failure ?? []).map(String);
  }

  async register(): Promise<void> {
    try {
      this.fields = await compileAll(this.options, this.ctx.ecsCompatibility);
    } catch (e) {
      if (e instanceof GrokPatternError) throw new Error(`${e.message} (grok expression ${JSON.stringify(e.expression)})`);
      throw e;
    }
  }

  filter(event: Event): Event[] {
    let matched = false;
    try {
      const started = this.eventScope && this.timeoutMs > 0 ? performance.now() : 0;
      for (const { field, groks } of this.fields) {
        if (this.matchField(event, field, groks, started)) {
          matched = true;
          if (this.options.break_on_match !== false) break;
        }
      }
    } catch (e) {
      if (!(e instanceof GrokTimeout)) throw e;
      this.log.warn(e.message);
      this.timeouts++;
      event.tag(String(this.options.tag_on_timeout ?? '_groktimeout'));
      return [event];
    }
    if (matched) this.filterMatched(event);
    else this.tagFailure(event, this.tagOnFailure);
    return [event];
  }

  stats(): Record<string, number> {
    return { ...super.stats(), timeouts: this.timeouts };
  }

  private matchField(event: Event, field: string, groks: CompiledGrok[], started: number): boolean {
    const input = event.get(field);
    if (Array.isArray(input)) {
      let success = false;
      for (const item of input) success = this.matchValue(event, field, groks, item, started) || success;
      return success;
    }
    return this.matchValue(event, field, groks, input, started);
  }

  private matchValue(event: Event, field: string, groks: CompiledGrok[], value: FieldValue | undefined, started: number): boolean {
    // Ruby's to_s: nil is "", everything else its text.
    const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : valueToString(value);
    let matched = false;
    for (const grok of groks) {
      const t0 = !this.eventScope && this.timeoutMs > 0 ? performance.now() : started;
      let m;
      try {
        m = grok.regexp.exec(text);
      } catch (e) {
        if (e instanceof RegexpRunawayError) throw new GrokTimeout(grok, field, text);
        this.log.warn('Grok regexp threw exception', { exception: (e as Error).message, class: (e as Error).name });
        return false;
      }
      if (this.timeoutMs > 0 && performance.now() - t0 > this.timeoutMs) throw new GrokTimeout(grok, field, text);
      if (m) {
        for (const capture of grok.captures) {
          for (const g of capture.groups) {
            const s = m.starts[g]!;
            let v: FieldValue | null = s < 0 ? null : text.slice(s, m.ends[g]);
            if (v !== null && capture.coerce === 'int') v = rubyToI(v);
            else if (v !== null && capture.coerce === 'float') v = new Float(rubyToF(v));
            this.handle(event, capture.field, v);
          }
        }
        matched = true;
        if (this.options.break_on_match !== false) break;
      }
    }
    return matched;
  }

  private handle(event: Event, field: string, value: FieldValue | null): void {
    if ((value === null || value === '') && !this.options.keep_empty_captures) return;
    const target = this.target ? `${this.target}${field.startsWith('[') ? field : `[${field}]`}` : field;
    if (this.overwrite.has(field)) {
      event.set(target, value);
      return;
    }
    const current = event.get(target);
    if (current === undefined || current === null) event.set(target, value);
    else if (Array.isArray(current)) event.set(target, [...current, value]);
    else if (typeof current === 'string') event.set(target, [current, value]);
  }
}

/** `-t`: every expression compiles against the patterns the filter would load. */
export async function check(options: GrokFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  const errors: string[] = [];
  let table: Record<string, string>;
  try {
    table = await patternTable(options, ctx.ecsCompatibility);
  } catch (e) {
    return { errors: [`grok filter at ${ctx.where}: ${(e as Error).message}`] };
  }
  await ensureRegexpEngine();
  // Patterns from a patterns_dir that is not on this machine cannot be checked: a warning, like a missing `:path`.
  const missingDirs = (options.patterns_dir ?? []).map(String).filter((d) => !existsSync(d));
  const notes: string[] = [];
  for (const [field, expressions] of matchPairs(options.match)) {
    for (const e of expressions) {
      try {
        compileGrok(e, table, options.named_captures_only !== false);
      } catch (err) {
        if (!(err instanceof GrokPatternError)) throw err;
        const at = err.offset !== undefined ? ` at offset ${err.offset}` : '';
        const problem = `grok filter at ${ctx.where}: match for field '${field}': ${err.message}${at} of ${JSON.stringify(e)}`;
        if (missingDirs.length > 0 && /not defined/.test(err.message)) {
          notes.push(`[WARN ] ${problem} (patterns_dir ${missingDirs.join(', ')} does not exist here, so its patterns are unknown)`);
        } else errors.push(problem);
      }
    }
  }
  return { errors, notes };
}

export function create(options: GrokFilterOptions, ctx: PluginContext): Filter {
  return new GrokFilter(options, ctx);
}
