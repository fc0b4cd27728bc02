// Reads one sealed segment entry by entry, as org.logstash.common.io.RecordIOReader does: records
// are found block by block (a block's tail shorter than a header and one byte is skipped, as is a
// block that continues with zeros), an entry begins at a complete or start record (the end or
// middle records of an entry begun before the read position are passed over), and start/middle/end
// records are joined into one entry. `position` follows the reader's streamPosition — just after the
// last record read, or the next block's start when the block has no room for another record — so a
// position saved in the input's sincedb means the same byte in Logstash and here.
//
// Where Logstash's reader throws ("invalid checksum of record") and the input stops, this one skips
// the damaged entry and counts it, so one bad record does not stop reprocessing the queue.
import { readFileSync } from 'node:fs';
import { BLOCK_SIZE, RECORD_HEADER_SIZE, SegmentError, VERSION, VERSION_SIZE, crc32 } from './record-io.ts';

const COMPLETE = 0x63; // 'c'
const START = 0x73; // 's'
const MIDDLE = 0x6d; // 'm'
const END = 0x65; // 'e'

/** An entry that could not be read whole: why, and the byte its first record starts at. */
export interface DamagedEntry {
  file: string;
  offset: number;
  problem: string;
}

export class SegmentReader {
  private pos = VERSION_SIZE;
  /** At an entry boundary the writer made (the segment's start, after an entry read whole). */
  private synced = true;

  constructor(
    readonly file: string,
    private readonly bytes: Buffer,
    private onDamaged: (damage: DamagedEntry) => void = () => undefined,
  ) {
    if (bytes.length === 0 || bytes[0] !== VERSION) {
      const found = bytes.length === 0 ? 'nothing' : String.fromCharCode(bytes[0]!);
      throw new SegmentError(`Invalid version on DLQ data file ${file}. Expected version: 1. Version found on file: ${found}`);
    }
  }

  /** Opens a segment file (read whole: sealed segments do not change and stay under 10 MiB). */
  static open(file: string, onDamaged?: (damage: DamagedEntry) => void): SegmentReader {
    return new SegmentReader(file, readFileSync(file), onDamaged);
  }

  /** The file offset the next read starts from (RecordIOReader#getChannelPosition). */
  get position(): number {
    return this.pos;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** RecordIOReader#seekToOffset: the next read looks for an entry from this offset on. */
  seek(offset: number): void {
    this.pos = Math.max(VERSION_SIZE, Math.min(offset, this.bytes.length));
    this.synced = this.pos === VERSION_SIZE;
  }

  /** The next entry's bytes, or undefined at the end of the segment. */
  readEntry(): Buffer | undefined {
    for (;;) {
      const at = this.startOfEntry();
      if (at === undefined) return undefined;
      const entry = this.readFrom(at);
      if (entry) return entry;
    }
  }

  /**
   * Positions the reader before the first entry whose key is at or after `target`; false (and the
   * reader at the end) when there is none. Entries are in write order, so a forward scan finds
   * the entry Logstash's block bisection finds.
   */
  seekTo<T>(target: T, keyOf: (entry: Buffer) => T, compare: (a: T, b: T) => number): boolean {
    this.seek(VERSION_SIZE);
    // Damage before the target is not reported: those entries are not to be read anyway.
    const report = this.onDamaged;
    this.onDamaged = () => undefined;
    try {
      for (;;) {
        const before = this.pos;
        const entry = this.readEntry();
        if (!entry) return false;
        if (compare(keyOf(entry), target) >= 0) {
          this.pos = before;
          this.synced = true;
          return true;
        }
      }
    } finally {
      this.onDamaged = report;
    }
  }

  private blockRemaining(at: number): number {
    return BLOCK_SIZE - ((at - VERSION_SIZE) % BLOCK_SIZE);
  }

  private nextBlock(at: number): number {
    return Math.min(this.bytes.length, at + this.blockRemaining(at));
  }

  /** After a record: the same spot, or the next block when this one has no room for another record. */
  private settle(at: number): number {
    return this.blockRemaining(at) < RECORD_HEADER_SIZE + 1 ? this.nextBlock(at) : at;
  }

  /** The offset of the next complete or start record (the reader moved there), or undefined at the end. */
  private startOfEntry(): number | undefined {
    for (;;) {
      const at = this.pos;
      if (at >= this.bytes.length) return undefined;
      if (this.blockRemaining(at) < RECORD_HEADER_SIZE + 1) {
        this.pos = this.nextBlock(at);
        continue;
      }
      const type = this.bytes[at]!;
      if (type === COMPLETE || type === START) return at;
      if (type === MIDDLE || type === END) {
        // The rest of an entry begun before a seek position is passed over, as Logstash does; right
        // after an entry (or at the segment's start) nothing but a complete or start record is written.
        if (this.synced) this.damaged(at, `a ${type === END ? 'end' : 'middle'} record where an entry should start`);
        const size = at + RECORD_HEADER_SIZE <= this.bytes.length ? this.bytes.readInt32BE(at + 1) : -1;
        const next = at + RECORD_HEADER_SIZE + size;
        this.pos = type === END && size >= 0 && next <= at + this.blockRemaining(at) ? this.settle(Math.min(next, this.bytes.length)) : this.nextBlock(at);
        continue;
      }
      // The writer never leaves zeros where a header fits (it moves to the next block only when one
      // does not); zeros to the end of the block are harmless, anything else is damage whose
      // entries cannot be found: counted once, and the block's rest skipped.
      if (type !== 0 || !this.zeroToBlockEnd(at)) this.damaged(at, `unknown record type 0x${type.toString(16).padStart(2, '0')}, the rest of the block is skipped`);
      this.pos = this.nextBlock(at);
    }
  }

  private zeroToBlockEnd(at: number): boolean {
    const end = this.nextBlock(at);
    for (let i = at; i < end; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }

  private damaged(offset: number, problem: string): void {
    this.synced = false; // what follows may be the rest of the damaged entry: not counted again
    this.onDamaged({ file: this.file, offset, problem });
  }

  /** Reads the entry whose first record is at `start`; undefined (counted, reader moved past it) when damaged. */
  private readFrom(start: number): Buffer | undefined {
    const parts: Buffer[] = [];
    let expected = 0;
    let have = 0;
    let at = start;
    let problem: string | undefined;
    do {
      if (parts.length > 0) at = this.settle(at);
      if (at + RECORD_HEADER_SIZE > this.bytes.length) {
        problem = `record header at byte ${at} is cut off by the end of the file`;
        at = this.bytes.length;
        break;
      }
      const type = this.bytes[at]!;
      const first = at === start;
      if (first ? type !== COMPLETE && type !== START : type !== MIDDLE && type !== END) {
        problem = `record at byte ${at} is not the ${first ? 'start' : 'continuation'} of an entry`;
        break; // the next read starts at this record
      }
      const size = this.bytes.readInt32BE(at + 1);
      const dataStart = at + RECORD_HEADER_SIZE;
      if (size < 0 || dataStart + size > at + this.blockRemaining(at) || dataStart + size > this.bytes.length) {
        problem = `record at byte ${at} claims ${size} bytes, past the end of its block`;
        at = this.nextBlock(at);
        break;
      }
      if (first) {
        const total = this.bytes.readInt32BE(at + 5);
        expected = type === START ? total : size;
        if (expected < size) {
          problem = `start record at byte ${at} claims an entry of ${total} bytes`;
          at = this.settle(dataStart + size);
          break;
        }
      }
      if (crc32(this.bytes, dataStart, dataStart + size) !== this.bytes.readInt32BE(at + 9)) problem ??= `invalid checksum of record at byte ${at}`;
      parts.push(this.bytes.subarray(dataStart, dataStart + size));
      have += size;
      at = dataStart + size;
    } while (have < expected);
    this.pos = problem === undefined ? this.settle(at) : Math.max(at, start + 1);
    if (problem !== undefined) {
      this.damaged(start, problem);
      return undefined;
    }
    this.synced = true;
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  }
}
