// The sampled packet header of a raw packet header record (flow record 1), decoded as the Logstash
// codec's BinData classes do: Ethernet → 802.1Q → IPv4/IPv6 → TCP/UDP, fields flattened in wire
// order. Reads may run past the sampled bytes into the record's padding (the codec bounds them by
// the record only); past the record is a truncation.
import type { FieldMap } from '../../event/values.ts';
import { readFailure } from './errors.ts';
import { ip4Text, ip6Text, macText, u32be } from './text.ts';

/** Event name of each header field, or null when the codec's removed-field list drops it. */
export interface HeaderNames {
  protocol: string | null; frame_length: string | null; stripped: string | null; header_size: string | null;
  eth_dst: string | null; eth_src: string | null; eth_type: string | null;
  vlan_priority: string | null; vlan_cfi: string | null; vlan_id: string | null; vlan_type: string | null;
  ip_version: string | null; ip_header_length: string | null; ip_dscp: string | null; ip_ecn: string | null;
  ip_total_length: string | null; ip_identification: string | null; ip_flags: string | null; ip_fragment_offset: string | null;
  ip_ttl: string | null; ip_protocol: string | null; ip_checksum: string | null; src_ip: string | null; dst_ip: string | null;
  ipv6_flow_label: string | null; ip_payload_length: string | null; ipv6_hop_limit: string | null;
  src_port: string | null; dst_port: string | null;
  tcp_seq_number: string | null; tcp_ack_number: string | null; tcp_header_length: string | null; tcp_reserved: string | null;
  tcp_is_nonce: string | null; tcp_is_cwr: string | null; tcp_is_ecn_echo: string | null; tcp_is_urgent: string | null;
  tcp_is_ack: string | null; tcp_is_push: string | null; tcp_is_reset: string | null; tcp_is_syn: string | null; tcp_is_fin: string | null;
  tcp_window_size: string | null; tcp_checksum: string | null; tcp_urgent_pointer: string | null;
  udp_length: string | null; udp_checksum: string | null;
}

const HEADER_FIELDS = [
  'protocol', 'frame_length', 'stripped', 'header_size', 'eth_dst', 'eth_src', 'eth_type', 'vlan_priority', 'vlan_cfi', 'vlan_id',
  'vlan_type', 'ip_version', 'ip_header_length', 'ip_dscp', 'ip_ecn', 'ip_total_length', 'ip_identification', 'ip_flags',
  'ip_fragment_offset', 'ip_ttl', 'ip_protocol', 'ip_checksum', 'src_ip', 'dst_ip', 'ipv6_flow_label', 'ip_payload_length',
  'ipv6_hop_limit', 'src_port', 'dst_port', 'tcp_seq_number', 'tcp_ack_number', 'tcp_header_length', 'tcp_reserved', 'tcp_is_nonce',
  'tcp_is_cwr', 'tcp_is_ecn_echo', 'tcp_is_urgent', 'tcp_is_ack', 'tcp_is_push', 'tcp_is_reset', 'tcp_is_syn', 'tcp_is_fin',
  'tcp_window_size', 'tcp_checksum', 'tcp_urgent_pointer', 'udp_length', 'udp_checksum',
] as const;

export function headerNames(removed: ReadonlySet<string>): HeaderNames {
  const n: Record<string, string | null> = {};
  for (const f of HEADER_FIELDS) n[f] = removed.has(f) ? null : f;
  return n as unknown as HeaderNames;
}

// Each layer's fixed part as BinData reads it: n > 0 one read of n bytes, n < 0 |n| bytes one at a
// time (bit fields, byte arrays) — which read fails decides the codec's message.
const ETHERNET = [-6, -6, 2];
const VLAN = [-2, 2];
const IPV4 = [-1, -1, 2, 2, -2, 1, 1, 2, 4, 4];
const IPV6 = [-4, 2, 1, 1, 16, 16];
const TCP = [2, 2, 4, 4, -2, 2, 2, 2];
const UDP = [2, 2, 2, 2];

const ETH_IPV4 = 0x0800;
const ETH_VLAN = 0x8100;
const ETH_IPV6 = 0x86dd;

/**
 * Decodes the sampled header at `p` (`bits` = header_size × 8, the size the nested layers are
 * told) inside its record, a BinData::Buffer ending at `bufEnd`; the datagram ends at `dataEnd`.
 * Fields go into `out`. Returns the offset after the last read.
 */
export class PacketHeaderDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private bufEnd = 0;
  private dataEnd = 0;
  /** Where reads must stop: the record's end or the datagram's, whichever comes first. */
  private limit = 0;
  private out: FieldMap = {};
  /**
   * Bits BinData believes it holds after a layer's `bit :data` of negative length (a header cut
   * inside an IPv6 transport header): zeros that the next bit-field read (a record or sample tag)
   * consumes before any byte. 0 normally.
   */
  phantomBits = 0;

  constructor(private readonly n: HeaderNames) {}

  decode(buf: Buffer, p: number, bufEnd: number, dataEnd: number, protocol: number, headerSize: number, out: FieldMap): number {
    this.buf = buf;
    this.bufEnd = bufEnd;
    this.dataEnd = dataEnd;
    this.limit = Math.min(bufEnd, dataEnd);
    this.out = out;
    this.phantomBits = 0;
    const bits = headerSize * 8;
    switch (protocol) {
      case 1: return this.ethernet(p, bits);
      case 11: return this.ipv4(p, bits);
      case 12: return this.ipv6(p, bits);
      // `skip :default, :length => header_size`: a seek, held inside the record; never fails
      default: return Math.min(p + headerSize, bufEnd);
    }
  }

  private need(p: number, reads: readonly number[], total: number, what: string): void {
    if (p + total <= this.limit) return;
    let q = p;
    for (const r of reads) {
      if (r < 0) {
        for (let i = 0; i < -r; i++, q++) if (q >= this.limit) throw readFailure(what, q, 1, this.dataEnd, this.bufEnd, true);
      } else {
        if (q + r > this.limit) throw readFailure(what, q, r, this.dataEnd, this.bufEnd);
        q += r;
      }
    }
  }

  /** `bit :data, :nbits => bits`: the rest of a layer, read a byte at a time; a negative size leaves phantom bits. */
  private skipBits(p: number, bits: number, what: string): number {
    if (bits < 0) this.phantomBits = -bits;
    if (bits <= 0) return p;
    const n = Math.ceil(bits / 8);
    if (p + n > this.limit) throw readFailure(what, p, n, this.dataEnd, this.bufEnd, true);
    return p + n;
  }

  /** Arrays of 4-byte strings (IP and TCP options). */
  private options(p: number, count: number, what: string): number {
    for (let i = 0; i < count; i++, p += 4) if (p + 4 > this.limit) throw readFailure(what, p, 4, this.dataEnd, this.bufEnd);
    return p;
  }

  private ethernet(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, ETHERNET, 14, 'Ethernet header');
    if (n.eth_dst) out.eth_dst = macText(buf, p);
    if (n.eth_src) out.eth_src = macText(buf, p + 6);
    const type = (buf[p + 12]! << 8) | buf[p + 13]!;
    if (n.eth_type) out.eth_type = String(type);
    p += 14;
    const rest = bits - 112;
    if (type === ETH_IPV4) return this.ipv4(p, rest);
    if (type === ETH_VLAN) return this.vlan(p, rest);
    if (type === ETH_IPV6) return this.ipv6(p, rest);
    return this.skipBits(p, rest, 'Ethernet payload');
  }

  private vlan(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, VLAN, 4, '802.1Q tag');
    const tci = (buf[p]! << 8) | buf[p + 1]!;
    if (n.vlan_priority) out.vlan_priority = String(tci >> 13);
    if (n.vlan_cfi) out.vlan_cfi = String((tci >> 12) & 1);
    if (n.vlan_id) out.vlan_id = String(tci & 0xfff);
    const type = (buf[p + 2]! << 8) | buf[p + 3]!;
    if (n.vlan_type) out.vlan_type = String(type);
    p += 4;
    const rest = bits - 32;
    if (type === ETH_IPV4) return this.ipv4(p, rest);
    if (type === ETH_IPV6) return this.ipv6(p, rest);
    return this.skipBits(p, rest, '802.1Q payload');
  }

  private ipv4(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, IPV4, 20, 'IPv4 header');
    const ihl = buf[p]! & 0x0f;
    if (n.ip_version) out.ip_version = String(buf[p]! >> 4);
    if (n.ip_header_length) out.ip_header_length = String(ihl);
    if (n.ip_dscp) out.ip_dscp = String(buf[p + 1]! >> 2);
    if (n.ip_ecn) out.ip_ecn = String(buf[p + 1]! & 3);
    if (n.ip_total_length) out.ip_total_length = String((buf[p + 2]! << 8) | buf[p + 3]!);
    if (n.ip_identification) out.ip_identification = String((buf[p + 4]! << 8) | buf[p + 5]!);
    if (n.ip_flags) out.ip_flags = String(buf[p + 6]! >> 5);
    if (n.ip_fragment_offset) out.ip_fragment_offset = String(((buf[p + 6]! & 0x1f) << 8) | buf[p + 7]!);
    if (n.ip_ttl) out.ip_ttl = String(buf[p + 8]!);
    const protocol = buf[p + 9]!;
    if (n.ip_protocol) out.ip_protocol = String(protocol);
    if (n.ip_checksum) out.ip_checksum = String((buf[p + 10]! << 8) | buf[p + 11]!);
    if (n.src_ip) out.src_ip = ip4Text(buf, p + 12);
    if (n.dst_ip) out.dst_ip = ip4Text(buf, p + 16);
    p += 20;
    if (ihl > 5) p = this.options(p, ihl - 5, 'IPv4 options');
    const rest = bits - ihl * 32;
    // The codec reads the transport header only when enough bytes are left, but still shows the
    // skipped one's fields with their defaults (ports 0).
    const left = Math.floor(bits / 8) - ihl * 4;
    if (protocol === 6) return left >= 20 ? this.tcp(p, rest) : (this.zeroPorts(), this.zeroTcp(), p);
    if (protocol === 17) return left >= 8 ? this.udp(p, rest) : (this.zeroPorts(), this.zeroUdp(), p);
    return this.skipBits(p, rest, 'IPv4 payload');
  }

  private ipv6(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, IPV6, 40, 'IPv6 header');
    const w = u32be(buf, p);
    if (n.ip_version) out.ip_version = String(w >>> 28);
    if (n.ip_dscp) out.ip_dscp = String((w >>> 22) & 0x3f);
    if (n.ip_ecn) out.ip_ecn = String((w >>> 20) & 3);
    if (n.ipv6_flow_label) out.ipv6_flow_label = String(w & 0xfffff);
    if (n.ip_payload_length) out.ip_payload_length = String((buf[p + 4]! << 8) | buf[p + 5]!);
    const protocol = buf[p + 6]!;
    if (n.ip_protocol) out.ip_protocol = String(protocol);
    if (n.ipv6_hop_limit) out.ipv6_hop_limit = String(buf[p + 7]!);
    if (n.src_ip) out.src_ip = ip6Text(buf, p + 8);
    if (n.dst_ip) out.dst_ip = ip6Text(buf, p + 24);
    p += 40;
    const rest = bits - 320;
    if (protocol === 6) return this.tcp(p, rest);
    if (protocol === 17) return this.udp(p, rest);
    return this.skipBits(p, rest, 'IPv6 payload');
  }

  private tcp(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, TCP, 20, 'TCP header');
    if (n.src_port) out.src_port = String((buf[p]! << 8) | buf[p + 1]!);
    if (n.dst_port) out.dst_port = String((buf[p + 2]! << 8) | buf[p + 3]!);
    if (n.tcp_seq_number) out.tcp_seq_number = String(u32be(buf, p + 4));
    if (n.tcp_ack_number) out.tcp_ack_number = String(u32be(buf, p + 8));
    const b12 = buf[p + 12]!;
    const b13 = buf[p + 13]!;
    const thl = b12 >> 4;
    if (n.tcp_header_length) out.tcp_header_length = String(thl);
    if (n.tcp_reserved) out.tcp_reserved = String((b12 >> 1) & 7);
    if (n.tcp_is_nonce) out.tcp_is_nonce = String(b12 & 1);
    if (n.tcp_is_cwr) out.tcp_is_cwr = String((b13 >> 7) & 1);
    if (n.tcp_is_ecn_echo) out.tcp_is_ecn_echo = String((b13 >> 6) & 1);
    if (n.tcp_is_urgent) out.tcp_is_urgent = String((b13 >> 5) & 1);
    if (n.tcp_is_ack) out.tcp_is_ack = String((b13 >> 4) & 1);
    if (n.tcp_is_push) out.tcp_is_push = String((b13 >> 3) & 1);
    if (n.tcp_is_reset) out.tcp_is_reset = String((b13 >> 2) & 1);
    if (n.tcp_is_syn) out.tcp_is_syn = String((b13 >> 1) & 1);
    if (n.tcp_is_fin) out.tcp_is_fin = String(b13 & 1);
    if (n.tcp_window_size) out.tcp_window_size = String((buf[p + 14]! << 8) | buf[p + 15]!);
    if (n.tcp_checksum) out.tcp_checksum = String((buf[p + 16]! << 8) | buf[p + 17]!);
    if (n.tcp_urgent_pointer) out.tcp_urgent_pointer = String((buf[p + 18]! << 8) | buf[p + 19]!);
    let used = 20;
    if (thl > 5 && bits >= thl * 32) used = this.options(p + 20, thl - 5, 'TCP options') - p;
    return this.skipBits(p + used, bits - used * 8, 'TCP payload');
  }

  private udp(p: number, bits: number): number {
    const { buf, n, out } = this;
    this.need(p, UDP, 8, 'UDP header');
    if (n.src_port) out.src_port = String((buf[p]! << 8) | buf[p + 1]!);
    if (n.dst_port) out.dst_port = String((buf[p + 2]! << 8) | buf[p + 3]!);
    if (n.udp_length) out.udp_length = String((buf[p + 4]! << 8) | buf[p + 5]!);
    if (n.udp_checksum) out.udp_checksum = String((buf[p + 6]! << 8) | buf[p + 7]!);
    return this.skipBits(p + 8, bits - 64, 'UDP payload');
  }

  private zeroPorts(): void {
    const { n, out } = this;
    if (n.src_port) out.src_port = '0';
    if (n.dst_port) out.dst_port = '0';
  }

  private zeroTcp(): void {
    const { n, out } = this;
    for (const k of [
      n.tcp_seq_number, n.tcp_ack_number, n.tcp_header_length, n.tcp_reserved, n.tcp_is_nonce, n.tcp_is_cwr, n.tcp_is_ecn_echo,
      n.tcp_is_urgent, n.tcp_is_ack, n.tcp_is_push, n.tcp_is_reset, n.tcp_is_syn, n.tcp_is_fin, n.tcp_window_size, n.tcp_checksum,
      n.tcp_urgent_pointer,
    ]) if (k) out[k] = '0';
  }

  private zeroUdp(): void {
    const { n, out } = this;
    if (n.udp_length) out.udp_length = '0';
    if (n.udp_checksum) out.udp_checksum = '0';
  }
}
