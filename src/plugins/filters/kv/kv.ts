// The kv filter (logstash-filter-kv, lib/logstash/filters/kv.rb): scans `source` (a string or each
// string of an array) for key/value pairs, trims/removes/transforms keys and values, filters keys,
// merges `default_keys` under what was found, and writes the pairs to `target` or the top level
// (where each key is a field reference). A repeated key collects its values into an array.
// Failures: an exception tags `tag_on_failure` and logs "Exception while parsing KV"; a scan that
// runs past `timeout_millis` tags `tag_on_timeout`. The time is checked between matches; a single
// runaway match is cut off by the regexp helper's own budget (Oniguruma's retry limit), which is then
// reported the same way.
import type { Event } from '../../../event/event.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import { rubyCapitalize } from '../../../event/ruby-strings.ts';
import { rubyInspectString } from '../../../event/ruby-inspect.ts';
import { valueToString } from '../../../event/stringify.ts';
import { type FieldMap, type FieldValue, isFieldMap, rubyClassName, setOwn } from '../../../event/values.ts';
import { compileRegexpAsync, RegexpRunawayError, type Regexp } from '../../../regexp/regexp.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { checkEcsTarget } from '../../../util/ecs-target-check.ts';
import type { KvFilterOptions } from './schema.ts';
import { scanPatterns, type ScanPatterns } from './scan-pattern.ts';

interface Compiled {
  scan: Regexp;
  valueSplit: Regexp;
  trimKey?: Regexp;
  trimValue?: Regexp;
  removeKey?: Regexp;
  removeValue?: Regexp;
}

export class KvConfigurationError extends Error {
  constructor(where: string, why: string) {
    super(`Invalid setting for kv filter plugin (${where}): ${why}`);
    this.name = 'KvConfigurationError';
  }
}

class KvTimeout extends Error {}

type Transform = (s: string) => string;

const TRANSFORMS: Record<string, Transform> = {
  lowercase: (s) => s.toLowerCase(),
  uppercase: (s) => s.toUpperCase(),
  capitalize: rubyCapitalize,
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

export class KvFilter extends FilterBase<KvFilterOptions> {
  private readonly patterns: ScanPatterns;
  private readonly sources: Record<'trimKey' | 'trimValue' | 'removeKey' | 'removeValue', string | undefined>;
  private re: Compiled | undefined;
  private readonly transformKey?: Transform;
  private readonly transformValue?: Transform;
  private readonly includeKeys: Interpolator[];
  private readonly excludeKeys: Interpolator[];
  private readonly prefix: Interpolator;
  private readonly defaults: [string, FieldValue][];
  private deadline = Infinity;

  constructor(options: KvFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    const o = options;
    if (o.value_split === '') throw new KvConfigurationError(ctx.where, "Configuration option 'value_split' must be a non-empty string");
    if (o.field_split_pattern === '') throw new KvConfigurationError(ctx.where, "Configuration option 'field_split_pattern' must be a non-empty string");
    if (o.value_split_pattern === '') throw new KvConfigurationError(ctx.where, "Configuration option 'value_split_pattern' must be a non-empty string");
    const trim = (chars: string | undefined): string | undefined => (chars === undefined ? undefined : `^[${chars}]+|[${chars}]+$`);
    const remove = (chars: string | undefined): string | undefined => (chars === undefined ? undefined : `[${chars}]`);
    this.sources = { trimKey: trim(o.trim_key), trimValue: trim(o.trim_value), removeKey: remove(o.remove_char_key), removeValue: remove(o.remove_char_value) };
    this.transformKey = o.transform_key === undefined ? undefined : TRANSFORMS[o.transform_key];
    this.transformValue = o.transform_value === undefined ? undefined : TRANSFORMS[o.transform_value];
    this.patterns = scanPatterns({
      field_split: o.field_split,
      value_split: o.value_split,
      field_split_pattern: o.field_split_pattern,
      value_split_pattern: o.value_split_pattern,
      include_brackets: o.include_brackets,
      whitespace: o.whitespace,
    });
    this.includeKeys = strings(o.include_keys).map(compileSprintf);
    this.excludeKeys = strings(o.exclude_keys).map(compileSprintf);
    this.prefix = compileSprintf(o.prefix);
    this.defaults = Object.entries(o.default_keys as FieldMap);
    checkEcsTarget(ctx.ecsCompatibility, o.target, this.log);
  }

  async register(): Promise<void> {
    const optional = async (source: string | undefined): Promise<Regexp | undefined> => (source === undefined ? undefined : compileRegexpAsync(source));
    // User-written splitter patterns can backtrack without end; only Oniguruma's retry budget cuts that off.
    const userPatterns = this.options.field_split_pattern !== undefined || this.options.value_split_pattern !== undefined;
    const engine = userPatterns ? ({ engine: 'oniguruma' } as const) : {};
    const [scan, valueSplit, trimKey, trimValue, removeKey, removeValue] = await Promise.all([
      compileRegexpAsync(this.patterns.scan, engine),
      compileRegexpAsync(this.patterns.valueSplit, engine),
      optional(this.sources.trimKey),
      optional(this.sources.trimValue),
      optional(this.sources.removeKey),
      optional(this.sources.removeValue),
    ]);
    this.re = { scan: scan!, valueSplit: valueSplit!, ...(trimKey && { trimKey }), ...(trimValue && { trimValue }), ...(removeKey && { removeKey }), ...(removeValue && { removeValue }) };
  }

  filter(event: Event): Event[] {
    const value = event.get(this.options.source);
    try {
      this.deadline = this.options.timeout_millis > 0 ? performance.now() + this.options.timeout_millis : Infinity;
      const found = this.parseValue(value, event);
      // @default_keys.merge(kv): defaults first, found pairs override them.
      const kv: FieldMap = {};
      for (const [k, v] of this.defaults) setOwn(kv, k, v);
      for (const k of Object.keys(found)) setOwn(kv, k, found[k]!);
      if (Object.keys(kv).length === 0) return [event];
      if (this.options.target !== undefined) event.set(this.options.target, kv);
      else for (const k of Object.keys(kv)) event.set(k, kv[k]!);
      this.filterMatched(event);
    } catch (e) {
      if (e instanceof KvTimeout || e instanceof RegexpRunawayError) {
        this.log.warn(`Timeout reached in KV filter with value ${summarize(value)}`);
        this.tagFailure(event, this.options.tag_on_timeout);
      } else {
        this.log.warn('Exception while parsing KV', { exception: (e as Error).message });
        this.tagFailure(event, this.options.tag_on_failure);
      }
    }
    return [event];
  }

  private parseValue(value: FieldValue | undefined, event: Event): FieldMap {
    const kv: FieldMap = {};
    if (value === undefined || value === null) return kv;
    if (typeof value === 'string') this.parse(value, event, kv);
    else if (Array.isArray(value)) {
      for (const v of value) if (typeof v === 'string') this.parse(v, event, kv);
    } else {
      this.log.warn('kv filter has no support for this type of data', { type: rubyClassName(value), value: valueToString(value) });
    }
    return kv;
  }

  private parse(text: string, event: Event, kv: FieldMap): void {
    const re = this.re;
    if (!re) throw new Error('kv filter used before register()');
    if (!re.valueSplit.test(text)) return;
    const include = this.includeKeys.map((k) => k(event));
    const exclude = this.excludeKeys.map((k) => k(event));
    const o = this.options;
    for (let from = 0; from <= text.length; ) {
      const m = re.scan.exec(text, from);
      if (!m) break;
      // String#scan: the next search starts where this match ended (one further after an empty match).
      from = m.ends[0]! > m.starts[0]! ? m.ends[0]! : m.ends[0]! + 1;
      if (performance.now() > this.deadline) throw new KvTimeout();
      const group = (g: number): string | undefined => (m.starts[g]! < 0 ? undefined : text.slice(m.starts[g], m.ends[g]));
      let value: string | undefined;
      for (let g = 2; g < m.starts.length && value === undefined; g++) value = group(g);
      if (value === undefined || value === '') {
        if (!o.allow_empty_values) continue;
        value = '';
      }
      let key = group(1)!;
      if (re.trimKey) key = re.trimKey.gsub(key, '');
      if (re.removeKey) key = re.removeKey.gsub(key, '');
      if (this.transformKey) key = this.transformKey(key);
      if (include.length > 0 && !include.includes(key)) continue;
      if (exclude.includes(key)) continue;
      key = this.prefix(event) + key;
      if (re.trimValue) value = re.trimValue.gsub(value, '');
      if (re.removeValue) value = re.removeValue.gsub(value, '');
      if (this.transformValue) value = this.transformValue(value);
      const has = Object.prototype.hasOwnProperty.call(kv, key);
      if (!o.allow_duplicate_values && has && rubyIncludes(kv[key]!, value)) continue;
      let stored: FieldValue = value;
      if (o.recursive) {
        const inner: FieldMap = {};
        this.parse(value, event, inner);
        if (Object.keys(inner).length > 0) stored = inner;
      }
      if (!has) setOwn(kv, key, stored);
      else {
        const existing = kv[key]!;
        if (Array.isArray(existing)) existing.push(stored);
        else setOwn(kv, key, [existing, stored]);
      }
    }
  }
}

/** Ruby's `include?` on what is stored: substring for a String, element for an Array, key for a Hash. */
function rubyIncludes(existing: FieldValue, value: string): boolean {
  if (typeof existing === 'string') return existing.includes(value);
  if (Array.isArray(existing)) return existing.some((x) => x === value);
  if (isFieldMap(existing)) return Object.prototype.hasOwnProperty.call(existing, value);
  return false;
}

/** kv.rb#summarize: the value in backquotes, or its first 256 characters dumped when 255 bytes or more. */
function summarize(value: FieldValue | undefined): string {
  const text = valueToString(value);
  if (Buffer.byteLength(text) < 255) return `\`${text}\``;
  return `entry too large; first 255 chars are \`${rubyInspectString(text.slice(0, 256))}\``;
}

export function create(options: KvFilterOptions, ctx: PluginContext): Filter {
  return new KvFilter(options, ctx);
}
