// The date filter: `match => [field, format…]` with ISO8601, UNIX, UNIX_MS, TAI64N or Joda
// patterns; the first format that parses wins. `timezone` (may be sprintf'd) applies to values
// without an offset (default: the machine's zone, as the JVM's); `target` (default @timestamp);
// `tag_on_failure` (default `_dateparsefailure`). `locale` is accepted and ignored: month and day
// names are parsed in English only.
import type { Event } from '../../../event/event.ts';
import { compileJodaParser, parseIso8601 } from '../../../event/datetime-pattern.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { type Zone, systemZone, zoneFor } from '../../../event/timezone.ts';
import { Float, type FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { DateFilterOptions } from './schema.ts';

type Parser = (value: FieldValue, zone: Zone) => Timestamp | undefined;

function numberText(v: FieldValue): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Float) return String(v.value);
  return undefined;
}

const unixParser: Parser = (v) => {
  const s = numberText(v);
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  const [int, frac = ''] = s.split('.');
  const neg = int!.startsWith('-');
  const secs = Number(int);
  // Millisecond precision, like Logstash's date filter.
  const ms = Number((frac + '000').slice(0, 3));
  return Timestamp.fromMillis(secs * 1000 + (neg ? -ms : ms));
};

const unixMsParser: Parser = (v) => {
  const s = numberText(v);
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  return Timestamp.fromMillis(Math.trunc(Number(s)));
};

const tai64nParser: Parser = (v) => {
  if (typeof v !== 'string') return undefined;
  const s = v.startsWith('@') ? v.slice(1) : v;
  if (!/^[0-9a-fA-F]{24}$/.test(s)) return undefined;
  // Logstash: seconds from hex chars 1..15 (dropping the 2^62 marker), minus 10 s of TAI offset.
  const ms = Number.parseInt(s.slice(1, 16), 16) * 1000 - 10_000 + Math.floor(Number.parseInt(s.slice(16, 24), 16) / 1e6);
  return Timestamp.fromMillis(ms);
};

function formatParser(format: string): Parser {
  switch (format) {
    case 'ISO8601':
      return (v, zone) => (typeof v === 'string' ? parseIso8601(v, zone) : undefined);
    case 'UNIX':
      return unixParser;
    case 'UNIX_MS':
      return unixMsParser;
    case 'TAI64N':
      return tai64nParser;
    default: {
      const parse = compileJodaParser(format);
      return (v, zone) => (typeof v === 'string' ? parse(v, zone, new Date()) : undefined);
    }
  }
}

export class DateFilter extends FilterBase<DateFilterOptions> {
  private readonly field: string;
  private readonly parsers: Parser[];
  private readonly zone: (event: Event) => Zone;
  private readonly target: string;

  constructor(options: DateFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    const match = options.match.map(String);
    if (match.length < 2) {
      throw new Error('Invalid setting for date filter plugin: `match` needs a field name and at least one format');
    }
    this.field = match[0]!;
    this.parsers = match.slice(1).map(formatParser);
    const tz = options.timezone;
    if (typeof tz === 'string' && tz.includes('%{')) this.zone = (e) => zoneFor(sprintf(e, tz));
    else {
      const zone = typeof tz === 'string' ? zoneFor(tz) : systemZone();
      this.zone = () => zone;
    }
    if (options.locale !== undefined) {
      this.log.info('The date filter parses month and day names in English only; `locale` is ignored', { locale: options.locale });
    }
    this.target = options.target;
  }

  filter(event: Event): Event {
    const raw = event.get(this.field);
    if (raw === undefined || raw === null) return event;
    const values = Array.isArray(raw) ? raw : [raw];
    let parsed: Timestamp | undefined;
    let failed = false;
    let zone: Zone;
    try {
      zone = this.zone(event);
    } catch (e) {
      this.fail(event, raw, (e as Error).message);
      return event;
    }
    for (const v of values) {
      let ts: Timestamp | undefined;
      for (const p of this.parsers) {
        ts = p(v, zone);
        if (ts) break;
      }
      // Outside JS Date's range the value cannot be a usable timestamp: a parse failure, not a crash.
      if (ts && Math.abs(ts.seconds) < 8.64e12) parsed = ts;
      else failed = true;
    }
    if (parsed && !failed) {
      event.set(this.target, parsed);
      this.filterMatched(event);
    } else {
      this.fail(event, raw, `Invalid format: "${valueToString(values.find((v) => v !== undefined) ?? null)}"`);
    }
    return event;
  }

  private fail(event: Event, value: FieldValue, why: string): void {
    this.log.warn('Failed parsing date from field', { field: this.field, value: valueToString(value), exception: why });
    this.tagFailure(event, this.options.tag_on_failure);
  }
}

export function create(options: DateFilterOptions, ctx: PluginContext): Filter {
  return new DateFilter(options, ctx);
}
