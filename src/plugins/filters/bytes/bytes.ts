// The bytes filter (logstash-filter-bytes 1.0): "<number> <k|m|g|t|p|e prefix>?<b>?" (any case,
// digits grouped by digit_group_separator, decimals after decimal_separator) → a float number of
// bytes in `target`, powers of 1024 (binary) or 1000 (metric). A missing source, a text that does
// not fit or an empty number tags tag_on_failure. The `e` prefix is accepted by the plugin's pattern
// but has no power in its table: Ruby then fails the event with an exception; here it is a tagged
// failure. Invalid prefix_system or equal separators: checked at start (the plugin checks per event).
import type { Event } from '../../../event/event.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Float } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { BytesFilterOptions } from './schema.ts';

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

export class BytesConfigurationError extends Error {}

const escapeClass = (s: string): string => s.replace(/[\]\\^-]/g, '\\$&');

export class BytesFilter extends FilterBase<BytesFilterOptions> {
  private readonly pattern: RegExp;
  private readonly target: string;

  constructor(options: BytesFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    if (!['binary', 'metric'].includes(options.prefix_system)) {
      throw new BytesConfigurationError(`Prefix system '${options.prefix_system}' is invalid! Pick one of ["binary", "metric"]`);
    }
    if (options.digit_group_separator === options.decimal_separator) {
      throw new BytesConfigurationError(`Digit group separator and decimal separator cannot be the same: '${options.digit_group_separator}'`);
    }
    if (options.target === undefined) throw new BytesConfigurationError('bytes: `target` must be set (the plugin has no default and fails every event without it)');
    this.target = options.target;
    this.pattern = new RegExp(`^([0-9${escapeClass(options.digit_group_separator)}${escapeClass(options.decimal_separator)}]*)\\s*([kKmMgGtTpPeE]?)([bB]?)$`, 'm');
  }

  filter(event: Event): Event[] {
    const raw = event.get(this.options.source);
    if (raw === undefined || raw === null || raw === false) return this.fail(event);
    const source = valueToString(raw).trim();
    const m = this.pattern.exec(source);
    if (!m) return this.fail(event);
    const number = [...m[1]!]
      .filter((c) => !this.options.digit_group_separator.includes(c))
      .map((c) => (this.options.decimal_separator.includes(c) ? '.' : c))
      .join('');
    if (number === '') return this.fail(event);
    let result = Number(/^\d*\.?\d*/.exec(number)![0]) || 0;
    const prefix = m[2]!.toLowerCase();
    if (prefix !== '') {
      const power = POWERS[prefix];
      if (power === undefined) return this.fail(event);
      result *= (this.options.prefix_system === 'binary' ? 1024 : 1000) ** power;
    }
    event.set(this.target, new Float(result));
    this.filterMatched(event);
    return [event];
  }

  private fail(event: Event): Event[] {
    this.tagFailure(event, this.options.tag_on_failure);
    return [event];
  }
}

export function create(options: BytesFilterOptions, ctx: PluginContext): Filter {
  return new BytesFilter(options, ctx);
}
