// What a MaxMind record gives each requested field, per database kind (GeoIPFilter.java's
// retrieve*GeoData): English names, the most specific subdivision, `location {lat, lon}` only when
// both are known, booleans of the anonymity traits defaulting to false. A City record without
// latitude and longitude gives nothing (the lookup fails). `ip` and `network` depend on the
// address looked up, not the record: they are left as markers filled in per event.
import { Float, type FieldValue } from '../../../event/values.ts';
import type { DatabaseKind, GeoField } from './fields.ts';

/** A value that is the same for every address of the record, or a per-address marker. */
export type SlotValue = { fixed: FieldValue } | 'ip' | 'network';

export interface Slot {
  field: GeoField;
  value: SlotValue;
}

/** A record field of the wrong type (a customised database): the lookup fails, as MaxMind's deserialiser does. */
export class RecordShapeError extends Error {
  constructor(what: string, value: unknown) {
    super(`${what} is ${JSON.stringify(value)}, not the type MaxMind's schema gives it`);
    this.name = 'RecordShapeError';
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new RecordShapeError(what, v);
  return v as Json;
}
function str(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RecordShapeError(what, v);
  return v;
}
function int(v: unknown, what: string): number | bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RecordShapeError(what, v);
  return v;
}
function dbl(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw new RecordShapeError(what, v);
  return v;
}
function flag(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RecordShapeError(what, v);
  return v;
}
function englishName(rec: Json | undefined, what: string): string | undefined {
  return str(obj(rec?.['names'], `${what}.names`)?.['en'], `${what}.names.en`);
}

/** Reads the record lazily: each accessor validates only what it touches. */
class RecordView {
  constructor(private readonly r: Json) {}
  part(name: string): Json | undefined {
    return obj(this.r[name], name);
  }
  get subdivision(): Json | undefined {
    const subs = this.r['subdivisions'];
    if (subs === undefined || subs === null) return undefined;
    if (!Array.isArray(subs)) throw new RecordShapeError('subdivisions', subs);
    return subs.length ? obj(subs[subs.length - 1], 'subdivisions[-1]') : undefined;
  }
  get countryIso(): string | undefined {
    return str(this.part('country')?.['iso_code'], 'country.iso_code');
  }
  get regionIsoCode(): string | undefined {
    const country = this.countryIso;
    const region = str(this.subdivision?.['iso_code'], 'subdivisions.iso_code');
    return country !== undefined && region !== undefined ? `${country}-${region}` : undefined;
  }
  get latitude(): number | undefined {
    return dbl(this.part('location')?.['latitude'], 'location.latitude');
  }
  get longitude(): number | undefined {
    return dbl(this.part('location')?.['longitude'], 'location.longitude');
  }
  get location(): FieldValue | undefined {
    const lat = this.latitude;
    const lon = this.longitude;
    return lat !== undefined && lon !== undefined ? { lat: new Float(lat), lon: new Float(lon) } : undefined;
  }
  traits(flagName: string, source: Json | undefined): boolean {
    return flag(source?.[flagName], flagName);
  }
}

type Reader = (v: RecordView, raw: Json) => FieldValue | undefined | SlotValue;

const fixedOrSkip = (value: FieldValue | undefined | SlotValue): SlotValue | undefined => {
  if (value === undefined) return undefined;
  if (value === 'ip' || value === 'network') return value;
  if (typeof value === 'object' && value !== null && 'fixed' in value) return value as SlotValue;
  return { fixed: value as FieldValue };
};

const float = (x: number | undefined): FieldValue | undefined => (x === undefined ? undefined : new Float(x));

const CITY: Partial<Record<GeoField, Reader>> = {
  CITY_NAME: (v) => englishName(v.part('city'), 'city'),
  CONTINENT_CODE: (v) => str(v.part('continent')?.['code'], 'continent.code'),
  CONTINENT_NAME: (v) => englishName(v.part('continent'), 'continent'),
  COUNTRY_NAME: (v) => englishName(v.part('country'), 'country'),
  COUNTRY_CODE2: (v) => v.countryIso,
  COUNTRY_CODE3: (v) => v.countryIso,
  IP: () => 'ip',
  POSTAL_CODE: (v) => str(v.part('postal')?.['code'], 'postal.code'),
  DMA_CODE: (v) => int(v.part('location')?.['metro_code'], 'location.metro_code'),
  REGION_NAME: (v) => englishName(v.subdivision, 'subdivisions'),
  REGION_CODE: (v) => str(v.subdivision?.['iso_code'], 'subdivisions.iso_code'),
  REGION_ISO_CODE: (v) => v.regionIsoCode,
  TIMEZONE: (v) => str(v.part('location')?.['time_zone'], 'location.time_zone'),
  LOCATION: (v) => v.location,
  LATITUDE: (v) => float(v.latitude),
  LONGITUDE: (v) => float(v.longitude),
};

const COUNTRY: Partial<Record<GeoField, Reader>> = {
  IP: () => 'ip',
  COUNTRY_CODE2: (v) => v.countryIso,
  COUNTRY_NAME: (v) => englishName(v.part('country'), 'country'),
  CONTINENT_NAME: (v) => englishName(v.part('continent'), 'continent'),
};

const AS_NUMBER: Reader = (_v, r) => int(r['autonomous_system_number'], 'autonomous_system_number');
const AS_ORG: Reader = (_v, r) => str(r['autonomous_system_organization'], 'autonomous_system_organization');

const ASN: Partial<Record<GeoField, Reader>> = {
  IP: () => 'ip',
  AUTONOMOUS_SYSTEM_NUMBER: AS_NUMBER,
  AUTONOMOUS_SYSTEM_ORGANIZATION: AS_ORG,
  NETWORK: () => 'network',
};

const ISP: Partial<Record<GeoField, Reader>> = {
  IP: () => 'ip',
  AUTONOMOUS_SYSTEM_NUMBER: AS_NUMBER,
  AUTONOMOUS_SYSTEM_ORGANIZATION: AS_ORG,
  ISP: (_v, r) => str(r['isp'], 'isp'),
  ORGANIZATION: (_v, r) => str(r['organization'], 'organization'),
};

// The Domain reader writes the domain even when the record has none (a null value).
const DOMAIN: Partial<Record<GeoField, Reader>> = {
  DOMAIN: (_v, r) => ({ fixed: str(r['domain'], 'domain') ?? null }),
};

const anonymity = (key: string): Reader => (v, r) => v.traits(key, r);
const ANONYMITY: Partial<Record<GeoField, Reader>> = {
  HOSTING_PROVIDER: anonymity('is_hosting_provider'),
  TOR_EXIT_NODE: anonymity('is_tor_exit_node'),
  ANONYMOUS_VPN: anonymity('is_anonymous_vpn'),
  ANONYMOUS: anonymity('is_anonymous'),
  PUBLIC_PROXY: anonymity('is_public_proxy'),
  RESIDENTIAL_PROXY: anonymity('is_residential_proxy'),
};

const ANONYMOUS_IP: Partial<Record<GeoField, Reader>> = { IP: () => 'ip', ...ANONYMITY };

const inTraits = (key: string): Reader => (v) => v.traits(key, v.part('traits'));
const ENTERPRISE: Partial<Record<GeoField, Reader>> = {
  IP: () => 'ip',
  COUNTRY_CODE2: (v) => v.countryIso,
  COUNTRY_NAME: (v) => englishName(v.part('country'), 'country'),
  CONTINENT_NAME: (v) => englishName(v.part('continent'), 'continent'),
  REGION_ISO_CODE: (v) => v.regionIsoCode,
  REGION_NAME: (v) => englishName(v.subdivision, 'subdivisions'),
  CITY_NAME: (v) => englishName(v.part('city'), 'city'),
  TIMEZONE: (v) => str(v.part('location')?.['time_zone'], 'location.time_zone'),
  LOCATION: (v) => v.location,
  AUTONOMOUS_SYSTEM_NUMBER: (v) => int(v.part('traits')?.['autonomous_system_number'], 'traits.autonomous_system_number'),
  AUTONOMOUS_SYSTEM_ORGANIZATION: (v) => str(v.part('traits')?.['autonomous_system_organization'], 'traits.autonomous_system_organization'),
  NETWORK: () => 'network',
  HOSTING_PROVIDER: inTraits('is_hosting_provider'),
  TOR_EXIT_NODE: inTraits('is_tor_exit_node'),
  ANONYMOUS_VPN: inTraits('is_anonymous_vpn'),
  ANONYMOUS: inTraits('is_anonymous'),
  PUBLIC_PROXY: inTraits('is_public_proxy'),
  RESIDENTIAL_PROXY: inTraits('is_residential_proxy'),
};

const READERS: Record<DatabaseKind, Partial<Record<GeoField, Reader>>> = {
  City: CITY,
  Country: COUNTRY,
  ASN,
  ISP,
  Domain: DOMAIN,
  'Anonymous-IP': ANONYMOUS_IP,
  Enterprise: ENTERPRISE,
  Unknown: {},
};

/** True when the kind can write the field at all (others are ignored, as Logstash's switch ignores them). */
export function kindWrites(kind: DatabaseKind, field: GeoField): boolean {
  return READERS[kind][field] !== undefined;
}

/** The slots a record fills for the wanted fields (in field order); empty means the lookup failed. */
export function recordSlots(kind: DatabaseKind, record: unknown, wanted: readonly GeoField[]): Slot[] {
  const raw = obj(record, 'record') ?? {};
  const view = new RecordView(raw);
  if (kind === 'City' && view.latitude === undefined && view.longitude === undefined) return [];
  const readers = READERS[kind];
  const slots: Slot[] = [];
  for (const field of wanted) {
    const read = readers[field];
    if (!read) continue;
    const value = fixedOrSkip(read(view, raw));
    if (value !== undefined) slots.push({ field, value });
  }
  return slots;
}
