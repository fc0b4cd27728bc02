// The dns filter against a real DNS server: dnsmasq started here on a 127.0.0.x port with its own
// hosts file (`--local=/#/`: every other name is NXDOMAIN, nothing is forwarded), a UDP socket that
// never answers (timeouts) and one that answers REFUSED; plus the hostsfile mode. Expected
// behaviour from logstash-filter-dns lib/logstash/filters/dns.rb and spec/filters/dns_spec.rb
// (append/replace, several fields, failures stop the event without filter_matched).
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import type { FieldMap } from '../../../event/values.ts';
import { LruCache } from '../../../util/lru-cache.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import type { Filter } from '../../types.ts';
import { startDnsmasq, dnsmasqBinary, type Dnsmasq } from '../../../../test/plugins/dns/dnsmasq.ts';
import { check, create, DnsFilter } from './dns.ts';
import { candidates, ptrName } from './resolver.ts';
import { dnsSchema, type DnsFilterOptions } from './schema.ts';

const DNSMASQ = dnsmasqBinary;
if (!DNSMASQ) console.warn('[skip] dnsmasq is not installed (Debian: dnsmasq-base): the dns filter tests against a real DNS server are skipped');

const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-dns-'));
const USER_HOSTS = path.join(dir, 'hosts');
writeFileSync(USER_HOSTS, ['# a comment', '192.0.2.10   files.example.test files   # trailing comment', '192.0.2.11 other.example.test', '10.9.8.99 both.example.test', ''].join('\n'));

let NAMESERVER = '';
let dnsmasq: Dnsmasq | undefined;
let silent: Socket | undefined;
let refusing: Socket | undefined;
let silentAddress = '';
let refusingAddress = '';

async function udp(onMessage: (sock: Socket, msg: Buffer, port: number, address: string) => void): Promise<[Socket, string]> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => onMessage(sock, msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return [sock, `127.0.0.1:${sock.address().port}`];
}

beforeAll(async () => {
  [silent, silentAddress] = await udp(() => undefined);
  // Echo the query back as a REFUSED response.
  [refusing, refusingAddress] = await udp((sock, msg, port, address) => {
    const reply = Buffer.from(msg);
    reply[2] = reply[2]! | 0x80;
    reply[3] = (reply[3]! & 0xf0) | 5;
    sock.send(reply, port, address);
  });
  if (!DNSMASQ) return;
  dnsmasq = await startDnsmasq(
    [
      '10.9.8.7 web.example.test web',
      '10.9.8.8 db.example.test',
      '10.0.0.1 api.internal',
      '10.0.0.2 api.internal.example.test',
      '10.9.8.20 both.example.test',
      '10.9.8.30 xn--bcher-kva.example.test',
    ],
    'web.example.test',
  );
  NAMESERVER = dnsmasq.nameserver;
}, 15_000);

afterAll(() => {
  dnsmasq?.stop();
  silent?.close();
  refusing?.close();
});

function dnsFilter(options: Record<string, unknown>, log = recorder()): DnsFilter {
  const f = create(withDefaults<DnsFilterOptions>(dnsSchema, options), context('disabled', log)) as DnsFilter;
  f.register();
  return f;
}

async function run(filter: Filter, data: FieldMap): Promise<Event> {
  const [e] = [await filter.filter(new Event(data))].flat();
  return e!;
}

describe.skipIf(!DNSMASQ)('dns filter against dnsmasq', () => {
  const server = {
    get nameserver(): string {
      return NAMESERVER;
    },
  };

  it('resolve, replace: the name becomes its address; add_tag runs (dns_spec "dns resolve lookup, replace")', async () => {
    const e = await run(dnsFilter({ ...server, resolve: ['host'], action: 'replace', add_tag: ['success'] }), { host: 'web.example.test' });
    expect(e.get('host')).toBe('10.9.8.7');
    expect(e.get('tags')).toEqual(['success']);
  });

  it('resolve, append (the default): [name, address]; a one-element array gets the address appended', async () => {
    const f = dnsFilter({ ...server, resolve: ['host'] });
    expect((await run(f, { host: 'db.example.test' })).get('host')).toEqual(['db.example.test', '10.9.8.8']);
    expect((await run(f, { host: ['db.example.test'] })).get('host')).toEqual(['db.example.test', '10.9.8.8']);
    const replace = dnsFilter({ ...server, resolve: ['host'], action: 'replace' });
    expect((await run(replace, { host: ['db.example.test'] })).get('host')).toEqual(['10.9.8.8']);
  });

  it('reverse, replace and append: the PTR name', async () => {
    expect((await run(dnsFilter({ ...server, reverse: ['ip'], action: 'replace' }), { ip: '10.9.8.7' })).get('ip')).toBe('web.example.test');
    expect((await run(dnsFilter({ ...server, reverse: ['ip'] }), { ip: '10.9.8.7' })).get('ip')).toEqual(['10.9.8.7', 'web.example.test']);
  });

  it('a name with no record (NXDOMAIN): left alone, no tag, no filter_matched, DEBUG "couldn\'t resolve"', async () => {
    const log = recorder();
    const e = await run(dnsFilter({ ...server, resolve: ['host'], action: 'replace', add_tag: ['success'] }, log), { host: 'does.not.exist' });
    expect(e.get('host')).toBe('does.not.exist');
    expect(e.get('tags')).toBeUndefined();
    expect(log.lines.find((l) => l.level === 'debug')?.msg).toBe("DNS: couldn't resolve the hostname.");
    const r = await run(dnsFilter({ ...server, reverse: ['ip'], action: 'replace' }, log), { ip: '10.1.1.1' });
    expect(r.get('ip')).toBe('10.1.1.1');
    expect(log.lines.some((l) => l.msg === "DNS: couldn't resolve the address.")).toBe(true);
  });

  it('several fields: the first resolved, a failing second stops the event without add_tag (dns_spec "fail resolve lookup, don\'t add tag")', async () => {
    const e = await run(dnsFilter({ ...server, resolve: ['host1', 'host2'], action: 'replace', add_tag: ['success'] }), { host1: 'web.example.test', host2: 'nonexistanthostname.example.test' });
    expect(e.get('host1')).toBe('10.9.8.7');
    expect(e.get('host2')).toBe('nonexistanthostname.example.test');
    expect(e.get('tags')).toBeUndefined();
  });

  it('resolve then reverse; all succeed → add_tag; a missing field is skipped with a WARN', async () => {
    const log = recorder();
    const e = await run(dnsFilter({ ...server, resolve: ['missing', 'host'], reverse: ['ip'], action: 'replace', add_tag: ['success'] }, log), { host: 'web.example.test', ip: '10.9.8.8' });
    expect([e.get('host'), e.get('ip'), e.get('tags')]).toEqual(['10.9.8.7', 'db.example.test', ['success']]);
    expect(log.lines.find((l) => l.level === 'warn')).toEqual({ level: 'warn', msg: 'DNS filter could not resolve missing field', data: { field: 'missing' } });
  });

  it('search and ndots (Resolv candidates): fewer dots than ndots tries the search domains first', async () => {
    const ndots1 = dnsFilter({ nameserver: { address: [NAMESERVER], search: ['example.test'] }, resolve: ['h'], action: 'replace' });
    expect((await run(ndots1, { h: 'api.internal' })).get('h')).toBe('10.0.0.1');
    expect((await run(ndots1, { h: 'db' })).get('h')).toBe('10.9.8.8');
    const ndots3 = dnsFilter({ nameserver: { address: NAMESERVER, search: 'example.test', ndots: 3 }, resolve: ['h'], action: 'replace' });
    expect((await run(ndots3, { h: 'api.internal' })).get('h')).toBe('10.0.0.2');
    // An absolute name skips the search list.
    expect((await run(ndots3, { h: 'api.internal.' })).get('h')).toBe('10.0.0.1');
  });

  it('hostsfile entries answer before DNS', async () => {
    const e = await run(dnsFilter({ ...server, hostsfile: [USER_HOSTS], resolve: ['h'], action: 'replace' }), { h: 'both.example.test' });
    expect(e.get('h')).toBe('10.9.8.99');
  });

  it('punycode names come back as Unicode (IDN.toUnicode), Unicode names are sent as punycode (IDN.toASCII)', async () => {
    expect((await run(dnsFilter({ ...server, reverse: ['ip'], action: 'replace' }), { ip: '10.9.8.30' })).get('ip')).toBe('bücher.example.test');
    expect((await run(dnsFilter({ ...server, resolve: ['h'], action: 'replace' }), { h: 'bücher.example.test' })).get('h')).toBe('10.9.8.30');
  });

  it('hit cache: a second lookup of the same name asks nobody; failed cache: a failed name is not asked again', async () => {
    const f = dnsFilter({ ...server, resolve: ['h'], action: 'replace', hit_cache_size: 10, failed_cache_size: 10 });
    await run(f, { h: 'web.example.test' });
    const again = await run(f, { h: 'web.example.test' });
    expect(again.get('h')).toBe('10.9.8.7');
    expect(f.stats()['queries']).toBe(1);
    await run(f, { h: 'missing.example.test' });
    const queriesAfterMiss = f.stats()['queries']!;
    const second = await run(f, { h: 'missing.example.test' });
    expect(second.get('h')).toBe('missing.example.test');
    expect(f.stats()['queries']).toBe(queriesAfterMiss);
    // Without caches every event asks again.
    const uncached = dnsFilter({ ...server, resolve: ['h'], action: 'replace' });
    await run(uncached, { h: 'web.example.test' });
    await run(uncached, { h: 'web.example.test' });
    expect(uncached.stats()['queries']).toBe(2);
  });
});

describe('dns filter: timeouts and resolver errors (a UDP socket that never answers, one that refuses)', () => {
  it('no answer: tag_on_timeout after 1 + max_retries tries, DEBUG, no filter_matched', async () => {
    const log = recorder();
    const f = dnsFilter({ nameserver: silentAddress, resolve: ['h'], action: 'replace', timeout: 0.1, max_retries: 2, add_tag: ['success'] }, log);
    const e = await run(f, { h: 'slow.example.test' });
    expect(e.get('h')).toBe('slow.example.test');
    expect(e.get('tags')).toEqual(['_dnstimeout']);
    expect(f.stats()['queries']).toBe(3);
    expect(log.lines.find((l) => l.level === 'debug')?.msg).toBe('DNS: timeout on resolving the hostname.');
  });

  it('tag_on_timeout takes a list; reverse timeouts are tagged too', async () => {
    const f = dnsFilter({ nameserver: silentAddress, reverse: ['ip'], timeout: 0.05, max_retries: 0, tag_on_timeout: ['slow_dns', 'x'] });
    expect((await run(f, { ip: '192.0.2.1' })).get('tags')).toEqual(['slow_dns', 'x']);
  });

  it('a slow resolver does not stall other events: an event answered from the hosts file comes back at once', async () => {
    const f = dnsFilter({ nameserver: silentAddress, hostsfile: [USER_HOSTS], resolve: ['h'], action: 'replace', timeout: 0.3, max_retries: 0 });
    const slow = f.filter(new Event({ h: 'slow.example.test' }));
    expect(slow).toBeInstanceOf(Promise);
    let slowDone = false;
    void (slow as Promise<Event[]>).then(() => (slowDone = true));
    const fast = f.filter(new Event({ h: 'files.example.test' }));
    expect(Array.isArray(fast)).toBe(true);
    expect((fast as Event[])[0]!.get('h')).toBe('192.0.2.10');
    const noField = f.filter(new Event({ other: 1 }));
    expect(Array.isArray(noField)).toBe(true);
    expect(slowDone).toBe(false);
    const [late] = await slow;
    expect(late!.get('tags')).toEqual(['_dnstimeout']);
  });

  it('many events waiting on the same slow name share one query', async () => {
    const f = dnsFilter({ nameserver: silentAddress, resolve: ['h'], timeout: 0.1, max_retries: 0 });
    const all = await Promise.all(Array.from({ length: 20 }, () => f.filter(new Event({ h: 'slow.example.test' }))));
    expect(all.every(([e]) => (e!.get('tags') as string[]).includes('_dnstimeout'))).toBe(true);
    expect(f.stats()['queries']).toBe(1);
  });

  it('a REFUSED answer: ERROR "DNS: Unexpected Error.", no tag, no filter_matched', async () => {
    const log = recorder();
    const e = await run(dnsFilter({ nameserver: refusingAddress, resolve: ['h'], action: 'replace', add_tag: ['success'] }, log), { h: 'x.example.test' });
    expect(e.get('h')).toBe('x.example.test');
    expect(e.get('tags')).toBeUndefined();
    expect(log.lines.find((l) => l.level === 'error')?.msg).toBe('DNS: Unexpected Error.');
  });
});

describe('dns filter: hostsfile mode (no DNS at all)', () => {
  it('resolve and reverse from the file; an unknown name is left alone', async () => {
    const f = dnsFilter({ hostsfile: [USER_HOSTS], resolve: ['h'], reverse: ['ip'], action: 'replace' });
    const e = await run(f, { h: 'files', ip: '192.0.2.11' });
    expect([e.get('h'), e.get('ip')]).toEqual(['192.0.2.10', 'other.example.test']);
    const unknown = await run(f, { h: 'nowhere.example.test' });
    expect(unknown.get('h')).toBe('nowhere.example.test');
    expect(f.stats()['queries']).toBe(0);
  });

  it('answers without the network come back synchronously', () => {
    const f = dnsFilter({ hostsfile: [USER_HOSTS], resolve: ['h'], action: 'replace' });
    const out = f.filter(new Event({ h: 'other.example.test' }));
    expect(Array.isArray(out)).toBe(true);
    expect((out as Event[])[0]!.get('h')).toBe('192.0.2.11');
  });
});

describe('dns filter: values it will not look up (dns.rb)', () => {
  const f = (log = recorder()) => dnsFilter({ hostsfile: [USER_HOSTS], resolve: ['h'], reverse: ['ip'], action: 'replace', add_tag: ['success'] }, log);

  it('several values: WARN "skipping resolve, can\'t deal with multiple values", unchanged, no add_tag', async () => {
    const log = recorder();
    const e = await run(f(log), { h: ['files', 'other.example.test'] });
    expect(e.get('h')).toEqual(['files', 'other.example.test']);
    expect(e.get('tags')).toBeUndefined();
    expect(log.lines[0]?.msg).toBe("DNS: skipping resolve, can't deal with multiple values");
  });

  it('not a string: WARN "skipping reverse, can\'t deal with non-string values"', async () => {
    const log = recorder();
    const e = await run(dnsFilter({ hostsfile: [USER_HOSTS], reverse: ['ip'] }, log), { ip: 1234 });
    expect(e.get('ip')).toBe(1234);
    expect(log.lines[0]?.msg).toBe("DNS: skipping reverse, can't deal with non-string values");
  });

  it('reverse of something that is not an address (Resolv::AddressRegex): unchanged, DEBUG', async () => {
    const log = recorder();
    for (const ip of ['not.an.ip', '010.1.1.1', 'fe80::1%eth0']) {
      const e = await run(dnsFilter({ hostsfile: [USER_HOSTS], reverse: ['ip'] }, log), { ip });
      expect(e.get('ip')).toBe(ip);
    }
    expect(log.lines.filter((l) => l.msg === 'DNS: not an address')).toHaveLength(3);
  });
});

describe('dns filter: nameserver setting (normalised_nameserver)', () => {
  const reg = (nameserver: unknown) => () => dnsFilter({ nameserver, resolve: ['h'] });
  it.each([
    [{ search: ['a'] }, 'DNS Filter: `nameserver` hash must include `address`'],
    [{ address: [] }, 'DNS Filter: `nameserver` addresses, when specified, cannot be empty'],
    [{ address: '127.0.0.1', search: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, 'DNS Filter: A maximum of 6 `search` domains are accepted'],
    [{ address: '127.0.0.1', ndots: 0 }, 'DNS Filter: `ndots` must be positive'],
    [{ address: '127.0.0.1', port: 53 }, 'Unknown `nameserver` argument(s): {"port":53}'],
  ])('%j → %s', (nameserver, message) => {
    expect(reg(nameserver)).toThrow(message);
  });

  it('-t reports the same problems', () => {
    const opts = withDefaults<DnsFilterOptions>(dnsSchema, { nameserver: { search: ['a'] } });
    expect(check(opts, { log: recorder(), ecsCompatibility: 'v8', id: 'd', where: 'a.conf:1:1' }).errors).toEqual([expect.stringMatching(/^filter dns at a\.conf:1:1: DNS Filter: `nameserver` hash must include `address`/)]);
  });
});

describe('Resolv search candidates and the TTL cache', () => {
  it.each([
    ['web', ['example.test'], 1, ['web.example.test', 'web']],
    ['a.b', ['example.test'], 1, ['a.b', 'a.b.example.test']],
    ['a.b', ['x', 'y'], 2, ['a.b.x', 'a.b.y', 'a.b']],
    ['abs.', ['x'], 1, ['abs']],
  ])('%s (search %j, ndots %d) → %j', (name, search, ndots, expected) => {
    expect(candidates(name, search, ndots)).toEqual(expected);
  });

  it('PTR names', () => {
    expect(ptrName('10.9.8.7')).toBe('7.8.9.10.in-addr.arpa');
    expect(ptrName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    expect(ptrName('::ffff:10.0.0.1')).toBe('1.0.0.0.0.0.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa');
  });

  it('LruCache: least recently used leaves first; entries expire after the TTL', () => {
    let now = 0;
    const c = new LruCache<string, number>(2, 1000, () => now);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    now = 999;
    expect(c.get('a')).toBe(1);
    now = 1000;
    expect(c.get('a')).toBeUndefined();
    expect(new LruCache<string, number>(0).size).toBe(0);
  });
});
