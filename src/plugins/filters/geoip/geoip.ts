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
import { existsSync } from 'node:fs';
import { FieldSetError, type Event } from '../../../event/event.ts';
import { fieldPath as parsedFieldPath, type PathOf } from '../../../event/compiled-ref.ts';
import { parseFieldReference, toReference } from '../../../event/fieldref.ts';
import { isFieldMap, setOwn, type FieldMap, type FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { networkText, parseIpLiteral, type IpAddress } from './address.ts';
import { FillOnceCache, GeoDatabase } from './database.ts';
import { desiredFields, fieldPath, GeoipConfigurationError, type GeoField } from './fields.ts';
import { kindWrites, recordSlots, RecordShapeError, type Slot, type SlotValue } from './record.ts';
import type { GeoipFilterOptions } from './schema.ts';

interface Write {
  path: readonly string[];
  value: SlotValue;
}

interface AddressHit {
  address: IpAddress | undefined;
  hit: { pointer: number; prefixLength: number } | undefined;
}

interface RecordWrites {
  ok: boolean;
  writes: Write[];
}

/** Sets a value below the target map, creating maps on the way (a scalar on the way is Logstash's set error). */
function writeAt(target: FieldMap, path: readonly string[], value: FieldValue): void {
  let m = target;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const key = path[i]!;
    const next = m[key];
    if (next === undefined || next === null) {
      const created: FieldMap = {};
      setOwn(m, key, created);
      m = created;
    } else if (isFieldMap(next)) m = next;
    else throw new FieldSetError(`[${path.slice(0, i + 1).join('][')}] is ${JSON.stringify(next)}, not a map`);
  }
  setOwn(m, path[last]!, value);
}

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
  /**
   * Where the empty target map is set: the target written out as brackets (`[a][b]`), parsed once.
   * A target that parses but whose written-out form does not (an empty name) fails per event, as before.
   */
  private targetSetPath: PathOf = parsedFieldPath('');
  private targetPath: readonly string[] = [];
  /** The source reference parsed once; undefined when it does not parse (then each event fails as before). */
  private readonly sourcePath: readonly string[] | undefined;
  /** Where each written field goes under the target, in this filter's layout. */
  private paths = new Map<GeoField, string[]>();
  private wanted: GeoField[] = [];
  private recordCache = new FillOnceCache<number, RecordWrites>(0);
  /** Per address text: what it parsed to and where the tree led (same capacity rule). */
  private addressCache = new FillOnceCache<string, AddressHit>(0);
  private readonly ecs: boolean;
  readonly lookups = { found: 0, notFound: 0, invalid: 0, errors: 0 };

  constructor(options: GeoipFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.ecs = ctx.ecsCompatibility !== 'disabled';
    try {
      this.sourcePath = parseFieldReference(options.source);
    } catch {
      this.sourcePath = undefined;
    }
  }

  async register(): Promise<void> {
    const { target, warning } = resolveTarget(this.options.source, this.options.target, this.ecs);
    if (warning) this.log.warn(warning);
    this.target = target;
    this.targetPath = parseFieldReference(target);
    this.targetSetPath = parsedFieldPath(toReference(this.targetPath));
    if (this.options.database === undefined) throw new GeoipConfigurationError(missingDatabaseMessage(this.options.default_database_type));
    this.database = await GeoDatabase.open(this.options.database);
    this.log.info('Using geoip database', { path: this.options.database });
    this.wanted = desiredFields(this.database.kind, this.options.fields, this.ecs);
    if (this.database.kind === 'Unknown') {
      this.log.warn(`Unsupported database type ${this.database.databaseType}: Logstash's geoip filter raises on every event looked up in it`, { path: this.options.database });
    }
    for (const field of this.wanted) {
      const sub = fieldPath(field, this.ecs);
      if (sub && kindWrites(this.database.kind, field)) this.paths.set(field, sub);
    }
    // Logstash's CHMCache: at most cache_size records, none evicted.
    this.recordCache = new FillOnceCache<number, RecordWrites>(Math.max(0, this.options.cache_size));
    this.addressCache = new FillOnceCache<string, AddressHit>(Math.max(0, this.options.cache_size));
  }

  filter(event: Event): Event {
    const outcome = this.lookupInto(event);
    if (outcome) this.filterMatched(event);
    else {
      if (this.log.isEnabled('debug')) this.log.debug(`IP ${String(event.get(this.options.source))} was not found in the database`);
      this.tagFailure(event, this.options.tag_on_failure);
    }
    return event;
  }

  /** GeoIPFilter.handleEvent: true when the lookup gave data (its fields written). */
  private lookupInto(event: Event): boolean {
    const db = this.database!;
    const input = this.sourcePath ? event.getPath(this.sourcePath) : event.get(this.options.source);
    if (input === undefined || input === null) return false;
    const ip: FieldValue | undefined = Array.isArray(input) ? input[0] : input;
    if (typeof ip !== 'string') {
      // Logstash raises here (and the pipeline stops); flowstash logs, tags and goes on.
      this.lookups.errors++;
      this.log.error('Expected input field value to be String or List type', { field: this.options.source, value: ip === undefined ? 'an empty list' : String(ip) });
      return false;
    }
    if (ip.trim() === '') return false;
    let seen = this.addressCache.get(ip);
    if (seen === undefined) {
      const parsed = parseIpLiteral(ip);
      seen = { address: parsed, hit: parsed && db.kind !== 'Unknown' ? db.find(parsed) : undefined };
      this.addressCache.set(ip, seen);
    }
    const { address, hit } = seen;
    let found: RecordWrites | undefined;
    if (address === undefined) {
      this.lookups.invalid++;
      if (this.log.isEnabled('debug')) this.log.debug('IP Field contained invalid IP address or hostname', { field: this.options.source, value: ip });
    } else if (db.kind === 'Unknown') {
      this.lookups.errors++;
      this.log.error(`Unsupported database type ${db.databaseType}`, { field: this.options.source });
      return false;
    } else {
      if (hit === undefined) {
        if (this.log.isEnabled('debug')) this.log.debug('IP not found!', { field: this.options.source, value: ip });
      }
      else {
        found = this.recordCache.get(hit.pointer);
        if (found === undefined) {
          found = this.compile(hit.pointer, ip);
          this.recordCache.set(hit.pointer, found);
        }
      }
      if (found?.ok) this.lookups.found++;
      else this.lookups.notFound++;
    }
    try {
      let target = event.getPath(this.targetPath);
      if (target === undefined || target === null) {
        event.setPath(this.targetSetPath(event), {});
        target = event.getPath(this.targetPath);
      }
      if (!found?.ok) return false;
      if (!isFieldMap(target)) throw new FieldSetError(`[${this.target}] is ${JSON.stringify(target)}, not a map`);
      for (const w of found.writes) {
        const v = w.value;
        const value: FieldValue = v === 'ip' ? address!.text : v === 'network' ? networkText(address!, hit!.prefixLength) : isFieldMap(v.fixed) ? { ...v.fixed } : v.fixed;
        writeAt(target, w.path, value);
      }
    } catch (e) {
      // Logstash raises when the target is not a map (and the pipeline stops); flowstash logs and tags.
      this.lookups.errors++;
      this.log.error(`Could not write the geoip fields under \`${this.target}\`: ${(e as Error).message}`, { field: this.options.source });
      return false;
    }
    return true;
  }

  /** What a record writes (its slots with their paths in this filter's layout); ok false: the lookup fails. */
  private compile(pointer: number, ip: string): RecordWrites {
    const db = this.database!;
    let slots: Slot[];
    try {
      slots = recordSlots(db.kind, db.record(pointer), this.wanted);
    } catch (e) {
      if (!(e instanceof RecordShapeError)) throw e;
      this.log.debug(`GeoIP2 Exception. ${e.message}`, { field: this.options.source, value: ip });
      slots = [];
    }
    const writes: Write[] = [];
    for (const slot of slots) {
      const path = this.paths.get(slot.field);
      if (path) writes.push({ path, value: slot.value });
    }
    return { ok: slots.length > 0, writes };
  }

  stats(): Record<string, number> {
    return { ...this.counters, ...this.lookups };
  }
}

export function create(options: GeoipFilterOptions, ctx: PluginContext): Filter {
  return new GeoipFilter(options, ctx);
}

/**
 * `-t`: a database file that exists but is not a MaxMind DB, and `fields` names, are errors. What
 * Logstash's -t lets through is only warned about: no `database` (Logstash has its bundled one), the
 * ECS target rule (checked by Logstash's register(), not by -t); a missing file is already warned
 * about by the config loader.
 */
export async function check(options: GeoipFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  const errors: string[] = [];
  const where = `filter geoip at ${ctx.where}`;
  const ecs = ctx.ecsCompatibility !== 'disabled';
  try {
    // The "ECS expect `target`" notice is Logstash's register() log line: the run prints it.
    resolveTarget(options.source, options.target, ecs);
  } catch (e) {
    ctx.log.warn(`${where}: ${(e as Error).message} (Logstash's register() refuses this; running it here fails the same way)`);
  }
  if (options.database === undefined) {
    ctx.log.warn(`${where}: ${missingDatabaseMessage(options.default_database_type)}`);
    return { errors };
  }
  if (!existsSync(options.database)) return { errors };
  try {
    const db = await GeoDatabase.open(options.database);
    desiredFields(db.kind, options.fields, ecs);
    if (db.kind === 'Unknown') ctx.log.warn(`${where}: unsupported database type ${db.databaseType} (${options.database})`);
  } catch (e) {
    errors.push(`${where}: ${(e as Error).message}`);
  }
  return { errors };
}
