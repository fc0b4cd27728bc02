import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatagramExtractor, decodeFrame } from '../../src/packet/datagrams.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import type { CapturedPacket } from '../../src/capture/types.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';
import { fragmentIPv4, fragmentIPv6 } from '../capture/helpers.ts';

let n = 0;
function pkt(data: Buffer, linkType = 1, ts = 0, len = data.length): CapturedPacket {
  n++;
  return { number: n, tsSec: ts, tsNsec: 0, caplen: data.length, len, linkType, interfaceId: 0, data, fileOffset: 0 };
}

function run(packets: CapturedPacket[], ex = new DatagramExtractor()): { out: UdpDatagram[]; ex: DatagramExtractor } {
  const out: UdpDatagram[] = [];
  for (const p of packets) {
    const d = ex.push(p);
    if (d) out.push(d);
  }
  ex.finish();
  const s = ex.stats;
  expect(s.packets).toBe(s.udpPackets + s.fragments + s.nonUdp + s.malformed);
  expect(s.datagrams).toBe(s.udpPackets + s.reassembled - s.filtered);
  expect(out.length).toBe(s.datagrams);
  return { out, ex };
}

const payload = (len: number, seed = 1): Buffer => Buffer.from(Array.from({ length: len }, (_, i) => (i * 7 + seed) & 0xff));
const v4 = (p: Buffer, extra: Partial<Parameters<typeof buildUdpFrame>[0]> = {}) =>
  buildUdpFrame({ src: '192.0.2.1', dst: '198.51.100.2', srcPort: 50000, dstPort: 4739, payload: p, ...extra });
const v6 = (p: Buffer) => buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1000, dstPort: 2055, payload: p });

describe('link layers', () => {
  const frame = v4(payload(20));
  const ip = frame.subarray(14);
  const cases: [string, number, Buffer][] = [
    ['Ethernet', 1, frame],
    ['802.1Q', 1, Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0, 0, 10]), frame.subarray(12)])],
    ['QinQ', 1, Buffer.concat([frame.subarray(0, 12), Buffer.from([0x88, 0xa8, 0, 20, 0x81, 0, 0, 10]), frame.subarray(12)])],
    ['SLL', 113, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 8, 0]), ip])],
    ['SLL2', 276, Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0]), ip])],
    ['NULL little-endian AF', 0, Buffer.concat([Buffer.from([2, 0, 0, 0]), ip])],
    ['NULL big-endian AF', 0, Buffer.concat([Buffer.from([0, 0, 0, 2]), ip])],
    ['LOOP', 108, Buffer.concat([Buffer.from([0, 0, 0, 2]), ip])],
    ['RAW 101', 101, ip],
    ['RAW 12', 12, ip],
    ['RAW 14', 14, ip],
    ['IPV4 228', 228, ip],
    ['MPLS', 1, Buffer.concat([frame.subarray(0, 12), Buffer.from([0x88, 0x47, 0, 1, 0x01, 64]), ip])],
  ];
  for (const [name, lt, data] of cases) {
    it(`extracts UDP over ${name}`, () => {
      const { out } = run([pkt(data, lt)]);
      expect(out.length).toBe(1);
      expect(out[0]).toMatchObject({ src: '192.0.2.1', dst: '198.51.100.2', srcPort: 50000, dstPort: 4739, family: 4 });
      expect(out[0]!.payload.equals(payload(20))).toBe(true);
    });
  }
  it('extracts UDP over IPv6 (Ethernet, NULL AF 24/28/30, 229)', () => {
    const f = v6(payload(33));
    const ip6 = f.subarray(14);
    const frames: [number, Buffer][] = [[1, f], [229, ip6], [101, ip6]];
    for (const af of [24, 28, 30]) frames.push([0, Buffer.concat([Buffer.from([af, 0, 0, 0]), ip6])]);
    const { out } = run(frames.map(([lt, d]) => pkt(d, lt)));
    expect(out.map((d) => [d.src, d.dst, d.srcPort, d.dstPort, d.payload.length])).toEqual(
      frames.map(() => ['2001:db8::1', '2001:db8::2', 1000, 2055, 33]),
    );
  });
  it('walks IPv4 options and IPv6 extension headers', () => {
    const f = v4(payload(12));
    const opts = Buffer.from([1, 1, 1, 0]); // NOP NOP NOP EOL
    const h = Buffer.from(f.subarray(14, 34));
    h[0] = 0x46;
    h.writeUInt16BE(h.readUInt16BE(2) + 4, 2);
    const withOpts = Buffer.concat([f.subarray(0, 14), h, opts, f.subarray(34)]);
    const g = v6(payload(12));
    const h6 = Buffer.from(g.subarray(14, 54));
    h6[6] = 0; // hop-by-hop, then destination options, then UDP
    h6.writeUInt16BE(h6.readUInt16BE(4) + 16, 4);
    const hbh = Buffer.from([60, 0, 1, 4, 0, 0, 0, 0]);
    const dst = Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]);
    const withExt = Buffer.concat([g.subarray(0, 14), h6, hbh, dst, g.subarray(54)]);
    const { out } = run([pkt(withOpts), pkt(withExt)]);
    expect(out.map((d) => [d.dstPort, d.payload.equals(payload(12))])).toEqual([[4739, true], [2055, true]]);
    expect(decodeFrame(1, withExt).l4Offset).toBe(14 + 40 + 16);
  });
});

describe('counting and malformed frames', () => {
  it('accounts for non-UDP, truncated and broken frames with reasons', () => {
    const good = v4(payload(50));
    const tcp = Buffer.from(good);
    tcp[14 + 9] = 6;
    const arp = Buffer.concat([good.subarray(0, 12), Buffer.from([8, 6]), Buffer.alloc(28)]);
    const cut = good.subarray(0, 60);
    const badUdpLen = Buffer.from(good);
    badUdpLen.writeUInt16BE(500, 34 + 4);
    const problems: string[] = [];
    const { ex } = run(
      [pkt(good), pkt(tcp), pkt(arp), pkt(cut, 1, 0, good.length), pkt(Buffer.alloc(0)), pkt(badUdpLen), pkt(good, 999)],
      new DatagramExtractor({ onProblem: (p) => problems.push(`#${p.packetNumber} ${p.message}`) }),
    );
    expect(ex.stats).toMatchObject({ packets: 7, udpPackets: 1, nonUdp: 2, malformed: 4, datagrams: 1 });
    expect(problems.map((p) => p.replace(/^#\d+ /, ''))).toEqual([
      'UDP datagram cut by the snaplen: IP length ends at byte 92, 60 bytes captured',
      'Ethernet header: 0 of 14 bytes captured',
      'UDP length 500 does not fit the IP payload of 58 bytes',
      'unsupported link type 999',
    ]);
  });

  it('names the layer, the field and the frame offset of each fault', () => {
    const good = v4(payload(50));
    const badUdpLen = Buffer.from(good);
    badUdpLen.writeUInt16BE(500, 34 + 4);
    const badIhl = Buffer.from(good);
    badIhl[14] = 0x43;
    const vlanCut = Buffer.concat([good.subarray(0, 12), Buffer.from([0x81, 0x00, 0, 5])]);
    const ex = new DatagramExtractor();
    for (const [i, frame] of [badUdpLen, badIhl, vlanCut, Buffer.alloc(3)].entries()) ex.push(pkt(frame, 1, i));
    expect(ex.problems.map((p) => p.fault)).toEqual([
      { layer: 'udp', field: 'length', offset: 38 },
      { layer: 'ipv4', field: 'ihl', offset: 14 },
      { layer: 'vlan', field: 'tag', offset: 12 },
      { layer: 'ethernet', field: 'header', offset: 0 },
    ]);
  });
});

describe('reassembly', () => {
  it('rebuilds IPv4 and IPv6 datagrams from fragments in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 40 }).map((k) => k * 8),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (len, chunk, six, seed) => {
          const body = payload(len, seed);
          const frags = six ? fragmentIPv6(v6(body), chunk, 77) : fragmentIPv4(v4(body, { ipId: 77, dontFragment: false }), chunk);
          // A deterministic shuffle derived from the seed.
          const order = frags.map((_, i) => i).sort((a, b) => ((a * 31 + seed) % 17) - ((b * 31 + seed) % 17) || a - b);
          const { out, ex } = run(order.map((i) => pkt(frags[i]!)));
          expect(out.length).toBe(1);
          expect(out[0]!.payload.equals(body)).toBe(true);
          expect(out[0]!.wireBytes).toBe(frags.reduce((s, f) => s + f.length, 0));
          expect(ex.stats.checksumErrors).toBe(0);
          expect(ex.stats.fragments).toBe(frags.length > 1 ? frags.length : ex.stats.fragments);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports overlaps, gaps, timeouts and floods, without losing other datagrams', () => {
    const frags = fragmentIPv4(v4(payload(100), { ipId: 5, dontFragment: false }), 40);
    const overlapping = Buffer.from(frags[1]!);
    overlapping.writeUInt16BE(0x2000 | 4, 14 + 6); // offset 32: overlaps bytes 32-40 of the first
    const msgs: string[] = [];
    const { out, ex } = run(
      [pkt(frags[0]!), pkt(overlapping), pkt(v4(payload(5))), pkt(frags[0]!, 1, 0), pkt(frags[2]!, 1, 0), pkt(v4(payload(6)), 1, 100)],
      new DatagramExtractor({ onProblem: (p) => msgs.push(p.message) }),
    );
    expect(out.map((d) => d.payload.length)).toEqual([5, 6]);
    expect(ex.stats.reassemblyFailures).toBe(2);
    expect(msgs[0]).toMatch(/^IPv4 datagram id 5: fragment in packet \d+ \(bytes 32-72\) overlaps bytes 0-40 of an earlier fragment/);
    expect(msgs[1]).toMatch(/^IPv4 datagram id 5: not completed within 30 s of capture time \(2 fragment\(s\) held, missing bytes 40-80\)/);
  });

  it('bounds memory under a fragment flood', () => {
    const ex = new DatagramExtractor({ limits: { maxDatagrams: 10 }, source: 'flood.pcap' });
    const packets: CapturedPacket[] = [];
    for (let id = 0; id < 200; id++) packets.push(pkt(fragmentIPv4(v4(payload(64), { ipId: id, dontFragment: false }), 40)[0]!));
    const last = fragmentIPv4(v4(payload(64), { ipId: 199, dontFragment: false }), 40)[1]!;
    packets.push(pkt(last));
    const { out } = run(packets, ex);
    expect(out.length).toBe(1);
    expect(ex.stats.reassemblyFailures).toBe(190 + 9);
    expect(ex.problems[0]!.message).toMatch(/dropped to stay within 10 datagrams/);
    expect(ex.problems[0]!.text).toMatch(/^flood\.pcap: packet \d+ at byte offset 0: IPv4 datagram id 0: dropped to stay within 10 datagrams .*; fragments in packets \d+$/);
  });
});

describe('readUdpDatagrams', () => {
  it('reads a file, applies a filter, and still yields datagrams before a fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-dg-'));
    const file = join(dir, 'x.pcap');
    const bytes = encodeCapture([
      { tsSec: 1, tsNsec: 0, data: v4(payload(10)) },
      { tsSec: 2, tsNsec: 0, data: v4(payload(11), { dstPort: 2055 }) },
      { tsSec: 3, tsNsec: 0, data: v4(payload(12)) },
    ]);
    writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    const src = readUdpDatagrams(file, { filter: 'udp and port 4739' });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const d of src) got.push(d.payload.length);
      })(),
    ).rejects.toThrow(/x\.pcap: packet 3 at byte offset \d+: file ends inside the record/);
    expect(got).toEqual([10]);
    expect(src.stats).toMatchObject({ packets: 2, filtered: 1, datagrams: 1 });
  });
});

