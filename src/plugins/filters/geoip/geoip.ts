// The geoip filter (logstash-filter-geoip 7.3/8.0): looks the `source` address up in a MaxMind DB
// and writes the fields of the database's kind under `target`, in the legacy layout
// (`[geoip][city_name]`) or, with ECS on, the ECS one (`[client][geo][city_name]`, target taken from
// a `[…][ip]` source). Outcomes as Logstash's GeoIPFilter.handleEvent:
// - source missing, empty or blank: tag_on_failure, nothing written;
// - not an IP literal, not in the database, a City record without coordinates: `target` set to {}
//   when absent, tag_on_failure (the reason logged at debug, as Logstash does);
// - found: the fields written, filter_matched.
// Without `database`, Logstash would use the GeoLite2 database it bundles; flowstash bundles none and
// never downloads one, so register() fails saying which file to pass.
import type { Event } from '../../../event/event.ts';
import { parseFieldReference, toReference } from '../../../event/fieldref.ts';
import { isFieldMap, type FieldMap, type FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { networkText, parseIpLiteral } from './address.ts';
import { FillOnceCache, GeoDatabase } from './database.ts';
import { desiredFields, fieldPath, GeoipConfigurationError, type GeoField } from './fields.ts';
import { kindWrites, recordSlots, RecordShapeError, type Slot } from './record.ts';
import type { GeoipFilterOptions } from './schema.ts';

const ECS_TARGET_FIELDS = ['client', 'destination', 'host', 'observer', 'server', 'source'];

/** Where a database can be had, for the message when `database` is not set. */
function missingDatabaseMessage(type: string): string {
  return (
    `no \`database\` set: Logstash would use the GeoLite2-${type} database it bundles (default_database_type => "${type}"); ` +
    `flowstash bundles none and never downloads one. Pass \`database => "/path/to/GeoLite2-${type}.mmdb"\` ` +
    `(free from MaxMind: https://dev.maxmind.com/geoip/geolite2-free-geolocation-data, or the copy under your Logstash's ` +
    `vendor/bundle/jruby/*/gems/logstash-filter-geoip-*/vendor/ or data/geoip_database_management/)`
  );
}

/** The target Logstash settles on (setup_target_field), or a configuration error. */
export function resolveTarget(source: string, target: string | undefined, ecs: boolean): { target: string; warning?: string } {
  if (!ecs) return { target: target ?? 'geoip' };
  let chosen = target;
  if (chosen === undefined) {
    if (!(source.endsWith('[ip]') && source.length > 4)) {
      throw new GeoipConfigurationError('GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]');
    }
    chosen = source.slice(0, -4);
  }
  const normalized = chosen.replace(/^\[([^[\]]+)\]$/, '$1');
  const warning = ECS_TARGET_FIELDS.includes(normalized)
    ? undefined
    : `ECS expect \`target\` value \`${normalized}\` in [${ECS_TARGET_FIELDS.map((f) => `"${f}"`).join(', ')}]`;
  return { target: chosen, warning };
}

export class GeoipFilter extends FilterBase<GeoipFilterOptions> {
  private database?: GeoDatabase;
  private target = '';
  private targetRef = '';
  private writers = new Map<GeoField, string>();
  private wanted: GeoField[] = [];
  private slotsCache = new FillOnceCache<Slot[]>(0);
  private readonly ecs: boolean;
  readonly lookups = { found: 0, notFound: 0, invalid: 0, errors: 0 };

  constructor(options: GeoipFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.ecs = ctx.ecsCompatibility !== 'disabled';
  }

  async register(): Promise<void> {
    const { target, warning } = resolveTarget(this.options.source, this.options.target, this.ecs);
    if (warning) this.log.warn(warning);
    this.target = target;
    this.targetRef = toReference(parseFieldReference(target));
    if (this.options.database === undefined) throw new GeoipConfigurationError(`geoip ${this.ctx.where}: ${missingDatabaseMessage(this.options.default_database_type)}`);
    this.database = await GeoDatabase.open(this.options.database, this.options.cache_size);
    this.log.info('Using geoip database', { path: this.options.database });
    this.wanted = desiredFields(this.database.kind, this.options.fields, this.ecs);
    if (this.database.kind === 'Unknown') {
      this.log.warn(`Unsupported database type ${this.database.databaseType}: Logstash's geoip filter raises on every event looked up in it`, { path: this.options.database });
    }
    const targetPath = parseFieldReference(target);
    for (const field of this.wanted) {
      const sub = fieldPath(field, this.ecs);
      if (sub && kindWrites(this.database.kind, field)) this.writers.set(field, toReference([...targetPath, ...sub]));
    }
    this.slotsCache = new FillOnceCache<Slot[]>(Math.max(0, this.options.cache_size));
  }

  filter(event: Event): Event[] {
    const outcome = this.lookupInto(event);
    if (outcome) this.filterMatched(event);
    else {
      if (this.log.isEnabled('debug')) this.log.debug(`IP ${String(event.get(this.options.source))} was not found in the database`);
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return [event];
  }

  /** GeoIPFilter.handleEvent: true when fields were written. */
  private lookupInto(event: Event): boolean {
    const db = this.database!;
    const input = event.get(this.options.source);
    if (input === undefined || input === null) return false;
    let ip: FieldValue | undefined = input;
    if (Array.isArray(input)) ip = input[0];
    if (typeof ip !== 'string') {
      // Logstash raises here (and the pipeline stops); flowstash logs, tags and goes on.
      this.lookups.errors++;
      this.log.error('Expected input field value to be String or List type', { field: this.options.source, value: ip === undefined ? 'an empty list' : String(ip) });
      return false;
    }
    if (ip.trim() === '') return false;
    const address = parseIpLiteral(ip);
    let slots: Slot[] = [];
    let prefixLength = 0;
    if (address === undefined) {
      this.lookups.invalid++;
      this.log.debug('IP Field contained invalid IP address or hostname', { field: this.options.source, value: ip });
    } else if (db.kind === 'Unknown') {
      this.lookups.errors++;
      this.log.error(`Unsupported database type ${db.databaseType}`, { field: this.options.source });
      return false;
    } else {
      const hit = db.find(address);
      if (hit === undefined) {
        this.lookups.notFound++;
        this.log.debug('IP not found!', { field: this.options.source, value: ip });
      } else {
        prefixLength = hit.prefixLength;
        let cached = this.slotsCache.get(hit.pointer);
        if (cached === undefined) {
          try {
            cached = recordSlots(db.kind, db.record(hit.pointer), this.wanted);
          } catch (e) {
            if (!(e instanceof RecordShapeError)) throw e;
            this.log.debug(`GeoIP2 Exception. ${e.message}`, { field: this.options.source, value: ip });
            cached = [];
          }
          this.slotsCache.set(hit.pointer, cached);
        }
        slots = cached;
        if (slots.length) this.lookups.found++;
        else this.lookups.notFound++;
      }
    }
    const existing = event.get(this.targetRef);
    try {
      if (existing === undefined || existing === null) event.set(this.targetRef, {});
      if (slots.length === 0) return false;
      for (const slot of slots) {
        const ref = this.writers.get(slot.field);
        if (ref === undefined) continue;
        const v = slot.value;
        const value: FieldValue = v === 'ip' ? address!.text : v === 'network' ? networkText(address!, prefixLength) : isFieldMap(v.fixed) ? { ...(v.fixed as FieldMap) } : v.fixed;
        event.set(ref, value);
      }
    } catch (e) {
      // Logstash raises when the target is not a map (and the pipeline stops); flowstash logs and tags.
      this.lookups.errors++;
      this.log.error(`Could not write the geoip fields under \`${this.target}\`: ${(e as Error).message}`, { field: this.options.source });
      return false;
    }
    return true;
  }

  stats(): Record<string, number> {
    return { ...this.counters, ...this.lookups };
  }
}

export function create(options: GeoipFilterOptions, ctx: PluginContext): Filter {
  return new GeoipFilter(options, ctx);
}

/** `-t`: the target rule, a set and readable database, and the `fields` names. */
export async function check(options: GeoipFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  const errors: string[] = [];
  const where = `filter geoip at ${ctx.where}`;
  const ecs = ctx.ecsCompatibility !== 'disabled';
  try {
    const { warning } = resolveTarget(options.source, options.target, ecs);
    if (warning) ctx.log.warn(warning);
  } catch (e) {
    errors.push(`${where}: ${(e as Error).message}`);
  }
  if (options.database === undefined) errors.push(`${where}: ${missingDatabaseMessage(options.default_database_type)}`);
  else {
    try {
      const db = await GeoDatabase.open(options.database, 0);
      desiredFields(db.kind, options.fields, ecs);
      if (db.kind === 'Unknown') ctx.log.warn(`${where}: unsupported database type ${db.databaseType} (${options.database})`);
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
    }
  }
  return { errors };
}
