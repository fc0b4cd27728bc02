// End to end: a synthesized NetFlow v5 capture (`flowstash synth`) whose two exporters are
// rewritten (`flowstash rewrite`) onto addresses of MaxMind's test databases, read by the pcap
// input through `flowstash -f` with translate (ElastiFlow's iana_service_names.yml), cidr, geoip
// (test City + ASN databases) and dns (dnsmasq on loopback) — and the output checked field by field.
// Geo/AS/DNS values are worked out by hand from ../shared/geoip/*.json and the hosts file below:
// - 89.160.20.115: GeoLite2-City-Test 89.160.20.112/28 → Linköping, Östergötland County (E), SE,
//   Europe/Stockholm, 58.4167/15.6167; GeoLite2-ASN-Test 89.160.20.112/29 → AS29518 Bredband2 AB.
// - 81.2.69.142: GeoLite2-City-Test 81.2.69.142/31 → London, England (ENG), GB, Europe/London,
//   51.5142/-0.0931; not in GeoLite2-ASN-Test → the ASN lookup fails (_geoip_lookup_failure).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findPlugin } from '../../src/plugins/registry.ts';
import { dnsmasqBinary, startDnsmasq, type Dnsmasq } from '../plugins/dns/dnsmasq.ts';
import { runFlowstash, SHARED } from './helpers.ts';

const GEOIP = path.join(SHARED, 'geoip');
const SERVICES = path.join(SHARED, 'configs/elastiflow/dictionaries/iana_service_names.yml');
const HAVE_DATA = existsSync(path.join(GEOIP, 'GeoLite2-City-Test.mmdb')) && existsSync(SERVICES);
const translateAvailable = findPlugin('filter', 'translate')?.implementation !== undefined;
if (!HAVE_DATA) console.warn(`[skip] ${GEOIP} or ElastiFlow's dictionaries are absent: the enrichment end-to-end test is skipped`);
if (!dnsmasqBinary) console.warn('[skip] dnsmasq is not installed (Debian: dnsmasq-base): the enrichment end-to-end test is skipped');
if (!translateAvailable) console.warn('[skip] the translate filter is not in the catalog yet: its part of the enrichment end-to-end test is skipped');

interface FlowRecord {
  exporter: string;
  values: { srcAddr: string; dstAddr: string; srcPort: number; dstPort: number; protocol: number };
}

const EXPORTERS: Record<string, { ip: string; name: string; geo: Record<string, unknown>; as?: Record<string, unknown> }> = {
  '192.0.2.1': {
    ip: '89.160.20.115',
    name: 'exporter-se.example.test',
    geo: {
      city_name: 'Linköping', country_name: 'Sweden', continent_code: 'EU', country_iso_code: 'SE',
      region_name: 'Östergötland County', region_iso_code: 'SE-E', timezone: 'Europe/Stockholm', location: { lat: 58.4167, lon: 15.6167 },
    },
    as: { number: 29518, organization: { name: 'Bredband2 AB' } },
  },
  '192.0.2.2': {
    ip: '81.2.69.142',
    name: 'exporter-gb.example.test',
    geo: {
      city_name: 'London', country_name: 'United Kingdom', continent_code: 'EU', country_iso_code: 'GB',
      region_name: 'England', region_iso_code: 'GB-ENG', timezone: 'Europe/London', location: { lat: 51.5142, lon: -0.0931 },
    },
  },
};

const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-enrichment-'));
let dns: Dnsmasq | undefined;
let events: Record<string, unknown>[] = [];
let records: FlowRecord[] = [];
let stderr = '';

function pipelineConfig(capture: string, nameserver: string): string {
  const translate = translateAvailable
    ? `translate {
    dictionary_path => "${SERVICES}"
    source => "[@metadata][dst_port_key]"
    target => "[flow][dst_port_name]"
    fallback => "TCP/%{[netflow][l4_dst_port]}"
  }`
    : '';
  return `
input { pcap { path => "${capture}" codec => netflow } }
filter {
  mutate { add_field => { "[@metadata][dst_port_key]" => "%{[netflow][protocol]}:%{[netflow][l4_dst_port]}" "[observer][hostname]" => "%{[host][ip]}" } }
  ${translate}
  cidr { address => [ "%{[netflow][ipv4_src_addr]}" ] network => [ "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16" ] add_tag => [ "src_private" ] }
  geoip { source => "[host][ip]" target => "observer" database => "${path.join(GEOIP, 'GeoLite2-City-Test.mmdb')}" }
  geoip { source => "[host][ip]" target => "observer" database => "${path.join(GEOIP, 'GeoLite2-ASN-Test.mmdb')}" }
  dns { reverse => [ "[observer][hostname]" ] action => "replace" nameserver => { address => [ "${nameserver}" ] } }
}
output { stdout { codec => json_lines } }
`;
}

const READY = HAVE_DATA && dnsmasqBinary !== undefined;

beforeAll(async () => {
  if (!READY) return;
  dns = await startDnsmasq([`${EXPORTERS['192.0.2.1']!.ip} ${EXPORTERS['192.0.2.1']!.name}`, `${EXPORTERS['192.0.2.2']!.ip} ${EXPORTERS['192.0.2.2']!.name}`], EXPORTERS['192.0.2.1']!.name);
  const synthesized = path.join(dir, 'synth.pcap');
  const rewritten = path.join(dir, 'rewritten.pcap');
  const truth = path.join(dir, 'records.jsonl');
  const synth = await runFlowstash(['synth', '--profile', 'v5', '--flows', '40', '--exporters', '2', '--seed', '11', '-o', synthesized, '--records', truth]);
  expect(synth.code, synth.stderr).toBe(0);
  const map = Object.entries(EXPORTERS).map(([from, e]) => `${from}/32:${e.ip}/32`).join(',');
  const rewrite = await runFlowstash(['rewrite', '-i', synthesized, '-o', rewritten, '--srcipmap', map]);
  expect(rewrite.code, rewrite.stderr).toBe(0);
  records = readFileSync(truth, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FlowRecord);
  const conf = path.join(dir, 'enrichment.conf');
  writeFileSync(conf, pipelineConfig(rewritten, dns.nameserver));
  const run = await runFlowstash(['-f', conf, '--pipeline.ecs_compatibility', 'v8']);
  stderr = run.stderr;
  expect(run.code, run.stderr).toBe(0);
  events = run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}, 120_000);

afterAll(() => dns?.stop());

const get = (e: Record<string, unknown>, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], e);
const key = (srcAddr: unknown, dstAddr: unknown, srcPort: unknown, dstPort: unknown): string => `${srcAddr}|${dstAddr}|${srcPort}|${dstPort}`;

describe.skipIf(!READY)('enrichment pipeline end to end (synth → rewrite → pcap input → translate, cidr, geoip, dns)', () => {
  it('every synthesized flow comes out once, from its rewritten exporter', () => {
    expect(events).toHaveLength(records.length);
    const byKey = new Map(records.map((r) => [key(r.values.srcAddr, r.values.dstAddr, r.values.srcPort, r.values.dstPort), r]));
    for (const e of events) {
      const r = byKey.get(key(get(e, 'netflow', 'ipv4_src_addr'), get(e, 'netflow', 'ipv4_dst_addr'), get(e, 'netflow', 'l4_src_port'), get(e, 'netflow', 'l4_dst_port')));
      expect(r, JSON.stringify(e)).toBeDefined();
      expect(get(e, 'host', 'ip')).toBe(EXPORTERS[r!.exporter]!.ip);
    }
    expect(new Set(records.map((r) => r.exporter))).toEqual(new Set(Object.keys(EXPORTERS)));
  });

  it('geoip City and ASN fields under [observer] (ECS), from the test databases', () => {
    for (const e of events) {
      const exporter = Object.values(EXPORTERS).find((x) => x.ip === get(e, 'host', 'ip'))!;
      expect(get(e, 'observer', 'geo')).toEqual(exporter.geo);
      expect(get(e, 'observer', 'as')).toEqual(exporter.as);
      const tags = (get(e, 'tags') as string[] | undefined) ?? [];
      // Only the London exporter misses in the ASN database.
      expect(tags.includes('_geoip_lookup_failure')).toBe(exporter.as === undefined);
    }
  });

  it('dns: the exporter address reversed through dnsmasq into [observer][hostname]', () => {
    for (const e of events) {
      const exporter = Object.values(EXPORTERS).find((x) => x.ip === get(e, 'host', 'ip'))!;
      expect(get(e, 'observer', 'hostname')).toBe(exporter.name);
    }
  });

  it('cidr: private source addresses tagged src_private', () => {
    for (const e of events) {
      const src = String(get(e, 'netflow', 'ipv4_src_addr'));
      const [a, b] = src.split('.').map(Number) as [number, number];
      const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
      expect(((get(e, 'tags') as string[] | undefined) ?? []).includes('src_private'), src).toBe(isPrivate);
    }
  });

  it.skipIf(!translateAvailable)('translate: protocol:port keys named from iana_service_names.yml, else the fallback', () => {
    const services = parseYaml(readFileSync(SERVICES, 'utf8')) as Record<string, string>;
    // By hand: line 363 of the dictionary.
    expect(services['6:443']).toBe('https (TCP/443)');
    let named = 0;
    for (const e of events) {
      const port = get(e, 'netflow', 'l4_dst_port');
      const expected = services[`${String(get(e, 'netflow', 'protocol'))}:${String(port)}`] ?? `TCP/${String(port)}`;
      if (expected === 'https (TCP/443)') named++;
      expect(get(e, 'flow', 'dst_port_name')).toBe(expected);
    }
    expect(named).toBeGreaterThan(0);
  });

  it('the run logs no errors', () => {
    expect(stderr).not.toMatch(/\[ERROR\]/);
  });
});
