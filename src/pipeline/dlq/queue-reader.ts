// Reads a dead letter queue directory in order, as org.logstash.common.io.DeadLetterQueueReader
// does: the sealed segments `N.log` (more than the version byte) by segment id, one after the
// other; at the end of the last one it waits for the writer to seal another (refresh() lists the
// directory again — Logstash is told by a WatchService). A segment deleted meanwhile (the writer's
// drop_older or retain.age) is skipped. With `cleanConsumed`, segments read to their end are
// deleted by markForDelete(), and only one such reader may hold the directory (`dlq_reader.lock`).
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Timestamp } from '../../event/timestamp.ts';
import { deserializeEntry, type DlqEntry } from './entry.ts';
import { SegmentReader, type DamagedEntry } from './record-io-reader.ts';
import { processAlive } from '../../util/process-alive.ts';

const READER_LOCK = 'dlq_reader.lock';

export interface QueueReaderCounters {
  /** Entries decoded and handed out. */
  entries: number;
  /** Entries skipped: a record whose checksum or header is wrong, or an entry cut short. */
  damaged_entries: number;
  /** Entries whose records are whole but whose DLQEntry/event bytes do not decode. */
  undecodable_entries: number;
  /** Segments skipped whole: wrong version byte, unreadable file. */
  unreadable_segments: number;
  /** clean_consumed: segments deleted and the entries they held. */
  deleted_segments: number;
  deleted_entries: number;
}

export type QueueProblem = 'damaged_entries' | 'undecodable_entries' | 'unreadable_segments';

export interface QueueReaderOptions {
  cleanConsumed?: boolean;
  /** Called for every entry skipped or segment not read; the caller counts and logs. */
  onProblem?: (kind: QueueProblem, detail: string) => void;
}

export class DeadLetterQueueLockedError extends Error {
  override readonly name = 'DeadLetterQueueLockedError';
}

const segmentId = (file: string): number => Number.parseInt(path.basename(file), 10);

export class DeadLetterQueueReader {
  readonly counters: QueueReaderCounters = { entries: 0, damaged_entries: 0, undecodable_entries: 0, unreadable_segments: 0, deleted_segments: 0, deleted_entries: 0 };
  private segments: string[] = [];
  private current: SegmentReader | undefined;
  /** clean_consumed: the last segment read to its end, deleted (with the older ones) by markForDelete. */
  private lastConsumed: string | undefined;
  private locked = false;
  /** With no segment open, reading starts with the first segment whose id is above this. */
  private resumeAfter = -1;

  constructor(
    readonly queuePath: string,
    private readonly options: QueueReaderOptions = {},
  ) {
    this.refresh();
    if (options.cleanConsumed) this.lock();
  }

  /** Lists the sealed segments again (new ones sealed by the writer, deleted ones gone). */
  refresh(): void {
    let names: string[];
    try {
      names = readdirSync(this.queuePath);
    } catch {
      names = [];
    }
    const known = new Set(this.segments);
    // Sealed segments do not change: only names not seen before are looked at (a bare version byte is skipped).
    this.segments = names
      .filter((n) => /^\d+\.log$/.test(n))
      .map((n) => path.join(this.queuePath, n))
      .filter((f) => known.has(f) || fileSize(f) > 1)
      .sort((a, b) => segmentId(a) - segmentId(b));
  }

  /** The segment being read and the offset of the next read (what the sincedb keeps); undefined before any segment. */
  get state(): { segment: string; position: number } | undefined {
    return this.current ? { segment: this.current.file, position: this.current.position } : undefined;
  }

  /**
   * setCurrentReaderAndPosition: resume in `segment` at `position`; when that segment is gone, at
   * the start of the next one (by segment id). With cleanConsumed, older segments are deleted first.
   */
  setPosition(segment: string, position: number): void {
    if (this.options.cleanConsumed) this.removeSegmentsBefore(segment);
    if (existsSync(segment)) {
      const reader = this.openSegment(segment);
      if (reader) {
        reader.seek(position);
        this.current = reader;
        return;
      }
    }
    this.current = this.openNextAfter(segmentId(segment));
    // None yet: the next one sealed, never an older one left behind.
    if (!this.current) this.resumeAfter = segmentId(segment);
  }

  /**
   * seekToNextEvent: before the first entry written at or after `time`. When no entry is that
   * recent, after the last sealed segment — Logstash then drops its reader and starts over from the
   * first segment, which reads the whole queue; here only what is sealed later is read.
   */
  seekToTimestamp(time: Timestamp): void {
    let last: SegmentReader | undefined;
    for (const segment of this.segments) {
      const reader = this.openSegment(segment);
      if (!reader) continue;
      const found = reader.seekTo(
        time,
        (bytes) => {
          try {
            return deserializeEntry(bytes).entryTime;
          } catch {
            return undefined;
          }
        },
        (a, b) => (a === undefined ? -1 : a.compare(b!)),
      );
      if (found) {
        this.current = reader;
        return;
      }
      last = reader;
    }
    this.current = last;
  }

  /** The next entry, or undefined when everything sealed so far has been read. */
  next(): DlqEntry | undefined {
    for (;;) {
      if (!this.current) {
        this.current = this.openNextAfter(this.resumeAfter);
        if (!this.current) return undefined;
      }
      const bytes = this.current.readEntry();
      if (bytes) {
        try {
          const entry = deserializeEntry(bytes);
          this.counters.entries++;
          return entry;
        } catch (e) {
          this.counters.undecodable_entries++;
          this.options.onProblem?.('undecodable_entries', `${this.current.file}: ${(e as Error).message}`);
          continue;
        }
      }
      const following = this.openNextAfter(segmentId(this.current.file));
      if (!following) return undefined;
      if (this.options.cleanConsumed) this.lastConsumed = this.current.file;
      this.current = following;
    }
  }

  /**
   * DeadLetterQueueReader#markForDelete: with cleanConsumed, deletes the last segment read to its end
   * and any older one. Returns true when a segment was finished since the last call (the caller
   * then saves its position, as the input's segmentCompleted does).
   */
  markForDelete(): boolean {
    if (!this.options.cleanConsumed || this.lastConsumed === undefined) return false;
    const consumed = this.lastConsumed;
    this.lastConsumed = undefined;
    this.removeSegmentsBefore(consumed);
    this.deleteSegment(consumed);
    return true;
  }

  close(): void {
    this.current = undefined;
    if (this.locked) {
      this.locked = false;
      try {
        unlinkSync(path.join(this.queuePath, READER_LOCK));
      } catch {
        // already gone
      }
    }
  }

  private openNextAfter(id: number): SegmentReader | undefined {
    for (const segment of this.segments) {
      if (segmentId(segment) <= id) continue;
      const reader = this.openSegment(segment);
      if (reader) return reader;
    }
    return undefined;
  }

  private openSegment(file: string): SegmentReader | undefined {
    try {
      return SegmentReader.open(file, (d: DamagedEntry) => {
        this.counters.damaged_entries++;
        this.options.onProblem?.('damaged_entries', `${d.file} at byte ${d.offset}: ${d.problem}`);
      });
    } catch (e) {
      this.segments = this.segments.filter((s) => s !== file);
      // Deleted by the writer (drop_older, retain.age) since the listing: not a problem.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.counters.unreadable_segments++;
      this.options.onProblem?.('unreadable_segments', (e as Error).message);
      return undefined;
    }
  }

  /** Segments older than `segment` (by modification time, then id, as Logstash compares them). */
  private removeSegmentsBefore(segment: string): void {
    const mtime = fileMtime(segment);
    const id = segmentId(segment);
    for (const name of readdirSync(this.queuePath).filter((n) => /^\d+\.log$/.test(n))) {
      const file = path.join(this.queuePath, name);
      const m = fileMtime(file);
      const older = mtime === undefined || m === undefined || m === mtime ? segmentId(file) < id : m < mtime;
      if (older) this.deleteSegment(file);
    }
  }

  private deleteSegment(file: string): void {
    this.segments = this.segments.filter((s) => s !== file);
    let entries = 0;
    try {
      const reader = SegmentReader.open(file);
      while (reader.readEntry()) entries++;
    } catch {
      // unreadable or gone: deleted all the same (it holds nothing readable)
    }
    try {
      unlinkSync(file);
    } catch {
      return;
    }
    this.counters.deleted_segments++;
    this.counters.deleted_entries += entries;
  }

  /** Logstash holds an OS lock on `dlq_reader.lock`; here the file holds the pid, and a dead owner's lock is taken over. */
  private lock(): void {
    const file = path.join(this.queuePath, READER_LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && processAlive(owner)) break;
      unlinkSync(file);
    }
    throw new DeadLetterQueueLockedError(
      `Existing \`dlg_reader.lock\` file in [${this.queuePath}]. Only one DeadLetterQueueReader with \`cleanConsumed\` set is allowed per Dead Letter Queue.`,
    );
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function fileMtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
