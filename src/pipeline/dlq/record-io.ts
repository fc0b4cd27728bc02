// Logstash's RecordIO segment format (org.logstash.common.io.RecordIOWriter / RecordIOReader), the
// files of a dead letter queue: one version byte '1', then 32 KiB blocks. Each record has a 13-byte
// header — type ('c' complete, 's' start, 'm' middle, 'e' end), data size (int32 BE), the whole
// event's size on a start record else -1, CRC32 of the record's data — and the data. An entry that
// does not fit in what is left of the block is split into start/middle/end records; a block with
// no room for a header and one byte is left as a gap (the writer seeks to the next block, so the
// gap reads as zeros).
import { closeSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';

export const BLOCK_SIZE = 32 * 1024;
export const RECORD_HEADER_SIZE = 13;
export const VERSION_SIZE = 1;
export const VERSION = 0x31; // '1'

const enum RecordType {
  Complete = 0x63, // 'c'
  Start = 0x73, // 's'
  Middle = 0x6d, // 'm'
  End = 0x65, // 'e'
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** java.util.zip.CRC32, as the int the header stores. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) | 0;
}

/** Appends entries to one segment file (created here, with the version byte). */
export class RecordIOWriter {
  private readonly fd: number;
  private position = VERSION_SIZE;
  private posInBlock = 0;
  private currentBlockIdx = 0;
  /** When an entry was last written (ms), undefined before the first. */
  lastWrite: number | undefined;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'wx');
    writeSync(this.fd, Buffer.of(VERSION), 0, 1, 0);
  }

  /** The file position the next record would start at (RecordIOWriter#getPosition). */
  getPosition(): number {
    return this.position;
  }

  get hasWritten(): boolean {
    return this.lastWrite !== undefined;
  }

  /** Writes one entry; returns how far the file position moved (block gaps included). */
  writeEvent(entry: Buffer, now = Date.now()): number {
    this.lastWrite = now;
    const start = this.position;
    let offset = 0;
    let type: RecordType | undefined;
    while (offset < entry.length) {
      if (this.posInBlock + RECORD_HEADER_SIZE + 1 > BLOCK_SIZE) {
        this.position = ++this.currentBlockIdx * BLOCK_SIZE + VERSION_SIZE;
        this.posInBlock = 0;
      }
      const remaining = entry.length - offset;
      const remainingInBlock = BLOCK_SIZE - this.posInBlock;
      // getNextType: "fits" is strict, so an entry that exactly fills the block is a lone start record.
      const fits = remaining + RECORD_HEADER_SIZE < remainingInBlock;
      type = type === undefined ? (fits ? RecordType.Complete : RecordType.Start) : fits ? RecordType.End : RecordType.Middle;
      const size = Math.min(remainingInBlock - RECORD_HEADER_SIZE, remaining);
      const record = Buffer.allocUnsafe(RECORD_HEADER_SIZE + size);
      record[0] = type;
      record.writeInt32BE(size, 1);
      record.writeInt32BE(type === RecordType.Start ? entry.length : -1, 5);
      record.writeInt32BE(crc32(entry, offset, offset + size), 9);
      entry.copy(record, RECORD_HEADER_SIZE, offset, offset + size);
      writeSync(this.fd, record, 0, record.length, this.position);
      this.position += record.length;
      this.posInBlock += record.length;
      offset += size;
    }
    return this.position - start;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A segment that cannot be read (bad version byte, a record whose checksum does not match). */
export class SegmentError extends Error {
  override readonly name = 'SegmentError';
}

/**
 * Every entry of a segment, in order (RecordIOReader#readEvent to the end): records are read block
 * by block; a block's unused tail (fewer bytes than a header and one byte) is skipped.
 */
export function readSegment(file: string): Buffer[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return parseSegment(bytes.subarray(0, got), file);
  } finally {
    closeSync(fd);
  }
}

export function parseSegment(bytes: Buffer, file = '<segment>'): Buffer[] {
  if (bytes.length === 0 || bytes[0] !== VERSION) {
    const found = bytes.length === 0 ? 'nothing' : String.fromCharCode(bytes[0]!);
    throw new SegmentError(`Invalid version on DLQ data file ${file}. Expected version: 1. Version found on file: ${found}`);
  }
  const entries: Buffer[] = [];
  let at = VERSION_SIZE;
  let parts: Buffer[] = [];
  let expected = 0;
  let have = 0;
  while (at < bytes.length) {
    const inBlock = (at - VERSION_SIZE) % BLOCK_SIZE;
    if (BLOCK_SIZE - inBlock < RECORD_HEADER_SIZE + 1) {
      at += BLOCK_SIZE - inBlock;
      continue;
    }
    const type = bytes[at]!;
    if (at + RECORD_HEADER_SIZE > bytes.length) {
      if (type === 0) break;
      throw new SegmentError(`${file}: record header at byte ${at} is cut off by the end of the file`);
    }
    if (type !== RecordType.Complete && type !== RecordType.Start && type !== RecordType.Middle && type !== RecordType.End) {
      // Zeros: the rest of this block is unused (the writer moved on to the next block).
      at += BLOCK_SIZE - inBlock;
      continue;
    }
    const size = bytes.readInt32BE(at + 1);
    const total = bytes.readInt32BE(at + 5);
    const checksum = bytes.readInt32BE(at + 9);
    const dataStart = at + RECORD_HEADER_SIZE;
    if (size < 0 || dataStart + size > bytes.length) throw new SegmentError(`${file}: record at byte ${at} runs past the end of the file`);
    if (crc32(bytes, dataStart, dataStart + size) !== checksum) throw new SegmentError(`${file}: invalid checksum of record at byte ${at}`);
    const data = bytes.subarray(dataStart, dataStart + size);
    at = dataStart + size;
    if (parts.length === 0) {
      if (type !== RecordType.Complete && type !== RecordType.Start) continue; // the tail of an entry begun elsewhere
      expected = total === -1 ? size : total;
      have = 0;
    }
    parts.push(data);
    have += size;
    if (have >= expected) {
      entries.push(parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts));
      parts = [];
    }
  }
  return entries;
}
