// tcprewrite's option values: CIDR maps, port maps, MACs, TTL, VLAN — parsed into plain data,
// with a precise message when a value is wrong.
import { parseIPv4, parseIPv6, parseMac } from '../packet/address.ts';

export class RewriteOptionError extends Error {
  override readonly name = 'RewriteOptionError';
  constructor(
    readonly option: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`--${option}=${value}: ${reason}`);
  }
}

export interface Cidr {
  family: 4 | 6;
  bytes: Buffer;
  bits: number;
}

export interface CidrPair {
  from: Cidr;
  to: Cidr;
}

export interface PortMapEntry {
  lo: number;
  hi: number;
  /** Single ports listed with `+` (empty when the entry is a range). */
  list: number[];
  to: number;
}

export type TtlEdit = { mode: 'set' | 'add' | 'sub'; value: number };

export interface VlanEdit {
  mode: 'add' | 'del';
  tag: number | null;
  pri: number | null;
  cfi: number | null;
  /** TPID to push: 0x8100 (802.1q, default) or 0x88a8 (802.1ad). */
  tpid: number;
}

export interface RewriteOptions {
  srcIpMap: CidrPair[];
  dstIpMap: CidrPair[];
  /** `--pnat` lists: [map1, map2]; with one --pnat both are the same list. */
  pnat: [CidrPair[], CidrPair[]] | null;
  enetDmac: Buffer | null;
  enetSmac: Buffer | null;
  portMap: PortMapEntry[];
  fixCsum: boolean;
  mtu: number;
  mtuTrunc: boolean;
  ttl: TtlEdit | null;
  tos: number | null;
  skipBroadcast: boolean;
  fixLen: 'pad' | 'trunc' | 'del' | null;
  vlan: VlanEdit | null;
  /** pcap-filter expression: packets that do not match are left out. */
  filter: string | null;
  /**
   * false (default): reproduce tcprewrite 4.4.3's Ethernet address side effects byte for byte
   * (README: `flowstash rewrite`). true: derive multicast MACs correctly and touch nothing else.
   */
  correctMulticastMac: boolean;
}

export function defaultRewriteOptions(): RewriteOptions {
  return {
    srcIpMap: [],
    dstIpMap: [],
    pnat: null,
    enetDmac: null,
    enetSmac: null,
    portMap: [],
    fixCsum: false,
    mtu: 1500,
    mtuTrunc: false,
    ttl: null,
    tos: null,
    skipBroadcast: false,
    fixLen: null,
    vlan: null,
    filter: null,
    correctMulticastMac: false,
  };
}

/** `10.0.0.0/8`, `192.0.2.1` (= /32), `2001:db8::/32` (without brackets), `::1` (= /128). */
export function parseCidr(option: string, whole: string, text: string): Cidr {
  const slash = text.lastIndexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : null;
  const v4 = parseIPv4(addrText);
  const bytes = v4 ?? parseIPv6(addrText);
  if (!bytes) throw new RewriteOptionError(option, whole, `'${addrText}' is not an IPv4 or IPv6 address`);
  const max = bytes.length * 8;
  let bits = max;
  if (lenText !== null) {
    if (!/^\d+$/.test(lenText) || Number(lenText) > max) {
      throw new RewriteOptionError(option, whole, `'/${lenText}' is not a prefix length for ${v4 ? 'IPv4 (0-32)' : 'IPv6 (0-128)'}`);
    }
    bits = Number(lenText);
  }
  return { family: v4 ? 4 : 6, bytes, bits };
}

/** `CIDR:CIDR[,CIDR:CIDR...]`, IPv6 in brackets: `[2001:db8::/32]:[fd00::/32]`. */
export function parseCidrMap(option: string, text: string): CidrPair[] {
  const pairs: CidrPair[] = [];
  for (const item of text.split(',')) {
    if (item === '') throw new RewriteOptionError(option, text, 'empty entry in the list (expected CIDR:CIDR pairs separated by commas)');
    let from: string;
    let to: string;
    const v6 = /^\[([^\]]+)\]:\[([^\]]+)\]$/.exec(item);
    if (v6) {
      from = v6[1]!;
      to = v6[2]!;
    } else {
      if (item.includes('[')) throw new RewriteOptionError(option, text, `'${item}' is not a pair of bracketed IPv6 CIDRs like [2001:db8::/32]:[fd00::/32]`);
      const parts = item.split(':');
      if (parts.length !== 2) {
        throw new RewriteOptionError(option, text, `'${item}' is not a CIDR:CIDR pair (put IPv6 networks in brackets: [2001:db8::/32]:[fd00::/32])`);
      }
      [from, to] = parts as [string, string];
    }
    const a = parseCidr(option, text, from);
    const b = parseCidr(option, text, to);
    if (a.family !== b.family) throw new RewriteOptionError(option, text, `'${item}' maps IPv${a.family} to IPv${b.family}`);
    pairs.push({ from: a, to: b });
  }
  return pairs;
}

/** `from:to`, `lo-hi:to`, `a+b+c:to`, comma-separated. */
export function parsePortMap(option: string, text: string): PortMapEntry[] {
  const out: PortMapEntry[] = [];
  const port = (s: string): number => {
    if (!/^\d+$/.test(s) || Number(s) > 65535) throw new RewriteOptionError(option, text, `'${s}' is not a port number (0-65535)`);
    return Number(s);
  };
  for (const item of text.split(',')) {
    const m = /^([^:]+):([^:]+)$/.exec(item);
    if (!m) throw new RewriteOptionError(option, text, `'${item}' is not FROM:TO (FROM is a port, LO-HI, or A+B+C)`);
    const [, from, to] = m as unknown as [string, string, string];
    const range = /^(\d+)-(\d+)$/.exec(from);
    if (range) {
      const lo = port(range[1]!);
      const hi = port(range[2]!);
      if (lo > hi) throw new RewriteOptionError(option, text, `range ${from} is backwards`);
      out.push({ lo, hi, list: [], to: port(to) });
    } else if (from.includes('+')) {
      out.push({ lo: -1, hi: -1, list: from.split('+').map(port), to: port(to) });
    } else {
      const p = port(from);
      out.push({ lo: p, hi: p, list: [], to: port(to) });
    }
  }
  return out;
}

/** One MAC (tcprewrite applies the first of `MAC1,MAC2` to every packet without a cache file). */
export function parseMacOption(option: string, text: string): Buffer {
  const parts = text.split(',');
  if (parts.length > 2) throw new RewriteOptionError(option, text, 'expected MAC or MAC1,MAC2');
  const macs = parts.map((p) => {
    const mac = parseMac(p);
    if (!mac) throw new RewriteOptionError(option, text, `'${p}' is not a MAC address like 00:11:22:33:44:55`);
    return mac;
  });
  return macs[0]!;
}

export function parseTtl(text: string): TtlEdit {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 255) throw new RewriteOptionError('ttl', text, 'expected N, +N or -N with N from 0 to 255');
  return { mode: m[1] === '+' ? 'add' : m[1] === '-' ? 'sub' : 'set', value: Number(m[2]) };
}

export function parseIntOption(option: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new RewriteOptionError(option, text, `expected an integer from ${min} to ${max}`);
  }
  return Number(text);
}
