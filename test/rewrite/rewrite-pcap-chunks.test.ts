// The chunk path for classic pcap input (src/rewrite/pcap-chunks.ts) against rewriting each packet
// on its own copy as the capture reader yields it: every byte order and timestamp precision, records
// across many 1 MiB chunks, frames that change size, and the records it hands over to the reader
// (zero-length, above the snaplen, cut short at the end), whose warnings and faults must be the reader's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRewriteArgs } from '../../src/cli/rewrite.ts';
import { openCapture } from '../../src/capture/open.ts';
import { CaptureError } from '../../src/capture/errors.ts';
import { encodeCapture, type PacketRecord } from '../../src/capture/writer.ts';
import { exporterRecords } from './exporter-records.ts';
import { OUTPUT_SNAPLEN, rewriteCaptureFile } from '../../src/rewrite/rewrite-file.ts';
import { pcapHeader, rewritePcapChunks, type ChunkPassResult } from '../../src/rewrite/pcap-chunks.ts';
import { CaptureWriter } from '../../src/capture/writer.ts';
import { open } from 'node:fs/promises';
import { Rewriter } from '../../src/rewrite/rewriter.ts';
import type { CapturedPacket } from '../../src/capture/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'fs-rwpcapchunks-'));


/** What the reader path makes of `input`: every packet rewritten on a copy, the reader's warnings and fault. */
async function reference(input: string, flags: string[]): Promise<{ bytes: Buffer; warnings: string[]; error: CaptureError | null }> {
  const parsed = parseRewriteArgs(['-i', input, '-o', join(tmp, 'unused.pcap'), ...flags], true);
  const reader = await openCapture(input);
  const packets: CapturedPacket[] = [];
  let error: CaptureError | null = null;
  try {
    for await (const p of reader) packets.push({ ...p, data: Buffer.from(p.data) });
  } catch (e) {
    error = e as CaptureError;
  }
  const rewriter = new Rewriter(parsed.options);
  const expected: PacketRecord[] = [];
  for (const p of packets) {
    const out = rewriter.rewrite(p.linkType, p.data, p.len, p.number);
    if (out) expected.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: Buffer.from(out.data), len: out.len });
  }
  const info = reader.fileInfo;
  const warnings: string[] = [];
  if (packets.length > 0 && info.snaplen < OUTPUT_SNAPLEN && info.snaplen !== 0) {
    warnings.push(`${input} was captured using a snaplen of ${info.snaplen} bytes.  This may mean you have truncated packets.`);
  }
  warnings.push(...reader.warnings.map((w) => w.message), ...rewriter.warnings);
  const bytes = encodeCapture(expected, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType: info.linkType, snaplen: OUTPUT_SNAPLEN });
  return { bytes, warnings, error };
}

async function expectSameAsReader(name: string, file: Buffer, flags: string[]): Promise<void> {
  const input = join(tmp, `${name}.pcap`);
  const output = join(tmp, `${name}-out.pcap`);
  writeFileSync(input, file);
  const parsed = parseRewriteArgs(['-i', input, '-o', output, ...flags], true);
  const report = await rewriteCaptureFile(input, output, parsed.options);
  const want = await reference(input, flags);
  expect(report.error?.message ?? null).toBe(want.error?.message ?? null);
  expect(report.warnings).toEqual(want.warnings);
  expect(readFileSync(output).equals(want.bytes)).toBe(true);
}

/** The chunk path alone over `file`: how far it went before handing over. */
async function chunkPass(name: string, file: Buffer): Promise<ChunkPassResult> {
  const input = join(tmp, `${name}-direct.pcap`);
  writeFileSync(input, file);
  const fh = await open(input, 'r');
  const header = pcapHeader(file)!;
  const writer = CaptureWriter.createOpening(join(tmp, `${name}-direct-out.pcap`), { format: 'pcap', linkType: header.linkType });
  try {
    const parsed = parseRewriteArgs(['-i', input, '-o', join(tmp, 'unused.pcap'), '--fixcsum'], true);
    return await rewritePcapChunks(fh, input, header, new Rewriter(parsed.options), writer, () => undefined, () => false);
  } finally {
    await writer.close();
    await fh.close();
  }
}

describe('rewrite: the chunk path for classic pcap', () => {
  const flags = ['--srcipmap=[2001:db8::/32]:[fd00::/32],0.0.0.0/0:10.0.0.0/8', '--portmap=9991:4739', '--ttl=+3', '--fixcsum'];

  for (const byteOrder of ['little', 'big'] as const) {
    for (const precision of ['micro', 'nano'] as const) {
      it(`${byteOrder}-endian ${precision}second input across several chunks comes out as the reader path makes it`, async () => {
        // ~9.5 MB: records straddle at least two chunk boundaries.
        const file = encodeCapture(exporterRecords(11000, (i) => 200 + ((i * 131) % 1200)), { format: 'pcap', precision, byteOrder, linkType: 1 });
        expect(file.length).toBeGreaterThan(8 << 20);
        // The chunk path itself takes every record (the comparison below would also pass through the reader).
        expect(await chunkPass(`order-${byteOrder}-${precision}`, file)).toEqual({ records: 11000, complete: true });
        await expectSameAsReader(`order-${byteOrder}-${precision}`, file, flags);
      }, 60_000);
    }
  }

  it('frames that change size (a VLAN tag added) are written from their own copies, in order', async () => {
    const file = encodeCapture(exporterRecords(5000, (i) => 100 + ((i * 77) % 1300)), { format: 'pcap', precision: 'micro', linkType: 1 });
    await expectSameAsReader('vlan', file, ['--enet-vlan=add', '--enet-vlan-tag=7', '--fixcsum']);
  }, 60_000);

  it('hands a zero-length record over to the reader, which warns and goes on', async () => {
    const recs = exporterRecords(3000, (i) => 300 + (i % 900));
    recs.splice(1700, 0, { tsSec: 1_700_000_100, tsNsec: 0, data: Buffer.alloc(0), len: 0 });
    const file = encodeCapture(recs, { format: 'pcap', precision: 'micro', linkType: 1 });
    expect(await chunkPass('zero-length', file)).toEqual({ records: 1700, complete: false });
    await expectSameAsReader('zero-length', file, flags);
  }, 60_000);

  it('hands records above the snaplen over to the reader (its warnings, the snaplen note once)', async () => {
    const file = encodeCapture(exporterRecords(3000, (i) => (i > 1200 && i % 97 === 0 ? 600 : 100)), { format: 'pcap', precision: 'micro', linkType: 1, snaplen: 400 });
    await expectSameAsReader('above-snaplen', file, flags);
  }, 60_000);

  it('a record cut short at the end: everything before it is written, the reader reports the fault', async () => {
    const whole = encodeCapture(exporterRecords(4000, (i) => 200 + ((i * 31) % 1000)), { format: 'pcap', precision: 'micro', linkType: 1 });
    expect(await chunkPass('truncated', whole.subarray(0, whole.length - 100))).toEqual({ records: 3999, complete: false });
    await expectSameAsReader('truncated', whole.subarray(0, whole.length - 100), flags);
  }, 60_000);

  it('a record claiming an absurd length ends the run as the reader does', async () => {
    const recs = exporterRecords(2000, () => 300);
    const file = encodeCapture(recs, { format: 'pcap', precision: 'micro', linkType: 1 });
    // Record 1500's caplen becomes 2^30.
    let at = 24;
    for (let i = 0; i < 1499; i++) at += 16 + file.readUInt32LE(at + 8);
    file.writeUInt32LE(1 << 30, at + 8);
    await expectSameAsReader('absurd-caplen', file, flags);
  }, 60_000);

  it('a header-only capture gives a header-only output', async () => {
    await expectSameAsReader('empty', encodeCapture([], { format: 'pcap', precision: 'nano', byteOrder: 'big', linkType: 101 }), flags);
  });

  it('takes only classic pcap version 2 headers', () => {
    const le = encodeCapture([], { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType: 1 });
    expect(pcapHeader(le)).toEqual({ littleEndian: true, nano: false, snaplen: 65535, linkType: 1 });
    expect(pcapHeader(le.subarray(0, 20))).toBeNull();
    const v3 = Buffer.from(le);
    v3.writeUInt16LE(3, 4);
    expect(pcapHeader(v3)).toBeNull();
    expect(pcapHeader(encodeCapture([], { format: 'pcapng', linkType: 1 }))).toBeNull();
  });
});
