// The subset of pcap-filter people use to pick flow traffic out of a capture:
//   udp tcp icmp icmp6 ip ip6 | [src|dst|src or dst|src and dst] host H | net CIDR | port N |
//   portrange A-B | vlan [N] | and or not && || ! ( )
// Meaning as in tcpdump: `and` and `or` have the same precedence and associate left; `not` binds
// tighter; an address alone after and/or reuses the previous qualifiers (`host a or b`); every
// `vlan` moves the rest of the expression one tag inwards, so `vlan 10 and udp` tests the frame
// inside the tag and plain `udp` does not match a tagged frame.
import { lookup } from 'node:dns/promises';
import { parseIPv4, parseIPv6 } from './address.ts';
import { decodeFrame, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, type DecodedFrame } from './decode.ts';

export type PacketFilter = (frame: DecodedFrame, data: Buffer) => boolean;

export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(
    readonly expression: string,
    /** 1-based column of the offending token. */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`filter expression, column ${column}: ${reason}\n  ${expression}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
  }
}

type Proto = 'ip' | 'ip6' | 'tcp' | 'udp' | 'icmp' | 'icmp6';
type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
type Kind = 'host' | 'net' | 'port' | 'portrange';

export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; arg: FilterNode }
  | { op: 'proto'; proto: Proto; depth: number }
  | { op: 'vlan'; id: number | null; depth: number }
  | { op: 'addr'; proto: Proto | null; dir: Dir; kind: 'host' | 'net'; text: string; column: number; depth: number }
  | { op: 'port'; proto: Proto | null; dir: Dir; lo: number; hi: number; depth: number };

interface Token {
  text: string;
  column: number;
}

const PROTOS = new Set<string>(['ip', 'ip6', 'tcp', 'udp', 'icmp', 'icmp6']);
const KINDS = new Set<string>(['host', 'net', 'port', 'portrange']);
const UNSUPPORTED = new Set<string>([
  'ether', 'arp', 'rarp', 'sctp', 'mpls', 'gateway', 'broadcast', 'multicast', 'less', 'greater', 'proto', 'len',
  'inbound', 'outbound', 'pppoed', 'pppoes', 'geneve', 'igmp', 'pim', 'vrrp', 'atalk', 'decnet', 'iso', 'stp', 'ipx', 'netbeui',
]);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(&&|\|\||[()!])|([A-Za-z0-9_.:/\-]+)|(\S))/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < expr.length && (m = re.exec(expr))) {
    const text = m[1] ?? m[2] ?? m[3];
    if (text === undefined) break;
    const column = m.index + m[0].length - text.length + 1;
    if (m[3] !== undefined) throw new FilterError(expr, column, `unexpected character '${text}'`);
    tokens.push({ text, column });
  }
  return tokens;
}

/** Parses a filter expression into its tree (host names left unresolved). */
export function parseFilter(expr: string): FilterNode {
  const tokens = tokenize(expr);
  let i = 0;
  let depth = 0;
  // Qualifiers of the last primitive, for `host a or b`.
  let last: { proto: Proto | null; dir: Dir; kind: Kind } | null = null;
  const peek = (): Token | undefined => tokens[i];
  const endColumn = expr.length + 1;
  const err = (t: Token | undefined, why: string): FilterError => new FilterError(expr, t ? t.column : endColumn, why);
  const isAnd = (t: Token | undefined): boolean => t !== undefined && (t.text === 'and' || t.text === '&&');
  const isOr = (t: Token | undefined): boolean => t !== undefined && (t.text === 'or' || t.text === '||');

  function parseExpr(): FilterNode {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!isAnd(t) && !isOr(t)) return left;
      i++;
      const right = parseUnary();
      left = { op: isAnd(t) ? 'and' : 'or', left, right };
    }
  }

  function parseUnary(): FilterNode {
    const t = peek();
    if (t && (t.text === 'not' || t.text === '!')) {
      i++;
      return { op: 'not', arg: parseUnary() };
    }
    return parsePrimary();
  }

  function parsePrimary(): FilterNode {
    const t = peek();
    if (!t) throw err(t, 'expression ends where a primitive was expected');
    if (t.text === '(') {
      i++;
      const inner = parseExpr();
      const close = peek();
      if (!close || close.text !== ')') throw err(close, `expected ')' to close the '(' at column ${t.column}`);
      i++;
      return inner;
    }
    if (t.text === ')' || isAnd(t) || isOr(t)) throw err(t, `unexpected '${t.text}' where a primitive was expected`);
    return parsePrimitive();
  }

  function parsePrimitive(): FilterNode {
    const start = peek()!;
    if (start.text === 'vlan') {
      i++;
      const n = peek();
      let id: number | null = null;
      if (n && /^\d+$/.test(n.text)) {
        id = Number(n.text);
        if (id > 4095) throw err(n, `VLAN id ${id} is out of range 0-4095`);
        i++;
      }
      const node: FilterNode = { op: 'vlan', id, depth };
      depth++;
      last = null;
      return node;
    }
    let proto: Proto | null = null;
    let dir: Dir | null = null;
    let kind: Kind | null = null;
    let t = peek();
    if (t && PROTOS.has(t.text)) {
      proto = t.text as Proto;
      i++;
      t = peek();
    }
    if (t && (t.text === 'src' || t.text === 'dst')) {
      dir = t.text;
      i++;
      const t2 = peek();
      const t3 = tokens[i + 1];
      if ((isAnd(t2) || isOr(t2)) && t3 && (t3.text === 'src' || t3.text === 'dst') && t3.text !== dir) {
        dir = isAnd(t2) ? 'src and dst' : 'src or dst';
        i += 2;
      }
      t = peek();
    }
    if (t && KINDS.has(t.text)) {
      kind = t.text as Kind;
      i++;
      t = peek();
    }
    if (proto !== null && dir === null && kind === null) {
      return { op: 'proto', proto, depth };
    }
    if (t && UNSUPPORTED.has(t.text)) throw err(t, `'${t.text}' is not supported by flowstash filters (supported: udp tcp icmp icmp6 ip ip6 host net port portrange vlan)`);
    if (!t || t.text === '(' || t.text === ')' || t.text === '!' || isAnd(t) || isOr(t) || t.text === 'not') {
      if (proto === null && dir === null && kind === null) {
        throw err(t ?? start, t ? `unexpected '${t.text}'` : 'expression ends where a primitive was expected');
      }
      throw err(t, `expected ${kind === 'port' ? 'a port number' : kind === 'portrange' ? 'a port range A-B' : kind === 'net' ? 'a network (CIDR)' : 'an address'} after '${tokens[i - 1]!.text}'`);
    }
    // A bare value: reuse the previous primitive's qualifiers (`host a or b`), else it is a host.
    if (proto === null && dir === null && kind === null) {
      if (last === null && !looksLikeAddress(t.text)) {
        throw err(t, `unknown keyword '${t.text}' (supported: udp tcp icmp icmp6 ip ip6 src dst host net port portrange vlan and or not)`);
      }
      if (last !== null) ({ proto, dir, kind } = last);
    }
    const q = { proto, dir: dir ?? 'src or dst', kind: kind ?? 'host' } as const;
    last = { proto: q.proto, dir: q.dir, kind: q.kind };
    i++;
    if (q.kind === 'port' || q.kind === 'portrange') {
      if (proto !== null && proto !== 'tcp' && proto !== 'udp' && proto !== 'ip' && proto !== 'ip6') {
        throw err(start, `'${proto}' has no ports`);
      }
      let lo: number;
      let hi: number;
      if (q.kind === 'port') {
        if (!/^\d+$/.test(t.text)) throw err(t, `'${t.text}' is not a port number`);
        lo = hi = Number(t.text);
      } else {
        const m = /^(\d+)-(\d+)$/.exec(t.text);
        if (!m) throw err(t, `'${t.text}' is not a port range A-B`);
        lo = Number(m[1]);
        hi = Number(m[2]);
        if (lo > hi) [lo, hi] = [hi, lo];
      }
      if (hi > 65535) throw err(t, `port ${hi} is out of range 0-65535`);
      return { op: 'port', proto: q.proto, dir: q.dir, lo, hi, depth };
    }
    if (q.kind === 'net' && !/\//.test(t.text) && !/^\d+(\.\d+){0,3}$/.test(t.text) && !parseIPv6(t.text)) {
      throw err(t, `'${t.text}' is not a network (expected CIDR like 10.0.0.0/8)`);
    }
    return { op: 'addr', proto: q.proto, dir: q.dir, kind: q.kind, text: t.text, column: t.column, depth };
  }

  if (tokens.length === 0) throw new FilterError(expr, 1, 'empty expression');
  const tree = parseExpr();
  const rest = peek();
  if (rest) throw err(rest, rest.text === ')' ? "')' without a matching '('" : `unexpected '${rest.text}' after a complete expression (missing 'and'/'or'?)`);
  return tree;
}

function looksLikeAddress(text: string): boolean {
  return parseIPv4(text) !== null || parseIPv6(text) !== null || /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(text);
}

/** Host names used in `host` primitives (they need resolving before compiling). */
export function hostNames(node: FilterNode, out: Set<string> = new Set()): Set<string> {
  if (node.op === 'and' || node.op === 'or') {
    hostNames(node.left, out);
    hostNames(node.right, out);
  } else if (node.op === 'not') hostNames(node.arg, out);
  else if (node.op === 'addr' && node.kind === 'host' && !parseIPv4(node.text) && !parseIPv6(node.text)) out.add(node.text);
  return out;
}

/** Compiles a filter whose hosts are all literal addresses (or resolved in `resolved`). */
export function compileFilter(expr: string, resolved: Map<string, Buffer[]> = new Map()): PacketFilter {
  return compileNode(parseFilter(expr), expr, resolved);
}

/** Parses, resolves host names with the system resolver, and compiles. */
export async function compileFilterResolving(expr: string): Promise<PacketFilter> {
  const tree = parseFilter(expr);
  const resolved = new Map<string, Buffer[]>();
  for (const name of hostNames(tree)) {
    try {
      const addrs = await lookup(name, { all: true });
      resolved.set(
        name,
        addrs.map((a) => (a.family === 4 ? parseIPv4(a.address)! : parseIPv6(a.address)!)),
      );
    } catch (e) {
      throw new FilterError(expr, findColumn(tree, name), `cannot resolve host name '${name}': ${(e as Error).message}`);
    }
  }
  return compileNode(tree, expr, resolved);
}

function findColumn(node: FilterNode, name: string): number {
  if (node.op === 'addr' && node.text === name) return node.column;
  if (node.op === 'and' || node.op === 'or') return findColumn(node.left, name) || findColumn(node.right, name);
  if (node.op === 'not') return findColumn(node.arg, name);
  return 0;
}

/** Evaluates a filter on raw frame bytes. */
export function matchFrame(filter: PacketFilter, linkType: number, data: Buffer): boolean {
  return filter(decodeFrame(linkType, data), data);
}

function atDepth(f: DecodedFrame, data: Buffer, depth: number): boolean {
  if (f.vlanOffsets.length !== depth) return false;
  // tcpdump does not look inside MPLS unless asked to.
  if (f.etherTypeOffset >= 0 && f.ethOffset === 0) {
    const raw = data.readUInt16BE(f.etherTypeOffset);
    if (raw === 0x8847 || raw === 0x8848) return false;
  }
  return true;
}

function protoTest(proto: Proto): PacketFilter {
  switch (proto) {
    case 'ip':
      return (f) => f.etherType === ETHERTYPE_IPV4;
    case 'ip6':
      return (f) => f.etherType === ETHERTYPE_IPV6;
    case 'tcp':
      return (f) => f.ipVersion !== 0 && f.protocol === 6;
    case 'udp':
      return (f) => f.ipVersion !== 0 && f.protocol === 17;
    case 'icmp':
      return (f) => f.ipVersion === 4 && f.protocol === 1;
    case 'icmp6':
      return (f) => f.ipVersion === 6 && f.protocol === 58;
  }
}

interface Prefix {
  bytes: Buffer;
  bits: number;
}

function parsePrefix(text: string, kind: 'host' | 'net'): Prefix | null {
  const [addr, len] = text.split('/') as [string, string | undefined];
  let bytes = parseIPv4(addr) ?? parseIPv6(addr);
  if (!bytes && kind === 'net' && /^\d+(\.\d+){0,2}$/.test(addr)) {
    // tcpdump's short forms: `net 10` = 10/8, `net 192.168` = 192.168/16.
    const parts = addr.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    bytes = Buffer.from([...parts, 0, 0, 0].slice(0, 4));
    if (len === undefined) return { bytes, bits: parts.length * 8 };
  }
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (len === undefined) return { bytes, bits: max };
  if (kind === 'host' || !/^\d+$/.test(len) || Number(len) > max) return null;
  return { bytes, bits: Number(len) };
}

function prefixMatch(p: Prefix, data: Buffer, o: number): boolean {
  const full = p.bits >> 3;
  for (let k = 0; k < full; k++) if (data[o + k] !== p.bytes[k]) return false;
  const rest = p.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (data[o + full]! & mask) === (p.bytes[full]! & mask);
}

function dirTest(dir: Dir, src: (f: DecodedFrame, d: Buffer) => boolean, dst: (f: DecodedFrame, d: Buffer) => boolean): PacketFilter {
  switch (dir) {
    case 'src':
      return src;
    case 'dst':
      return dst;
    case 'src or dst':
      return (f, d) => src(f, d) || dst(f, d);
    case 'src and dst':
      return (f, d) => src(f, d) && dst(f, d);
  }
}

function compileNode(node: FilterNode, expr: string, resolved: Map<string, Buffer[]>): PacketFilter {
  switch (node.op) {
    case 'and': {
      const l = compileNode(node.left, expr, resolved);
      const r = compileNode(node.right, expr, resolved);
      return (f, d) => l(f, d) && r(f, d);
    }
    case 'or': {
      const l = compileNode(node.left, expr, resolved);
      const r = compileNode(node.right, expr, resolved);
      return (f, d) => l(f, d) || r(f, d);
    }
    case 'not': {
      const a = compileNode(node.arg, expr, resolved);
      return (f, d) => !a(f, d);
    }
    case 'vlan': {
      const { depth, id } = node;
      return (f, d) => {
        if (f.vlanOffsets.length <= depth) return false;
        return id === null || (d.readUInt16BE(f.vlanOffsets[depth]! + 2) & 0x0fff) === id;
      };
    }
    case 'proto': {
      const t = protoTest(node.proto);
      const depth = node.depth;
      return (f, d) => atDepth(f, d, depth) && t(f, d);
    }
    case 'port': {
      const { lo, hi, depth } = node;
      const proto = node.proto;
      const protoOk =
        proto === 'tcp'
          ? (f: DecodedFrame) => f.protocol === 6
          : proto === 'udp'
            ? (f: DecodedFrame) => f.protocol === 17
            : (f: DecodedFrame) => f.protocol === 6 || f.protocol === 17 || f.protocol === 132;
      const famOk = proto === 'ip' ? 4 : proto === 'ip6' ? 6 : 0;
      const inner = dirTest(
        node.dir,
        (f) => f.srcPort >= lo && f.srcPort <= hi,
        (f) => f.dstPort >= lo && f.dstPort <= hi,
      );
      return (f, d) =>
        atDepth(f, d, depth) && f.ipVersion !== 0 && (famOk === 0 || f.ipVersion === famOk) && protoOk(f) && f.srcPort >= 0 && inner(f, d);
    }
    case 'addr': {
      const depth = node.depth;
      let prefixes: Prefix[];
      const literal = parsePrefix(node.text, node.kind);
      if (literal) prefixes = [literal];
      else if (node.kind === 'host' && resolved.has(node.text)) {
        prefixes = resolved.get(node.text)!.map((bytes) => ({ bytes, bits: bytes.length * 8 }));
      } else if (node.kind === 'host' && looksLikeAddress(node.text) && !node.text.includes('/')) {
        throw new FilterError(expr, node.column, `host name '${node.text}' must be resolved first (use compileFilterResolving)`);
      } else {
        throw new FilterError(expr, node.column, `'${node.text}' is not a valid ${node.kind === 'net' ? 'network' : 'address'}`);
      }
      const proto = node.proto;
      if (proto !== null && proto !== 'ip' && proto !== 'ip6') {
        throw new FilterError(expr, node.column, `'${proto} ${node.kind}' is not valid (use '${proto} and ${node.kind} ...')`);
      }
      const v4 = prefixes.filter((p) => p.bytes.length === 4 && proto !== 'ip6');
      const v6 = prefixes.filter((p) => p.bytes.length === 16 && proto !== 'ip');
      const at = (which: 'src' | 'dst') => (f: DecodedFrame, d: Buffer): boolean => {
        if (f.ipVersion === 4) {
          const o = which === 'src' ? f.srcOffset : f.dstOffset;
          return v4.some((p) => prefixMatch(p, d, o));
        }
        if (f.ipVersion === 6) {
          const o = which === 'src' ? f.srcOffset : f.dstOffset;
          return v6.some((p) => prefixMatch(p, d, o));
        }
        // ARP (Ethernet/IPv4 only): sender and target protocol addresses.
        if (f.etherType === ETHERTYPE_ARP && proto === null && v4.length > 0) {
          const a = f.l2Len;
          if (d.length < a + 28 || d.readUInt16BE(a + 2) !== ETHERTYPE_IPV4 || d[a + 5] !== 4) return false;
          return v4.some((p) => prefixMatch(p, d, which === 'src' ? a + 14 : a + 24));
        }
        return false;
      };
      const t = dirTest(node.dir, at('src'), at('dst'));
      return (f, d) => atDepth(f, d, depth) && t(f, d);
    }
  }
}
