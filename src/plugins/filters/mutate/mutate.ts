// The mutate filter, in Logstash's fixed order: coerce, rename, update, replace, convert, gsub,
// uppercase, capitalize, lowercase, strip, split, join, merge, copy; then the common
// add_field/remove_field/add_tag/remove_tag. An exception (a conversion that cannot apply, a field
// that cannot be set) stops the chain where it happened — what ran before stays, nothing after runs,
// the common options are not applied — logs a WARN and tags the event with tag_on_failure
// (`_mutate_error`); the event itself always goes on (mutate.rb#filter's rescue).
import type { Event } from '../../../event/event.ts';
import { deepClone } from '../../../event/event.ts';
import { compileRegexp, ensureRegexpEngine, regexpNeedsEngine, type Regexp } from '../../../regexp/regexp.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { fieldPath, interpolated, interpolatedFieldPath, staticFieldPath, type PathOf, type TextOf } from '../../../event/compiled-ref.ts';
import { compileFieldGetter, type FieldGetter } from '../../../event/field-getter.ts';
import { compileFieldRemover, compileFieldSetter, type FieldRemover, type FieldSetter } from '../../../event/field-setter.ts';
import { valueToString } from '../../../event/stringify.ts';
import { type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { rubyCapitalize, rubyJoin, rubySplit, rubyStrip } from '../../../event/ruby-strings.ts';
import { CONVERSIONS, type Conversion, converter } from './convert.ts';
import type { MutateFilterOptions } from './schema.ts';

type Pairs = [string, FieldValue][];

/** A `:hash` option as ordered pairs; the old array form `[k1, v1, k2, v2]` is accepted too. */
function pairs(v: unknown): Pairs {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    const out: Pairs = [];
    for (let i = 0; i + 1 < v.length; i += 2) out.push([String(v[i]), v[i + 1] as FieldValue]);
    return out;
  }
  return Object.entries(v as Record<string, FieldValue>);
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function template(v: FieldValue): string {
  return typeof v === 'string' ? v : valueToString(v);
}

export class MutateConfigurationError extends Error {
  constructor(why: string) {
    super(`Invalid setting for mutate filter plugin: ${why}`);
    this.name = 'MutateConfigurationError';
  }
}

/** A field and what is written to it: a value template (coerce/update/replace), a separator (split/join), a destination (copy). */
type FieldOp = { field: string; path: PathOf; text: TextOf; access: FieldAccess | undefined };
/** A static, valid field's compiled reader and writer (the per-event path otherwise). */
type FieldAccess = { get: FieldGetter; set: FieldSetter };

function fieldAccess(ref: string): FieldAccess | undefined {
  const path = staticFieldPath(ref);
  return path === undefined ? undefined : { get: compileFieldGetter(path), set: compileFieldSetter(path) };
}
type StringsOp = { field: string; path: PathOf };
type ConvertOp = { field: string; path: PathOf; access: FieldAccess | undefined; convert: (v: FieldValue) => FieldValue };

function fieldOps(p: Pairs, text: (arg: string) => TextOf): FieldOp[] {
  return p.map(([field, v]) => ({ field, path: fieldPath(field), text: text(template(v)), access: fieldAccess(field) }));
}

/** The operation kinds, numbered in the order mutate.rb#filter applies them. */
const enum Step {
  Coerce,
  Rename,
  Update,
  Replace,
  Convert,
  Gsub,
  Uppercase,
  Capitalize,
  Lowercase,
  Strip,
  Split,
  Join,
  Merge,
  Copy,
}

const literal =
  (s: string): TextOf =>
  () =>
    s;

export class MutateFilter extends FilterBase<MutateFilterOptions> {
  private readonly coerce: FieldOp[];
  private readonly rename: { from: PathOf; to: PathOf; removeFrom: FieldRemover | undefined; setTo: FieldSetter | undefined }[];
  private readonly update: FieldOp[];
  private readonly replace: FieldOp[];
  private readonly convert: ConvertOp[];
  /** needle: the compiled regexp, or the pattern text (compiled in register(), or per event when it holds %{…}). */
  private readonly gsub: { field: string; path: PathOf; needle: Regexp | string; replacement: string; dynamic: boolean }[];
  private readonly dynamicNeedles = new Map<string, Regexp>();
  private readonly uppercase: StringsOp[];
  private readonly capitalize: StringsOp[];
  private readonly lowercase: StringsOp[];
  private readonly strip: StringsOp[];
  private readonly split: FieldOp[];
  private readonly join: FieldOp[];
  private readonly merge: { dest: string; path: PathOf; added: { field: string; path: PathOf }[] }[];
  private readonly copy: { path: PathOf; dest: PathOf }[];
  /** The non-empty operation kinds, in mutate's order. */
  private readonly steps: readonly Step[];

  constructor(options: MutateFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.coerce = fieldOps(pairs(options['coerce']), interpolated);
    // The new name is sprintf'd after the old field is removed (it may name what was removed).
    this.rename = pairs(options['rename']).map(([from, to]) => {
      const fromPath = staticFieldPath(from);
      const toPath = staticFieldPath(template(to));
      return {
        from: interpolatedFieldPath(from),
        to: interpolatedFieldPath(template(to)),
        removeFrom: fromPath && compileFieldRemover(fromPath),
        setTo: toPath && compileFieldSetter(toPath),
      };
    });
    this.update = fieldOps(pairs(options['update']), interpolated);
    this.replace = fieldOps(pairs(options['replace']), interpolated);
    this.convert = pairs(options['convert']).map(([field, type]) => {
      const t = String(type);
      if (!(CONVERSIONS as readonly string[]).includes(t)) {
        throw new MutateConfigurationError(`Invalid conversion type '${t}', expected one of '${CONVERSIONS.join(',')}'`);
      }
      return { field, path: fieldPath(field), access: fieldAccess(field), convert: converter(t as Conversion, this.log) };
    });
    const g = list(options['gsub']);
    if (g.length % 3 !== 0) {
      throw new MutateConfigurationError(`Invalid gsub configuration ${JSON.stringify(g)}. gsub requires 3 non-nil elements per config entry`);
    }
    this.gsub = [];
    for (let i = 0; i < g.length; i += 3) {
      const needle = g[i + 1]!;
      const dynamic = needle.includes('%{');
      this.gsub.push({
        field: g[i]!,
        path: fieldPath(g[i]!),
        needle: dynamic || regexpNeedsEngine(needle) ? needle : compileRegexp(needle),
        replacement: g[i + 2]!,
        dynamic,
      });
    }
    const stringsOps = (v: unknown): StringsOp[] => list(v).map((field) => ({ field, path: fieldPath(field) }));
    this.uppercase = stringsOps(options['uppercase']);
    this.capitalize = stringsOps(options['capitalize']);
    this.lowercase = stringsOps(options['lowercase']);
    this.strip = stringsOps(options['strip']);
    this.split = fieldOps(pairs(options['split']), literal);
    this.join = fieldOps(pairs(options['join']), literal);
    this.merge = pairs(options['merge']).map(([dest, added]) => ({
      dest,
      path: fieldPath(dest),
      added: (Array.isArray(added) ? added.map(template) : [template(added)]).map((field) => ({ field, path: fieldPath(field) })),
    }));
    this.copy = pairs(options['copy']).map(([src, dest]) => ({ path: fieldPath(src), dest: fieldPath(template(dest)) }));
    const byStep: [Step, readonly unknown[]][] = [
      [Step.Coerce, this.coerce],
      [Step.Rename, this.rename],
      [Step.Update, this.update],
      [Step.Replace, this.replace],
      [Step.Convert, this.convert],
      [Step.Gsub, this.gsub],
      [Step.Uppercase, this.uppercase],
      [Step.Capitalize, this.capitalize],
      [Step.Lowercase, this.lowercase],
      [Step.Strip, this.strip],
      [Step.Split, this.split],
      [Step.Join, this.join],
      [Step.Merge, this.merge],
      [Step.Copy, this.copy],
    ];
    this.steps = byStep.filter(([, ops]) => ops.length > 0).map(([step]) => step);
  }

  /** Loads the regexp engine when a gsub pattern needs it, and compiles the patterns left. */
  async register(): Promise<void> {
    if (!this.gsub.some((g) => typeof g.needle === 'string')) return;
    await ensureRegexpEngine();
    for (const g of this.gsub) if (!g.dynamic && typeof g.needle === 'string') g.needle = compileRegexp(g.needle);
  }

  filter(event: Event): Event {
    try {
      this.apply(event);
      this.filterMatched(event);
    } catch (e) {
      this.log.warn('Exception caught while applying mutate filter', { exception: (e as Error).message });
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return event;
  }

  // Only the kinds this instance has, in mutate's order: most ElastiFlow instances have one or two of
  // the fourteen, and a call runs ~50 times per flow. Indexed loops, no destructuring.
  private apply(event: Event): void {
    const steps = this.steps;
    for (let s = 0; s < steps.length; s++) {
      switch (steps[s]) {
        case Step.Coerce:
          this.applyCoerce(event);
          break;
        case Step.Rename:
          this.applyRename(event);
          break;
        case Step.Update:
          this.applyUpdate(event);
          break;
        case Step.Replace:
          this.applyReplace(event);
          break;
        case Step.Convert:
          for (let i = 0; i < this.convert.length; i++) this.convertField(event, this.convert[i]!);
          break;
        case Step.Gsub:
          this.applyGsub(event);
          break;
        case Step.Uppercase:
          for (let i = 0; i < this.uppercase.length; i++) mapStrings(event, this.uppercase[i]!.path(event), upcase);
          break;
        case Step.Capitalize:
          for (let i = 0; i < this.capitalize.length; i++) mapStrings(event, this.capitalize[i]!.path(event), rubyCapitalize);
          break;
        case Step.Lowercase:
          for (let i = 0; i < this.lowercase.length; i++) mapStrings(event, this.lowercase[i]!.path(event), downcase);
          break;
        case Step.Strip:
          this.applyStrip(event);
          break;
        case Step.Split:
          this.applySplit(event);
          break;
        case Step.Join:
          this.applyJoin(event);
          break;
        case Step.Merge:
          for (let i = 0; i < this.merge.length; i++) this.mergeFields(event, this.merge[i]!);
          break;
        case Step.Copy:
          this.applyCopy(event);
          break;
      }
    }
  }

  private applyCoerce(event: Event): void {
    for (let i = 0; i < this.coerce.length; i++) {
      const op = this.coerce[i]!;
      const path = op.path(event);
      // (`[@metadata]` is included but never nil.)
      if (event.getPath(path) === null) event.setPath(path, op.text(event));
    }
  }

  private applyRename(event: Event): void {
    for (let i = 0; i < this.rename.length; i++) {
      const op = this.rename[i]!;
      // removePath answers undefined exactly when the field is not included (values are never undefined).
      const v = op.removeFrom !== undefined ? op.removeFrom(event) : event.removePath(op.from(event));
      if (v === undefined) continue;
      if (op.setTo !== undefined) op.setTo(event, v);
      else event.setPath(op.to(event), v);
    }
  }

  private applyUpdate(event: Event): void {
    for (let i = 0; i < this.update.length; i++) {
      const op = this.update[i]!;
      if (op.access !== undefined) {
        if (op.access.get(event) !== undefined) op.access.set(event, op.text(event));
        continue;
      }
      const path = op.path(event);
      if (event.includesPath(path)) event.setPath(path, op.text(event));
    }
  }

  private applyReplace(event: Event): void {
    for (let i = 0; i < this.replace.length; i++) {
      const op = this.replace[i]!;
      if (op.access !== undefined) op.access.set(event, op.text(event));
      else event.setPath(op.path(event), op.text(event));
    }
  }

  private applyGsub(event: Event): void {
    for (let i = 0; i < this.gsub.length; i++) {
      const g = this.gsub[i]!;
      const needle = g.dynamic ? this.dynamicNeedle(sprintf(event, g.needle as string)) : g.needle;
      this.gsubField(event, g.field, g.path(event), needle, g.replacement);
    }
  }

  private applyStrip(event: Event): void {
    for (let i = 0; i < this.strip.length; i++) {
      const path = this.strip[i]!.path(event);
      const v = event.getPath(path);
      if (typeof v === 'string') event.setPath(path, rubyStrip(v));
      else if (Array.isArray(v)) event.setPath(path, v.map(stripElement));
    }
  }

  private applySplit(event: Event): void {
    for (let i = 0; i < this.split.length; i++) {
      const op = this.split[i]!;
      const path = op.path(event);
      const v = event.getPath(path);
      if (typeof v === 'string') event.setPath(path, rubySplit(v, op.text(event)));
    }
  }

  private applyJoin(event: Event): void {
    for (let i = 0; i < this.join.length; i++) {
      const op = this.join[i]!;
      const path = op.path(event);
      const v = event.getPath(path);
      if (Array.isArray(v)) event.setPath(path, rubyJoin(v, op.text(event)));
    }
  }

  private applyCopy(event: Event): void {
    for (let i = 0; i < this.copy.length; i++) {
      const op = this.copy[i]!;
      const v = event.getPath(op.path(event));
      if (v === undefined || v === null) continue;
      event.setPath(op.dest(event), deepClone(v));
    }
  }

  private convertField(event: Event, op: ConvertOp): void {
    const access = op.access;
    const path = access === undefined ? op.path(event) : undefined;
    // Absent (undefined) or nil: nothing to convert (`[@metadata]` is included and a hash).
    const v = access === undefined ? event.getPath(path!) : access.get(event);
    if (v === null || v === undefined) return;
    if (isFieldMap(v)) {
      this.log.debug("I don't know how to type convert a hash, skipping", { field: op.field, value: valueToString(v) });
      return;
    }
    // A failing element leaves the whole array as it was (the map raises before the set).
    const converted = Array.isArray(v) ? convertElements(v, op.convert) : op.convert(v);
    if (access === undefined) event.setPath(path!, converted);
    else access.set(event, converted);
  }

  /** A `%{…}` needle, compiled once per distinct interpolated text. */
  private dynamicNeedle(source: string): Regexp {
    let re = this.dynamicNeedles.get(source);
    if (re === undefined) {
      re = compileRegexp(source);
      if (this.dynamicNeedles.size >= 1000) this.dynamicNeedles.clear();
      this.dynamicNeedles.set(source, re);
    }
    return re;
  }

  private gsubField(event: Event, field: string, path: readonly string[], needle: Regexp | string, replacement: string): void {
    const v = event.getPath(path);
    const re = typeof needle === 'string' ? compileRegexp(needle) : needle;
    const sub = (s: string): string => re.gsub(s, sprintf(event, replacement));
    if (typeof v === 'string') event.setPath(path, sub(v));
    else if (Array.isArray(v)) {
      event.setPath(
        path,
        v.map((x) => {
          if (typeof x === 'string') return sub(x);
          this.log.warn('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: x });
          return x;
        }),
      );
    } else if (v !== undefined) {
      this.log.debug('gsub mutation is only applicable for strings and arrays of strings, skipping', { field, value: v });
    }
  }

  private mergeFields(event: Event, op: { dest: string; path: PathOf; added: { field: string; path: PathOf }[] }): void {
    const destPath = op.path(event);
    let destValue = event.getPath(destPath);
    for (const added of op.added) {
      const addedValue = event.getPath(added.path(event));
      if (isFieldMap(destValue) !== isFieldMap(addedValue)) {
        this.log.error('Not possible to merge an array and a hash: ', { dest_field: op.dest, added_field: added.field });
        continue;
      }
      if (isFieldMap(destValue)) {
        const merged: FieldMap = { ...destValue, ...(addedValue as FieldMap) };
        event.setPath(destPath, merged);
        destValue = merged;
      } else {
        const merged = [...rubyArray(destValue), ...rubyArray(addedValue)];
        event.setPath(destPath, merged);
        destValue = merged;
      }
    }
  }
}

/** (Not an arrow inside convertField: one capturing its locals allocates a context on every call.) */
function convertElements(list: FieldValue[], convert: (v: FieldValue) => FieldValue): FieldValue[] {
  return list.map((x) => (x === null ? x : convert(x)));
}

function rubyArray(v: FieldValue | undefined): FieldValue[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

const upcase = (s: string): string => s.toUpperCase();

function stripElement(s: FieldValue): string {
  if (typeof s !== 'string') throw new Error(`undefined method \`strip' for ${valueToString(s)}`);
  return rubyStrip(s);
}
const downcase = (s: string): string => s.toLowerCase();

function mapStrings(event: Event, path: readonly string[], f: (s: string) => string): void {
  const v = event.getPath(path);
  if (typeof v === 'string') event.setPath(path, f(v));
  else if (Array.isArray(v)) event.setPath(path, v.map((x) => (typeof x === 'string' ? f(x) : x)));
}

/** `-t`: every static gsub pattern compiles (Logstash's register does Regexp.new on each). */
export async function check(options: MutateFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  const g = (options.gsub ?? []).map(String);
  const needles: string[] = [];
  for (let i = 1; i < g.length; i += 3) if (!g[i]!.includes('%{')) needles.push(g[i]!);
  if (needles.some((n) => regexpNeedsEngine(n))) await ensureRegexpEngine();
  const errors: string[] = [];
  for (const n of needles) {
    try {
      compileRegexp(n);
    } catch (e) {
      errors.push(`mutate filter at ${ctx.where}: gsub ${(e as Error).message}`);
    }
  }
  return { errors };
}

export function create(options: MutateFilterOptions, ctx: PluginContext): Filter {
  return new MutateFilter(options, ctx);
}
