// The fast path of `flowstash rewrite` for classic pcap input: the file is read in big chunks into
// three buffers used in turn (one is rewritten while the next is read and the last written), each record is
// found by its offset in the chunk, its frame rewritten where it lies and its 16-byte record header
// re-headed in place, and the chunk's records go out as one write. No object per record but the
// frame view the rewriter edits. A record this path does not handle the way the capture reader
// does (one the reader would warn about or reject, or one larger than a chunk) ends it: the caller
// goes on from that record with the general reader, which reports it as usual.
import type { FileHandle } from 'node:fs/promises';
import { CaptureError } from '../capture/errors.ts';
import { MAX_SNAPLEN } from '../capture/types.ts';
import type { CaptureWriter } from '../capture/writer.ts';
import type { Rewriter } from './rewriter.ts';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
// 1 MiB: a chunk the kernel has just copied in is still in cache when it is rewritten (4 MiB cost more system time).
const CHUNK_SIZE = 1 << 20;
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
 * Rewrites the records of `fh` (from byte 24, after the file header) into `writer`. `onFirst`
 * runs before the first record. Throws what the writer throws; `aborted` is checked per chunk.
 */
export async function rewritePcapChunks(
  fh: FileHandle,
  path: string,
  header: PcapHeader,
  rewriter: Rewriter,
  writer: CaptureWriter,
  onFirst: () => void,
  aborted: () => boolean,
): Promise<ChunkPassResult> {
  const { littleEndian: le, nano, snaplen, linkType } = header;
  // Records the reader would warn about (caplen above a non-zero snaplen, zero caplen) or reject.
  const limit = snaplen !== 0 ? Math.min(snaplen, HEADROOM - 16) : HEADROOM - 16;
  // Three buffers in turn: one is rewritten while the next is read and the previous one written.
  const bufs = [0, 1, 2].map(() => Buffer.allocUnsafeSlow(HEADROOM + CHUNK_SIZE));
  // Little-endian µs input keeps its timestamp and caplen fields as they are.
  const sameLayout = le && !nano;
  // File offset of the next read, and of the first byte not yet rewritten (for messages).
  let readAt = 24;
  let fileOffset = 24;
  const read = (into: Buffer): Promise<number> =>
    fh.read(into, HEADROOM, CHUNK_SIZE, readAt).then(
      (r) => {
        readAt += r.bytesRead;
        return r.bytesRead;
      },
      (e: Error) => {
        throw new CaptureError('open', path, fileOffset, 0, `cannot read: ${e.message}`);
      },
    );
  let which = 0;
  let tail = 0;
  let number = 0;
  let reading: Promise<number> = read(bufs[0]!);
  let ahead: Promise<number> | null = null;
  const done = async (complete: boolean): Promise<ChunkPassResult> => {
    // A read still under way must end before the caller closes the file.
    if (ahead) await ahead.catch(() => 0);
    return { records: number, complete };
  };
  for (;;) {
    const buf = bufs[which]!;
    const got = await reading;
    const next = bufs[(which + 1) % 3]!;
    // The buffer after this one was last written two chunks ago, a write the last flushSealed waited for.
    ahead = got > 0 ? read(next) : null;
    ahead?.catch(() => undefined); // surfaces when awaited
    if (aborted()) return done(false);
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
    fileOffset += p - start;
    // This chunk's records go out now, once the write before them has finished (flushSealed waits).
    await writer.flushSealed();
    if (stop) return done(false);
    tail = end - p;
    if (got === 0) return done(tail === 0);
    // The tail (an incomplete record) goes in front of the next chunk, beside the read under way.
    buf.copy(next, HEADROOM - tail, p, end);
    reading = ahead!;
    which = (which + 1) % 3;
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
