// The translate filter (logstash-filter-translate 3.5): looks the `source` value up in a dictionary
// (the `dictionary` hash or a `dictionary_path` file, refreshed every `refresh_interval` seconds)
// and writes what it found, or the sprintf'd `fallback`, to `target`. Three shapes of update, as
// the plugin's single_value_update / array_of_values_update / array_of_maps_value_update:
// - no iterate_on: the source value (an array's first item) as text; skipped when the source is
//   missing, or when the target exists and override is off;
// - iterate_on == source: every item of the array, results in an array at `target` (nil where
//   nothing matched and no fallback);
// - iterate_on another field: an array of maps, `[iterate_on][i][source]` looked up into
//   `[iterate_on][i][target]`.
// filter_matched runs when something was written, and always for an in-place translation. An
// exception is logged ("Something went wrong when attempting to translate from dictionary") and
// the event goes on untagged, as in Logstash.
import { existsSync } from 'node:fs';
import { fieldPath } from '../../../event/compiled-ref.ts';
import type { Event } from '../../../event/event.ts';
import { compileFieldGetter } from '../../../event/field-getter.ts';
import { parseFieldReference } from '../../../event/fieldref.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import type { FieldValue } from '../../../event/values.ts';
import { FileRefresher, mtimeOf } from '../../../util/file-refresh.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, EcsCompatibility, Filter, PluginContext } from '../../types.ts';
import { DEFAULT_YAML_CODE_POINT_LIMIT, DictionaryFileError, dictionaryFormat, readDictionaryFile, type DictionaryEntries } from './dictionary-file.ts';
import { NO_MATCH, prepareKeys, TranslateDictionary, type MatchMode } from './lookup.ts';
import type { TranslateOptions } from './schema.ts';

/** A setting combination the plugin refuses at start (LogStash::ConfigurationError). */
export class TranslateConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranslateConfigurationError';
  }
}

export interface ResolvedFields {
  source: string;
  target: string;
  override: boolean;
  notes: string[];
}

/** source/field, target/destination, the ECS default target and the override default (translate.rb#initialize). */
export function resolveFields(options: TranslateOptions, ecs: EcsCompatibility): ResolvedFields {
  const notes: string[] = [];
  let source = options.source;
  if (options.field !== undefined) {
    if (source !== undefined) throw new TranslateConfigurationError(`Please remove \`field => ${JSON.stringify(options.field)}\` and only set the \`source => ...\` option instead`);
    notes.push(`intercepting \`field\` to populate \`source\`: \`${options.field}\``);
    source = options.field;
  }
  if (source === undefined) throw new TranslateConfigurationError('No source field specified, please provide the `source => ...` option');
  let target = options.target;
  if (options.destination !== undefined) {
    if (target !== undefined) throw new TranslateConfigurationError(`Please remove \`destination => ${JSON.stringify(options.destination)}\` and only set the \`target => ...\` option instead`);
    notes.push(`intercepting \`destination\` to populate \`target\`: \`${options.destination}\``);
    target = options.destination;
  }
  target ??= ecs === 'disabled' ? 'translation' : source;
  // In-place translation may overwrite its own source unless told otherwise.
  const override = options.override ?? target === source;
  return { source, target, override, notes };
}

/** Checks translate.rb#register makes before loading anything. */
export function registerProblems(options: TranslateOptions): string[] {
  const problems: string[] = [];
  const hasDictionary = options.dictionary !== undefined && Object.keys(options.dictionary).length > 0;
  if (options.dictionary_path !== undefined && hasDictionary) {
    problems.push("Cannot register filter translate plugin. The error reported is: The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive");
  }
  const limit = options.yaml_dictionary_code_point_limit;
  if (limit !== undefined) {
    if (options.dictionary_path !== undefined && dictionaryFormat(options.dictionary_path) !== 'yaml') {
      problems.push('Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format');
    } else if (limit <= 0) {
      problems.push(`Please set a positive number in \`yaml_dictionary_code_point_limit => ${limit}\`.`);
    }
  }
  if (options.dictionary_path !== undefined && dictionaryFormat(options.dictionary_path) === undefined) {
    problems.push(`Translate: Dictionary ${options.dictionary_path} has a non valid format`);
  }
  return problems;
}

function matchMode(options: TranslateOptions): MatchMode {
  return options.exact ? (options.regex ? 'regex' : 'exact') : 'fuzzy';
}

/** The `dictionary` option as entries: a hash, or Logstash's old flat array `[k1, v1, k2, v2]`. */
function inlineEntries(dictionary: unknown): DictionaryEntries {
  const entries: [string, FieldValue][] = [];
  if (Array.isArray(dictionary)) {
    for (let i = 0; i + 1 < dictionary.length; i += 2) entries.push([String(dictionary[i]), dictionary[i + 1] as FieldValue]);
  } else if (dictionary && typeof dictionary === 'object') {
    for (const [k, v] of Object.entries(dictionary as Record<string, FieldValue>)) entries.push([k, v]);
  }
  return { entries, nonStringKeys: [] };
}

function readOptions(options: TranslateOptions): { yamlLoadStrategy: 'one_shot' | 'streaming'; yamlCodePointLimit: number } {
  return { yamlLoadStrategy: options.yaml_load_strategy, yamlCodePointLimit: options.yaml_dictionary_code_point_limit ?? DEFAULT_YAML_CODE_POINT_LIMIT };
}

/** `[a]` stays, `a` becomes `[a]` (array_of_maps_value_update.rb#ensure_reference_format). */
function bracketed(field: string): string {
  return field.startsWith('[') && field.endsWith(']') ? field : `[${field}]`;
}

/** Ruby's `value.to_s` for a looked-up source (arrays use their first item, as the plugin does). */
function sourceText(value: FieldValue | undefined): string {
  return valueToString(value ?? null);
}

/** applies() when the event is not translated. */
const SKIP: unique symbol = Symbol('skip');

interface Updater {
  /** SKIP when the event is not translated at all; else what update() gets (the source value, when read). */
  applies(event: Event): FieldValue | undefined | typeof SKIP;
  /** Writes the translation; true when something was written (matched or fell back). */
  update(event: Event, source: FieldValue | undefined): boolean;
}

export class TranslateFilter extends FilterBase<TranslateOptions> {
  readonly dictionary: TranslateDictionary;
  private readonly fields: ResolvedFields;
  private readonly fallback: Interpolator | undefined;
  private readonly updater: Updater;
  private refresher: FileRefresher | undefined;
  private errors = 0;
  private reloads = 0;

  constructor(options: TranslateOptions, ctx: PluginContext) {
    super(options, ctx);
    this.fields = resolveFields(options, ctx.ecsCompatibility);
    for (const note of this.fields.notes) this.log.info(note);
    const problems = registerProblems(options);
    if (problems.length > 0) throw new TranslateConfigurationError(problems[0]!);
    this.dictionary = new TranslateDictionary(matchMode(options));
    this.fallback = options.fallback !== undefined ? compileSprintf(options.fallback) : undefined;
    this.updater = this.makeUpdater();
  }

  async register(): Promise<void> {
    const path = this.options.dictionary_path;
    if (path === undefined) {
      const inline = inlineEntries(this.options.dictionary);
      await prepareKeys(this.dictionary.mode, inline);
      this.dictionary.replace(inline);
      return;
    }
    const refresher = new FileRefresher({
      path,
      intervalSeconds: this.options.refresh_interval,
      // file.rb: with a refresh of 300 s or less only a changed mtime triggers a reload.
      onlyWhenModified: this.options.refresh_interval < 300.001,
      reload: () => this.reload(),
      onError: (e) => this.reloadFailed(e),
    });
    refresher.markLoaded(await mtimeOf(path));
    try {
      await this.install(await readDictionaryFile(path, readOptions(this.options)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.log.warn('dictionary file read failure, continuing with old dictionary', { path });
      } else {
        throw new Error(`Translate: ${reasonOf(e)} when loading dictionary file at ${path}`);
      }
    }
    this.refresher = refresher;
    refresher.start();
  }

  filter(event: Event): Event {
    const source = this.updater.applies(event);
    if (source === SKIP) return event;
    try {
      if (this.updater.update(event, source) || this.fields.source === this.fields.target) this.filterMatched(event);
    } catch (e) {
      this.errors++;
      this.log.error('Something went wrong when attempting to translate from dictionary', {
        exception: (e as Error).message,
        source: this.fields.source,
      });
    }
    return event;
  }

  close(): void {
    this.refresher?.stop();
  }

  stats(): Record<string, number> {
    return { ...super.stats(), errors: this.errors, reloads: this.reloads, dictionary_size: this.dictionary.size };
  }

  /** One refresh check now, as the timer runs it (a failure is logged and the old dictionary kept). */
  async refreshNow(): Promise<void> {
    await this.refresher?.runOnce();
  }

  private async reload(): Promise<void> {
    const path = this.options.dictionary_path!;
    await this.install(await readDictionaryFile(path, readOptions(this.options)));
    this.reloads++;
    this.log.debug('refreshed dictionary file', { path, entries: this.dictionary.size });
  }

  private async install(entries: DictionaryEntries): Promise<void> {
    await prepareKeys(this.dictionary.mode, entries);
    const file = this.options.dictionary_path ?? '<dictionary>';
    if (this.options.refresh_behaviour === 'replace') this.dictionary.replace(entries, file);
    else this.dictionary.merge(entries, file);
  }

  private reloadFailed(e: unknown): void {
    const path = this.options.dictionary_path!;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      this.log.warn('dictionary file read failure, continuing with old dictionary', { path });
    } else {
      this.log.warn(`Translate: ${reasonOf(e)} when loading dictionary file at ${path}, continuing with old dictionary`, { dictionary_path: path });
    }
  }

  private makeUpdater(): Updater {
    const { source, target, override } = this.fields;
    const iterateOn = this.options.iterate_on;
    const dictionary = this.dictionary;
    const fallback = this.fallback;
    const readSource = fieldReader(source);
    const hasTarget = fieldTester(target);
    // Parsed once; an invalid target fails on each event's write, as event.set does.
    const targetPath = fieldPath(target);
    // The source is read once: includes(source) is "its value is not undefined" (the whole @metadata is always there).
    const sourceIsMetadata = isWholeMetadata(parsedOrUndefined(source));
    const singleApplies = (event: Event): FieldValue | undefined | typeof SKIP => {
      if (!override && hasTarget(event)) return SKIP;
      const value = readSource(event);
      return value !== undefined || sourceIsMetadata ? value : SKIP;
    };
    if (iterateOn === undefined) {
      return {
        applies: singleApplies,
        update(event, value) {
          const found = dictionary.fetch(typeof value === 'string' ? value : Array.isArray(value) ? sourceText(value[0]) : sourceText(value));
          if (found !== NO_MATCH) {
            event.setPath(targetPath(event), found);
            return true;
          }
          if (fallback === undefined) return false;
          const text = fallback(event);
          event.setPath(targetPath(event), text);
          return true;
        },
      };
    }
    if (iterateOn === source) {
      return {
        applies: singleApplies,
        update(event, value) {
          const items = rubyArray(value);
          const filler = fallback === undefined ? null : fallback(event);
          const out: FieldValue[] = items.map((item) => {
            const found = dictionary.fetch(sourceText(item));
            return found === NO_MATCH ? filler : found;
          });
          event.setPath(targetPath(event), out);
          return out.some((v) => v !== null && v !== false);
        },
      };
    }
    const base = bracketed(iterateOn);
    const inner = bracketed(source);
    const dest = bracketed(target);
    const basePath = fieldPath(base);
    return {
      applies: (event) => (event.includesPath(basePath(event)) ? undefined : SKIP),
      update(event) {
        const count = rubyArray(event.getPath(basePath(event))).length;
        let any = false;
        for (let i = 0; i < count; i++) {
          const value = event.get(`${base}[${i}]${inner}`);
          if (value === undefined || value === null) continue;
          const found = dictionary.fetch(sourceText(value));
          if (found !== NO_MATCH) event.set(`${base}[${i}]${dest}`, found);
          else if (fallback !== undefined) event.set(`${base}[${i}]${dest}`, fallback(event));
          else continue;
          any = true;
        }
        return any;
      },
    };
  }
}

/** event.get(ref) with the reference parsed once (an invalid one keeps failing per event, as before). */
function fieldReader(ref: string): (event: Event) => FieldValue | undefined {
  const path = parsedOrUndefined(ref);
  return path ? compileFieldGetter(path) : (event) => event.get(ref);
}

function isWholeMetadata(path: readonly string[] | undefined): boolean {
  return path !== undefined && path.length === 1 && path[0] === '@metadata';
}

/** event.includes(ref) with the reference parsed once. */
function fieldTester(ref: string): (event: Event) => boolean {
  const path = parsedOrUndefined(ref);
  if (!path) return (event) => event.includes(ref);
  if (isWholeMetadata(path)) return () => true;
  const get = compileFieldGetter(path);
  return (event) => get(event) !== undefined;
}

function parsedOrUndefined(ref: string): readonly string[] | undefined {
  try {
    return parseFieldReference(ref);
  } catch {
    return undefined;
  }
}

/** Ruby's Kernel#Array: nil → [], an array as is, a hash → its [key, value] pairs, anything else → [it]. */
function rubyArray(value: FieldValue | undefined): FieldValue[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && !(value instanceof Date) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value as Record<string, FieldValue>).map(([k, v]) => [k, v]);
  }
  return [value];
}

function reasonOf(e: unknown): string {
  if (e instanceof DictionaryFileError) return e.line !== undefined ? `${e.reason} (line ${e.line})` : e.reason;
  return (e as Error).message;
}

export function create(options: TranslateOptions, ctx: PluginContext): Filter {
  return new TranslateFilter(options, ctx);
}

/** `-t`: the settings translate refuses, and a dictionary file that exists but does not load (file:line: why). */
export async function check(options: TranslateOptions, ctx: CheckContext): Promise<CheckResult> {
  const where = `filter translate at ${ctx.where}`;
  const errors: string[] = [];
  try {
    resolveFields(options, ctx.ecsCompatibility);
  } catch (e) {
    errors.push(`${where}: ${(e as Error).message}`);
  }
  const problems = registerProblems(options);
  errors.push(...problems.map((p) => `${where}: ${p}`));
  const path = options.dictionary_path;
  if (problems.length === 0 && path === undefined && matchMode(options) === 'regex') {
    try {
      const inline = inlineEntries(options.dictionary);
      await prepareKeys('regex', inline);
      new TranslateDictionary('regex').replace(inline);
    } catch (e) {
      errors.push(`${where}: dictionary: ${e instanceof DictionaryFileError ? e.reason : (e as Error).message}`);
    }
  }
  if (problems.length === 0 && path !== undefined && existsSync(path)) {
    try {
      const dictionary = new TranslateDictionary(matchMode(options));
      const entries = await readDictionaryFile(path, readOptions(options));
      await prepareKeys(dictionary.mode, entries);
      dictionary.replace(entries, path);
    } catch (e) {
      const located = e instanceof DictionaryFileError ? `${e.file || path}${e.line !== undefined ? `:${e.line}` : ''}: ${e.reason}` : `${path}: ${(e as Error).message}`;
      errors.push(`${where}: dictionary_path cannot be loaded: ${located}`);
    }
  }
  return { errors };
}
