// The fast path of `flowstash rewrite` for classic pcap input: the file is read in big chunks into
// two buffers used in turn (one is written while the next is read and rewritten), each record is
// found by its offset in the chunk, its frame rewritten where it lies and its 16-byte record header
// re-headed in place, and the chunk's records go out as one write. No object per record but the
// frame view the rewriter edits. A record this path does not handle the way the capture reader
// does (one the reader would warn about or reject, or one larger than a chunk) ends it: the caller
// goes on from that record with the general reader, which reports it as usual.
import type { FileHandle } from 'node:fs/promises';
import { MAX_SNAPLEN } from '../capture/types.ts';
import type { CaptureWriter } from '../capture/writer.ts';
import type { Rewriter } from './rewriter.ts';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const CHUNK_SIZE = 4 << 20;
/** Room before each chunk for the unread tail of the previous one: records up to this size stay on the fast path. */
const HEADROOM = MAX_SNAPLEN + 16;

/** What the 24-byte file header says, when the fast path can take the file. */
export interface PcapHeader {
  littleEndian: boolean;
  nano: boolean;
  snaplen: number;
  linkType: number;
}

/**
 * The header of a classic pcap file (version 2, either byte order, µs or ns), or null for
 * anything else (pcapng, IPFIX, damaged or short headers: the general reader explains those).
 */
export function pcapHeader(head: Buffer): PcapHeader | null {
  if (head.length < 24) return null;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  const littleEndian = le === MAGIC_US || le === MAGIC_NS;
  if (!littleEndian && be !== MAGIC_US && be !== MAGIC_NS) return null;
  const u16 = (o: number): number => (littleEndian ? head.readUInt16LE(o) : head.readUInt16BE(o));
  const u32 = (o: number): number => (littleEndian ? head.readUInt32LE(o) : head.readUInt32BE(o));
  if (u16(4) !== 2) return null;
  return { littleEndian, nano: (littleEndian ? le : be) === MAGIC_NS, snaplen: u32(16), linkType: u32(20) & 0xffff };
}

export interface ChunkPassResult {
  /** Records rewritten (or left out) by this path. */
  records: number;
  /** True when the whole file was done; false when the caller must go on from record `records + 1`. */
  complete: boolean;
}

/**
 * Rewrites the records of `fh` (positioned right after the file header) into `writer`. `onFirst`
 * runs before the first record. Throws what the writer throws; `aborted` is checked per chunk.
 */
export async function rewritePcapChunks(
  fh: FileHandle,
  header: PcapHeader,
  rewriter: Rewriter,
  writer: CaptureWriter,
  onFirst: () => void,
  aborted: () => boolean,
): Promise<ChunkPassResult> {
  const { littleEndian: le, nano, snaplen, linkType } = header;
  // Records the reader would warn about (caplen above a non-zero snaplen, zero caplen) or reject.
  const limit = snaplen !== 0 ? Math.min(snaplen, HEADROOM - 16) : HEADROOM - 16;
  const bufs = [Buffer.allocUnsafeSlow(HEADROOM + CHUNK_SIZE), Buffer.allocUnsafeSlow(HEADROOM + CHUNK_SIZE)];
  // Little-endian µs input keeps its timestamp and caplen fields as they are.
  const sameLayout = le && !nano;
  let which = 0;
  let tail = 0;
  let number = 0;
  let reading: Promise<number> | null = fh.read(bufs[0]!, HEADROOM, CHUNK_SIZE, null).then((r) => r.bytesRead);
  for (;;) {
    const buf = bufs[which]!;
    const got = await reading!;
    reading = null;
    if (aborted()) return { records: number, complete: false };
    const start = HEADROOM - tail;
    const end = HEADROOM + got;
    const ab = buf.buffer;
    const base = buf.byteOffset;
    let p = start;
    let stop = false;
    while (p + 16 <= end) {
      const caplen = get32(buf, p + 8, le);
      if (caplen === 0 || caplen > limit) {
        stop = true;
        break;
      }
      if (p + 16 + caplen > end) break;
      if (number === 0) onFirst();
      number++;
      const len = get32(buf, p + 12, le);
      const frame = Buffer.from(ab, base + p + 16, caplen);
      const out = rewriter.rewrite(linkType, frame, len, number, true);
      if (out) {
        if (out.data === frame) {
          if (sameLayout) {
            if (out.len !== len) put32le(buf, p + 12, out.len);
          } else {
            const sec = get32(buf, p, le);
            const frac = get32(buf, p + 4, le);
            put32le(buf, p, sec);
            put32le(buf, p + 4, nano ? Math.floor(frac / 1000) : frac);
            put32le(buf, p + 8, caplen);
            put32le(buf, p + 12, out.len);
          }
          writer.queueEncodedAt(ab, base + p, 16 + caplen);
        } else {
          const sec = get32(buf, p, le);
          const frac = get32(buf, p + 4, le);
          writer.queue({ tsSec: sec, tsNsec: nano ? frac : frac * 1000, data: out.data, len: out.len });
        }
      }
      p += 16 + caplen;
    }
    // Everything queued from this buffer goes out now; the next buffer is free once the write
    // started from it last time has finished (flushSealed waits for the write before it).
    await writer.flushSealed();
    if (stop) return { records: number, complete: false };
    tail = end - p;
    if (got === 0) return { records: number, complete: tail === 0 };
    const next = bufs[which ^ 1]!;
    // The tail (an incomplete record) moves to the front of the next buffer, before its chunk.
    buf.copy(next, HEADROOM - tail, p, end);
    reading = fh.read(next, HEADROOM, CHUNK_SIZE, null).then((r) => r.bytesRead);
    which ^= 1;
  }
}

function get32(b: Buffer, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put32le(b: Buffer, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
