// `flowstash rewrite`'s engine: read a capture, rewrite every packet, write classic pcap the way
// tcprewrite does (µs timestamps, snaplen 65535, the input's link type).
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openCapture } from '../capture/open.ts';
import { type CaptureReader } from '../capture/types.ts';
import { CaptureError } from '../capture/errors.ts';
import { CaptureWriter } from '../capture/writer.ts';
import type { RewriteOptions } from './options.ts';
import type { CapturedPacket } from '../capture/types.ts';
import { Rewriter, type RewriteStats } from './rewriter.ts';

export interface RewriteReport {
  stats: RewriteStats;
  /** Non-fatal notes (input snaplen, capture-file warnings, checksum skips). */
  warnings: string[];
  /** The fault that stopped reading early, if any (everything before it was written). */
  error: CaptureError | null;
}

export const OUTPUT_SNAPLEN = 65535;

/** The rewrite stopped on a signal: the temporary output was removed, the previous output is untouched. */
export class RewriteInterrupted extends Error {
  override readonly name = 'RewriteInterrupted';
  constructor(readonly packetsRewritten: number) {
    super(`interrupted after ${packetsRewritten} packet(s) were rewritten`);
  }
}

/**
 * Rewrites `inPath` into `outPath` through a temporary file beside it, renamed over `outPath` once
 * the output is complete (a damaged input's readable packets count as complete; the report says so).
 * An interruption (`signal`) or a failure removes the temporary file and leaves `outPath` as it was.
 * Outputs that are not regular files (a FIFO, /dev/null) are written in place.
 */
export async function rewriteCaptureFile(
  inPath: string,
  outPath: string,
  opts: RewriteOptions,
  signal?: AbortSignal,
): Promise<RewriteReport> {
  const existing = await stat(outPath).catch(() => null);
  if (existing?.isDirectory()) throw new CaptureError('write', outPath, 0, 0, 'cannot write: it is a directory');
  if (existing && !existing.isFile()) return rewriteInto(inPath, outPath, opts, signal);
  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.flowstash-tmp`);
  let report: RewriteReport;
  try {
    report = await rewriteInto(inPath, temp, opts, signal);
    if (existing) await chmod(temp, existing.mode & 0o7777).catch(() => undefined);
    await rename(temp, outPath).catch((e: Error) => {
      throw new CaptureError('write', outPath, 0, 0, `cannot replace the output with the finished temporary file ${temp}: ${e.message}`);
    });
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  return report;
}

async function rewriteInto(inPath: string, outPath: string, opts: RewriteOptions, signal: AbortSignal | undefined): Promise<RewriteReport> {
  // Loaded on demand: the filter compiler pulls in node:dns, start-up time most runs do not need.
  const filter = opts.filter !== null ? await (await import('../packet/filter.ts')).compileFilterResolving(opts.filter) : null;
  const reader = await openCapture(inPath);
  const info = reader.fileInfo;
  if (info.format === 'ipfix') {
    await reader.close();
    // Bare IPFIX messages have no link type a pcap can declare (and no headers to rewrite).
    throw new CaptureError('bad-header', inPath, 0, 0, 'an RFC 5655 IPFIX file holds bare IPFIX messages without link-layer or IP/UDP headers: there is nothing to rewrite into a pcap');
  }
  const warnings: string[] = [];
  const rewriter = new Rewriter(opts, filter);
  let writer: CaptureWriter | null = null;
  let error: CaptureError | null = null;
  let outputLinkType = -1;
  // pcap records carry their 16-byte header right before the frame, in the same chunk.
  const inPlaceRecords = info.format === 'pcap';
  const rehead = recordReheader();
  const startWriter = (linkType: number): void => {
    // pcapng files declare interfaces as they go; the link type is known at the first packet.
    if (info.format === 'pcap' && info.snaplen < OUTPUT_SNAPLEN && info.snaplen !== 0) {
      warnings.push(`${inPath} was captured using a snaplen of ${info.snaplen} bytes.  This may mean you have truncated packets.`);
    }
    // Opened while the first packets are rewritten: truncating a big old output takes a while.
    writer = CaptureWriter.createOpening(outPath, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType, snaplen: OUTPUT_SNAPLEN });
    outputLinkType = linkType;
  };
  const visit = (pkt: CapturedPacket, w: CaptureWriter): Promise<void> | undefined => {
    if (pkt.linkType !== outputLinkType) {
      throw new CaptureError(
        'bad-interface',
        inPath,
        pkt.fileOffset,
        pkt.number,
        `link type ${pkt.linkType} (interface ${pkt.interfaceId}) differs from the output's link type ${outputLinkType}, taken from packet 1; a pcap file holds one link type (split the capture per interface first)`,
      );
    }
    // The reader reuses a chunk only once `chunks` hands it back, so frames are edited where they
    // lie; a pcap record whose frame kept its size is re-headed in place and written from there.
    const out = rewriter.rewrite(pkt.linkType, pkt.data, pkt.len, pkt.number, true);
    if (!out) return undefined;
    const due =
      inPlaceRecords && out.data === pkt.data
        ? w.queueEncodedAt(pkt.data.buffer, rehead(pkt.data, pkt.tsSec, pkt.tsNsec, out.len), 16 + pkt.data.length)
        : w.queue({ tsSec: pkt.tsSec, tsNsec: pkt.tsNsec, data: out.data, len: out.len });
    chunks.passing(pkt.data.buffer, w);
    return due ? w.flushSealed() : undefined;
  };
  const chunks = chunkRecycler(reader);
  try {
    await reader.forEachPacket((pkt) => {
      if (signal?.aborted) throw new RewriteInterrupted(rewriter.stats.written);
      if (!writer) startWriter(pkt.linkType);
      return visit(pkt, writer!);
    });
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  } finally {
    await reader.close();
    if (!writer && !signal?.aborted) writer = await CaptureWriter.create(outPath, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType: info.linkType < 0 ? 1 : info.linkType, snaplen: OUTPUT_SNAPLEN });
    await (writer as CaptureWriter | null)?.close();
  }
  if (signal?.aborted) throw new RewriteInterrupted(rewriter.stats.written);
  for (const w of reader.warnings) warnings.push(w.message);
  warnings.push(...rewriter.warnings);
  return { stats: rewriter.stats, warnings, error };
}

/**
 * Hands input chunks back to the reader once the writer has finished with them: records are
 * written from where they lie in the chunk, so a chunk is free when the reader has moved past it
 * and the write that took its last record is done.
 */
export function chunkRecycler(
  reader: Pick<CaptureReader, 'releaseChunk'>,
): { passing(ab: ArrayBufferLike, w: Pick<CaptureWriter, 'flushesStarted' | 'flushesDone'>): void } {
  let current: ArrayBufferLike | null = null;
  // Chunks the reader has left, with the writer's flushesStarted at that moment (oldest first).
  const left: ArrayBufferLike[] = [];
  const startedAt: number[] = [];
  return {
    passing(ab, w) {
      if (ab !== current) {
        if (current !== null) {
          left.push(current);
          startedAt.push(w.flushesStarted);
        }
        current = ab;
      }
      while (left.length > 0 && w.flushesDone > startedAt[0]!) {
        reader.releaseChunk(left.shift()!);
        startedAt.shift();
      }
    },
  };
}

/**
 * Re-heads pcap records where they lie: given a frame read from a pcap chunk, rewrites the
 * 16-byte record header right before it as little-endian µs and returns the record's byte
 * offset in the chunk's ArrayBuffer. Keeps one view per chunk instead of one per record.
 */
function recordReheader(): (frame: Buffer, tsSec: number, tsNsec: number, len: number) => number {
  let chunk: Buffer | null = null;
  return (frame, tsSec, tsNsec, len) => {
    if (chunk === null || chunk.buffer !== frame.buffer) chunk = Buffer.from(frame.buffer);
    const at = frame.byteOffset - 16;
    put32le(chunk, at, tsSec);
    put32le(chunk, at + 4, Math.floor(tsNsec / 1000));
    put32le(chunk, at + 8, frame.length);
    put32le(chunk, at + 12, len);
    return at;
  };
}

/** Little-endian 32-bit store (the record header bytes exist: the reader parsed them). */
function put32le(b: Buffer, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
