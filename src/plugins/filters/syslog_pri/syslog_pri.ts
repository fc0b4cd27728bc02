// The syslog_pri filter (logstash-filter-syslog_pri 3.2): priority = facility * 8 + severity, read
// from `syslog_pri_field_name` (Ruby to_i; the first element of an array; 13 when absent), written as
// codes and, with use_labels, RFC 3164 names (a label index follows Ruby's Array#[]: negative indexes
// count from the end, past the end is no label). Field names by ECS mode (v8 selects v1's):
//   disabled: syslog_pri → syslog_facility_code, syslog_severity_code, syslog_facility, syslog_severity
//   v1/v8:    [log][syslog][priority] → [log][syslog][facility][code|name], [log][syslog][severity][code|name]
import type { Event } from '../../../event/event.ts';
import { rubyToI } from '../../../event/ruby-strings.ts';
import { Float, type FieldValue, rubyClassName } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { SyslogPriFilterOptions } from './schema.ts';

const FIELDS = {
  disabled: { pri: 'syslog_pri', facilityCode: 'syslog_facility_code', severityCode: 'syslog_severity_code', facility: 'syslog_facility', severity: 'syslog_severity' },
  ecs: {
    pri: '[log][syslog][priority]',
    facilityCode: '[log][syslog][facility][code]',
    severityCode: '[log][syslog][severity][code]',
    facility: '[log][syslog][facility][name]',
    severity: '[log][syslog][severity][name]',
  },
};

/** Ruby's `to_i` on what the field holds; undefined when the value has no to_i (a Hash, a boolean). */
function toI(v: FieldValue): bigint | undefined {
  if (typeof v === 'string') return BigInt(rubyToI(v));
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (v instanceof Float) return Number.isFinite(v.value) ? BigInt(Math.trunc(v.value)) : undefined;
  return undefined;
}

const label = (labels: unknown[], i: bigint): string | undefined => {
  const n = Number(i);
  const v = labels[n < 0 ? labels.length + n : n];
  return v === undefined || v === null ? undefined : String(v);
};

const toNumber = (b: bigint): number | bigint => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

export class SyslogPriFilter extends FilterBase<SyslogPriFilterOptions> {
  private readonly names: (typeof FIELDS)['disabled'];
  private readonly source: string;

  constructor(options: SyslogPriFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.names = ctx.ecsCompatibility === 'disabled' ? FIELDS.disabled : FIELDS.ecs;
    this.source = options.syslog_pri_field_name ?? this.names.pri;
  }

  filter(event: Event): Event[] {
    const raw = event.get(this.source);
    let priority = 13n;
    if (raw !== undefined && raw !== null && raw !== false) {
      const v = Array.isArray(raw) ? raw[0] : raw;
      const p = v === undefined || v === null ? 0n : toI(v);
      if (p === undefined) {
        this.log.error(`undefined method \`to_i' for ${rubyClassName(v)}`, { field: this.source });
        return [event];
      }
      priority = p;
    }
    const severity = priority & 7n;
    const facility = priority >> 3n;
    event.set(this.names.severityCode, toNumber(severity));
    event.set(this.names.facilityCode, toNumber(facility));
    if (this.options.use_labels) {
      const f = label(this.options.facility_labels, facility);
      if (f !== undefined) event.set(this.names.facility, f);
      const s = label(this.options.severity_labels, severity);
      if (s !== undefined) event.set(this.names.severity, s);
    }
    this.filterMatched(event);
    return [event];
  }
}

export function create(options: SyslogPriFilterOptions, ctx: PluginContext): Filter {
  return new SyslogPriFilter(options, ctx);
}
