// Decodes a captured frame down to L4: offsets into the frame bytes, no copies.
// Link layers: Ethernet (802.1Q/802.1ad/QinQ tags, MPLS), Linux SLL/SLL2, BSD NULL/LOOP,
// raw IP (101, 12, 14), IPv4 (228), IPv6 (229). IPv4 options, IPv6 extension headers.

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;

/** 802.1Q, 802.1ad and the pre-standard QinQ TPID. */
export function isVlanTpid(type: number): boolean {
  return type === 0x8100 || type === 0x88a8 || type === 0x9100;
}

export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

export interface DecodedFrame {
  linkType: number;
  /** Offset of the Ethernet header (0), or -1 when the link layer is not Ethernet. */
  ethOffset: number;
  /** Offsets of the VLAN tags' TPID fields, outermost first (Ethernet only). */
  vlanOffsets: number[];
  /** Offset of the Ethertype field that names the network protocol (after tags), or -1. */
  etherTypeOffset: number;
  /** Network protocol as an Ethertype (0x0800, 0x86dd, ...), or -1 when unknown. */
  etherType: number;
  /** Bytes before the network layer. */
  l2Len: number;
  /** 0 when the frame does not carry IP. */
  ipVersion: 0 | 4 | 6;
  ipOffset: number;
  /** IPv4 header length (IHL*4) or 40 for IPv6. */
  ipHeaderLen: number;
  /** End of the IP packet according to its length field (may lie beyond the captured bytes). */
  ipEnd: number;
  /** Offset of the address fields (src, then dst). */
  srcOffset: number;
  dstOffset: number;
  /** Upper-layer protocol after IPv6 extension headers; -1 when unknown. */
  protocol: number;
  /** Offset of the upper-layer header (after options/extension headers), -1 when absent. */
  l4Offset: number;
  /** IPv6: offset of the Next Header field that names `protocol` (for rewriting), else -1. */
  nextHeaderOffset: number;
  /** True for a real fragment (not an IPv6 atomic fragment). */
  isFragment: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
  /** IPv6 Fragment header offset, -1 if none. */
  fragHeaderOffset: number;
  /** TCP/UDP ports when the L4 header is present in this packet, else -1. */
  srcPort: number;
  dstPort: number;
  /** Why decoding stopped early (malformed or truncated header), or null. */
  error: string | null;
  /** Where it stopped: the layer, the header field at fault and its byte offset in the frame. */
  fault: PacketFault | null;
}

export type PacketLayer = 'link' | 'ethernet' | 'vlan' | 'mpls' | 'ipv4' | 'ipv6' | 'udp' | 'reassembly';

/** The etherparse-style "where": which layer, which field, which byte of the frame. */
export interface PacketFault {
  layer: PacketLayer;
  /** The header field at fault, or `header` when the header itself is cut short. */
  field: string;
  offset: number;
}

function empty(linkType: number): DecodedFrame {
  return {
    linkType,
    ethOffset: -1,
    vlanOffsets: [],
    etherTypeOffset: -1,
    etherType: -1,
    l2Len: 0,
    ipVersion: 0,
    ipOffset: -1,
    ipHeaderLen: 0,
    ipEnd: -1,
    srcOffset: -1,
    dstOffset: -1,
    protocol: -1,
    l4Offset: -1,
    nextHeaderOffset: -1,
    isFragment: false,
    fragOffset: 0,
    moreFragments: false,
    fragId: 0,
    fragHeaderOffset: -1,
    srcPort: -1,
    dstPort: -1,
    error: null,
    fault: null,
  };
}

/** Puts a view back in the state `empty` creates, keeping its object and its vlanOffsets array. */
function reset(f: DecodedFrame, linkType: number): void {
  f.linkType = linkType;
  f.ethOffset = -1;
  if (f.vlanOffsets.length !== 0) f.vlanOffsets.length = 0;
  f.etherTypeOffset = -1;
  f.etherType = -1;
  f.l2Len = 0;
  f.ipVersion = 0;
  f.ipOffset = -1;
  f.ipHeaderLen = 0;
  f.ipEnd = -1;
  f.srcOffset = -1;
  f.dstOffset = -1;
  f.protocol = -1;
  f.l4Offset = -1;
  f.nextHeaderOffset = -1;
  f.isFragment = false;
  f.fragOffset = 0;
  f.moreFragments = false;
  f.fragId = 0;
  f.fragHeaderOffset = -1;
  f.srcPort = -1;
  f.dstPort = -1;
  f.error = null;
  f.fault = null;
}

/** A view for `decodeFrameInto` to fill again and again (one per hot loop, not per packet). */
export function createFrameView(): DecodedFrame {
  return empty(-1);
}

/** Decodes a frame captured with `linkType` into a fresh object. Never throws: problems land in `error`. */
export function decodeFrame(linkType: number, data: Buffer): DecodedFrame {
  return decodeInto(empty(linkType), linkType, data);
}

/**
 * `decodeFrame` without allocating: overwrites every field of `view` (made by `createFrameView`)
 * and returns it. The view describes `data` only until the next call with the same view.
 */
export function decodeFrameInto(view: DecodedFrame, linkType: number, data: Buffer): DecodedFrame {
  reset(view, linkType);
  return decodeInto(view, linkType, data);
}

function decodeInto(f: DecodedFrame, linkType: number, data: Buffer): DecodedFrame {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      decodeEthernet(f, data);
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (data.length < 4) return fail(f, 'link', 'header', 0, `${linkType === 0 ? 'NULL' : 'LOOP'} header: ${data.length} of 4 bytes captured`);
      const be = data.readUInt32BE(0);
      const af = linkType === LINKTYPE.LOOP ? be : be < 0x10000 ? be : data.readUInt32LE(0);
      f.l2Len = 4;
      f.etherType = af === 2 ? ETHERTYPE_IPV4 : af === 10 || af === 24 || af === 28 || af === 30 ? ETHERTYPE_IPV6 : -1;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.RAW_BSDOS:
      if (data.length < 1) return fail(f, 'link', 'header', 0, 'raw IP frame is empty');
      f.etherType = data[0]! >> 4 === 4 ? ETHERTYPE_IPV4 : data[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : -1;
      break;
    case LINKTYPE.IPV4:
      f.etherType = ETHERTYPE_IPV4;
      break;
    case LINKTYPE.IPV6:
      f.etherType = ETHERTYPE_IPV6;
      break;
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return fail(f, 'link', 'header', 0, `Linux cooked (SLL) header: ${data.length} of 16 bytes captured`);
      f.l2Len = 16;
      f.etherTypeOffset = 14;
      f.etherType = get16(data, 14);
      break;
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return fail(f, 'link', 'header', 0, `Linux cooked v2 (SLL2) header: ${data.length} of 20 bytes captured`);
      f.l2Len = 20;
      f.etherTypeOffset = 0;
      f.etherType = get16(data, 0);
      break;
    default:
      return fail(f, 'link', 'link type', 0, `unsupported link type ${linkType}`);
  }
  if (f.error) return f;
  if (f.etherType === ETHERTYPE_IPV4) decodeIPv4(f, data, f.l2Len);
  else if (f.etherType === ETHERTYPE_IPV6) decodeIPv6(f, data, f.l2Len);
  return f;
}

function fail(f: DecodedFrame, layer: PacketLayer, field: string, offset: number, why: string): DecodedFrame {
  f.error = why;
  f.fault = { layer, field, offset };
  return f;
}

function decodeEthernet(f: DecodedFrame, data: Buffer): void {
  if (data.length < 14) {
    fail(f, 'ethernet', 'header', 0, `Ethernet header: ${data.length} of 14 bytes captured`);
    return;
  }
  f.ethOffset = 0;
  let o = 12;
  let type = get16(data, o);
  while (isVlanTpid(type)) {
    if (data.length < o + 8) {
      fail(f, 'vlan', 'tag', o, `802.1Q tag at offset ${o}: frame ends after ${data.length} bytes`);
      return;
    }
    f.vlanOffsets.push(o);
    o += 4;
    type = get16(data, o);
  }
  f.etherTypeOffset = o;
  f.etherType = type;
  f.l2Len = o + 2;
  if (type === 0x8847 || type === 0x8848) {
    let p = o + 2;
    for (;;) {
      if (data.length < p + 4) {
        fail(f, 'mpls', 'label', p, `MPLS label at offset ${p}: frame ends after ${data.length} bytes`);
        return;
      }
      const bottom = data[p + 2]! & 1;
      p += 4;
      if (bottom) break;
    }
    f.l2Len = p;
    const nibble = data.length > p ? data[p]! >> 4 : -1;
    f.etherType = nibble === 4 ? ETHERTYPE_IPV4 : nibble === 6 ? ETHERTYPE_IPV6 : -1;
  }
}

function decodeIPv4(f: DecodedFrame, data: Buffer, o: number): void {
  if (data.length < o + 20) {
    fail(f, 'ipv4', 'header', o, `IPv4 header at offset ${o}: ${Math.max(0, data.length - o)} of 20 bytes captured`);
    return;
  }
  const vihl = data[o]!;
  if (vihl >> 4 !== 4) {
    fail(f, 'ipv4', 'version', o, `IPv4 header at offset ${o}: version ${vihl >> 4}`);
    return;
  }
  const hl = (vihl & 0xf) * 4;
  const total = get16(data, o + 2);
  if (hl < 20) {
    fail(f, 'ipv4', 'ihl', o, `IPv4 header at offset ${o}: header length ${hl} < 20`);
    return;
  }
  if (total < hl) {
    fail(f, 'ipv4', 'total length', o + 2, `IPv4 header at offset ${o}: total length ${total} < header length ${hl}`);
    return;
  }
  if (data.length < o + hl) {
    fail(f, 'ipv4', 'options', o + 20, `IPv4 options at offset ${o + 20}: ${data.length - o - 20} of ${hl - 20} bytes captured`);
    return;
  }
  f.ipVersion = 4;
  f.ipOffset = o;
  f.ipHeaderLen = hl;
  f.ipEnd = o + total;
  f.srcOffset = o + 12;
  f.dstOffset = o + 16;
  f.protocol = data[o + 9]!;
  const fragField = get16(data, o + 6);
  f.fragOffset = (fragField & 0x1fff) * 8;
  f.moreFragments = (fragField & 0x2000) !== 0;
  f.isFragment = f.moreFragments || f.fragOffset !== 0;
  f.fragId = get16(data, o + 4);
  if (f.fragOffset === 0) {
    f.l4Offset = o + hl;
    readPorts(f, data);
  }
}

function decodeIPv6(f: DecodedFrame, data: Buffer, o: number): void {
  if (data.length < o + 40) {
    fail(f, 'ipv6', 'header', o, `IPv6 header at offset ${o}: ${Math.max(0, data.length - o)} of 40 bytes captured`);
    return;
  }
  if (data[o]! >> 4 !== 6) {
    fail(f, 'ipv6', 'version', o, `IPv6 header at offset ${o}: version ${data[o]! >> 4}`);
    return;
  }
  f.ipVersion = 6;
  f.ipOffset = o;
  f.ipHeaderLen = 40;
  f.ipEnd = o + 40 + get16(data, o + 4);
  f.srcOffset = o + 8;
  f.dstOffset = o + 24;
  let nh = data[o + 6]!;
  let nhOffset = o + 6;
  let p = o + 40;
  for (;;) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 51) {
      if (data.length < p + 2) {
        fail(f, 'ipv6', 'extension header', p, `IPv6 extension header ${nh} at offset ${p}: not captured`);
        return;
      }
      const len = nh === 51 ? (data[p + 1]! + 2) * 4 : (data[p + 1]! + 1) * 8;
      nhOffset = p;
      nh = data[p]!;
      p += len;
    } else if (nh === 44) {
      if (data.length < p + 8) {
        fail(f, 'ipv6', 'fragment header', p, `IPv6 fragment header at offset ${p}: not captured`);
        return;
      }
      const field = get16(data, p + 2);
      f.fragHeaderOffset = p;
      f.fragOffset = field & 0xfff8;
      f.moreFragments = (field & 1) !== 0;
      f.isFragment = f.moreFragments || f.fragOffset !== 0;
      f.fragId = data.readUInt32BE(p + 4);
      nhOffset = p;
      nh = data[p]!;
      p += 8;
      if (f.fragOffset !== 0) {
        f.protocol = nh;
        f.nextHeaderOffset = nhOffset;
        return;
      }
    } else {
      break;
    }
  }
  if (p > f.ipEnd) {
    fail(f, 'ipv6', 'payload length', o + 4, `IPv6 extension headers end at offset ${p}, beyond the payload length`);
    return;
  }
  f.protocol = nh;
  f.nextHeaderOffset = nhOffset;
  if (nh === 59 || nh === 50) return;
  f.l4Offset = p;
  readPorts(f, data);
}

function readPorts(f: DecodedFrame, data: Buffer): void {
  if ((f.protocol === IPPROTO.UDP || f.protocol === IPPROTO.TCP || f.protocol === 132) && data.length >= f.l4Offset + 4) {
    f.srcPort = get16(data, f.l4Offset);
    f.dstPort = get16(data, f.l4Offset + 2);
  }
}

/** Big-endian 16-bit field at o, which the caller has checked lies within the frame. */
function get16(data: Buffer, o: number): number {
  return (data[o]! << 8) | data[o + 1]!;
}
