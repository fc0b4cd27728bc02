// Rewrites one frame the way tcprewrite 4.4.3 does (all packets treated as client→server, as
// tcprewrite does without a cache file). Order: L2 (MACs, VLAN) → IPv4 TOS/TTL, IPv6 hop limit,
// port map → --fixlen / --mtu-trunc → --srcipmap, --dstipmap, --pnat → checksums.
// Where tcprewrite is wrong (IPv6 prefixes that are not a multiple of 8, UDP checksums that come
// out as zero, IPv6 packets with a Fragment header left unrewritten, adding a VLAN tag without
// growing the frame) this code does the right thing; the README (`flowstash rewrite`) lists the differences.
import {
  csumReplace16,
  csumReplace2,
  csumReplace4,
  internetChecksum,
  pseudoHeaderSum,
} from '../packet/checksum.ts';
import { createFrameView, decodeFrameInto, ETHERTYPE_ARP, IPPROTO, isVlanTpid, LINKTYPE, type DecodedFrame } from '../packet/decode.ts';
import type { PacketFilter } from '../packet/filter.ts';
import type { Cidr, CidrPair, RewriteOptions } from './options.ts';

export interface RewriteStats {
  packets: number;
  written: number;
  /** Left out by --filter. */
  filtered: number;
  /** Dropped by --fixlen=del (captured shorter than on the wire). */
  deleted: number;
  /** Written unchanged because they could not be decoded (tcprewrite's soft errors). */
  undecodable: number;
  /** Packets whose IP addresses were changed. */
  addressesRewritten: number;
}

export interface RewrittenFrame {
  data: Buffer;
  /** Original (wire) length after the edit. */
  len: number;
}

export class Rewriter {
  readonly stats: RewriteStats = { packets: 0, written: 0, filtered: 0, deleted: 0, undecodable: 0, addressesRewritten: 0 };
  /** Problems worth telling the user about (first 1000). */
  readonly warnings: string[] = [];
  /** The address being replaced (avoids an allocation per remap). */
  private readonly scratch = Buffer.alloc(16);
  /** The frame being rewritten, decoded into the same object every time. */
  private readonly frame = createFrameView();
  /** What `rewrite` returns, refilled on every call. */
  private readonly result: RewrittenFrame = { data: Buffer.alloc(0), len: 0 };

  constructor(
    private readonly opts: RewriteOptions,
    private readonly filter: PacketFilter | null = null,
  ) {}

  /**
   * The rewritten frame, or null when the packet is left out (filter, --fixlen=del).
   * With `inPlace` the input buffer itself is edited when the frame keeps its size.
   * The returned object is reused: read it before the next call (its `data` stays valid).
   */
  rewrite(linkType: number, input: Buffer, len: number, packetNumber = 0, inPlace = false): RewrittenFrame | null {
    this.stats.packets++;
    const o = this.opts;
    if (this.filter && !this.filter(decodeFrameInto(this.frame, linkType, input), input)) {
      this.stats.filtered++;
      return null;
    }
    if (o.fixLen === 'del' && input.length < len) {
      this.stats.deleted++;
      return null;
    }
    let data = inPlace ? input : Buffer.from(input);
    // --- L2 (Ethernet only) ---
    if (linkType === LINKTYPE.ETHERNET) {
      if (data.length < 14) {
        this.stats.undecodable++;
        this.stats.written++;
        return this.done(data, len);
      }
      const v = o.vlan;
      if (v?.mode === 'del' && isVlanTpid(get16(data, 12)) && data.length >= 18) {
        data = Buffer.concat([data.subarray(0, 12), data.subarray(16)]);
        len -= 4;
      } else if (v?.mode === 'add') {
        const tag = Buffer.alloc(4);
        const inner = isVlanTpid(get16(data, 12)) && data.length >= 16 ? get16(data, 14) : 0;
        const vid = v.tag ?? inner & 0x0fff;
        const pri = v.pri ?? (inner >> 13) & 7;
        const cfi = v.cfi ?? (inner >> 12) & 1;
        tag.writeUInt16BE(v.tpid, 0);
        tag.writeUInt16BE((pri << 13) | (cfi << 12) | vid, 2);
        data = Buffer.concat([data.subarray(0, 12), tag, data.subarray(12)]);
        len += 4;
      }
      if (o.enetDmac) setMac(data, 0, o.enetDmac);
      if (o.enetSmac) setMac(data, 6, o.enetSmac);
    }
    const f = decodeFrameInto(this.frame, linkType, data);
    if (f.ipVersion === 0) {
      if (f.etherType === ETHERTYPE_ARP) this.rewriteArp(data, f);
      this.stats.written++;
      return this.done(data, len);
    }
    if (f.error) {
      this.stats.undecodable++;
      this.stats.written++;
      return this.done(data, len);
    }
    const ip = f.ipOffset;
    // --- IPv4 TOS/TTL, IPv6 hop limit ---
    if (f.ipVersion === 4) {
      if (o.tos !== null && data[ip + 1] !== o.tos) {
        const old = get16(data, ip);
        data[ip + 1] = o.tos;
        put16(data, ip + 10, csumReplace2(get16(data, ip + 10), old, get16(data, ip)));
      }
      if (o.ttl) {
        const old = data[ip + 8]!;
        const now = editTtl(old, o.ttl.mode, o.ttl.value);
        if (now !== old) {
          data[ip + 8] = now;
          put16(data, ip + 10, csumReplace2(get16(data, ip + 10), old << 8, now << 8));
        }
      }
    } else if (o.ttl) {
      data[ip + 7] = editTtl(data[ip + 7]!, o.ttl.mode, o.ttl.value);
    }
    // --- port map (TCP/UDP; ports exist only in unfragmented packets and first fragments) ---
    if (o.portMap.length > 0 && f.srcPort >= 0 && (f.protocol === IPPROTO.TCP || f.protocol === IPPROTO.UDP)) {
      this.rewritePorts(data, f);
    }
    // --- --fixlen / --mtu-trunc (tcprewrite's "untruncate" step) ---
    let recalc = false;
    const l2 = f.ipOffset;
    const short = data.length < len;
    if ((o.fixLen !== null && short) || o.mtuTrunc) {
      // Fragments cannot be checksummed; a UDP first fragment gets checksum 0 ("none").
      let check = true;
      if (f.ipVersion === 4 && f.fragOffset !== 0) check = false;
      else if (f.ipVersion === 4 && f.protocol === IPPROTO.UDP && f.moreFragments) {
        if (data.length >= f.l4Offset + 8) put16(data, f.l4Offset + 6, 0);
        check = false;
      }
      if (o.fixLen !== null) {
        if (short && o.fixLen === 'pad') {
          data = Buffer.concat([data, Buffer.alloc(len - data.length)]);
        } else if (short && o.fixLen === 'trunc') {
          if (f.ipVersion === 4) {
            const total = data.length - l2;
            if (total <= 0xffff) put16(data, ip + 2, total);
            else this.warn(`packet ${packetNumber}: --fixlen=trunc: ${total} captured IPv4 bytes do not fit the 16-bit total length; left unchanged`);
          }
          len = data.length;
        }
      } else if (len > l2 + o.mtu) {
        const cut = l2 + o.mtu;
        // tcprewrite sets caplen = len = cut even when fewer bytes were captured (it then
        // writes memory it never read); only captured bytes are kept here.
        data = Buffer.from(data.subarray(0, Math.min(cut, data.length)));
        len = cut;
        if (f.ipVersion === 4) put16(data, ip + 2, o.mtu);
        else put16(data, ip + 4, Math.max(0, o.mtu - 40));
      }
      recalc = check;
    }
    // tcprewrite 4.4.3 always makes the IP length field cover the whole frame after L2
    // (Ethernet padding included), then recomputes the checksums.
    const ethernet = linkType === LINKTYPE.ETHERNET;
    if (ethernet && f.ipVersion === 4 && !f.isFragment) {
      const want = len - l2;
      if (get16(data, ip + 2) !== want && want >= 20 && want <= 0xffff) {
        put16(data, ip + 2, want);
        recalc = true;
      }
    } else if (ethernet && f.ipVersion === 6) {
      const want = len - l2 - 40;
      if (get16(data, ip + 4) !== want && want >= 0 && want <= 0xffff) {
        put16(data, ip + 4, want);
        recalc = true;
      }
    }
    if (recalc) decodeFrameInto(f, linkType, data);
    // --- addresses ---
    if (this.rewriteAddresses(data, f)) this.stats.addressesRewritten++;
    // --- checksums ---
    // tcprewrite 4.4.3 recomputes IPv4 checksums on every Ethernet frame it edits.
    const ethernetV4 = linkType === LINKTYPE.ETHERNET && f.ipVersion === 4;
    if (o.fixCsum || recalc || ethernetV4) this.fixChecksums(data, f, len, packetNumber);
    if (linkType === LINKTYPE.ETHERNET) this.multicastMacs(data, f);
    this.stats.written++;
    return this.done(data, len);
  }

  private done(data: Buffer, len: number): RewrittenFrame {
    const r = this.result;
    r.data = data;
    r.len = len;
    return r;
  }

  private rewritePorts(data: Buffer, f: DecodedFrame): void {
    const l4 = f.l4Offset;
    const csumOffset = f.protocol === IPPROTO.TCP ? l4 + 16 : l4 + 6;
    const haveCsum = data.length >= csumOffset + 2;
    for (let at = l4; at <= l4 + 2; at += 2) {
      const old = get16(data, at);
      const now = mapPort(this.opts.portMap, old);
      if (now === old) continue;
      put16(data, at, now);
      if (!haveCsum) continue;
      const check = get16(data, csumOffset);
      if (f.protocol === IPPROTO.UDP && check === 0) continue;
      put16(data, csumOffset, udpSafe(f, csumReplace2(check, old, now)));
    }
  }

  /** --srcipmap, --dstipmap, then --pnat; checksums patched incrementally. */
  private rewriteAddresses(data: Buffer, f: DecodedFrame): boolean {
    const o = this.opts;
    if (o.srcIpMap.length === 0 && o.dstIpMap.length === 0 && !o.pnat) return false;
    const family = f.ipVersion as 4 | 6;
    let changed = false;
    changed = this.applyFirstMatch(data, f, o.srcIpMap, f.srcOffset) || changed;
    changed = this.applyFirstMatch(data, f, o.dstIpMap, f.dstOffset) || changed;
    if (o.pnat) {
      const map1 = o.pnat[0];
      const map2 = o.pnat[1];
      let didSrc = false;
      let didDst = false;
      for (let i = 0; i < Math.max(map1.length, map2.length); i++) {
        const p1 = map1[Math.min(i, map1.length - 1)]!;
        const p2 = map2[Math.min(i, map2.length - 1)]!;
        if (!didDst && p2.from.family === family && inCidr(p2.from, data, f.dstOffset)) {
          changed = this.remap(data, f, f.dstOffset, p2.to) || changed;
          didDst = true;
        }
        if (!didSrc && p1.from.family === family && inCidr(p1.from, data, f.srcOffset)) {
          changed = this.remap(data, f, f.srcOffset, p1.to) || changed;
          didSrc = true;
        }
        if (didSrc && didDst) break;
      }
    }
    return changed;
  }

  /** --srcipmap/--dstipmap: the first pair whose "from" holds the address rewrites it. */
  private applyFirstMatch(data: Buffer, f: DecodedFrame, map: CidrPair[], offset: number): boolean {
    for (let i = 0; i < map.length; i++) {
      const pair = map[i]!;
      if (pair.from.family !== f.ipVersion || !inCidr(pair.from, data, offset)) continue;
      return this.remap(data, f, offset, pair.to);
    }
    return false;
  }

  /** Rewrites one address in place onto `to`'s prefix and patches the checksums. */
  private remap(data: Buffer, f: DecodedFrame, offset: number, to: Cidr): boolean {
    const family = f.ipVersion as 4 | 6;
    const alen = family === 4 ? 4 : 16;
    if (this.opts.skipBroadcast && isBroadcast(data, offset, family)) return false;
    const old = this.scratch;
    for (let i = 0; i < alen; i++) old[i] = data[offset + i]!;
    mergePrefix(data, offset, to);
    let same = true;
    for (let i = 0; i < alen && same; i++) same = old[i] === data[offset + i];
    if (same) return false;
    // Ports (and so the L4 checksum) exist only in unfragmented packets and first fragments.
    const l4 = f.fragOffset === 0 && f.l4Offset >= 0 ? f.l4Offset : -1;
    if (family === 4) {
      const oldWord = ((old[0]! << 24) | (old[1]! << 16) | (old[2]! << 8) | old[3]!) >>> 0;
      const newWord = ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!) >>> 0;
      put16(data, f.ipOffset + 10, csumReplace4(get16(data, f.ipOffset + 10), oldWord, newWord));
      if (l4 >= 0) {
        if (f.protocol === IPPROTO.UDP && data.length >= l4 + 8) {
          const c = get16(data, l4 + 6);
          if (c !== 0) put16(data, l4 + 6, udpSafe(f, csumReplace4(c, oldWord, newWord)));
        } else if (f.protocol === IPPROTO.TCP && data.length >= l4 + 20) {
          put16(data, l4 + 16, csumReplace4(get16(data, l4 + 16), oldWord, newWord));
        }
      }
    } else if (l4 >= 0) {
      if (f.protocol === IPPROTO.UDP && data.length >= l4 + 8) {
        const c = get16(data, l4 + 6);
        if (c !== 0) put16(data, l4 + 6, udpSafe(f, csumReplace16(c, old, 0, data, offset)));
      } else if (f.protocol === IPPROTO.TCP && data.length >= l4 + 20) {
        put16(data, l4 + 16, csumReplace16(get16(data, l4 + 16), old, 0, data, offset));
      }
    }
    return true;
  }

  /**
   * tcprewrite 4.4.3 rewrites Ethernet addresses from the final IP addresses on every frame:
   * IPv4 multicast (224/4) source/destination → the MAC's first three bytes become 01:00:5e (the
   * rest is kept); IPv6 source/destination that is NOT multicast → the MAC becomes 33:33 + the
   * address's last four bytes. Reproduced for byte compatibility; `correctMulticastMac` instead
   * sets only a multicast destination's MAC, per RFC 1112 / RFC 2464.
   */
  private multicastMacs(data: Buffer, f: DecodedFrame): void {
    const dst = f.dstOffset;
    const src = f.srcOffset;
    if (this.opts.correctMulticastMac) {
      if (this.opts.enetDmac) return;
      if (f.ipVersion === 4 && (data[dst]! & 0xf0) === 0xe0) {
        data[0] = 0x01;
        data[1] = 0x00;
        data[2] = 0x5e;
        data[3] = data[dst + 1]! & 0x7f;
        data[4] = data[dst + 2]!;
        data[5] = data[dst + 3]!;
      } else if (f.ipVersion === 6 && data[dst] === 0xff) {
        data[0] = 0x33;
        data[1] = 0x33;
        data.copy(data, 2, dst + 12, dst + 16);
      }
      return;
    }
    if (f.ipVersion === 4) {
      if ((data[dst]! & 0xf0) === 0xe0) setIPv4MulticastPrefix(data, 0);
      if ((data[src]! & 0xf0) === 0xe0) setIPv4MulticastPrefix(data, 6);
    } else {
      if (data[dst] !== 0xff) setIPv6Mac(data, 0, dst);
      if (data[src] !== 0xff) setIPv6Mac(data, 6, src);
    }
  }

  /** ARP request/reply sender and target IPv4 addresses follow --pnat (no checksum involved). */
  private rewriteArp(data: Buffer, f: DecodedFrame): void {
    const pnat = this.opts.pnat;
    if (!pnat) return;
    const a = f.l2Len;
    if (data.length < a + 8) return;
    const hln = data[a + 4]!;
    const pln = data[a + 5]!;
    const op = get16(data, a + 6);
    if (get16(data, a + 2) !== 0x0800 || pln !== 4 || (op !== 1 && op !== 2)) return;
    const ip1 = a + 8 + hln;
    const ip2 = ip1 + pln + hln;
    if (data.length < ip2 + 4) return;
    // Requests: the target is the "destination"; replies: the sender is.
    const [dstAt, srcAt] = op === 1 ? [ip1, ip2] : [ip2, ip1];
    const [map1, map2] = pnat;
    let didSrc = false;
    let didDst = false;
    for (let i = 0; i < Math.max(map1.length, map2.length); i++) {
      const p1 = map1[Math.min(i, map1.length - 1)]!;
      const p2 = map2[Math.min(i, map2.length - 1)]!;
      if (!didDst && p2.from.family === 4 && inCidr(p2.from, data, dstAt)) {
        if (!(this.opts.skipBroadcast && isBroadcast(data, dstAt, 4))) mergePrefix(data, dstAt, p2.to);
        didDst = true;
      }
      if (!didSrc && p1.from.family === 4 && inCidr(p1.from, data, srcAt)) {
        if (!(this.opts.skipBroadcast && isBroadcast(data, srcAt, 4))) mergePrefix(data, srcAt, p1.to);
        didSrc = true;
      }
      if (didSrc && didDst) break;
    }
  }

  /** --fixcsum: recompute the IPv4 header checksum and, for whole unfragmented packets, L4's. */
  private fixChecksums(data: Buffer, f: DecodedFrame, len: number, packetNumber: number): void {
    const ip = f.ipOffset;
    const whole = data.length === len && !f.isFragment;
    if (f.ipVersion === 4) {
      const hl = f.ipHeaderLen;
      if (whole && f.l4Offset >= 0) {
        const l4Len = f.ipEnd - f.l4Offset;
        if (f.ipEnd > data.length) {
          this.warn(`packet ${packetNumber}: IPv4 total length ${f.ipEnd - ip} runs past the ${data.length - ip} captured bytes; L4 checksum not recomputed`);
        } else {
          this.fixL4(data, f, l4Len);
        }
      }
      put16(data, ip + 10, 0);
      put16(data, ip + 10, internetChecksum(data, ip, ip + hl));
    } else if (whole && f.l4Offset >= 0) {
      const l4Len = f.ipEnd - f.l4Offset;
      if (f.ipEnd > data.length || l4Len < 0) {
        this.warn(`packet ${packetNumber}: IPv6 payload length runs past the captured bytes; L4 checksum not recomputed`);
      } else {
        this.fixL4(data, f, l4Len);
      }
    }
  }

  private fixL4(data: Buffer, f: DecodedFrame, l4Len: number): void {
    const l4 = f.l4Offset;
    const version = f.ipVersion as 4 | 6;
    switch (f.protocol) {
      case IPPROTO.TCP:
        if (l4Len < 20) return;
        put16(data, l4 + 16, 0);
        put16(data, l4 + 16, internetChecksum(data, l4, l4 + l4Len, pseudoHeaderSum(data, version, f.srcOffset, 6, l4Len)));
        return;
      case IPPROTO.UDP: {
        if (l4Len < 8) return;
        // IPv4: zero means "no checksum" and stays zero. IPv6 forbids zero: compute it.
        if (version === 4 && get16(data, l4 + 6) === 0) return;
        put16(data, l4 + 6, 0);
        const c = internetChecksum(data, l4, l4 + l4Len, pseudoHeaderSum(data, version, f.srcOffset, 17, l4Len));
        put16(data, l4 + 6, c === 0 ? 0xffff : c);
        return;
      }
      case IPPROTO.ICMP:
        if (l4Len < 4 || version !== 4) return;
        put16(data, l4 + 2, 0);
        put16(data, l4 + 2, internetChecksum(data, l4, l4 + l4Len));
        return;
      case IPPROTO.ICMPV6:
        if (l4Len < 4 || version !== 6) return;
        put16(data, l4 + 2, 0);
        put16(data, l4 + 2, internetChecksum(data, l4, l4 + l4Len, pseudoHeaderSum(data, version, f.srcOffset, 58, l4Len)));
        return;
      default:
        return;
    }
  }

  private warn(message: string): void {
    if (this.warnings.length < 1000) this.warnings.push(message);
  }
}

/** Big-endian 16-bit field at o; callers have checked that it lies within the frame. */
function get16(data: Buffer, o: number): number {
  return (data[o]! << 8) | data[o + 1]!;
}

/** Stores a 16-bit field big-endian at o (within the frame, checked by the caller). */
function put16(data: Buffer, o: number, value: number): void {
  data[o] = value >>> 8;
  data[o + 1] = value;
}

function setMac(data: Buffer, at: number, mac: Buffer): void {
  for (let i = 0; i < 6; i++) data[at + i] = mac[i]!;
}

function setIPv4MulticastPrefix(data: Buffer, macAt: number): void {
  data[macAt] = 0x01;
  data[macAt + 1] = 0x00;
  data[macAt + 2] = 0x5e;
}

function setIPv6Mac(data: Buffer, macAt: number, ipAt: number): void {
  data[macAt] = 0x33;
  data[macAt + 1] = 0x33;
  data[macAt + 2] = data[ipAt + 12]!;
  data[macAt + 3] = data[ipAt + 13]!;
  data[macAt + 4] = data[ipAt + 14]!;
  data[macAt + 5] = data[ipAt + 15]!;
}

/** A UDP checksum that computes to zero is sent as 0xFFFF (RFC 768); zero means "none". */
function udpSafe(f: DecodedFrame, c: number): number {
  return f.protocol === IPPROTO.UDP && c === 0 ? 0xffff : c;
}

function editTtl(old: number, mode: 'set' | 'add' | 'sub', value: number): number {
  if (mode === 'set') return value;
  if (mode === 'add') return Math.min(255, old + value);
  return old <= value ? 1 : old - value;
}

function mapPort(map: RewriteOptions['portMap'], port: number): number {
  for (let i = 0; i < map.length; i++) {
    const e = map[i]!;
    if (e.list.length > 0 ? e.list.includes(port) : port >= e.lo && port <= e.hi) return e.to;
  }
  return port;
}

export function inCidr(c: Cidr, data: Buffer, o: number): boolean {
  const full = c.bits >> 3;
  for (let i = 0; i < full; i++) if (data[o + i] !== c.bytes[i]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((data[o + full]! ^ c.bytes[full]!) & mask) === 0;
}

/** new = (to.network & mask(to.len)) | (orig & ~mask(to.len)), bit-exact for any prefix length. */
export function mergePrefix(data: Buffer, o: number, to: Cidr): void {
  const full = to.bits >> 3;
  for (let i = 0; i < full; i++) data[o + i] = to.bytes[i]!;
  const rest = to.bits & 7;
  if (rest === 0) return;
  const mask = (0xff << (8 - rest)) & 0xff;
  data[o + full] = (to.bytes[full]! & mask) | (data[o + full]! & ~mask & 0xff);
}

/** --skipbroadcast: IPv4 multicast (224/4) and 255.255.255.255; IPv6 multicast (ff00::/8). */
function isBroadcast(data: Buffer, o: number, family: 4 | 6): boolean {
  if (family === 6) return data[o] === 0xff;
  if ((data[o]! & 0xf0) === 0xe0) return true;
  return data.readUInt32BE(o) === 0xffffffff;
}
