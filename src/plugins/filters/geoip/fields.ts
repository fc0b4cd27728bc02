// The fields the geoip filter can write and where each goes in both layouts (logstash-filter-geoip
// Field.java: ECS name / legacy name; an empty ECS name means "not written in ECS mode"), and the
// database kinds with their default fields (Database.java, pinned by DatabaseTest.java).

export const FIELD_NAMES = [
  'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'CITY_NAME', 'COUNTRY_NAME', 'CONTINENT_CODE',
  'CONTINENT_NAME', 'COUNTRY_CODE2', 'COUNTRY_CODE3', 'DOMAIN', 'IP', 'ISP', 'POSTAL_CODE', 'DMA_CODE',
  'REGION_NAME', 'REGION_CODE', 'REGION_ISO_CODE', 'TIMEZONE', 'LOCATION', 'LATITUDE', 'LONGITUDE',
  'ORGANIZATION', 'NETWORK', 'HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS',
  'PUBLIC_PROXY', 'RESIDENTIAL_PROXY',
] as const;

/** One of Field.java's constants; declaration order is the order fields are written. */
export type GeoField = (typeof FIELD_NAMES)[number];

const NAMES: Record<GeoField, readonly [ecs: string, legacy: string]> = {
  AUTONOMOUS_SYSTEM_NUMBER: ['as.number', 'asn'],
  AUTONOMOUS_SYSTEM_ORGANIZATION: ['as.organization.name', 'as_org'],
  CITY_NAME: ['geo.city_name', 'city_name'],
  COUNTRY_NAME: ['geo.country_name', 'country_name'],
  CONTINENT_CODE: ['geo.continent_code', 'continent_code'],
  CONTINENT_NAME: ['geo.continent_name', 'continent_name'],
  COUNTRY_CODE2: ['geo.country_iso_code', 'country_code2'],
  COUNTRY_CODE3: ['', 'country_code3'],
  DOMAIN: ['domain', 'domain'],
  IP: ['ip', 'ip'],
  ISP: ['mmdb.isp', 'isp'],
  POSTAL_CODE: ['geo.postal_code', 'postal_code'],
  DMA_CODE: ['mmdb.dma_code', 'dma_code'],
  REGION_NAME: ['geo.region_name', 'region_name'],
  REGION_CODE: ['geo.region_code', 'region_code'],
  REGION_ISO_CODE: ['geo.region_iso_code', 'region_iso_code'],
  TIMEZONE: ['geo.timezone', 'timezone'],
  LOCATION: ['geo.location', 'location'],
  LATITUDE: ['geo.location.lat', 'latitude'],
  LONGITUDE: ['geo.location.lon', 'longitude'],
  ORGANIZATION: ['mmdb.organization', 'organization'],
  NETWORK: ['ip_traits.network', 'network'],
  HOSTING_PROVIDER: ['ip_traits.hosting_provider', 'hosting_provider'],
  TOR_EXIT_NODE: ['ip_traits.tor_exit_node', 'tor_exit_node'],
  ANONYMOUS_VPN: ['ip_traits.anonymous_vpn', 'anonymous_vpn'],
  ANONYMOUS: ['ip_traits.anonymous', 'anonymous'],
  PUBLIC_PROXY: ['ip_traits.public_proxy', 'public_proxy'],
  RESIDENTIAL_PROXY: ['ip_traits.residential_proxy', 'residential_proxy'],
};

/** The path under the target where a field goes, or undefined when the layout has no place for it. */
export function fieldPath(field: GeoField, ecs: boolean): string[] | undefined {
  const name = NAMES[field][ecs ? 0 : 1];
  return name === '' ? undefined : name.split('.');
}

export class GeoipConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeoipConfigurationError';
  }
}

/** Field.parseField: case-insensitive constant name, else Logstash's message listing the valid ones. */
export function parseField(value: string): GeoField {
  const candidate = value.toUpperCase();
  if ((FIELD_NAMES as readonly string[]).includes(candidate)) return candidate as GeoField;
  throw new GeoipConfigurationError(`illegal field value ${value}. valid values are [${FIELD_NAMES.join(', ')}]`);
}

export type DatabaseKind = 'City' | 'Country' | 'Domain' | 'ASN' | 'ISP' | 'Anonymous-IP' | 'Enterprise' | 'Unknown';

const DEFAULT_FIELDS: Record<DatabaseKind, readonly GeoField[]> = {
  City: ['IP', 'CITY_NAME', 'CONTINENT_CODE', 'COUNTRY_NAME', 'COUNTRY_CODE2', 'COUNTRY_CODE3', 'POSTAL_CODE', 'DMA_CODE', 'REGION_NAME', 'REGION_ISO_CODE', 'TIMEZONE', 'LOCATION', 'LATITUDE', 'LONGITUDE'],
  Country: ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME'],
  Domain: ['DOMAIN'],
  ASN: ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION'],
  ISP: ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'ISP', 'ORGANIZATION'],
  'Anonymous-IP': ['HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS', 'PUBLIC_PROXY', 'RESIDENTIAL_PROXY'],
  Enterprise: ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME', 'REGION_ISO_CODE', 'REGION_NAME', 'CITY_NAME', 'LOCATION'],
  Unknown: [],
};

/** Database.fromDatabaseType: the metadata's database_type, matched by substring in Logstash's order. */
export function databaseKind(databaseType: string): DatabaseKind {
  if (databaseType.includes('City')) return 'City';
  if (databaseType.includes('Country')) return 'Country';
  if (databaseType.includes('GeoIP2-Domain')) return 'Domain';
  if (databaseType.includes('GeoLite2-ASN')) return 'ASN';
  if (databaseType.includes('GeoIP2-ISP')) return 'ISP';
  if (databaseType.includes('Enterprise')) return 'Enterprise';
  if (databaseType.includes('GeoIP2-Anonymous-IP')) return 'Anonymous-IP';
  return 'Unknown';
}

/**
 * The fields to write: the `fields` option when given (in Field order, duplicates dropped), else the
 * database's defaults — with City databases in legacy mode writing region_code instead of
 * region_iso_code (GeoIPFilter.createCityDefaultFields, kept for backward compatibility).
 */
export function desiredFields(kind: DatabaseKind, fields: readonly unknown[] | undefined, ecs: boolean): GeoField[] {
  let chosen: Set<GeoField>;
  if (fields && fields.length > 0) chosen = new Set(fields.map((f) => parseField(String(f))));
  else {
    chosen = new Set(DEFAULT_FIELDS[kind]);
    if (kind === 'City' && !ecs) {
      chosen.delete('REGION_ISO_CODE');
      chosen.add('REGION_CODE');
    }
  }
  return FIELD_NAMES.filter((f) => chosen.has(f));
}
