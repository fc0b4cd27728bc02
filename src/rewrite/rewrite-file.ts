// `flowstash rewrite`'s engine: read a capture, rewrite every packet, write classic pcap the way
// tcprewrite does (µs timestamps, snaplen 65535, the input's link type).
import { chmod, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type CaptureReader } from '../capture/types.ts';
import { CaptureError } from '../capture/errors.ts';
import { CaptureWriter } from '../capture/writer.ts';
import type { RewriteOptions } from './options.ts';
import type { CapturedPacket } from '../capture/types.ts';
import { pcapHeader, rewritePcapChunks, type PcapHeader } from './pcap-chunks.ts';
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
  const rewriter = new Rewriter(opts, filter);
  const warnings: string[] = [];
  const out: Output = { writer: null, linkType: -1, snaplenNoted: false };
  // Classic pcap goes through the chunk path; it hands over to the reader below at a record it
  // does not take (or for pcapng and everything else, from the start).
  const fast = await openPcap(inPath);
  let skip = 0;
  if (fast) {
    const header = fast.header;
    startOutput(out, outPath, header.linkType);
    const writer = out.writer!;
    let error: CaptureError | null = null;
    try {
      const pass = await rewritePcapChunks(fast.fh, inPath, header, rewriter, writer, () => noteSnaplen(out, warnings, inPath, header.snaplen), () => signal?.aborted === true);
      skip = pass.complete ? -1 : pass.records;
    } catch (e) {
      if (!(e instanceof CaptureError)) {
        await writer.close().catch(() => undefined);
        throw e;
      }
      // As on the reader's path: a failed write ends the run with what was written before it.
      error = e;
    } finally {
      await fast.fh.close();
    }
    if (signal?.aborted) {
      await writer.close().catch(() => undefined);
      throw new RewriteInterrupted(rewriter.stats.written);
    }
    if (error || skip < 0) {
      await writer.close();
      warnings.push(...rewriter.warnings);
      return { stats: rewriter.stats, warnings, error };
    }
  }
  return rewriteWithReader(inPath, outPath, rewriter, out, skip, warnings, signal);
}

/** The output writer, opened at the first packet (pcapng declares link types as it goes). */
interface Output {
  writer: CaptureWriter | null;
  linkType: number;
  /** The input snaplen warning is given (or not) once, at the first packet. */
  snaplenNoted: boolean;
}

function noteSnaplen(out: Output, warnings: string[], inPath: string, snaplen: number): void {
  if (out.snaplenNoted) return;
  out.snaplenNoted = true;
  if (snaplen < OUTPUT_SNAPLEN && snaplen !== 0) warnings.push(snaplenWarning(inPath, snaplen));
}

function startOutput(out: Output, outPath: string, linkType: number): void {
  // Opened while the first packets are rewritten: truncating a big old output takes a while.
  out.writer = CaptureWriter.createOpening(outPath, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType, snaplen: OUTPUT_SNAPLEN });
  out.linkType = linkType;
}

function snaplenWarning(inPath: string, snaplen: number): string {
  return `${inPath} was captured using a snaplen of ${snaplen} bytes.  This may mean you have truncated packets.`;
}

/** A classic pcap file open after its header, or null (the reader handles everything else, faults included). */
async function openPcap(inPath: string): Promise<{ fh: FileHandle; header: PcapHeader } | null> {
  const fh = await open(inPath, 'r').catch(() => null);
  if (!fh) return null;
  try {
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      return null;
    }
    const head = Buffer.alloc(24);
    const { bytesRead } = await fh.read(head, 0, 24, 0);
    const header = pcapHeader(head.subarray(0, bytesRead));
    if (!header) {
      await fh.close();
      return null;
    }
    return { fh, header };
  } catch {
    await fh.close().catch(() => undefined);
    return null;
  }
}

/**
 * Rewrites through the capture reader, from packet `skip + 1` on (the ones before went through the
 * chunk path into `out`): pcapng, and whatever the chunk path leaves to the reader's judgement.
 */
async function rewriteWithReader(
  inPath: string,
  outPath: string,
  rewriter: Rewriter,
  out: Output,
  skip: number,
  warnings: string[],
  signal: AbortSignal | undefined,
): Promise<RewriteReport> {
  let reader: CaptureReader;
  try {
    // Loaded on demand: classic pcap (the common case) never needs the general reader.
    const { openCapture } = await import('../capture/open.ts');
    reader = await openCapture(inPath);
  } catch (e) {
    await out.writer?.close().catch(() => undefined);
    throw e;
  }
  const info = reader.fileInfo;
  if (info.format === 'ipfix') {
    await reader.close();
    // Bare IPFIX messages have no link type a pcap can declare (and no headers to rewrite).
    throw new CaptureError('bad-header', inPath, 0, 0, 'an RFC 5655 IPFIX file holds bare IPFIX messages without link-layer or IP/UDP headers: there is nothing to rewrite into a pcap');
  }
  let error: CaptureError | null = null;
  // pcap records carry their 16-byte header right before the frame, in the same chunk.
  const inPlaceRecords = info.format === 'pcap';
  const rehead = recordReheader();
  const visit = (pkt: CapturedPacket, w: CaptureWriter): Promise<void> | undefined => {
    if (pkt.linkType !== out.linkType) {
      throw new CaptureError(
        'bad-interface',
        inPath,
        pkt.fileOffset,
        pkt.number,
        `link type ${pkt.linkType} (interface ${pkt.interfaceId}) differs from the output's link type ${out.linkType}, taken from packet 1; a pcap file holds one link type (split the capture per interface first)`,
      );
    }
    // The reader reuses a chunk only once `chunks` hands it back, so frames are edited where they
    // lie; a pcap record whose frame kept its size is re-headed in place and written from there.
    const rewritten = rewriter.rewrite(pkt.linkType, pkt.data, pkt.len, pkt.number, true);
    if (!rewritten) return undefined;
    const due =
      inPlaceRecords && rewritten.data === pkt.data
        ? w.queueEncodedAt(pkt.data.buffer, rehead(pkt.data, pkt.tsSec, pkt.tsNsec, rewritten.len), 16 + pkt.data.length)
        : w.queue({ tsSec: pkt.tsSec, tsNsec: pkt.tsNsec, data: rewritten.data, len: rewritten.len });
    chunks.passing(pkt.data.buffer, w);
    return due ? w.flushSealed() : undefined;
  };
  const chunks = chunkRecycler(reader);
  try {
    await reader.forEachPacket((pkt) => {
      if (pkt.number <= skip) return undefined;
      if (signal?.aborted) throw new RewriteInterrupted(rewriter.stats.written);
      if (info.format === 'pcap') noteSnaplen(out, warnings, inPath, info.snaplen);
      // pcapng files declare interfaces as they go; the link type is known at the first packet.
      if (!out.writer) startOutput(out, outPath, pkt.linkType);
      return visit(pkt, out.writer!);
    });
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  } finally {
    await reader.close();
    if (!out.writer && !signal?.aborted) out.writer = await CaptureWriter.create(outPath, { format: 'pcap', precision: 'micro', byteOrder: 'little', linkType: info.linkType < 0 ? 1 : info.linkType, snaplen: OUTPUT_SNAPLEN });
    await out.writer?.close();
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
