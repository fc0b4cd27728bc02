// flowstash rewrite where it deliberately differs from tcprewrite 4.4.3, option parsing, the CLI,
// and the map-then-inverse property.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRewriteArgs, run } from '../../src/cli/rewrite.ts';
import { formatIP } from '../../src/packet/address.ts';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';
import { internetChecksum, pseudoHeaderSum } from '../../src/packet/checksum.ts';
import { DatagramExtractor } from '../../src/packet/datagrams.ts';
import { decodeFrame, type DecodedFrame } from '../../src/packet/decode.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { rewriteCaptureFile } from '../../src/rewrite/rewrite-file.ts';
import { defaultRewriteOptions, parseCidrMap, RewriteOptionError, type RewriteOptions } from '../../src/rewrite/options.ts';
import { Rewriter } from '../../src/rewrite/rewriter.ts';
import { ethernetFrames, ipv6FragmentFrames, llcFrames, writeGeneratedCaptures } from '../capture/gen-captures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'fs-rw-'));

function opts(args: string[]): RewriteOptions {
  return parseRewriteArgs(['-i', 'x', '-o', 'y', ...args], true).options;
}

function rewriteFrames(frames: Buffer[], args: string[], linkType = 1): Buffer[] {
  const r = new Rewriter(opts(args));
  return frames.map((f) => r.rewrite(linkType, f, f.length)!.data);
}

function l4Valid(data: Buffer, f: DecodedFrame): boolean {
  const len = f.ipEnd - f.l4Offset;
  const sum = pseudoHeaderSum(data, f.ipVersion as 4 | 6, f.srcOffset, f.protocol, len);
  return internetChecksum(data, f.l4Offset, f.l4Offset + len, sum) === 0;
}

describe('deliberate differences from tcprewrite 4.4.3', () => {
  it('maps IPv6 prefixes that are not a multiple of 8 bit-exactly', () => {
    const frame = buildUdpFrame({ src: '2001:db8:1::10', dst: '2001:db8:ffff::1', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const [out] = rewriteFrames([frame], ['--srcipmap=[2001:db8::/32]:[fd12:3456:7890::/36]', '--dstipmap=[2001:db8::/32]:[fd00::/15]', '-C']);
    const f = decodeFrame(1, out!);
    expect(formatIP(out!, f.srcOffset, 6)).toBe('fd12:3456:7001::10');
    expect(formatIP(out!, f.dstOffset, 6)).toBe('fd01:db8:ffff::1');
    expect(l4Valid(out!, f)).toBe(true);
  });

  it('keeps an IPv4 zero UDP checksum, computes an IPv6 one, and never writes a computed zero', () => {
    const v4 = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(10, 1), zeroUdpChecksum: true });
    const v6 = buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(10, 1) });
    v6.writeUInt16BE(0, 14 + 40 + 6);
    // A payload word chosen so the correct checksum is zero, sent as 0xFFFF.
    const z = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(10, 0) });
    const c = z.readUInt16BE(34 + 6);
    z.writeUInt16BE(0xffff - (~c & 0xffff), 42);
    z.writeUInt16BE(0x1111, 40);
    const [a, b, zz] = rewriteFrames([v4, v6, z], ['--fixcsum']);
    expect(a!.readUInt16BE(34 + 6)).toBe(0);
    expect(b!.readUInt16BE(54 + 6)).not.toBe(0);
    expect(l4Valid(b!, decodeFrame(1, b!))).toBe(true);
    expect(zz!.readUInt16BE(40)).toBe(0xffff);
    expect(l4Valid(zz!, decodeFrame(1, zz!))).toBe(true);
  });

  it('rewrites IPv6 fragments, keeping the reassembled UDP checksum valid', () => {
    const frags = ipv6FragmentFrames();
    const out = rewriteFrames(frags, ['--srcipmap=[2001:db8:1::/48]:[fd00:9::/48]', '--dstipmap=[2001:db8:2::40/128]:[fd00:8::1/128]', '-C']);
    const ex = new DatagramExtractor();
    const got = out.map((d, i) => ex.push({ number: i + 1, tsSec: 0, tsNsec: 0, caplen: d.length, len: d.length, linkType: 1, data: d, fileOffset: 0 })).filter(Boolean);
    expect(got.length).toBe(1);
    expect(got[0]).toMatchObject({ src: 'fd00:9::30', dst: 'fd00:8::1' });
    expect(ex.stats.checksumErrors).toBe(0);
  });

  it('rewrites packets of non-Ethernet link types (RAW, SLL, NULL) with valid checksums', async () => {
    const caps = writeGeneratedCaptures(tmp).filter((c) => /raw|sll|null/.test(c.name));
    for (const cap of caps) {
      const outPath = join(tmp, `o-${cap.name}`);
      const p = parseRewriteArgs(['-i', cap.path, '-o', outPath, '--srcipmap=10.1.0.0/16:172.16.0.0/12', '-C'], true);
      await rewriteCaptureFile(p.infile, p.outfile, p.options);
      const { packets } = await readAllPackets(await openCapture(outPath));
      const v4 = packets.map((pk) => ({ pk, f: decodeFrame(pk.linkType, pk.data) })).filter(({ f }) => f.ipVersion === 4 && !f.isFragment);
      expect(v4.length).toBeGreaterThan(5);
      for (const { pk, f } of v4) {
        expect(formatIP(pk.data, f.srcOffset, 4).startsWith('172.17.'), cap.name).toBe(true);
        expect(internetChecksum(pk.data, f.ipOffset, f.ipOffset + f.ipHeaderLen)).toBe(0);
        if ((f.protocol === 17 && pk.data.readUInt16BE(f.l4Offset + 6) !== 0) || f.protocol === 6) expect(l4Valid(pk.data, f)).toBe(true);
      }
    }
  });

  it('grows untagged frames when adding a VLAN tag', () => {
    const frame = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.from('hello') });
    const r = new Rewriter(opts(['--enet-vlan=add', '--enet-vlan-tag=100', '--enet-vlan-pri=6']));
    const out = r.rewrite(1, frame, frame.length)!;
    expect(out.data.length).toBe(frame.length + 4);
    expect(out.len).toBe(frame.length + 4);
    expect(out.data.subarray(12, 16).toString('hex')).toBe('8100c064');
    expect(out.data.subarray(16).equals(frame.subarray(12))).toBe(true);
    const del = new Rewriter(opts(['--enet-vlan=del'])).rewrite(1, out.data, out.len)!;
    expect(del.data.equals(frame)).toBe(true);
  });

  it('--skipbroadcast leaves 255.255.255.255 and multicast alone; 802.3 payloads are never edited', () => {
    const bc = buildUdpFrame({ src: '10.0.0.1', dst: '255.255.255.255', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const mc = buildUdpFrame({ src: '10.0.0.1', dst: '239.0.0.1', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const [a, b] = rewriteFrames([bc, mc], ['--pnat=0.0.0.0/0:10.9.0.0/16', '--skipbroadcast']);
    expect(formatIP(a!, 30, 4)).toBe('255.255.255.255');
    expect(formatIP(b!, 30, 4)).toBe('239.0.0.1');
    expect(formatIP(a!, 26, 4)).toBe('10.9.0.1');
    const llc = llcFrames()[0]!;
    const [c] = rewriteFrames([llc], ['--ttl=5', '--enet-dmac=02:00:00:00:00:09']);
    expect(c!.subarray(12).equals(llc.subarray(12))).toBe(true);
  });

  it('--mtu-trunc never invents bytes that were not captured; --fixlen=del drops short records', () => {
    const frame = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(1000) });
    const r = new Rewriter(opts(['--mtu=500', '--mtu-trunc']));
    const out = r.rewrite(1, frame.subarray(0, 100), frame.length)!;
    expect(out.data.length).toBe(100);
    expect(out.len).toBe(514);
    const d = new Rewriter(opts(['--fixlen=del']));
    expect(d.rewrite(1, frame.subarray(0, 100), frame.length)).toBeNull();
    expect(d.rewrite(1, frame, frame.length)).not.toBeNull();
    expect(d.stats).toMatchObject({ packets: 2, written: 1, deleted: 1 });
  });

  it('--fixlen=trunc on a jumbo record too long for the IPv4 length field warns instead of wrapping it', () => {
    const frame = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(1000) });
    const jumbo = Buffer.concat([frame, Buffer.alloc(70_000)]);
    const r = new Rewriter(opts(['--fixlen=trunc']));
    const out = r.rewrite(1, jumbo, jumbo.length + 100, 7)!;
    expect(out.len).toBe(jumbo.length);
    expect(out.data.readUInt16BE(14 + 2)).toBe(frame.readUInt16BE(14 + 2));
    expect(r.warnings.join('\n')).toMatch(/packet 7: --fixlen=trunc: \d+ captured IPv4 bytes do not fit/);
  });

  it('--correct-multicast-mac derives multicast MACs per RFC and leaves unicast MACs alone', () => {
    const v6 = buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const mc = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const [a, b] = rewriteFrames([v6, mc], ['--dstipmap=10.0.0.2/32:239.129.2.3/32', '--correct-multicast-mac']);
    expect(a!.subarray(0, 12).equals(v6.subarray(0, 12))).toBe(true);
    expect(b!.subarray(0, 6).toString('hex')).toBe('01005e010203');
    const [c] = rewriteFrames([v6], ['--fixcsum']);
    expect(c!.subarray(0, 12).toString('hex')).toBe('333300000002333300000001'); // tcprewrite 4.4.3's bytes
  });
});

describe('the --filter option', () => {
  it('keeps only matching packets', async () => {
    const frames = ethernetFrames();
    const input = join(tmp, 'filter-in.pcap');
    writeFileSync(input, encodeCapture(frames.map((data, i) => ({ tsSec: i, tsNsec: 0, data }))));
    const p = parseRewriteArgs(['-i', input, '-o', join(tmp, 'filter-out.pcap'), '--filter', 'ip6 and udp']);
    const report = await rewriteCaptureFile(p.infile, p.outfile, p.options);
    const { packets } = await readAllPackets(await openCapture(p.outfile));
    expect(packets.length).toBe(report.stats.written);
    expect(report.stats.written + report.stats.filtered).toBe(frames.length);
    expect(packets.every((pk) => decodeFrame(1, pk.data).ipVersion === 6)).toBe(true);
    expect(packets.length).toBe(4); // the VLAN-tagged IPv6 frame needs 'vlan and ip6'
  });
});

describe('option parsing', () => {
  const bad: [string[], RegExp][] = [
    [['--srcipmap=10.0.0.0/8'], /--srcipmap=10\.0\.0\.0\/8: '10\.0\.0\.0\/8' is not a CIDR:CIDR pair/],
    [['--srcipmap=10.0.0.0/33:1.2.3.4'], /'\/33' is not a prefix length for IPv4 \(0-32\)/],
    [['--dstipmap=2001:db8::/32:fd00::/32'], /put IPv6 networks in brackets/],
    [['--dstipmap=10.0.0.0/8:[fd00::/8]'], /is not a pair of bracketed IPv6 CIDRs/],
    [['--pnat=[::/0]:10.0.0.0/8'], /not a pair of bracketed IPv6 CIDRs/],
    [['--portmap=8000,8080,88888:80'], /'8000' is not FROM:TO/],
    [['--portmap=70000:1'], /'70000' is not a port number/],
    [['--ttl=300'], /--ttl=300: expected N, \+N or -N/],
    [['--tos=256'], /--tos=256: expected an integer from 0 to 255/],
    [['--enet-dmac=rand'], /'rand' is not a MAC address/],
    [['--fixlen=grow'], /expected pad, trunc or del/],
    [['--enet-vlan-tag=5'], /require --enet-vlan=add/],
    [['--pnat=1.0.0.0/8:2.0.0.0/8', '--srcipmap=1.0.0.0/8:3.0.0.0/8'], /cannot be combined with --srcipmap/],
    [['--pnat=1.0.0.0/8:2.0.0.0/8', '--pnat=1.0.0.0/8:2.0.0.0/8', '--pnat=1.0.0.0/8:2.0.0.0/8'], /at most twice/],
    [['-s', '42'], /address randomisation is not supported/],
  ];
  for (const [args, re] of bad) {
    it(`rejects ${args.join(' ')}`, () => {
      expect(() => opts(args)).toThrow(RewriteOptionError);
      expect(() => opts(args)).toThrow(re);
    });
  }
  it('parses tcprewrite pair lists', () => {
    const m = parseCidrMap('pnat', '172.16.0.0/12:10.1.0.0/8,[2001:db8::/32]:[dead::/16],192.0.2.1:198.51.100.1');
    expect(m.map((p) => [p.from.family, p.from.bits, p.to.bits])).toEqual([[4, 12, 8], [6, 32, 16], [4, 32, 32]]);
    const o = opts(['-r', '4739:9995', '-r', '1-10:5,7+8:9', '-N', '10.0.0.0/8:11.0.0.0/8']);
    expect(o.portMap.length).toBe(3);
    expect(o.pnat![0]).toBe(o.pnat![1]);
  });
  it('computes tcprewrite\'s "to prefix length" arithmetic', () => {
    const f = buildUdpFrame({ src: '172.16.5.9', dst: '192.168.200.7', srcPort: 1, dstPort: 2, payload: Buffer.alloc(0) });
    const [out] = rewriteFrames([f], ['--srcipmap=172.16.0.0/12:10.1.0.0/8', '--dstipmap=192.168.0.0/16:10.77.0.0/24']);
    expect([formatIP(out!, 26, 4), formatIP(out!, 30, 4)]).toEqual(['10.16.5.9', '10.77.0.7']);
  });
});

describe('the CLI', () => {
  it('exits 2 on bad options, 1 on a damaged input (after writing what it could), 0 otherwise', async () => {
    const good = join(tmp, 'cli-in.pcap');
    const frames = ethernetFrames().slice(0, 5);
    const file = encodeCapture(frames.map((data, i) => ({ tsSec: i, tsNsec: 0, data })));
    writeFileSync(good, file);
    const cut = join(tmp, 'cli-cut.pcap');
    writeFileSync(cut, file.subarray(0, file.length - 7));
    const notCap = join(tmp, 'cli-text.pcap');
    writeFileSync(notCap, 'not a capture at all');
    const errors: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await run(['-i', good, '-o', join(tmp, 'cli-out.pcap'), '--ttl=9'])).toBe(0);
      expect(await run(['-i', good, '-o', join(tmp, 'cli-out.pcap'), '--ttl=900'])).toBe(2);
      expect(await run(['-i', good, '-o', good, '-C'])).toBe(2);
      expect(await run(['-i', good, '-o', join(tmp, 'cli-out2.pcap'), '--filter', 'udp and'])).toBe(2);
      expect(await run(['-i', cut, '-o', join(tmp, 'cli-out3.pcap'), '-C'])).toBe(1);
      expect(await run(['-i', notCap, '-o', join(tmp, 'cli-out4.pcap'), '-C'])).toBe(1);
    } finally {
      process.stderr.write = orig;
    }
    const text = errors.join('');
    expect(text).toMatch(/--ttl=900: expected N, \+N or -N/);
    expect(text).toMatch(/--infile and --outfile are the same file/);
    expect(text).toMatch(/filter expression, column 8/);
    expect(text).toMatch(/cli-cut\.pcap: packet 5 at byte offset \d+: file ends inside the record/);
    expect(text).toMatch(/wrote the 4 packet\(s\) read before the fault/);
    expect(text).toMatch(/cli-text\.pcap: byte offset 0: not a pcap or pcapng file/);
    const { packets } = await readAllPackets(await openCapture(join(tmp, 'cli-out3.pcap')));
    expect(packets.length).toBe(4);
  });
});

describe('map then inverse map gives the original bytes back', () => {
  const frames = ethernetFrames();
  // Addresses in the generated frames come from 10.1/16, 192.168/16 and 2001:db8::/32; the
  // targets (100.64/10, fd99::/16) are unused, so mapping there and back is a bijection.
  const v4From = fc.constantFrom('10.1.0.0/16', '10.1.2.0/24', '192.168.7.0/24', '10.0.0.0/8', '192.168.0.0/16');
  const v6From = fc.constantFrom('2001:db8::/32', '2001:db8:1::/48', '2001:db8:2::20/124');
  it('with --fixcsum, up to checksum fields (property)', () => {
    fc.assert(
      fc.property(v4From, v6From, fc.integer({ min: 0, max: 0x3fffff }), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (a4, a6, r4, r6, pnat) => {
        const bits4 = Number(a4.split('/')[1]);
        const bits6 = Number(a6.split('/')[1]);
        const to4 = `100.${64 + ((r4 >> 16) & 63)}.${(r4 >> 8) & 255}.${r4 & 255}/${Math.max(bits4, 10)}`;
        const to6 = `fd99:${r6.toString(16)}::/${Math.max(bits6, 32)}`;
        if (Math.max(bits4, 10) !== bits4 || Math.max(bits6, 32) !== bits6) return; // sizes must match
        const fwd = `${a4}:${to4},[${a6}]:[${to6}]`;
        const back = `${to4}:${a4},[${to6}]:[${a6}]`;
        const there = pnat ? ['--pnat', fwd] : ['--srcipmap', fwd, '--dstipmap', fwd];
        const home = pnat ? ['--pnat', back] : ['--srcipmap', back, '--dstipmap', back];
        const baseline = rewriteFrames(frames, ['-C', '--correct-multicast-mac']);
        const mapped = rewriteFrames(frames, [...there, '-C', '--correct-multicast-mac']);
        const restored = rewriteFrames(mapped, [...home, '-C', '--correct-multicast-mac']);
        restored.forEach((r, i) => {
          const b = baseline[i]!;
          expect(r.length).toBe(b.length);
          const f = decodeFrame(1, b);
          const x = Buffer.from(r);
          const y = Buffer.from(b);
          for (const at of checksumOffsets(f)) {
            x.fill(0, at, at + 2);
            y.fill(0, at, at + 2);
          }
          expect(x.toString('hex'), `frame ${i + 1}`).toBe(y.toString('hex'));
        });
      }),
      { numRuns: 60 },
    );
  });
});

function checksumOffsets(f: DecodedFrame): number[] {
  const out: number[] = [];
  if (f.ipVersion === 4) out.push(f.ipOffset + 10);
  if (f.l4Offset >= 0) {
    if (f.protocol === 17) out.push(f.l4Offset + 6);
    if (f.protocol === 6) out.push(f.l4Offset + 16);
    if (f.protocol === 1 || f.protocol === 58) out.push(f.l4Offset + 2);
  }
  return out;
}

describe('pcapng input with several link types', () => {
  it('writes the packets before the first one of another link type, then reports it', async () => {
    const d = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.from('x') });
    const input = join(tmp, 'mixed.pcapng');
    writeFileSync(
      input,
      encodeCapture(
        [
          { tsSec: 1, tsNsec: 0, data: d },
          { tsSec: 2, tsNsec: 0, data: d },
          { tsSec: 3, tsNsec: 0, data: d.subarray(14), interfaceId: 1 },
        ],
        { format: 'pcapng', interfaces: [{ linkType: 1 }, { linkType: 101 }] },
      ),
    );
    const report = await rewriteCaptureFile(input, join(tmp, 'mixed-out.pcap'), opts(['-C']));
    expect(report.stats.written).toBe(2);
    expect(report.error?.message).toMatch(/mixed\.pcapng: packet 3 at byte offset \d+: link type 101 \(interface 1\) differs from the output's link type 1/);
    const { packets } = await readAllPackets(await openCapture(join(tmp, 'mixed-out.pcap')));
    expect(packets.length).toBe(2);
  });
});
