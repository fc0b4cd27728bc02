// `--server-net`: the networks servers are drawn from (e.g. ranges that are in a GeoIP database), as
// parsed CIDRs, and a uniform draw of a host address inside one of them.
import { formatIP, parseIPv4, parseIPv6 } from '../packet/address.ts';
import type { Prng } from './prng.ts';

export interface ServerNet {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  network: Buffer;
  bits: number;
  text: string;
}

export class ServerNetError extends Error {
  override readonly name = 'ServerNetError';
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`--server-net ${value}: ${reason}`);
  }
}

/** `81.2.69.142/31,89.160.20.112/28,2001:db8::/32` (a bare address is a /32 or /128). */
export function parseServerNets(text: string): ServerNet[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ServerNetError(text, 'empty network in the list');
  return items.map((item) => {
    const slash = item.indexOf('/');
    const addrText = slash >= 0 ? item.slice(0, slash) : item;
    const v4 = parseIPv4(addrText);
    const bytes = v4 ?? parseIPv6(addrText);
    if (!bytes) throw new ServerNetError(item, `'${addrText}' is not an IPv4 or IPv6 address`);
    const max = bytes.length * 8;
    const lenText = slash >= 0 ? item.slice(slash + 1) : String(max);
    if (!/^\d+$/.test(lenText) || Number(lenText) > max) {
      throw new ServerNetError(item, `'/${lenText}' is not a prefix length for ${v4 ? 'IPv4 (0-32)' : 'IPv6 (0-128)'}`);
    }
    const bits = Number(lenText);
    const network = Buffer.from(bytes);
    for (let i = 0; i < network.length; i++) {
      const keep = Math.min(8, Math.max(0, bits - i * 8));
      network[i]! &= (0xff << (8 - keep)) & 0xff;
    }
    return { family: v4 ? 4 : 6, network, bits, text: item };
  });
}

/** A host address in `net`, every address of the network equally likely. */
export function drawAddress(rng: Prng, net: ServerNet): string {
  const addr = Buffer.from(net.network);
  const random = rng.bytes(addr.length);
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.min(8, Math.max(0, net.bits - i * 8));
    const hostMask = ~(0xff << (8 - keep)) & 0xff;
    addr[i] = addr[i]! | (random[i]! & hostMask);
  }
  return formatIP(addr, 0, net.family);
}
