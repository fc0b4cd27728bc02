// Chunk reuse and the deferred output open: a capture spanning many 1 MiB read chunks must come
// out exactly as rewriting each packet on its own copy would make it (a chunk recycled while the
// writer still needed it would show up as foreign bytes), and a failed open must still be reported.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRewriteArgs } from '../../src/cli/rewrite.ts';
import { ByteSource } from '../../src/capture/byte-source.ts';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';
import { CaptureError } from '../../src/capture/errors.ts';
import { CaptureWriter, encodeCapture } from '../../src/capture/writer.ts';
import { exporterRecords } from './exporter-records.ts';
import { chunkRecycler, OUTPUT_SNAPLEN, rewriteCaptureFile } from '../../src/rewrite/rewrite-file.ts';
import { Rewriter } from '../../src/rewrite/rewriter.ts';

const tmp = mkdtempSync(join(tmpdir(), 'fs-rwchunks-'));

/** About 5 MB: every packet's payload says which packet it is. */
function bigCapture(): Buffer {
  const records = exporterRecords(6000, (i) => 200 + ((i * 131) % 1200));
  return encodeCapture(records, { format: 'pcap', precision: 'micro', linkType: 1 });
}

describe('rewriteCaptureFile over many chunks', () => {
  it('writes what per-packet rewriting on copies writes, byte for byte', async () => {
    const input = join(tmp, 'big.pcap');
    const output = join(tmp, 'out.pcap');
    const bytes = bigCapture();
    expect(bytes.length).toBeGreaterThan(4 * (1 << 20));
    writeFileSync(input, bytes);
    writeFileSync(output, Buffer.alloc(3 << 20, 0xee)); // an old, longer output to replace
    const flags = ['--srcipmap=[2001:db8::/32]:[fd00::/32],0.0.0.0/0:10.0.0.0/8', '--portmap=9991:4739', '--ttl=+3', '--fixcsum'];
    const parsed = parseRewriteArgs(['-i', input, '-o', output, ...flags], true);
    const report = await rewriteCaptureFile(input, output, parsed.options);
    expect(report.error).toBeNull();
    expect(report.stats.written).toBe(6000);

    const { packets } = await readAllPackets(await openCapture(input));
    const rewriter = new Rewriter(parsed.options);
    const expected = packets.map((p) => {
      const out = rewriter.rewrite(p.linkType, p.data, p.len, p.number)!;
      return { tsSec: p.tsSec, tsNsec: p.tsNsec, data: Buffer.from(out.data), len: out.len };
    });
    const reference = encodeCapture(expected, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType: 1, snaplen: OUTPUT_SNAPLEN });
    expect(readFileSync(output).equals(reference)).toBe(true);
  });
});

describe('chunkRecycler', () => {
  it('hands a chunk back only after the write that took its last record has finished', () => {
    const released: ArrayBufferLike[] = [];
    const chunks = chunkRecycler({ releaseChunk: (ab) => released.push(ab) });
    const [a, b, c] = [new ArrayBuffer(8), new ArrayBuffer(8), new ArrayBuffer(8)];
    const w = { flushesStarted: 0, flushesDone: 0 };
    chunks.passing(a, w);
    w.flushesStarted = 1; // a's first records are being written
    chunks.passing(a, w);
    chunks.passing(b, w); // reader left a; its last records are queued, not yet written
    w.flushesDone = 1;
    chunks.passing(b, w);
    expect(released).toEqual([]); // write 1 may not hold a's last records
    w.flushesStarted = 2;
    chunks.passing(b, w);
    expect(released).toEqual([]);
    w.flushesDone = 2;
    chunks.passing(c, w);
    expect(released).toEqual([a]);
    w.flushesStarted = 3;
    w.flushesDone = 3;
    chunks.passing(c, w);
    expect(released).toEqual([a, b]);
  });
});

describe('ByteSource.recycle', () => {
  it('reads later chunks into a handed-back buffer, and ignores the chunk in use', async () => {
    const data = Buffer.alloc(5 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    const src = ByteSource.fromBuffer(data);
    const seen: ArrayBufferLike[] = [];
    let reused = false;
    while (await src.ensure(4)) {
      const ab = src.buf.buffer;
      if (seen.includes(ab)) reused = true;
      else seen.push(ab);
      src.recycle(ab); // in use: must be ignored
      if (seen.length >= 2) src.recycle(seen[seen.length - 2]!);
      // Every word still holds its own offset: nothing read into a buffer still being parsed.
      for (let o = src.pos; o + 4 <= src.end; o += 4 << 10) expect(src.buf.readUInt32BE(o)).toBe(src.offset + (o - src.pos));
      src.skip(src.available - (src.available % 4));
    }
    expect(reused).toBe(true);
    await src.close();
  });
});

describe('CaptureWriter.createOpening', () => {
  it('reports a file that cannot be created when closing', async () => {
    const w = CaptureWriter.createOpening(join(tmp, 'no-such-dir', 'x.pcap'));
    w.queue({ tsSec: 1, tsNsec: 0, data: Buffer.alloc(60) });
    const failure = await w.close().then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as CaptureError).message).toMatch(/cannot create/);
  });
});
