// The csv filter (logstash-filter-csv, lib/logstash/filters/csv.rb): parses the first CSV row of
// `source` into `columns` (then column<N>), under `target` when given. `autodetect_column_names`
// takes the names from the first event seen and drops that event; `skip_header` drops an event whose
// values equal the column names (both hold state, so they need one pipeline worker, as in Logstash).
// An empty row is tagged `_csvskippedemptyfield` with `skip_empty_rows`; a malformed row, or a
// conversion that cannot apply to an empty column, tags `_csvparsefailure` with "Error parsing csv".
import type { Event } from '../../../event/event.ts';
import { valueToString } from '../../../event/stringify.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { checkEcsTarget } from '../../../util/ecs-target-check.ts';
import { CONVERSIONS, type Conversion, type Converter, converterFor } from './convert.ts';
import { parseCsvLine } from './parse-line.ts';
import type { CsvFilterOptions } from './schema.ts';

export class CsvConfigurationError extends Error {
  constructor(where: string, why: string) {
    super(`Invalid setting for csv filter plugin (${where}): ${why}`);
    this.name = 'CsvConfigurationError';
  }
}

export class CsvFilter extends FilterBase<CsvFilterOptions> {
  private columns: string[];
  private readonly converters = new Map<string, Converter>();
  private readonly quoteChar: string;
  private readonly fieldPrefix: string;

  constructor(options: CsvFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    const bad = [...new Set(Object.values(options.convert).map(String))].filter((t) => !(CONVERSIONS as readonly string[]).includes(t));
    if (bad.length > 0) throw new CsvConfigurationError(ctx.where, `Invalid conversion types: ${bad.join(', ')}`);
    for (const [column, type] of Object.entries(options.convert)) this.converters.set(column, converterFor(String(type) as Conversion));
    this.columns = options.columns.map(String);
    // A NUL quote written in the config as the four characters \x00 (csv.rb#register).
    this.quoteChar = options.quote_char === '\\x00' ? '\u0000' : options.quote_char;
    const target = options.target;
    this.fieldPrefix = target === undefined ? '' : target.startsWith('[') ? target : `[${target}]`;
    checkEcsTarget(ctx.ecsCompatibility, target, this.log);
  }

  filter(event: Event): Event[] {
    const source = event.get(this.options.source);
    if (source === undefined || source === null || source === false) return [event];
    try {
      if (typeof source !== 'string') throw new TypeError(`no implicit conversion of ${valueToString(source)} into String`);
      const values = parseCsvLine(source, this.options.separator, this.quoteChar);
      if (this.options.autodetect_column_names && this.columns.length === 0) {
        this.columns = (values ?? []).map((v) => v ?? '');
        return this.drop(event);
      }
      if (this.options.skip_header && this.columns.length > 0 && values !== null && sameRow(this.columns, values)) return this.drop(event);
      if (values === null) {
        if (this.options.skip_empty_rows) {
          event.tag('_csvskippedemptyfield');
          return [event];
        }
        throw new TypeError("undefined method `each_index' for nil");
      }
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (this.options.skip_empty_columns && (value === null || value === '')) continue;
        const name = this.columns[i];
        if (name === undefined && !this.options.autogenerate_column_names) continue;
        const field = name ?? `column${i + 1}`;
        const convert = this.converters.get(field);
        event.set(this.fieldRef(field), convert ? convert(value) : value);
      }
      this.filterMatched(event);
    } catch (e) {
      this.tagFailure(event, '_csvparsefailure');
      this.log.warn('Error parsing csv', { field: this.options.source, source: valueToString(source), exception: (e as Error).message });
    }
    return [event];
  }

  private fieldRef(name: string): string {
    if (this.fieldPrefix === '') return name;
    return name.startsWith('[') ? this.fieldPrefix + name : `${this.fieldPrefix}[${name}]`;
  }

  private drop(event: Event): Event[] {
    event.cancelled = true;
    return [];
  }
}

function sameRow(columns: string[], values: (string | null)[]): boolean {
  return columns.length === values.length && columns.every((c, i) => c === values[i]);
}

export function create(options: CsvFilterOptions, ctx: PluginContext): Filter {
  return new CsvFilter(options, ctx);
}
