// The plain-address fast path must answer exactly as parseIpRange + IPAddr#include? (the general
// path) does, and leave to it every text it does not read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidIpError, parseIpRange, rangeIncludes, type IpRange } from './ip-range.ts';
import { NetworkList, plainIpv4, plainIpv6 } from './network-list.ts';

const ELASTIFLOW_PRIVATE = ['0.0.0.0/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15', 'fc00::/7', '127.0.0.0/8', '::1/128', '169.254.0.0/16', 'fe80::/10', '224.0.0.0/4', 'ff00::/8', '255.255.255.255/32', '::', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];

/** The general path's answer: undefined when IPAddr refuses the text. */
function general(networks: IpRange[], text: string): boolean | undefined {
  let range: IpRange;
  try {
    range = parseIpRange(text);
  } catch (e) {
    if (e instanceof InvalidIpError) return undefined;
    throw e;
  }
  return networks.some((n) => rangeIncludes(n, range));
}

function agree(networks: IpRange[], text: string): void {
  const list = new NetworkList(networks);
  const fast = list.includesText(text);
  const slow = general(networks, text);
  if (fast === undefined) {
    // Left to the general path: includesRange must agree with it on what IPAddr reads.
    if (slow !== undefined) expect(list.includesRange(parseIpRange(text))).toBe(slow);
  } else expect({ text, answer: fast }).toEqual({ text, answer: slow });
}

describe('cidr network list: plain addresses read without IPAddr', () => {
  it('IPv4: dotted quads; zero-filled, out of range, short or long forms are left to the general reading', () => {
    expect(plainIpv4('10.1.2.3')).toBe(0x0a010203);
    expect(plainIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(plainIpv4('0.0.0.0')).toBe(0);
    for (const t of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', '1.2.3.00', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4/32', '1234.1.1.1', '1.2.3.-4', '::1']) expect(plainIpv4(t)).toBe(-1);
  });
  it('IPv6: groups and one ::; brackets, zones, IPv4 tails and bad forms are left to the general reading', () => {
    const words = new Uint32Array(4);
    expect(plainIpv6('2001:db8::1', words)).toBe(true);
    expect([...words]).toEqual([0x20010db8, 0, 0, 1]);
    expect(plainIpv6('::', words)).toBe(true);
    expect([...words]).toEqual([0, 0, 0, 0]);
    expect(plainIpv6('FE80:0:0:0:0:0:0:AbCd', words)).toBe(true);
    expect([...words]).toEqual([0xfe800000, 0, 0, 0xabcd]);
    expect(plainIpv6('1::', words)).toBe(true);
    expect([...words]).toEqual([0x00010000, 0, 0, 0]);
    for (const t of [':::', '1:::2', '1::2::3', ':1::', '1::2:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '12345::', '[::1]', '::1%eth0', '::ffff:1.2.3.4', '::/0', 'g::', ''])
      expect(plainIpv6(t, words)).toBe(false);
  });
  it('the ElastiFlow private networks: the fast and the general answers agree on typical and edge texts', () => {
    const nets = ELASTIFLOW_PRIVATE.map(parseIpRange);
    for (const t of ['10.12.75.8', '81.2.69.143', '0.0.0.0', '0.0.0.1', '255.255.255.255', '172.31.255.255', '172.32.0.0', '2001:db8:b2::7db8', '2001:db9::1', '::', '::1', '::2', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe00::', 'febf::1', 'ff02::1', '::ffff:10.1.2.3', '[::1]', 'fe80::1%eth0', '10.0.0.1/8', 'x', '', '010.0.0.1'])
      agree(nets, t);
  });
  it('property: random addresses against random networks (IPv4 and IPv6, texts in several spellings)', () => {
    const v4 = fc.nat(0xffffffff).map((x) => [24, 16, 8, 0].map((s) => (x >>> s) & 255).join('.'));
    const group = fc.integer({ min: 0, max: 0xffff });
    const v6 = fc.tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean()).map(([g, from, to, upper]) => {
      const hex = g.map((x) => (upper ? x.toString(16).toUpperCase() : x.toString(16)));
      const [a, b] = from <= to ? [from, to] : [to, from];
      // zero a run and write it as `::` half the time
      if (a < b && g.slice(a, b).every((x) => x === 0)) return `${hex.slice(0, a).join(':')}::${hex.slice(b).join(':')}`;
      return hex.join(':');
    });
    const address = fc.oneof(v4, v6, v6.map((t) => t.replace(/^0:/, ':')), fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9a-f:.]{0,20}$/));
    const network = fc.oneof(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), fc.tuple(v6.filter((t) => !t.startsWith(':') || t.startsWith('::')), fc.integer({ min: 0, max: 128 }))).map(([a, len]) => `${a}/${len}`);
    fc.assert(
      fc.property(fc.array(network, { maxLength: 4 }), address, (texts, text) => {
        const nets: IpRange[] = [];
        for (const t of texts) {
          try {
            nets.push(parseIpRange(t));
          } catch {
            // not a network IPAddr reads: the filter skips it too
          }
        }
        // the address's own network always, so that matches are common
        try {
          nets.push(parseIpRange(`${text}/${text.includes(':') ? 100 : 20}`));
        } catch {
          // not an address
        }
        agree(nets, text);
      }),
      { numRuns: 3000 },
    );
  });
});
