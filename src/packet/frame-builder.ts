// Builds Ethernet / IPv4-or-IPv6 / UDP frames around a payload, with correct checksums.
import { parseIP, parseMac } from './address.ts';
import { internetChecksum, pseudoHeaderSum } from './checksum.ts';

export interface UdpFrameSpec {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  /** Default 02:00:00:00:00:01 / 02:00:00:00:00:02. */
  srcMac?: string;
  dstMac?: string;
  /** IPv4 TTL / IPv6 hop limit (default 64). */
  ttl?: number;
  /** IPv4 identification (default 0). */
  ipId?: number;
  /** IPv4 DF flag (default true). */
  dontFragment?: boolean;
  /** 802.1Q VLAN id to tag the frame with. */
  vlan?: number;
  /** Leave the UDP checksum 0 (IPv4 only; what many exporters do). */
  zeroUdpChecksum?: boolean;
  /** Omit the Ethernet header (LINKTYPE_RAW / IPV4 / IPV6 captures). */
  noEthernet?: boolean;
}

/** Ethernet (optionally 802.1Q) + IP + UDP + payload, checksums filled in. */
export function buildUdpFrame(spec: UdpFrameSpec): Buffer {
  const src = parseIP(spec.src);
  const dst = parseIP(spec.dst);
  if (!src) throw new RangeError(`invalid source address '${spec.src}'`);
  if (!dst) throw new RangeError(`invalid destination address '${spec.dst}'`);
  if (src.length !== dst.length) throw new RangeError(`source ${spec.src} and destination ${spec.dst} are different IP versions`);
  for (const [name, port] of [['source', spec.srcPort], ['destination', spec.dstPort]] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid ${name} port ${port}`);
  }
  const v6 = src.length === 16;
  const ipLen = v6 ? 40 : 20;
  const udpLen = 8 + spec.payload.length;
  if (udpLen > 65535 || (!v6 && ipLen + udpLen > 65535)) throw new RangeError(`payload of ${spec.payload.length} bytes does not fit in one UDP datagram`);
  const l2Len = spec.noEthernet ? 0 : spec.vlan !== undefined ? 18 : 14;
  const frame = Buffer.alloc(l2Len + ipLen + udpLen);
  if (!spec.noEthernet) {
    const dmac = parseMac(spec.dstMac ?? '02:00:00:00:00:02');
    const smac = parseMac(spec.srcMac ?? '02:00:00:00:00:01');
    if (!dmac || !smac) throw new RangeError(`invalid MAC address '${!dmac ? spec.dstMac : spec.srcMac}'`);
    dmac.copy(frame, 0);
    smac.copy(frame, 6);
    let o = 12;
    if (spec.vlan !== undefined) {
      if (!Number.isInteger(spec.vlan) || spec.vlan < 0 || spec.vlan > 4095) throw new RangeError(`invalid VLAN id ${spec.vlan}`);
      frame.writeUInt16BE(0x8100, 12);
      frame.writeUInt16BE(spec.vlan, 14);
      o = 16;
    }
    frame.writeUInt16BE(v6 ? 0x86dd : 0x0800, o);
  }
  const ip = l2Len;
  const ttl = spec.ttl ?? 64;
  if (v6) {
    frame.writeUInt32BE(0x60000000, ip);
    frame.writeUInt16BE(udpLen, ip + 4);
    frame[ip + 6] = 17;
    frame[ip + 7] = ttl;
    src.copy(frame, ip + 8);
    dst.copy(frame, ip + 24);
  } else {
    frame[ip] = 0x45;
    frame.writeUInt16BE(20 + udpLen, ip + 2);
    frame.writeUInt16BE(spec.ipId ?? 0, ip + 4);
    frame.writeUInt16BE(spec.dontFragment === false ? 0 : 0x4000, ip + 6);
    frame[ip + 8] = ttl;
    frame[ip + 9] = 17;
    src.copy(frame, ip + 12);
    dst.copy(frame, ip + 16);
    frame.writeUInt16BE(internetChecksum(frame, ip, ip + 20), ip + 10);
  }
  const udp = ip + ipLen;
  frame.writeUInt16BE(spec.srcPort, udp);
  frame.writeUInt16BE(spec.dstPort, udp + 2);
  frame.writeUInt16BE(udpLen, udp + 4);
  spec.payload.copy(frame, udp + 8);
  if (!(spec.zeroUdpChecksum && !v6)) {
    const c = internetChecksum(frame, udp, udp + udpLen, pseudoHeaderSum(frame, v6 ? 6 : 4, ip + (v6 ? 8 : 12), 17, udpLen));
    frame.writeUInt16BE(c === 0 ? 0xffff : c, udp + 6);
  }
  return frame;
}
