// Synthetic captures that exercise what the corpus lacks: VLAN/QinQ, IPv4 options, fragments,
// TCP/ICMP/ICMPv6/ARP, zero UDP checksums, truncated records, multicast, 802.3, other link types.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIP } from '../../src/packet/address.ts';
import { internetChecksum, pseudoHeaderSum } from '../../src/packet/checksum.ts';
import { encodeCapture, type PacketRecord } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { fragmentIPv4, fragmentIPv6 } from './helpers.ts';

const payload = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed * 7) & 0xff));

function eth(type: number, body: Buffer, dst = '02:00:00:00:00:02', src = '02:00:00:00:00:01'): Buffer {
  const h = Buffer.alloc(14);
  Buffer.from(dst.split(':').map((x) => parseInt(x, 16))).copy(h, 0);
  Buffer.from(src.split(':').map((x) => parseInt(x, 16))).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, body]);
}

function ipv4(src: string, dst: string, proto: number, l4: Buffer, opts: Buffer = Buffer.alloc(0)): Buffer {
  const hl = 20 + opts.length;
  const h = Buffer.alloc(hl);
  h[0] = 0x40 | (hl / 4);
  h.writeUInt16BE(hl + l4.length, 2);
  h.writeUInt16BE(0x1234, 4);
  h[8] = 64;
  h[9] = proto;
  parseIP(src)!.copy(h, 12);
  parseIP(dst)!.copy(h, 16);
  opts.copy(h, 20);
  h.writeUInt16BE(internetChecksum(h, 0, hl), 10);
  return Buffer.concat([h, l4]);
}

function ipv6(src: string, dst: string, nh: number, rest: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(rest.length, 4);
  h[6] = nh;
  h[7] = 64;
  parseIP(src)!.copy(h, 8);
  parseIP(dst)!.copy(h, 24);
  return Buffer.concat([h, rest]);
}

/** Fills in the L4 checksum of an IP packet built above (TCP, UDP, ICMP, ICMPv6). */
function withL4Checksum(ip: Buffer, l4Offset: number, proto: number): Buffer {
  const v6 = ip[0]! >> 4 === 6;
  const len = ip.length - l4Offset;
  const at = proto === 6 ? 16 : proto === 17 ? 6 : 2;
  ip.writeUInt16BE(0, l4Offset + at);
  const sum = proto === 1 ? 0 : pseudoHeaderSum(ip, v6 ? 6 : 4, v6 ? 8 : 12, proto, len);
  const c = internetChecksum(ip, l4Offset, ip.length, sum);
  ip.writeUInt16BE(proto === 17 && c === 0 ? 0xffff : c, l4Offset + at);
  return ip;
}

function udp(sp: number, dp: number, body: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(sp, 0);
  u.writeUInt16BE(dp, 2);
  u.writeUInt16BE(8 + body.length, 4);
  return Buffer.concat([u, body]);
}

function tcp(sp: number, dp: number, body: Buffer): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(sp, 0);
  t.writeUInt16BE(dp, 2);
  t.writeUInt32BE(1000, 4);
  t[12] = 0x50;
  t[13] = 0x18;
  t.writeUInt16BE(1024, 14);
  return Buffer.concat([t, body]);
}

function udp4(src: string, dst: string, sp: number, dp: number, body: Buffer, opts?: Buffer): Buffer {
  const ip = ipv4(src, dst, 17, udp(sp, dp, body), opts);
  return withL4Checksum(ip, (ip[0]! & 0xf) * 4, 17);
}

function udp6(src: string, dst: string, sp: number, dp: number, body: Buffer): Buffer {
  return withL4Checksum(ipv6(src, dst, 17, udp(sp, dp, body)), 40, 17);
}

function tag(frame: Buffer, ...tags: [number, number][]): Buffer {
  return Buffer.concat([
    frame.subarray(0, 12),
    ...tags.map(([tpid, tci]) => {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(tpid, 0);
      b.writeUInt16BE(tci, 2);
      return b;
    }),
    frame.subarray(12),
  ]);
}

/** Ethernet frames of many kinds, all complete (caplen = len). */
export function ethernetFrames(): Buffer[] {
  const f: Buffer[] = [];
  f.push(eth(0x0800, udp4('10.1.2.3', '192.168.7.9', 50000, 4739, payload(100, 1))));
  const zero = udp4('10.1.2.4', '192.168.7.9', 50001, 2055, payload(60, 2));
  zero.writeUInt16BE(0, 20 + 6);
  f.push(eth(0x0800, zero));
  f.push(eth(0x0800, udp4('10.1.9.9', '192.168.7.10', 4739, 9995, payload(33, 3), Buffer.from([1, 1, 1, 0, 0x94, 4, 0, 0]))));
  const t4 = ipv4('10.1.2.3', '192.168.7.9', 6, tcp(40000, 179, payload(45, 4)));
  f.push(eth(0x0800, withL4Checksum(t4, 20, 6)));
  const icmp = Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 1, 0, 1]), payload(32, 5)]);
  f.push(eth(0x0800, withL4Checksum(ipv4('10.1.2.3', '192.168.7.9', 1, icmp), 20, 1)));
  f.push(eth(0x86dd, udp6('2001:db8:1::10', '2001:db8:2::20', 1000, 4739, payload(80, 6))));
  const hbh = Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]);
  const withExt = ipv6('2001:db8:1::11', '2001:db8:2::21', 0, Buffer.concat([hbh, udp(1001, 2055, payload(40, 7))]));
  f.push(eth(0x86dd, withL4Checksum(withExt, 48, 17)));
  f.push(eth(0x86dd, withL4Checksum(ipv6('2001:db8:1::12', '2001:db8:2::22', 6, tcp(40001, 179, payload(20, 8))), 40, 6)));
  const icmp6 = Buffer.concat([Buffer.from([128, 0, 0, 0, 0, 1, 0, 1]), payload(16, 9)]);
  f.push(eth(0x86dd, withL4Checksum(ipv6('2001:db8:1::13', '2001:db8:2::23', 58, icmp6), 40, 58)));
  for (const op of [1, 2]) {
    const arp = Buffer.alloc(28);
    arp.writeUInt16BE(1, 0);
    arp.writeUInt16BE(0x0800, 2);
    arp[4] = 6;
    arp[5] = 4;
    arp.writeUInt16BE(op, 6);
    Buffer.from([2, 0, 0, 0, 0, 1]).copy(arp, 8);
    parseIP(op === 1 ? '10.1.2.3' : '192.168.7.9')!.copy(arp, 14);
    parseIP(op === 1 ? '192.168.7.9' : '10.1.2.3')!.copy(arp, 24);
    f.push(eth(0x0806, arp, 'ff:ff:ff:ff:ff:ff'));
  }
  f.push(tag(eth(0x0800, udp4('10.1.2.5', '192.168.7.9', 50002, 4739, payload(50, 10))), [0x8100, 0x2064]));
  f.push(tag(eth(0x0800, udp4('10.1.2.6', '192.168.7.9', 50003, 4739, payload(50, 11))), [0x88a8, 0x0010], [0x8100, 0x0020]));
  f.push(eth(0x0800, udp4('10.1.2.7', '239.1.2.3', 50004, 4739, payload(20, 12))));
  f.push(tag(eth(0x0800, udp4('10.1.2.17', '239.1.2.4', 50014, 4739, payload(20, 25))), [0x8100, 0x0005]));
  f.push(tag(eth(0x86dd, udp6('2001:db8:1::15', '2001:db8:2::25', 1005, 4739, payload(30, 26))), [0x8100, 0x0006]));
  f.push(eth(0x0800, udp4('10.1.2.8', '255.255.255.255', 50005, 4739, payload(20, 13))));
  f.push(eth(0x86dd, udp6('fe80::1', 'ff02::5', 1002, 4739, payload(20, 14))));
  f.push(eth(0x0800, udp4('10.1.2.9', '192.168.7.11', 50006, 4739, payload(1400, 15))));
  f.push(eth(0x0800, ipv4('10.1.2.3', '192.168.7.9', 47, payload(24, 16))));
  // IPv4 fragments of one UDP datagram (first, middle, last).
  const big = eth(0x0800, udp4('10.1.3.3', '192.168.7.12', 50007, 4739, payload(2000, 18)));
  big.writeUInt16BE(0x0777, 14 + 4);
  big.writeUInt16BE(0, 14 + 10);
  big.writeUInt16BE(internetChecksum(big, 14, 34), 14 + 10);
  f.push(...fragmentIPv4(big, 800));
  // Wrong checksums (as captured with checksum offload): shows which edits recompute them.
  const badUdp = udp4('10.1.2.11', '192.168.7.9', 50009, 4739, payload(30, 21));
  badUdp.writeUInt16BE(0x1234, 26);
  f.push(eth(0x0800, badUdp));
  const badIp = udp4('10.1.2.12', '192.168.7.9', 50010, 4739, payload(30, 22));
  badIp.writeUInt16BE(0x4321, 10);
  f.push(eth(0x0800, badIp));
  const badTcp = withL4Checksum(ipv4('10.1.2.13', '192.168.7.9', 6, tcp(40002, 4739, payload(10, 23))), 20, 6);
  badTcp.writeUInt16BE(0x1111, 36);
  f.push(eth(0x0800, badTcp));
  const badUdp6 = udp6('2001:db8:1::14', '2001:db8:2::24', 1004, 4739, payload(30, 24));
  badUdp6.writeUInt16BE(0x2222, 46);
  f.push(eth(0x86dd, badUdp6));
  // Ethernet padding after a short IPv4 packet.
  f.push(Buffer.concat([eth(0x0800, udp4('10.1.2.10', '192.168.7.9', 50008, 4739, payload(2, 19))), Buffer.alloc(12)]));
  return f;
}

/** 802.3/LLC (STP-like) frames: tcprewrite 4.4.3 misreads their payload as IP. */
export function llcFrames(): Buffer[] {
  const llc = Buffer.concat([Buffer.from([0x42, 0x42, 0x03]), payload(40, 17)]);
  const e8023 = eth(0x0800, llc);
  e8023.writeUInt16BE(llc.length, 12);
  return [e8023];
}

/** IPv6 fragments: tcprewrite 4.4.3 leaves them unrewritten (excluded from the comparison). */
export function ipv6FragmentFrames(): Buffer[] {
  const frame = eth(0x86dd, udp6('2001:db8:1::30', '2001:db8:2::40', 1003, 4739, payload(3000, 20)));
  return fragmentIPv6(frame, 1200, 0xabcdef);
}

function records(frames: Buffer[], start = 1_700_000_000): PacketRecord[] {
  return frames.map((data, i) => ({ tsSec: start + i, tsNsec: (i * 123_457) % 1_000_000_000, data }));
}

export interface GeneratedCapture {
  name: string;
  path: string;
  /** Excluded from byte comparison with tcprewrite, and why. */
  differs?: string;
}

export function writeGeneratedCaptures(dir: string): GeneratedCapture[] {
  const out: GeneratedCapture[] = [];
  const write = (name: string, recs: PacketRecord[], opts: Parameters<typeof encodeCapture>[1] = {}, differs?: string) => {
    const path = join(dir, name);
    writeFileSync(path, encodeCapture(recs, opts));
    out.push({ name, path, differs });
  };
  const frames = ethernetFrames();
  write('gen-ethernet.pcap', records(frames));
  write('gen-ethernet-ns-be.pcap', records(frames), { precision: 'nano', byteOrder: 'big' });
  write('gen-ethernet.pcapng', records(frames), { format: 'pcapng' });
  // Truncated records (snaplen 96): --fixlen and checksum skipping.
  write(
    'gen-truncated.pcap',
    records(frames).map((r) => (r.data.length > 96 ? { ...r, data: r.data.subarray(0, 96), len: r.data.length } : r)),
    { snaplen: 96 },
  );
  write('gen-ipv6-fragments.pcap', records(ipv6FragmentFrames()), {}, 'tcprewrite 4.4.3 does not rewrite IPv6 packets with a Fragment header');
  const zero6 = udp6('2001:db8:1::16', '2001:db8:2::26', 1006, 4739, payload(30, 27));
  zero6.writeUInt16BE(0, 46);
  write('gen-ipv6-zero-udp.pcap', records([eth(0x86dd, zero6)]), {}, 'tcprewrite 4.4.3 leaves an IPv6 UDP checksum of 0 (invalid) at 0 with --fixcsum');
  write('gen-8023.pcap', records(llcFrames()), {}, 'tcprewrite 4.4.3 reads an 802.3/LLC payload starting with nibble 4 as IPv4 and edits it');
  const ipFrames = frames.filter((f) => f.readUInt16BE(12) === 0x0800 || f.readUInt16BE(12) === 0x86dd).map((f) => f.subarray(14));
  const nonEthernet = 'tcprewrite 4.4.3 writes packets of non-Ethernet link types unchanged, ignoring every option';
  write('gen-raw.pcap', records(ipFrames), { linkType: 101 }, nonEthernet);
  const sll = ipFrames.map((ip) => {
    const h = Buffer.alloc(16);
    h.writeUInt16BE(0, 0);
    h.writeUInt16BE(1, 2);
    h.writeUInt16BE(6, 4);
    Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 6);
    h.writeUInt16BE(ip[0]! >> 4 === 6 ? 0x86dd : 0x0800, 14);
    return Buffer.concat([h, ip]);
  });
  write('gen-sll.pcap', records(sll), { linkType: 113 }, nonEthernet);
  const nul = ipFrames.map((ip) => Buffer.concat([Buffer.from(ip[0]! >> 4 === 6 ? [30, 0, 0, 0] : [2, 0, 0, 0]), ip]));
  write('gen-null.pcap', records(nul), { linkType: 0 }, nonEthernet);
  return out;
}

export { udp4 as buildUdp4Packet, eth as buildEthernet };
