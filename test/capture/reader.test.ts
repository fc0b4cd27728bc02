import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCapture, openCaptureBuffer, readAllPackets } from '../../src/capture/open.ts';
import { LINKTYPE_IPFIX_MESSAGE } from '../../src/capture/ipfix-file.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { CaptureError } from '../../src/capture/errors.ts';
import { encodeCapture, type PacketRecord } from '../../src/capture/writer.ts';
import { HAVE_SHARED, ipfixMessage, SHARED } from './helpers.ts';

async function readBuffer(b: Buffer) {
  return readAllPackets(await openCaptureBuffer(b, 'mem.pcap'));
}

function rec(sec: number, nsec: number, data: number[] | Buffer, len?: number): PacketRecord {
  return { tsSec: sec, tsNsec: nsec, data: Buffer.from(data), len };
}

/** A pcapng block in little-endian order. */
function block(type: number, body: Buffer, le = true): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  if (le) {
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(total, total - 4);
  } else {
    b.writeUInt32BE(type, 0);
    b.writeUInt32BE(total, 4);
    b.writeUInt32BE(total, total - 4);
  }
  body.copy(b, 8);
  return b;
}

describe.skipIf(!HAVE_SHARED)('capture reader on the corpus', () => {
  const dirs = ['captures', 'edge', 'logstash-netflow', 'rewrite'].map((d) => join(SHARED, 'corpus', d));
  // describe bodies run at collection even when skipped: only list the corpus when it is there.
  const files = HAVE_SHARED ? dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.pcap')).map((f) => join(d, f))) : [];
  it('reads every capture to the end, accounting for every byte', async () => {
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const reader = await openCapture(file);
      const { packets, error } = await readAllPackets(reader);
      expect(error, file).toBeNull();
      expect(packets.length, file).toBeGreaterThan(0);
      const bytes = 24 + packets.reduce((n, p) => n + 16 + p.caplen, 0);
      expect(bytes, file).toBe(statSync(file).size);
      expect(packets.map((p) => p.number)).toEqual(packets.map((_, i) => i + 1));
    }
  });
  it('reads nanosecond pcap timestamps', async () => {
    const reader = await openCapture(join(SHARED, 'corpus/captures/scapy_netflowv9.pcap'));
    expect(reader.fileInfo.precision).toBe('nano');
    const { packets } = await readAllPackets(reader);
    expect(packets.some((p) => p.tsNsec % 1000 !== 0)).toBe(true);
  });
});

const recordArb = fc.record({
  tsSec: fc.integer({ min: 0, max: 0xffffffff }),
  tsNsec: fc.integer({ min: 0, max: 999_999_999 }),
  data: fc.uint8Array({ minLength: 0, maxLength: 80 }).map((a) => Buffer.from(a)),
  extra: fc.integer({ min: 0, max: 1000 }),
});

describe('pcap and pcapng round trips', () => {
  it('pcap (µs and ns, both byte orders) keeps every field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { maxLength: 20 }),
        fc.constantFrom('micro' as const, 'nano' as const),
        fc.constantFrom('little' as const, 'big' as const),
        fc.integer({ min: 0, max: 300 }),
        async (records, precision, byteOrder, linkType) => {
          const input = records.map((r) => ({ tsSec: r.tsSec, tsNsec: r.tsNsec, data: r.data, len: r.data.length + r.extra }));
          const file = encodeCapture(input, { precision, byteOrder, linkType, snaplen: 262144 });
          const reader = await openCaptureBuffer(file, 'rt.pcap');
          expect(reader.fileInfo).toMatchObject({ format: 'pcap', precision, byteOrder, linkType, snaplen: 262144 });
          const { packets, error } = await readAllPackets(reader);
          expect(error).toBeNull();
          expect(packets.length).toBe(input.length);
          let offset = 24;
          packets.forEach((p, i) => {
            const r = input[i]!;
            expect(p.number).toBe(i + 1);
            expect(p.tsSec).toBe(r.tsSec);
            expect(p.tsNsec).toBe(precision === 'nano' ? r.tsNsec : Math.floor(r.tsNsec / 1000) * 1000);
            expect(p.data.equals(r.data)).toBe(true);
            expect(p.caplen).toBe(r.data.length);
            expect(p.len).toBe(r.len);
            expect(p.linkType).toBe(linkType);
            expect(p.fileOffset).toBe(offset);
            offset += 16 + r.data.length;
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('pcapng with several interfaces and resolutions keeps every field', async () => {
    const resArb = fc.oneof(
      fc.integer({ min: 0, max: 9 }).map((exponent) => ({ base: 10 as const, exponent })),
      fc.integer({ min: 0, max: 30 }).map((exponent) => ({ base: 2 as const, exponent })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ linkType: fc.integer({ min: 0, max: 300 }), tsResolution: resArb }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(recordArb, fc.nat()), { maxLength: 20 }),
        fc.constantFrom('little' as const, 'big' as const),
        async (interfaces, records, byteOrder) => {
          const input = records.map(([r, k]) => ({
            tsSec: r.tsSec,
            tsNsec: r.tsNsec,
            data: r.data,
            len: r.data.length + r.extra,
            interfaceId: k % interfaces.length,
          }));
          const file = encodeCapture(input, { format: 'pcapng', byteOrder, interfaces });
          const reader = await openCaptureBuffer(file, 'rt.pcapng');
          const { packets, error } = await readAllPackets(reader);
          expect(error).toBeNull();
          expect(reader.fileInfo.format).toBe('pcapng');
          expect(reader.fileInfo.byteOrder).toBe(byteOrder);
          expect(reader.fileInfo.interfaces.map((i) => [i.linkType, i.tsResolution])).toEqual(
            interfaces.map((i) => [i.linkType, i.tsResolution]),
          );
          expect(packets.length).toBe(input.length);
          packets.forEach((p, i) => {
            const r = input[i]!;
            const res = interfaces[r.interfaceId]!.tsResolution;
            const perSec = res.base === 10 ? 10n ** BigInt(res.exponent) : 1n << BigInt(res.exponent);
            const units = (BigInt(r.tsNsec) * perSec) / 1_000_000_000n;
            expect(p.tsSec).toBe(r.tsSec);
            expect(p.tsNsec).toBe(Number((units * 1_000_000_000n) / perSec));
            expect(p.data.equals(r.data)).toBe(true);
            expect(p.len).toBe(r.len);
            expect(p.interfaceId).toBe(r.interfaceId);
            expect(p.linkType).toBe(interfaces[r.interfaceId]!.linkType);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});


describe('reading arbitrary bytes', () => {
  it('never throws anything but a CaptureError, and reports where', async () => {
    const valid = encodeCapture([rec(1, 0, [1, 2, 3]), rec(2, 5000, Buffer.alloc(60, 7))]);
    const validNg = encodeCapture([rec(1, 0, [1, 2, 3]), rec(2, 5000, Buffer.alloc(60, 7))], { format: 'pcapng' });
    const validIpfix = Buffer.concat([ipfixMessage(1, [8, 12]), ipfixMessage(2, []), ipfixMessage(3, [20])]);
    const mutated = fc
      .tuple(fc.constantFrom(valid, validNg, validIpfix), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([base, flips, cut]) => {
        const b = Buffer.from(base);
        for (const [i, v] of flips) b[i % b.length] = v;
        return b.subarray(0, cut % (b.length + 1));
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), mutated), async (bytes) => {
        try {
          const { error } = await readBuffer(bytes);
          if (error) {
            expect(error).toBeInstanceOf(CaptureError);
            expect(error.offset).toBeGreaterThanOrEqual(0);
            expect(error.offset).toBeLessThanOrEqual(bytes.length);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('bad input', () => {
  it('rejects a file that is not a capture', async () => {
    await expect(openCaptureBuffer(Buffer.from('hello, world, this is text'), 'notes.txt')).rejects.toThrow(
      /^notes\.txt: byte offset 0: not a pcap or pcapng file \(magic 0x68656c6c\), nor an RFC 5655 IPFIX file$/,
    );
    await expect(openCapture('/nonexistent/x.pcap')).rejects.toThrow(/x\.pcap: byte offset 0: cannot open/);
  });

  it('yields everything before a record cut off mid-way, then names packet and offset', async () => {
    const full = encodeCapture([rec(1, 0, [1, 2, 3]), rec(2, 0, [4, 5, 6, 7]), rec(3, 0, Buffer.alloc(40))]);
    const { packets, error } = await readBuffer(full.subarray(0, full.length - 10));
    expect(packets.map((p) => p.data.length)).toEqual([3, 4]);
    expect(error?.kind).toBe('truncated');
    expect(error?.packetNumber).toBe(3);
    expect(error?.offset).toBe(24 + 19 + 20);
    expect(error?.message).toBe('mem.pcap: packet 3 at byte offset 63: file ends inside the record: 30 of 40 captured bytes present');
    const cutHeader = await readBuffer(full.subarray(0, 24 + 19 + 5));
    expect(cutHeader.packets.length).toBe(1);
    expect(cutHeader.error?.message).toMatch(/packet 2 at byte offset 43: file ends inside a record header \(5 of 16 bytes\)/);
  });

  it('warns about caplen > snaplen and zero-length frames, and stops at an absurd caplen', async () => {
    const file = encodeCapture([rec(1, 0, Buffer.alloc(100)), rec(2, 0, [])], { snaplen: 64 });
    const reader = await openCaptureBuffer(file, 'w.pcap');
    const { packets, error } = await readAllPackets(reader);
    expect(error).toBeNull();
    expect(packets.length).toBe(2);
    expect(reader.warnings.map((w) => w.message)).toEqual([
      "w.pcap: packet 1 at byte offset 24: captured length 100 exceeds the file's snaplen 64",
      'w.pcap: packet 2 at byte offset 140: record has no captured bytes',
    ]);
    const bad = encodeCapture([rec(1, 0, [1]), rec(2, 0, [2])]);
    bad.writeUInt32LE(0x7fffffff, 24 + 17 + 8);
    const r2 = await readBuffer(bad);
    expect(r2.packets.length).toBe(1);
    expect(r2.error?.kind).toBe('caplen-too-large');
    expect(r2.error?.message).toMatch(/packet 2 at byte offset 41: captured length 2147483647 exceeds the maximum of 262144 bytes/);
  });

  it('stops at a corrupt pcapng block length, after the packets before it', async () => {
    const file = encodeCapture([rec(1, 0, [1, 2, 3, 4]), rec(2, 0, [5, 6, 7, 8])], { format: 'pcapng' });
    const shbLen = file.readUInt32LE(4);
    const idbLen = file.readUInt32LE(shbLen + 4);
    const epb2 = shbLen + idbLen + 36;
    const broken = Buffer.from(file);
    broken.writeUInt32LE(37, epb2 + 4);
    const { packets, error } = await readBuffer(broken);
    expect(packets.length).toBe(1);
    expect(error?.kind).toBe('bad-block');
    expect(error?.message).toBe(
      `mem.pcap: packet 2 at byte offset ${epb2}: enhanced packet block has an invalid total length 37 (must be a multiple of 4, at least 12)`,
    );
    const mismatch = Buffer.from(file);
    mismatch.writeUInt32LE(40, epb2 + 32);
    expect((await readBuffer(mismatch)).error?.message).toMatch(/length fields disagree \(36 at the start, 40 at the end\)/);
  });
});

describe('pcapng structure', () => {
  it('handles sections of both byte orders, SPB, skipped blocks, if_tsresol and if_tsoffset', async () => {
    const shb = (le: boolean) => {
      const body = Buffer.alloc(16);
      if (le) {
        body.writeUInt32LE(0x1a2b3c4d, 0);
        body.writeUInt16LE(1, 4);
      } else {
        body.writeUInt32BE(0x1a2b3c4d, 0);
        body.writeUInt16BE(1, 4);
      }
      body.fill(0xff, 8, 16);
      return block(0x0a0d0d0a, body, le);
    };
    // Section 1 (LE): IDB link 1 with if_tsresol=3 (ms) and if_tsoffset=100; NRB; custom; EPB; SPB.
    const idb1 = Buffer.alloc(8 + 8 + 12 + 4);
    idb1.writeUInt16LE(1, 0);
    idb1.writeUInt32LE(0, 4);
    idb1.writeUInt16LE(9, 8);
    idb1.writeUInt16LE(1, 10);
    idb1[12] = 3;
    idb1.writeUInt16LE(14, 16);
    idb1.writeUInt16LE(8, 18);
    idb1.writeUInt32LE(100, 20);
    const epb = Buffer.alloc(20 + 4);
    epb.writeUInt32LE(0, 0);
    epb.writeUInt32LE(0, 4);
    epb.writeUInt32LE(12345, 8); // 12.345 s
    epb.writeUInt32LE(3, 12);
    epb.writeUInt32LE(9, 16);
    epb.set([1, 2, 3], 20);
    const spb = Buffer.alloc(4 + 8);
    spb.writeUInt32LE(6, 0);
    spb.set([9, 8, 7, 6, 5, 4], 4);
    const nrb = Buffer.alloc(4);
    const custom = Buffer.alloc(8, 0xee);
    // Section 2 (BE): IDB link 101 with ns resolution, one EPB on interface 0.
    const idb2 = Buffer.alloc(8);
    idb2.writeUInt16BE(101, 0);
    const idb2opt = Buffer.alloc(8);
    idb2opt.writeUInt16BE(9, 0);
    idb2opt.writeUInt16BE(1, 2);
    idb2opt[4] = 9;
    const epb2 = Buffer.alloc(24);
    epb2.writeUInt32BE(0, 0);
    const ns = 1_700_000_000_123_456_789n;
    epb2.writeUInt32BE(Number(ns >> 32n), 4);
    epb2.writeUInt32BE(Number(ns & 0xffffffffn), 8);
    epb2.writeUInt32BE(1, 12);
    epb2.writeUInt32BE(1, 16);
    epb2[20] = 0x45;
    const file = Buffer.concat([
      shb(true),
      block(1, idb1),
      block(4, nrb),
      block(0xbad, custom),
      block(6, epb),
      block(3, spb),
      shb(false),
      block(1, Buffer.concat([idb2, idb2opt, Buffer.alloc(4)]), false),
      block(6, epb2, false),
    ]);
    const reader = await openCaptureBuffer(file, 'multi.pcapng');
    const { packets, error } = await readAllPackets(reader);
    expect(error).toBeNull();
    expect(reader.fileInfo.sections.map((s) => s.byteOrder)).toEqual(['little', 'big']);
    expect(reader.fileInfo.linkTypes).toEqual([1, 101]);
    expect(reader.fileInfo.precision).toBe('nano');
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.caplen, p.len, p.interfaceId, p.linkType])).toEqual([
      [112, 345_000_000, 3, 9, 0, 1],
      [0, 0, 6, 6, 0, 1],
      [1_700_000_000, 123_456_789, 1, 1, 1, 101],
    ]);
    expect([...packets[1]!.data]).toEqual([9, 8, 7, 6, 5, 4]);
  });

  it('reports a packet on an undeclared interface', async () => {
    const file = encodeCapture([rec(1, 0, [1, 2, 3, 4])], { format: 'pcapng' });
    const shbLen = file.readUInt32LE(4);
    const idbLen = file.readUInt32LE(shbLen + 4);
    const b = Buffer.from(file);
    b.writeUInt32LE(3, shbLen + idbLen + 8);
    const { error } = await readBuffer(b);
    expect(error?.message).toMatch(/packet 1 at byte offset \d+: packet refers to interface 3, but the section describes 1 interface\(s\)/);
  });
});

describe('RFC 5655 IPFIX files', () => {
  const m1 = ipfixMessage(1700000000, [8, 12], 1);
  const m2 = ipfixMessage(1700000001, [], 2);
  const m3 = ipfixMessage(1699999999, [20], 3);
  const file = Buffer.concat([m1, m2, m3]);

  it('reads every message as one packet stamped with its export time', async () => {
    const reader = await openCaptureBuffer(file, 'mem.ipfix');
    expect(reader.fileInfo.format).toBe('ipfix');
    expect(reader.fileInfo.linkType).toBe(LINKTYPE_IPFIX_MESSAGE);
    const { packets, error } = await readAllPackets(reader);
    expect(error).toBeNull();
    expect(packets.map((p) => [p.number, p.tsSec, p.tsNsec, p.caplen, p.len, p.fileOffset, p.linkType])).toEqual([
      [1, 1700000000, 0, m1.length, m1.length, 0, LINKTYPE_IPFIX_MESSAGE],
      [2, 1700000001, 0, 16, 16, m1.length, LINKTYPE_IPFIX_MESSAGE],
      [3, 1699999999, 0, m3.length, m3.length, m1.length + 16, LINKTYPE_IPFIX_MESSAGE],
    ]);
    expect(Buffer.concat(packets.map((p) => p.data)).equals(file)).toBe(true);
    expect(reader.fileInfo.interfaces[0]?.packets).toBe(3);
    expect(reader.bytesRead).toBe(file.length);
  });

  it('counts every message before a message cut short, then names message and offset', async () => {
    const cutBody = await readBuffer(file.subarray(0, file.length - 5));
    expect(cutBody.packets.length).toBe(2);
    expect(cutBody.error?.kind).toBe('truncated');
    expect(cutBody.error?.message).toBe(
      `mem.pcap: packet 3 at byte offset ${m1.length + 16}: file ends inside IPFIX message 3: ${m3.length - 5} of its ${m3.length} bytes present`,
    );
    const cutHeader = await readBuffer(file.subarray(0, m1.length + 9));
    expect(cutHeader.packets.length).toBe(1);
    expect(cutHeader.error?.message).toBe(
      `mem.pcap: packet 2 at byte offset ${m1.length}: file ends inside the header of IPFIX message 2 (9 of 16 bytes)`,
    );
  });

  it('stops at a message with a wrong version or a length below 16, after the messages before it', async () => {
    const badVersion = Buffer.from(file);
    badVersion.writeUInt16BE(9, m1.length);
    const v = await readBuffer(badVersion);
    expect(v.packets.length).toBe(1);
    expect(v.error?.kind).toBe('bad-block');
    expect(v.error?.message).toBe(`mem.pcap: packet 2 at byte offset ${m1.length}: IPFIX message 2 has an invalid header: version 9 is not IPFIX (10)`);
    const badLength = Buffer.from(file);
    badLength.writeUInt16BE(12, m1.length + 16 + 2);
    const l = await readBuffer(badLength);
    expect(l.packets.length).toBe(2);
    expect(l.error?.offset).toBe(m1.length + 16);
    expect(l.error?.message).toMatch(/packet 3 at byte offset \d+: IPFIX message 3 has an invalid header: message length 12 is shorter than its header$/);
  });

  it('rejects bytes that start like IPFIX but whose first message is not', async () => {
    const bad = Buffer.from(m1);
    bad.writeUInt16BE(3, 16 + 2); // a Set shorter than its own header
    await expect(openCaptureBuffer(bad, 'x.bin')).rejects.toThrow(
      /^x\.bin: byte offset 0: not a pcap or pcapng file \(magic 0x000a002c\), nor an RFC 5655 IPFIX file: its first IPFIX message header or Set lengths are invalid$/,
    );
  });

  it('is refused, with the reason, by readUdpDatagrams (no IP/UDP headers to take datagrams from)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-ipfix-dgram-'));
    writeFileSync(join(dir, 'f.ipfix'), file);
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const d of readUdpDatagrams(join(dir, 'f.ipfix'))) seen.push(d);
      })(),
    ).rejects.toThrow(/f\.ipfix: byte offset 0: an RFC 5655 IPFIX file holds bare IPFIX messages without IP\/UDP headers/);
    expect(seen).toEqual([]);
  });

  it.skipIf(!HAVE_SHARED)('reads the corpus IPFIX files to the end (example_flows: 68 messages, #2 an empty one)', async () => {
    const files = [join(SHARED, 'corpus/ipfix-files/example_flows.ipfix'), ...readdirSync(join(SHARED, 'corpus/edge')).filter((f) => f.endsWith('.ipfix')).map((f) => join(SHARED, 'corpus/edge', f))];
    for (const f of files) {
      const { packets, error } = await readAllPackets(await openCapture(f));
      expect(error, f).toBeNull();
      expect(packets.reduce((n, p) => n + p.caplen, 0), f).toBe(statSync(f).size);
      if (f.endsWith('example_flows.ipfix')) {
        expect(packets.length).toBe(68);
        expect(packets[1]?.caplen).toBe(16);
      }
    }
  });
});
