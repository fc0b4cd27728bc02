import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLocalTime, formatSize, formatSummary, precisionDigits, summarizeCapture } from '../../src/capture/capinfos.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { writeGeneratedCaptures } from './gen-captures.ts';
import { HAVE_SHARED, haveTool, ipfixMessage, SHARED } from './helpers.ts';

const HAVE_CAPINFOS = haveTool('capinfos');
if (!HAVE_CAPINFOS) console.warn('[capinfos tests] capinfos is not installed: differential tests skipped (apt-get install wireshark-common)');

// Local time is what capinfos prints; both sides run in UTC here.
process.env.TZ = 'UTC';

async function ours(files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) parts.push(formatSummary(await summarizeCapture(f), f));
  return `${parts.join('\n\n')}\n`;
}

function theirs(files: string[]): string {
  return execFileSync('capinfos', files, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 26 });
}

function extraCaptures(dir: string): string[] {
  const d = Buffer.alloc(60, 0x45);
  const files: [string, Buffer][] = [
    ['one.pcap', encodeCapture([{ tsSec: 1700000000, tsNsec: 5000, data: d }])],
    ['empty.pcap', encodeCapture([])],
    ['onesec.pcap', encodeCapture([{ tsSec: 1700000000, tsNsec: 0, data: d }, { tsSec: 1700000001, tsNsec: 0, data: d }])],
    [
      'mixed.pcapng',
      encodeCapture(
        [
          { tsSec: 1700000002, tsNsec: 0, data: d },
          { tsSec: 1700000001, tsNsec: 0, data: d, interfaceId: 1 },
          { tsSec: 1700000003, tsNsec: 0, data: d, interfaceId: 1 },
        ],
        {
          format: 'pcapng',
          interfaces: [{ linkType: 1, snaplen: 65535, name: 'eth0' }, { linkType: 101, snaplen: 1500, tsResolution: { base: 10, exponent: 9 } }],
          application: 'flowstash test',
        },
      ),
    ],
    [
      'many.pcap',
      encodeCapture(Array.from({ length: 123456 }, (_, i) => ({ tsSec: 1700000000 + Math.floor(i / 100000), tsNsec: (i % 100000) * 10000, data: Buffer.alloc(100 + (i % 7)) }))),
    ],
  ];
  for (const [exp, res] of [[0, 10], [3, 10], [4, 10], [7, 10], [20, 2], [30, 2]] as const) {
    files.push([
      `res-${res}-${exp}.pcapng`,
      encodeCapture([{ tsSec: 1700000000, tsNsec: 123456789, data: d }, { tsSec: 1700000001, tsNsec: 987654321, data: d }], {
        format: 'pcapng',
        interfaces: [{ linkType: 1, tsResolution: { base: res, exponent: exp } }],
      }),
    ]);
  }
  files.push(['options.pcapng', pcapngWithOptions()]);
  for (const lt of [0, 12, 101, 108, 113, 228, 229, 276, 105, 127]) files.push([`lt${lt}.pcap`, encodeCapture([{ tsSec: 1700000000, tsNsec: 5000, data: d }], { linkType: lt })]);
  return files.map(([name, data]) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  });
}

/** SHB options (hardware, OS, application, comments), IDB options, an EPB and an ISB, by hand. */
function pcapngWithOptions(): Buffer {
  const opt = (code: number, value: string | Buffer): Buffer => {
    const v = typeof value === 'string' ? Buffer.from(value) : value;
    const b = Buffer.alloc(4 + ((v.length + 3) & ~3));
    b.writeUInt16LE(code, 0);
    b.writeUInt16LE(v.length, 2);
    v.copy(b, 4);
    return b;
  };
  const block = (type: number, body: Buffer): Buffer => {
    const b = Buffer.alloc(12 + body.length);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(b.length, 4);
    body.copy(b, 8);
    b.writeUInt32LE(b.length, b.length - 4);
    return b;
  };
  const end = Buffer.alloc(4);
  const shbHead = Buffer.alloc(16);
  shbHead.writeUInt32LE(0x1a2b3c4d, 0);
  shbHead.writeUInt16LE(1, 4);
  shbHead.fill(0xff, 8);
  const shb = Buffer.concat([shbHead, opt(1, 'first comment'), opt(2, 'HW x'), opt(3, 'Linux 6'), opt(4, 'dumpcap'), opt(1, 'second comment'), end]);
  const idbHead = Buffer.alloc(8);
  idbHead.writeUInt16LE(1, 0);
  idbHead.writeUInt32LE(262144, 4);
  const idb = Buffer.concat([
    idbHead,
    opt(2, 'eth0'),
    opt(3, 'the uplink'),
    opt(9, Buffer.from([6])),
    opt(11, Buffer.concat([Buffer.from([0]), Buffer.from('udp port 4739')])),
    opt(12, 'Linux 6.1'),
    opt(13, Buffer.from([4])),
    opt(15, 'NIC hw'),
    end,
  ]);
  const epb = Buffer.alloc(20 + 60);
  epb.writeUInt32LE(0x60000, 4);
  epb.writeUInt32LE(0x12345, 8);
  epb.writeUInt32LE(60, 12);
  epb.writeUInt32LE(64, 16);
  const isb = Buffer.alloc(12 + 4);
  isb.writeUInt32LE(0x60000, 4);
  isb.writeUInt32LE(0x22345, 8);
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), block(6, epb), block(5, isb)]);
}

describe.skipIf(!HAVE_CAPINFOS)('capinfos agrees with Wireshark capinfos 4.0', () => {
  it.skipIf(!HAVE_SHARED)('on every capture in the corpus', async () => {
    const files = ['captures', 'edge', 'logstash-netflow', 'rewrite'].flatMap((d) =>
      readdirSync(join(SHARED, 'corpus', d))
        .filter((f) => /\.pcap(ng)?$/.test(f))
        .map((f) => join(SHARED, 'corpus', d, f)),
    );
    expect(files.length).toBeGreaterThan(80);
    expect(await ours(files)).toBe(theirs(files));
  });

  it.skipIf(!HAVE_SHARED)('on every RFC 5655 IPFIX file in the corpus', async () => {
    const files = [join(SHARED, 'corpus', 'ipfix-files', 'example_flows.ipfix'), ...readdirSync(join(SHARED, 'corpus', 'edge')).filter((f) => f.endsWith('.ipfix')).map((f) => join(SHARED, 'corpus', 'edge', f))];
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(await ours(files)).toBe(theirs(files));
  });

  it('on generated IPFIX files: several seconds, out of order, one message, many messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-capinfos-ipfix-'));
    const write = (name: string, times: number[]): string => {
      writeFileSync(join(dir, name), Buffer.concat(times.map((t, i) => ipfixMessage(t, i % 3 === 0 ? [] : [4 * (i % 11)]))));
      return join(dir, name);
    };
    const files = [
      write('spread.ipfix', [1700000000, 1700000003, 1700000007]),
      write('unordered.ipfix', [1700000005, 1700000001, 1700000009]),
      write('one.ipfix', [1]),
      write('many.ipfix', Array.from({ length: 3000 }, (_, i) => 1700000000 + Math.floor(i / 7))),
    ];
    expect(await ours(files)).toBe(theirs(files));
  });

  it('on generated pcap/pcapng files: ns, big-endian, truncated, mixed link types, resolutions, link types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-capinfos-'));
    const files = [...writeGeneratedCaptures(dir).map((g) => g.path), ...extraCaptures(dir)];
    expect(await ours(files)).toBe(theirs(files));
  });
});

describe('capinfos formatting', () => {
  it('formats sizes like format_size (SI, truncated, prefix only from 10 units)', () => {
    expect(formatSize(9999, 'bytes')).toBe('9999 bytes');
    expect(formatSize(10000, 'bytes')).toBe('10 kB');
    expect(formatSize(1524024, 'bytes')).toBe('1524 kB');
    expect(formatSize(14_999_999, 'bytes')).toBe('14 MB');
    expect(formatSize(123456, 'none')).toBe('123 k');
    expect(formatSize(8388608.9, 'packets/s')).toBe('8388 kpackets/s');
    expect(formatSize(8005336.5, 'bits/s')).toBe('8005 kbps');
    expect(formatSize(0.7, 'bytes/s')).toBe('0 bytes/s');
  });
  it('maps resolutions to wiretap precisions', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12].map((exponent) => precisionDigits({ base: 10, exponent }))).toEqual([0, 1, 2, 3, 3, 3, 6, 6, 6, 9, 9]);
    expect(precisionDigits({ base: 2, exponent: 20 })).toBe(6);
    expect(precisionDigits({ base: 2, exponent: 30 })).toBe(9);
  });
  it('prints local time truncated to the precision', () => {
    expect(formatLocalTime(1_700_000_000_123_456_789n, 6)).toBe('2023-11-14 22:13:20.123456');
    expect(formatLocalTime(1_700_000_000_999_999_999n, 0)).toBe('2023-11-14 22:13:20');
  });
  it('summarises a damaged file up to the fault and reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-capinfos-cut-'));
    const full = encodeCapture([0, 1, 2].map((i) => ({ tsSec: 1700000000 + i, tsNsec: 0, data: Buffer.alloc(50) })));
    writeFileSync(join(dir, 'cut.pcap'), full.subarray(0, full.length - 20));
    const s = await summarizeCapture(join(dir, 'cut.pcap'));
    expect(s.packets).toBe(2);
    expect(s.error?.message).toMatch(/cut\.pcap: packet 3 at byte offset 156: file ends inside the record/);
    expect(formatSummary(s, 'cut.pcap')).toMatch(/Number of packets:   2\n/);
  });
});


describe('capinfos on damaged IPFIX files', () => {
  it('summarises the messages before a cut, a bad version or a length below 16, and names the fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-capinfos-ipfix-bad-'));
    const msgs = [0, 1, 2, 3].map((i) => ipfixMessage(1700000000 + i, [20]));
    const whole = Buffer.concat(msgs);
    const badVersion = Buffer.from(whole);
    badVersion.writeUInt16BE(5, 80);
    const badLength = Buffer.from(whole);
    badLength.writeUInt16BE(15, 40 + 2);
    const cases: [string, Buffer, number, RegExp][] = [
      ['cut.ipfix', whole.subarray(0, 150), 3, /cut\.ipfix: packet 4 at byte offset 120: file ends inside IPFIX message 4: 30 of its 40 bytes present$/],
      ['version.ipfix', badVersion, 2, /version\.ipfix: packet 3 at byte offset 80: IPFIX message 3 has an invalid header: version 5 is not IPFIX \(10\)$/],
      ['length.ipfix', badLength, 1, /length\.ipfix: packet 2 at byte offset 40: IPFIX message 2 has an invalid header: message length 15 is shorter than its header$/],
    ];
    for (const [name, bytes, count, why] of cases) {
      writeFileSync(join(dir, name), bytes);
      const s = await summarizeCapture(join(dir, name));
      expect(s.packets, name).toBe(count);
      expect(s.dataBytes, name).toBe(count * 40);
      expect(s.error?.message, name).toMatch(why);
      expect(formatSummary(s, name)).toMatch(new RegExp(`Number of packets:   ${count}\n[^]*Number of packets = ${count}$`));
    }
  });
});

describe('the capinfos CLI', () => {
  it('exits 1 for a damaged file (still summarised) and 2 for a file that is not a capture', async () => {
    const { run } = await import('../../src/cli/capinfos.ts');
    const dir = mkdtempSync(join(tmpdir(), 'fs-capinfos-cli-'));
    const full = encodeCapture([0, 1].map((i) => ({ tsSec: 1700000000 + i, tsNsec: 0, data: Buffer.alloc(50) })));
    writeFileSync(join(dir, 'ok.pcap'), full);
    writeFileSync(join(dir, 'cut.pcap'), full.subarray(0, full.length - 5));
    writeFileSync(join(dir, 'text.pcap'), 'hello world, not a capture');
    const out: string[] = [];
    const err: string[] = [];
    const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    let codes: number[];
    try {
      codes = [await run([join(dir, 'ok.pcap')]), await run([join(dir, 'ok.pcap'), join(dir, 'cut.pcap')]), await run([join(dir, 'text.pcap'), join(dir, 'ok.pcap')])];
    } finally {
      process.stdout.write = o;
      process.stderr.write = e;
    }
    expect(codes).toEqual([0, 1, 2]);
    expect(out.join('')).toMatch(/Number of packets = 2\n\nFile name: {11}\S+cut\.pcap\n/);
    expect(err.join('')).toMatch(/An error occurred after reading 1 packets from ".*cut\.pcap"\.\ncapinfos: .*cut\.pcap: packet 2 at byte offset 90: file ends inside the record/);
    expect(err.join('')).toMatch(/text\.pcap" isn't a capture file in a format capinfos understands\.\ncapinfos: .*text\.pcap: byte offset 0: not a pcap or pcapng file/);
  });
});
