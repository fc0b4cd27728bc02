// The geoip filter against MaxMind's test databases (../shared/geoip); every expected value is read
// by hand from the JSON source each .mmdb was built from. Behaviour pinned from logstash-filter-geoip:
// spec/filters/geoip_ecs_spec.rb (targets, ECS layout), spec/filters/geoip_offline_spec.rb (invalid,
// private and empty addresses), src/test/java/.../GeoIPFilterTest.java (per-database fields),
// DatabaseTest.java (default fields, type detection), FieldTest.java (field names in both layouts).
import { existsSync, mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float, type FieldMap } from '../../../event/values.ts';
import type { EcsCompatibility } from '../../types.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { check, create } from './geoip.ts';
import { geoipSchema, type GeoipFilterOptions } from './schema.ts';
import { parseIpLiteral } from './address.ts';

const GEOIP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/geoip');
const HAVE = existsSync(path.join(GEOIP, 'GeoLite2-City-Test.mmdb'));
if (!HAVE) console.warn(`[skip] ${GEOIP} is absent: geoip filter tests against MaxMind's test databases are skipped`);
const db = (name: string): string => path.join(GEOIP, `${name}.mmdb`);

async function geoip(options: Record<string, unknown>, data: FieldMap, ecs: EcsCompatibility = 'disabled', log = recorder()): Promise<Event> {
  const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, options), context(ecs, log));
  await filter.register?.();
  const [e] = [await filter.filter(new Event(data))].flat();
  return e!;
}

const f = (x: number): Float => new Float(x);

describe.skipIf(!HAVE)('geoip filter: City databases', () => {
  it('legacy layout: the default City fields under [geoip], region_code not region_iso_code (GeoLite2-City, 89.160.20.112 → Linköping)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test') }, { ip: '89.160.20.115' });
    expect(e.get('geoip')).toEqual({
      city_name: 'Linköping',
      country_name: 'Sweden',
      continent_code: 'EU',
      country_code2: 'SE',
      country_code3: 'SE',
      ip: '89.160.20.115',
      region_name: 'Östergötland County',
      region_code: 'E',
      timezone: 'Europe/Stockholm',
      location: { lat: f(58.4167), lon: f(15.6167) },
      latitude: f(58.4167),
      longitude: f(15.6167),
    });
    // Written in Field.java's declaration order.
    expect(Object.keys(e.get('geoip') as FieldMap)).toEqual(['city_name', 'country_name', 'continent_code', 'country_code2', 'country_code3', 'ip', 'region_name', 'region_code', 'timezone', 'location', 'latitude', 'longitude']);
    expect(e.get('tags')).toBeUndefined();
  });

  for (const ecs of ['v1', 'v8'] as const) {
    it(`ECS ${ecs}: [client][geo]…, region_iso_code, no country_code3/region_code, target from a [client][ip] source`, async () => {
      const e = await geoip({ source: '[client][ip]', database: db('GeoLite2-City-Test') }, { client: { ip: '81.2.69.142' } }, ecs);
      expect(e.get('client')).toEqual({
        ip: '81.2.69.142',
        geo: {
          city_name: 'London',
          country_name: 'United Kingdom',
          continent_code: 'EU',
          country_iso_code: 'GB',
          region_name: 'England',
          region_iso_code: 'GB-ENG',
          timezone: 'Europe/London',
          location: { lat: f(51.5142), lon: f(-0.0931) },
        },
      });
    });
  }

  it('GeoIP2-City: postal_code and dma_code (metro code) are written (216.160.83.58 → Milton, WA)', async () => {
    const legacy = await geoip({ source: 'ip', database: db('GeoIP2-City-Test') }, { ip: '216.160.83.58' });
    expect(legacy.get('[geoip][postal_code]')).toBe('98354');
    expect(legacy.get('[geoip][dma_code]')).toBe(819);
    expect(legacy.get('[geoip][region_code]')).toBe('WA');
    expect(legacy.get('[geoip][city_name]')).toBe('Milton');
    expect(legacy.get('[geoip][timezone]')).toBe('America/Los_Angeles');
    const ecs = await geoip({ source: 'ip', target: 'source', database: db('GeoIP2-City-Test') }, { ip: '216.160.83.58' }, 'v8');
    expect(ecs.get('[source][geo][postal_code]')).toBe('98354');
    expect(ecs.get('[source][mmdb][dma_code]')).toBe(819);
    expect(ecs.get('[source][geo][region_iso_code]')).toBe('US-WA');
  });

  it('region fields come from the most specific subdivision (2.125.160.216 → England / West Berkshire)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test') }, { ip: '2.125.160.216' });
    expect(e.get('[geoip][region_name]')).toBe('West Berkshire');
    expect(e.get('[geoip][region_code]')).toBe('WBK');
    expect(e.get('[geoip][postal_code]')).toBe('OX1');
    expect(e.get('[geoip][city_name]')).toBe('Boxford');
  });

  it('IPv6: looked up and written as Java prints it, uncompressed (2001:218::1 → Japan)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test'), fields: ['ip', 'country_code2', 'continent_code', 'city_name'] }, { ip: '2001:218::1' });
    expect(e.get('geoip')).toEqual({ continent_code: 'AS', country_code2: 'JP', ip: '2001:218:0:0:0:0:0:1' });
  });

  it('an IPv4-mapped IPv6 address is the IPv4 address (Java InetAddress)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test'), fields: ['ip', 'city_name'] }, { ip: '::ffff:81.2.69.142' });
    expect(e.get('geoip')).toEqual({ city_name: 'London', ip: '81.2.69.142' });
  });

  it('a City record without latitude and longitude is a failed lookup (GeoIP2-City ::2.3.3.0/120)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoIP2-City-Test') }, { ip: '2.3.3.1' });
    expect(e.get('geoip')).toEqual({});
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
  });

  it('the database kind comes from the file metadata, not its name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const misleading = path.join(dir, 'GeoLite2-ASN.mmdb');
    copyFileSync(db('GeoLite2-City-Test'), misleading);
    const e = await geoip({ source: 'ip', database: misleading, fields: ['city_name'] }, { ip: '81.2.69.142' });
    expect(e.get('geoip')).toEqual({ city_name: 'London' });
  });
});

describe.skipIf(!HAVE)('geoip filter: fields option', () => {
  it('only the listed fields, names case-insensitive (geoip_ecs_spec "continent_name and timezone")', async () => {
    for (const ecs of ['disabled', 'v8'] as const) {
      const e = await geoip({ source: 'ip', target: 'server', database: db('GeoLite2-City-Test'), fields: ['continent_name', 'TIMEZONE'] }, { ip: '89.160.20.113' }, ecs);
      expect(e.get('server')).toEqual(ecs === 'disabled' ? { continent_name: 'Europe', timezone: 'Europe/Stockholm' } : { geo: { continent_name: 'Europe', timezone: 'Europe/Stockholm' } });
    }
  });

  it('location alone still carries lat and lon (geoip_ecs_spec "location and longitude")', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test'), fields: ['location', 'longitude'] }, { ip: '81.2.69.142' });
    expect(e.get('geoip')).toEqual({ location: { lat: f(51.5142), lon: f(-0.0931) }, longitude: f(-0.0931) });
  });

  it('country_code3 has no ECS place and is skipped; region_code can be asked for in ECS mode', async () => {
    const e = await geoip({ source: 'ip', target: 'source', database: db('GeoLite2-City-Test'), fields: ['country_code3', 'region_code', 'country_code2'] }, { ip: '81.2.69.142' }, 'v1');
    expect(e.get('source')).toEqual({ geo: { country_iso_code: 'GB', region_code: 'ENG' } });
  });

  it('a field the database kind does not have is ignored', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-Country-Test'), fields: ['city_name', 'country_code2'] }, { ip: '81.2.69.142' });
    expect(e.get('geoip')).toEqual({ country_code2: 'GB' });
  });

  it('an unknown field name fails register() with Logstash\'s message listing the valid names', async () => {
    const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', database: db('GeoLite2-City-Test'), fields: ['foobar'] }), context('disabled'));
    await expect(filter.register!()).rejects.toThrow(/^illegal field value foobar\. valid values are \[AUTONOMOUS_SYSTEM_NUMBER, AUTONOMOUS_SYSTEM_ORGANIZATION, CITY_NAME, .*RESIDENTIAL_PROXY\]$/);
  });
});

describe.skipIf(!HAVE)('geoip filter: other database kinds', () => {
  it('GeoLite2-ASN: asn/as_org (legacy), as.number/as.organization.name (ECS) — 1.128.0.0/11 → AS1221 Telstra', async () => {
    const legacy = await geoip({ source: 'ip', database: db('GeoLite2-ASN-Test') }, { ip: '1.128.0.1' });
    expect(legacy.get('geoip')).toEqual({ asn: 1221, as_org: 'Telstra Pty Ltd', ip: '1.128.0.1' });
    const ecs = await geoip({ source: '[destination][ip]', database: db('GeoLite2-ASN-Test') }, { destination: { ip: '1.128.0.1' } }, 'v8');
    expect(ecs.get('destination')).toEqual({ ip: '1.128.0.1', as: { number: 1221, organization: { name: 'Telstra Pty Ltd' } } });
  });

  it('ASN network field: the record network (12.81.92.0/22 → AT&T, GeoIPFilterTest)', async () => {
    const legacy = await geoip({ source: 'ip', database: db('GeoLite2-ASN-Test'), fields: ['ip', 'autonomous_system_number', 'autonomous_system_organization', 'network'] }, { ip: '12.81.92.1' });
    expect(legacy.get('geoip')).toEqual({ asn: 7018, as_org: 'AT&T Services', ip: '12.81.92.1', network: '12.81.92.0/22' });
    const ecs = await geoip({ source: 'ip', target: 'source', database: db('GeoLite2-ASN-Test'), fields: ['network'] }, { ip: '12.81.92.1' }, 'v1');
    expect(ecs.get('source')).toEqual({ ip_traits: { network: '12.81.92.0/22' } });
  });

  it('ASN with only AUTONOMOUS_SYSTEM_NUMBER (geoip_ecs_spec "with customize fields")', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-ASN-Test'), fields: ['AUTONOMOUS_SYSTEM_NUMBER'] }, { ip: '89.160.20.112' });
    expect(e.get('geoip')).toEqual({ asn: 29518 });
  });

  it('GeoLite2-Country: ip, country_code2, country_name, continent_name (2a02:d5c0:: → Spain)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-Country-Test') }, { ip: '2a02:d5c0::' });
    expect(e.get('geoip')).toEqual({ country_name: 'Spain', continent_name: 'Europe', country_code2: 'ES', ip: '2a02:d5c0:0:0:0:0:0:0' });
    const ecs = await geoip({ source: 'ip', target: 'client', database: db('GeoLite2-Country-Test') }, { ip: '2a02:d5c0::' }, 'v8');
    expect(ecs.get('client')).toEqual({ geo: { country_name: 'Spain', continent_name: 'Europe', country_iso_code: 'ES' }, ip: '2a02:d5c0:0:0:0:0:0:0' });
  });

  it('GeoIP2-ISP: asn, as_org, isp, organization (legacy) / mmdb.isp, mmdb.organization (ECS)', async () => {
    const legacy = await geoip({ source: 'ip', database: db('GeoIP2-ISP-Test') }, { ip: '1.128.0.1' });
    expect(legacy.get('geoip')).toEqual({ asn: 1221, as_org: 'Telstra Pty Ltd', ip: '1.128.0.1', isp: 'Telstra Internet', organization: 'Telstra Internet' });
    const ecs = await geoip({ source: 'ip', target: 'server', database: db('GeoIP2-ISP-Test') }, { ip: '1.128.0.1' }, 'v8');
    expect(ecs.get('server')).toEqual({ as: { number: 1221, organization: { name: 'Telstra Pty Ltd' } }, ip: '1.128.0.1', mmdb: { isp: 'Telstra Internet', organization: 'Telstra Internet' } });
  });

  it('GeoIP2-Domain: domain in both layouts (1.2.0.1 → maxmind.com)', async () => {
    for (const ecs of ['disabled', 'v8'] as const) {
      const e = await geoip({ source: 'ip', target: 'host', database: db('GeoIP2-Domain-Test') }, { ip: '1.2.0.1' }, ecs);
      expect(e.get('host')).toEqual({ domain: 'maxmind.com' });
    }
  });

  it('GeoIP2-Anonymous-IP: the six trait booleans by default, ip on request (81.2.69.1)', async () => {
    const legacy = await geoip({ source: 'ip', database: db('GeoIP2-Anonymous-IP-Test') }, { ip: '81.2.69.1' });
    expect(legacy.get('geoip')).toEqual({ hosting_provider: true, tor_exit_node: true, anonymous_vpn: true, anonymous: true, public_proxy: true, residential_proxy: true });
    const ecs = await geoip({ source: 'ip', target: 'source', database: db('GeoIP2-Anonymous-IP-Test'), fields: ['ip', 'anonymous_vpn'] }, { ip: '81.2.69.1' }, 'v8');
    expect(ecs.get('source')).toEqual({ ip: '81.2.69.1', ip_traits: { anonymous_vpn: true } });
  });

  it('GeoIP2-Enterprise: defaults, and every field GeoIPFilterTest asks for (74.209.24.1 → Chatham, NY)', async () => {
    const defaults = await geoip({ source: 'ip', database: db('GeoIP2-Enterprise-Test') }, { ip: '74.209.24.1' });
    expect(defaults.get('geoip')).toEqual({
      city_name: 'Chatham', country_name: 'United States', continent_name: 'North America', country_code2: 'US', ip: '74.209.24.1',
      region_name: 'New York', region_iso_code: 'US-NY', location: { lat: f(42.3478), lon: f(-73.5549) },
    });
    const all = ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME', 'REGION_ISO_CODE', 'REGION_NAME', 'CITY_NAME', 'TIMEZONE', 'LOCATION', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'NETWORK', 'HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS', 'PUBLIC_PROXY', 'RESIDENTIAL_PROXY'];
    const ecs = await geoip({ source: 'ip', target: 'client', database: db('GeoIP2-Enterprise-Test'), fields: all }, { ip: '74.209.24.1' }, 'v8');
    expect(ecs.get('client')).toEqual({
      as: { number: 14671, organization: { name: 'FairPoint Communications' } },
      geo: {
        city_name: 'Chatham', country_name: 'United States', continent_name: 'North America', country_iso_code: 'US',
        region_name: 'New York', region_iso_code: 'US-NY', timezone: 'America/New_York', location: { lat: f(42.3478), lon: f(-73.5549) },
      },
      ip: '74.209.24.1',
      ip_traits: { network: '74.209.16.0/20', hosting_provider: false, tor_exit_node: false, anonymous_vpn: false, anonymous: false, public_proxy: false, residential_proxy: false },
    });
  });

  it('an unsupported database type (GeoIP2-Connection-Type) loads with a warning; every lookup fails', async () => {
    const log = recorder();
    const e = await geoip({ source: 'ip', database: db('GeoIP2-Connection-Type-Test') }, { ip: '1.0.0.1' }, 'disabled', log);
    expect(log.lines.some((l) => l.level === 'warn' && /Unsupported database type GeoIP2-Connection-Type/.test(l.msg))).toBe(true);
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    expect(log.lines.some((l) => l.level === 'error' && /Unsupported database type/.test(l.msg))).toBe(true);
  });
});

describe.skipIf(!HAVE)('geoip filter: failed lookups (geoip_offline_spec.rb)', () => {
  const options = { source: '[client][ip]', target: 'server', fields: ['country_name', 'continent_code'], database: db('GeoLite2-City-Test') };

  for (const ip of ['127.0.0.1', '-', 'N/A', '123.45.67.89,61.160.232.222', '0.0.0.0', '::1', '10.1.2.3', 'example.com']) {
    it(`"${ip}": the target becomes {} and the event is tagged _geoip_lookup_failure`, async () => {
      const e = await geoip(options, { client: { ip } });
      expect(e.get('server')).toEqual({});
      expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    });
  }

  for (const ip of ['', '      ']) {
    it(`${JSON.stringify(ip)}: no target, tagged _geoip_lookup_failure`, async () => {
      const e = await geoip(options, { client: { ip } });
      expect(e.includes('server')).toBe(false);
      expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    });
  }

  it('a missing source field: no target, tagged', async () => {
    const e = await geoip(options, { other: 1 });
    expect(e.includes('server')).toBe(false);
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
  });

  it('reasons are logged at debug, as Logstash logs them', async () => {
    const log = recorder();
    await geoip(options, { client: { ip: 'N/A' } }, 'disabled', log);
    await geoip(options, { client: { ip: '10.0.0.1' } }, 'disabled', log);
    const debug = log.lines.filter((l) => l.level === 'debug').map((l) => l.msg);
    expect(debug).toContain('IP Field contained invalid IP address or hostname');
    expect(debug).toContain('IP not found!');
    expect(debug).toContain('IP 10.0.0.1 was not found in the database');
    expect(log.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('custom tag_on_failure; add_tag runs only on success', async () => {
    const opts = { ...options, tag_on_failure: ['no_geo', 'x'], add_tag: ['geo_done'] };
    const failed = await geoip(opts, { client: { ip: '10.0.0.1' } });
    expect(failed.get('tags')).toEqual(['no_geo', 'x']);
    const ok = await geoip(opts, { client: { ip: '81.2.69.142' } });
    expect(ok.get('tags')).toEqual(['geo_done']);
  });

  it('an array source: only the first address is looked up (handleEventWithListSourceFieldShouldParseFirstIp)', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-Country-Test'), fields: ['ip', 'country_code2'] }, { ip: ['81.2.69.142', '127.0.0.1'] });
    expect(e.get('geoip')).toEqual({ country_code2: 'GB', ip: '81.2.69.142' });
  });

  it('a number in the source (Logstash raises and stops): logged as an error, tagged, the event goes on', async () => {
    const log = recorder();
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test') }, { ip: 1234 }, 'disabled', log);
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    expect(log.lines.find((l) => l.level === 'error')?.msg).toBe('Expected input field value to be String or List type');
  });

  it('an existing target map is merged into, not replaced', async () => {
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test'), fields: ['city_name'] }, { ip: '81.2.69.142', geoip: { keep: 'me' } });
    expect(e.get('geoip')).toEqual({ keep: 'me', city_name: 'London' });
  });

  it('the empty target map is set on each event at a nested target; an empty target name fails on each event (error logged, tagged)', async () => {
    const log = recorder();
    const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { ...options, target: '[meta][geo]' }), context('disabled', log));
    await filter.register?.();
    for (let i = 0; i < 2; i++) {
      const e = [filter.filter(new Event({ client: { ip: '10.0.0.1' }, meta: { keep: i } }))].flat()[0] as Event;
      expect(e.get('meta')).toEqual({ keep: i, geo: {} });
    }
    const empty = create(withDefaults<GeoipFilterOptions>(geoipSchema, { ...options, target: '' }), context('disabled', log));
    await empty.register?.();
    for (const ip of ['10.0.0.1', '81.2.69.142']) {
      const e = [empty.filter(new Event({ client: { ip } }))].flat()[0] as Event;
      expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    }
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(Array(2).fill('Could not write the geoip fields under ``: Invalid FieldReference: `[]`'));
  });

  it('a scalar target cannot take the fields: error logged, tagged, no crash', async () => {
    const log = recorder();
    const e = await geoip({ source: 'ip', database: db('GeoLite2-City-Test'), fields: ['city_name'] }, { ip: '81.2.69.142', geoip: 'scalar' }, 'disabled', log);
    expect(e.get('geoip')).toBe('scalar');
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    expect(log.lines.some((l) => l.level === 'error')).toBe(true);
  });
});

describe.skipIf(!HAVE)('geoip filter: target in ECS mode (geoip_ecs_spec "setup target field")', () => {
  it('ECS off, no target: [geoip]', async () => {
    const e = await geoip({ source: 'message', database: db('GeoLite2-City-Test'), fields: ['ip'] }, { message: '81.2.69.142' });
    expect(e.get('[geoip][ip]')).toBe('81.2.69.142');
  });

  it('ECS, source [hostname][ip] without target: [hostname] with the "ECS expect" warning', async () => {
    const log = recorder();
    const e = await geoip({ source: '[hostname][ip]', database: db('GeoLite2-City-Test') }, { hostname: { ip: '81.2.69.142' } }, 'v1', log);
    expect(e.get('[hostname][geo][country_iso_code]')).toBe('GB');
    expect(log.lines.find((l) => l.level === 'warn')?.msg).toBe('ECS expect `target` value `hostname` in ["client", "destination", "host", "observer", "server", "source"]');
  });

  it('ECS, target [host] (bracketed) is normalised: no warning', async () => {
    const log = recorder();
    const e = await geoip({ source: '[client][ip]', target: '[host]', database: db('GeoLite2-City-Test') }, { client: { ip: '81.2.69.142' } }, 'v8', log);
    expect(e.get('[host][geo][country_iso_code]')).toBe('GB');
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  for (const source of ['[ip]', 'host_ip']) {
    it(`ECS, source ${source} without target: register() fails asking for a target`, async () => {
      const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source, database: db('GeoLite2-City-Test') }), context('v8'));
      await expect(filter.register!()).rejects.toThrow('GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]');
    });
  }
});

describe('geoip filter: database problems', () => {
  it('no database: register() fails naming the GeoLite2 file Logstash would have used and how to pass one', async () => {
    for (const type of ['City', 'ASN']) {
      const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', default_database_type: type }), context('disabled'));
      await expect(filter.register!()).rejects.toThrow(new RegExp(`Logstash would use the GeoLite2-${type} database it bundles.*never downloads.*database => "/path/to/GeoLite2-${type}\\.mmdb"`));
    }
  });

  it('a missing file and a file that is not a MaxMind DB: Logstash\'s messages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const bogus = path.join(dir, 'bogus.mmdb');
    writeFileSync(bogus, 'this is not a database\n'.repeat(100));
    const missing = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', database: path.join(dir, 'none.mmdb') }), context('disabled'));
    await expect(missing.register!()).rejects.toThrow(/^The database provided was not found in the path/);
    const invalid = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', database: bogus }), context('disabled'));
    await expect(invalid.register!()).rejects.toThrow(/^The database provided is invalid or corrupted\./);
  });

  it('-t check: a bad file and a bad field name are errors; no database, a missing file and the ECS target rule are warnings', async () => {
    const log = recorder();
    const ctx = { log, ecsCompatibility: 'v8' as const, id: 'g', where: 'x.conf:3:5' };
    const opts = (o: Record<string, unknown>): GeoipFilterOptions => withDefaults<GeoipFilterOptions>(geoipSchema, o);
    expect((await check(opts({ source: 'ip', target: 'client' }), ctx)).errors).toEqual([]);
    expect(log.lines.at(-1)?.msg).toMatch(/^filter geoip at x\.conf:3:5: no `database` set: Logstash would use the GeoLite2-City/);
    expect((await check(opts({ source: 'ip', target: 'client', database: '/nonexistent.mmdb' }), ctx)).errors).toEqual([]);
    expect((await check(opts({ source: 'host_ip', target: undefined, database: '/nonexistent.mmdb' }), ctx)).errors).toEqual([]);
    expect(log.lines.at(-1)?.msg).toMatch(/requires a `target`/);
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const bogus = path.join(dir, 'bogus.mmdb');
    writeFileSync(bogus, 'not a database');
    expect((await check(opts({ source: '[client][ip]', database: bogus }), ctx)).errors).toEqual([expect.stringMatching(/^filter geoip at x\.conf:3:5: The database provided is invalid or corrupted\./)]);
    if (HAVE) {
      expect((await check(opts({ source: '[client][ip]', database: db('GeoLite2-City-Test') }), ctx)).errors).toEqual([]);
      expect((await check(opts({ source: '[client][ip]', database: db('GeoLite2-City-Test'), fields: ['nope'] }), ctx)).errors[0]).toMatch(/illegal field value nope/);
    }
  });
});

describe.skipIf(!HAVE)('geoip filter: cache', () => {
  it('answers stay right whatever the cache size (cache full: no more records added, as CHMCache)', async () => {
    const ips = ['81.2.69.142', '89.160.20.112', '2.125.160.216', '10.0.0.1', '2001:218::1', '81.2.69.160'];
    const outputs: string[][] = [];
    for (const cache_size of [1, 2, 1000]) {
      const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', database: db('GeoLite2-City-Test'), cache_size }), context('disabled'));
      await filter.register!();
      const run: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (const ip of ips) {
          const [e] = [await filter.filter(new Event({ ip }))].flat();
          run.push(JSON.stringify([e!.get('[geoip][city_name]'), e!.get('[geoip][ip]'), e!.get('tags')]));
        }
      }
      outputs.push(run);
    }
    expect(outputs[0]).toEqual(outputs[2]);
    expect(outputs[1]).toEqual(outputs[2]);
    expect(outputs[2]!.slice(0, 6)).toEqual([
      '["London","81.2.69.142",null]', '["Linköping","89.160.20.112",null]', '["Boxford","2.125.160.216",null]',
      '[null,null,["_geoip_lookup_failure"]]', '[null,"2001:218:0:0:0:0:0:1",null]', '["London","81.2.69.160",null]',
    ].map((s) => s.replace(/null/g, 'null')));
  });

  it('events do not share the written location map', async () => {
    const filter = create(withDefaults<GeoipFilterOptions>(geoipSchema, { source: 'ip', database: db('GeoLite2-City-Test'), fields: ['location'] }), context('disabled'));
    await filter.register!();
    const [a] = [await filter.filter(new Event({ ip: '81.2.69.142' }))].flat();
    const [b] = [await filter.filter(new Event({ ip: '81.2.69.142' }))].flat();
    a!.set('[geoip][location][lat]', 0);
    expect(b!.get('[geoip][location][lat]')).toEqual(f(51.5142));
  });
});

describe('geoip address literals (Java InetAddress.getByName / getHostAddress)', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['010.001.000.255', '10.1.0.255'],
    ['2607:f0d0:1002:51::4', '2607:f0d0:1002:51:0:0:0:4'],
    ['[2001:db8::1]', '2001:db8:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['64:ff9b::10.0.0.1', '64:ff9b:0:0:0:0:a00:1'],
    ['FE80::1%eth0', 'fe80:0:0:0:0:0:0:1%eth0'],
  ])('%s → %s', (input, text) => expect(parseIpLiteral(input)?.text).toBe(text));

  it.each(['', '1.2.3', '1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '1::2::3', ':1:2', '1:2:3:4:5:6:7:8:9', '12345::1', 'host.example', '1.2.3.4 '])('%j is not an IP literal', (input) => {
    expect(parseIpLiteral(input)).toBeUndefined();
  });
});
