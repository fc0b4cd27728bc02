// Expected values from logstash-filter-cidr: spec/filters/cidr_spec.rb (IPv4/IPv6 match and non
// match, a list of networks, network_path, separator, network + network_path refused) and
// lib/logstash/filters/cidr.rb 3.1 (sprintf'd addresses, comma-split networks, "Invalid IP address,
// skipping"); IPAddr semantics from Ruby's ipaddr 1.2 (masking, zero-filled octets, family check).
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Event } from '../../../event/event.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import type { EcsCompatibility } from '../../types.ts';
import { check, create, CidrFilter } from './cidr.ts';
import { parseIpRange, rangeIncludes } from './ip-range.ts';
import { cidrSchema, type CidrOptions } from './schema.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-cidr-'));
const made: CidrFilter[] = [];
afterAll(() => made.forEach((f) => f.close()));

function make(options: Record<string, unknown>, ecs: EcsCompatibility = 'disabled', log = recorder()) {
  const filter = create(withDefaults<CidrOptions>(cidrSchema, options), context(ecs, log)) as CidrFilter;
  made.push(filter);
  return { filter, log };
}

function tagsOf(filter: CidrFilter, data: Record<string, unknown>): unknown {
  return filter.filter(new Event(data as never)).get('tags');
}

const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('cidr: spec cases', () => {
  for (const ecs of ['disabled', 'v8'] as const) {
    it(`IPv4 match / non match (ECS ${ecs}: no ECS behaviour, same result)`, () => {
      const { filter } = make({ address: ['%{clientip}'], network: ['192.168.0.0/24'], add_tag: ['matched'] }, ecs);
      expect(tagsOf(filter, { clientip: '192.168.0.30' })).toEqual(['matched']);
      expect(tagsOf(filter, { clientip: '123.52.122.33' })).toBeUndefined();
    });
  }
  it('a list of networks: an address in any of them matches', () => {
    const { filter } = make({ address: ['%{clientip}'], network: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], add_tag: ['matched'] });
    for (const ip of ['192.168.0.30', '10.10.220.3', '172.16.45.50']) expect(tagsOf(filter, { clientip: ip })).toEqual(['matched']);
    expect(tagsOf(filter, { clientip: '8.8.8.8' })).toBeUndefined();
  });
  it('IPv6 match / non match', () => {
    const { filter } = make({ address: ['%{clientip}'], network: ['fe80::/64'], add_tag: ['matched'] });
    expect(tagsOf(filter, { clientip: 'fe80:0:0:0:0:0:0:1' })).toEqual(['matched']);
    expect(tagsOf(filter, { clientip: 'fd82:0:0:0:0:0:0:1' })).toBeUndefined();
  });
  it('network_path (one network per line) and separator ","', async () => {
    const lines = make({ address: ['%{clientip}'], network_path: file('network', '192.168.1.0/24\n200.17.160.0/19\n'), add_tag: ['matched'] }).filter;
    await lines.register();
    expect(tagsOf(lines, { clientip: '192.168.1.1' })).toEqual(['matched']);
    expect(tagsOf(lines, { clientip: '200.17.160.201' })).toEqual(['matched']);
    expect(tagsOf(lines, { clientip: '10.1.2.1' })).toBeUndefined();
    const comma = make({ address: ['%{clientip}'], network_path: file('network-comma', '192.168.1.0/24,10.0.0.0/8'), separator: ',', add_tag: ['matched'] }).filter;
    await comma.register();
    expect(tagsOf(comma, { clientip: '192.168.1.25' })).toEqual(['matched']);
    expect(tagsOf(comma, { clientip: '192.167.1.1' })).toBeUndefined();
  });
  it("network and network_path together: refused (LogStash::ConfigurationError)", () => {
    expect(() => make({ address: ['%{clientip}'], network: ['192.168.1.0/24'], network_path: file('n2', '10.0.0.0/8\n') })).toThrow(
      "Cannot register filter cidr plugin. The error reported is: The configuration options 'network' and 'network_path' are mutually exclusive",
    );
  });
});

describe('cidr: addresses, networks and failures', () => {
  it('add_field on a match (ElastiFlow: 0.0.0.0/0 → ipv4, ::/0 → ipv6; an IPv6 address is never in an IPv4 network)', () => {
    const v4 = make({ address: ['%{[source][ip]}'], network: ['0.0.0.0/0'], add_field: { '[network][type]': 'ipv4' } }).filter;
    const v6 = make({ address: ['%{[source][ip]}'], network: ['::/0'], add_field: { '[network][type]': 'ipv6' } }).filter;
    const a = v4.filter(new Event({ source: { ip: '2001:db8::1' } }));
    expect(a.get('[network][type]')).toBeUndefined();
    expect(v6.filter(a).get('[network][type]')).toBe('ipv6');
    const b = v4.filter(new Event({ source: { ip: '198.51.100.7' } }));
    expect(b.get('[network][type]')).toBe('ipv4');
    expect(v4.filter(new Event({ source: { ip: '::ffff:198.51.100.7' } })).get('[network][type]')).toBeUndefined();
  });
  it('several addresses: any address in any network matches; networks sprintf\'d and comma-split per event', () => {
    const { filter } = make({ address: ['%{src}', '%{dst}'], network: ['%{nets}'], add_tag: ['m'] });
    expect(tagsOf(filter, { src: '1.1.1.1', dst: '10.2.3.4', nets: '192.168.0.0/16, 10.0.0.0/8' })).toEqual(['m']);
    expect(tagsOf(filter, { src: '1.1.1.1', dst: '10.2.3.4', nets: '192.168.0.0/16' })).toBeUndefined();
  });
  it('address_field: one address or an array of them (SOF-ELK)', () => {
    const { filter } = make({ address_field: '[source][ip]', network: ['10.0.0.0/8', 'fc00::/7'], add_tag: ['netblock_private'] });
    expect(tagsOf(filter, { source: { ip: ['8.8.8.8', 'fd00::5'] } })).toEqual(['netblock_private']);
    expect(tagsOf(filter, { source: { ip: '10.9.8.7' } })).toEqual(['netblock_private']);
    expect(tagsOf(filter, { source: { ip: ['8.8.8.8'] } })).toBeUndefined();
    expect(tagsOf(filter, { other: 1 })).toBeUndefined();
  });
  it('address_field with networks read per event, and with every address read before the answer (a later invalid one still warned)', () => {
    const log = recorder();
    const perEvent = make({ address_field: 'ips', network: ['%{nets}'], add_tag: ['m'] }).filter;
    expect(tagsOf(perEvent, { ips: ['8.8.8.8', 10], nets: '8.8.0.0/16' })).toEqual(['m']);
    expect(tagsOf(perEvent, { ips: '1.1.1.1', nets: '8.8.0.0/16' })).toBeUndefined();
    const { filter } = make({ address: ['%{a}'], address_field: 'ips', network: ['10.0.0.0/8'], add_tag: ['m'] }, 'disabled', log);
    expect(tagsOf(filter, { a: '10.0.0.1', ips: ['bad', 'worse'] })).toEqual(['m']);
    expect(tagsOf(filter, { a: '1.0.0.1', ips: 'bad' })).toBeUndefined();
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.data)).toEqual([
      { address: 'ips', value: 'bad' },
      { address: 'ips', value: 'worse' },
      { address: 'ips', value: 'bad' },
    ]);
  });
  it('an invalid address_field reference fails on every event, as event.get does', () => {
    for (const network of [['10.0.0.0/8'], ['%{nets}']]) {
      const { filter } = make({ address: ['%{a}'], address_field: '[ips', network, add_tag: ['m'] });
      for (let i = 0; i < 2; i++) expect(() => filter.filter(new Event({ a: '10.0.0.1', nets: '10.0.0.0/8' }))).toThrow('Invalid FieldReference: `[ips`');
    }
  });
  it('an unparsable address warns "Invalid IP address, skipping", is counted, and the event goes on', () => {
    const log = recorder();
    const { filter } = make({ address: ['%{clientip}', '%{other}'], network: ['10.0.0.0/8'], add_tag: ['m'] }, 'disabled', log);
    const event = new Event({ clientip: 'not-an-ip', other: '10.0.0.1' });
    // The event goes on alone (the filter contract's "the event itself").
    expect(filter.filter(event)).toBe(event);
    expect(event.get('tags')).toEqual(['m']);
    // a missing field leaves the %{} text, which is no address either
    expect(tagsOf(filter, { other: 'x' })).toBeUndefined();
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns.map((l) => l.msg)).toEqual(['Invalid IP address, skipping', 'Invalid IP address, skipping', 'Invalid IP address, skipping']);
    expect(warns[0]!.data).toMatchObject({ address: '%{clientip}', value: 'not-an-ip' });
    expect(filter.stats()['invalid_addresses']).toBe(3);
  });
  it('IPAddr rules: masked networks, netmask form, zero-filled octets refused, brackets and zones', () => {
    expect(rangeIncludes(parseIpRange('192.168.1.77/24'), parseIpRange('192.168.1.3'))).toBe(true);
    expect(rangeIncludes(parseIpRange('192.168.0.0/255.255.0.0'), parseIpRange('192.168.200.1'))).toBe(true);
    expect(() => parseIpRange('192.168.001.1')).toThrow('zero-filled number in IPv4 address is ambiguous');
    expect(() => parseIpRange('10.0.0.0/33')).toThrow('invalid length');
    expect(() => parseIpRange('')).toThrow('address family must be specified');
    expect(() => parseIpRange(' 10.0.0.1')).toThrow();
    expect(rangeIncludes(parseIpRange('fe80::/10'), parseIpRange('[fe80::1]'))).toBe(true);
    expect(rangeIncludes(parseIpRange('fe80::/10'), parseIpRange('fe80::1%eth0'))).toBe(true);
    expect(rangeIncludes(parseIpRange('::ffff:0:0/96'), parseIpRange('::ffff:10.1.2.3'))).toBe(true);
    expect(rangeIncludes(parseIpRange('::'), parseIpRange('::1'))).toBe(false);
    expect(rangeIncludes(parseIpRange('10.0.0.0/8'), parseIpRange('10.1.0.0/16'))).toBe(true);
    expect(rangeIncludes(parseIpRange('10.1.0.0/16'), parseIpRange('10.0.0.0/8'))).toBe(false);
  });
  it('property: IPv4 and IPv6 inclusion agree with node:net BlockList', () => {
    const v4 = fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(v4, ([a, n, len]) => {
        const dot = (x: number) => [24, 16, 8, 0].map((s) => (x >>> s) & 255).join('.');
        const list = new net.BlockList();
        list.addSubnet(dot(n), len, 'ipv4');
        // a network that shares the address's first bits half the time
        expect(rangeIncludes(parseIpRange(`${dot(n)}/${len}`), parseIpRange(dot(a)))).toBe(list.check(dot(a), 'ipv4'));
        const near = (n & ~0xff) | (a & 0xff);
        expect(rangeIncludes(parseIpRange(`${dot(n)}/${len}`), parseIpRange(dot(near >>> 0)))).toBe(list.check(dot(near >>> 0), 'ipv4'));
      }),
    );
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 128 }), (g, keep, len) => {
        const addr = g.map((x) => x.toString(16)).join(':');
        const netGroups = g.map((x, i) => (i < keep ? x : 0x1234)).map((x) => x.toString(16)).join(':');
        const list = new net.BlockList();
        list.addSubnet(netGroups, len, 'ipv6');
        expect(rangeIncludes(parseIpRange(`${netGroups}/${len}`), parseIpRange(addr))).toBe(list.check(addr, 'ipv6'));
      }),
    );
  });
});

describe('cidr: network_path loading and refresh', () => {
  it('a missing or empty file stops the start with Logstash\'s message; bad lines are warned once and skipped', async () => {
    await expect(make({ address: ['%{ip}'], network_path: path.join(dir, 'absent') }).filter.register()).rejects.toThrow(
      'The file containing the network list is invalid, please check the separator character or permissions for the file.',
    );
    await expect(make({ address: ['%{ip}'], network_path: file('empty', '') }).filter.register()).rejects.toThrow('The file containing the network list is invalid');
    const log = recorder();
    const { filter } = make({ address: ['%{ip}'], network_path: file('mixed', '10.0.0.0/8\nbogus\n\n172.16.0.0/12\n'), add_tag: ['m'] }, 'disabled', log);
    await filter.register();
    expect(tagsOf(filter, { ip: '172.16.1.1' })).toEqual(['m']);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.data?.['path'])).toEqual([`${path.join(dir, 'mixed')}:2`, `${path.join(dir, 'mixed')}:3`]);
  });
  it('the file edited while running is picked up (refresh_interval => 1)', async () => {
    const p = file('live', '10.0.0.0/8\n');
    const { filter } = make({ address: ['%{ip}'], network_path: p, refresh_interval: 1, add_tag: ['m'] });
    await filter.register();
    expect(tagsOf(filter, { ip: '192.168.5.5' })).toBeUndefined();
    writeFileSync(p, '10.0.0.0/8\n192.168.0.0/16\n');
    let tags: unknown;
    for (let i = 0; i < 100 && tags === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      tags = tagsOf(filter, { ip: '192.168.5.5' });
    }
    expect(tags).toEqual(['m']);
  });
  it('-t: network with network_path, an empty file, entries that are no network (file:line warned)', async () => {
    const ctx = () => ({ log: recorder(), ecsCompatibility: 'v8' as const, id: 'c', where: 'x.conf:3:5' });
    const both = await check(withDefaults<CidrOptions>(cidrSchema, { network: ['10.0.0.0/8'], network_path: file('b', '10.0.0.0/8\n') }), ctx());
    expect(both.errors).toEqual(["filter cidr at x.conf:3:5: The configuration options 'network' and 'network_path' are mutually exclusive"]);
    const empty = await check(withDefaults<CidrOptions>(cidrSchema, { network_path: file('e', '') }), ctx());
    expect(empty.errors[0]).toContain('The file containing the network list is invalid');
    const c = ctx();
    const bad = await check(withDefaults<CidrOptions>(cidrSchema, { network_path: file('bad', '10.0.0.0/8\n10.0.0.300/8\n') }), c);
    expect(bad.errors).toEqual([]);
    expect(c.log.lines[0]!.msg).toContain(`${path.join(dir, 'bad')}:2: "10.0.0.300/8" is not an IP network`);
    const none = await check(withDefaults<CidrOptions>(cidrSchema, { network_path: file('none', 'a\nb\n') }), ctx());
    expect(none.errors[0]).toContain('no entry is an IP network');
  });
});
