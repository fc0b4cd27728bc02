// Builds the packet an sFlow agent samples — Ethernet, optional 802.1Q tag, IPv4 or IPv6, TCP/UDP/ICMP —
// and cuts it to the agent's header length, for synth and tests. Checksums are real so packet
// dissectors show no errors.
import { ip4Bytes, ip6Bytes, macBytes } from './encode.ts';

export interface SampledFrameSpec {
  srcMac: string;
  dstMac: string;
  vlan?: { id: number; priority: number };
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  protocol: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  tos: number;
  ttl: number;
  /** Bytes after the transport header. */
  payloadLength: number;
}

export interface SampledFrame {
  /** The first `maxHeader` bytes of the frame (what a raw packet header record carries). */
  header: Buffer;
  /** The whole frame's length on the wire, FCS included (what sFlow's frame_length counts). */
  frameLength: number;
}

function sum16(buf: Uint8Array, start: number, end: number, acc = 0): number {
  for (let i = start; i + 1 < end; i += 2) acc += (buf[i]! << 8) | buf[i + 1]!;
  if ((end - start) % 2 === 1) acc += buf[end - 1]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

export function buildSampledFrame(spec: SampledFrameSpec, maxHeader = 128): SampledFrame {
  const l4Header = spec.protocol === 6 ? 20 : 8;
  const l4 = Buffer.alloc(l4Header + spec.payloadLength, 0x5a);
  if (spec.protocol === 6) {
    l4.writeUInt16BE(spec.srcPort, 0);
    l4.writeUInt16BE(spec.dstPort, 2);
    l4.writeUInt32BE(0x10000000, 4);
    l4.writeUInt32BE(spec.tcpFlags & 0x10 ? 0x20000000 : 0, 8);
    l4[12] = 5 << 4;
    l4[13] = spec.tcpFlags & 0xff;
    l4.writeUInt16BE(64240, 14);
    l4.writeUInt16BE(0, 16);
    l4.writeUInt16BE(0, 18);
  } else if (spec.protocol === 17) {
    l4.writeUInt16BE(spec.srcPort, 0);
    l4.writeUInt16BE(spec.dstPort, 2);
    l4.writeUInt16BE(l4.length, 4);
    l4.writeUInt16BE(0, 6);
  } else {
    // ICMP / ICMPv6 echo request
    l4[0] = spec.protocol === 58 ? 128 : 8;
    l4[1] = 0;
    l4.writeUInt16BE(0, 2);
    l4.writeUInt32BE(0x00010001, 4);
  }
  const v4 = spec.ipVersion === 4;
  const src = v4 ? ip4Bytes(spec.src) : ip6Bytes(spec.src);
  const dst = v4 ? ip4Bytes(spec.dst) : ip6Bytes(spec.dst);
  // Transport checksum over the pseudo header (ICMPv4 has none).
  if (spec.protocol !== 1) {
    let acc = sum16(src, 0, src.length);
    acc = sum16(dst, 0, dst.length, acc);
    acc += spec.protocol + (v4 ? l4.length : l4.length);
    acc = sum16(l4, 0, l4.length, acc);
    let c = fold(acc);
    if (spec.protocol === 17 && c === 0) c = 0xffff;
    l4.writeUInt16BE(c, spec.protocol === 6 ? 16 : spec.protocol === 17 ? 6 : 2);
  } else {
    l4.writeUInt16BE(fold(sum16(l4, 0, l4.length)), 2);
  }
  let ip: Buffer;
  if (v4) {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip[1] = spec.tos & 0xff;
    ip.writeUInt16BE(20 + l4.length, 2);
    ip.writeUInt16BE(0x1234, 4);
    ip.writeUInt16BE(0x4000, 6);
    ip[8] = spec.ttl;
    ip[9] = spec.protocol;
    src.copy(ip, 12);
    dst.copy(ip, 16);
    ip.writeUInt16BE(fold(sum16(ip, 0, 20)), 10);
  } else {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(((6 << 28) | ((spec.tos & 0xff) << 20)) >>> 0, 0);
    ip.writeUInt16BE(l4.length, 4);
    ip[6] = spec.protocol;
    ip[7] = spec.ttl;
    src.copy(ip, 8);
    dst.copy(ip, 24);
  }
  const eth = Buffer.alloc(spec.vlan ? 18 : 14);
  macBytes(spec.dstMac).copy(eth, 0);
  macBytes(spec.srcMac).copy(eth, 6);
  const etherType = v4 ? 0x0800 : 0x86dd;
  if (spec.vlan) {
    eth.writeUInt16BE(0x8100, 12);
    eth.writeUInt16BE(((spec.vlan.priority & 7) << 13) | (spec.vlan.id & 0xfff), 14);
    eth.writeUInt16BE(etherType, 16);
  } else eth.writeUInt16BE(etherType, 12);
  const frame = Buffer.concat([eth, ip, l4]);
  // A minimum-size Ethernet frame is 60 bytes before the 4-byte FCS.
  const frameLength = Math.max(60, frame.length) + 4;
  return { header: frame.subarray(0, Math.min(maxHeader, frame.length)), frameLength };
}
