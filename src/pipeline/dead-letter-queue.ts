// A pipeline's dead letter queue, as Logstash's DeadLetterQueueWriter keeps it: the directory
// `<path.dead_letter_queue>/<pipeline.id>/` holds segments `1.log`, `2.log` … in Logstash's RecordIO
// format (dlq/record-io.ts) with DLQEntry records (dlq/entry.ts), so Logstash's dead_letter_queue
// input reads them. The head segment is written as `N.log.tmp` and sealed (renamed to `N.log`,
// the only files readers see) when it would pass 10 MiB, when nothing was written to it for
// `dead_letter_queue.flush_interval`, and at close. `dead_letter_queue.max_bytes` bounds the
// queue: `drop_newer` refuses the entry (counted, logged with Logstash's text), `drop_older`
// deletes the oldest segments to make room. Like Logstash, the size checked against max_bytes
// is recomputed from the sealed segments when it seems exceeded, so the unsealed head segment is
// not counted then. `dead_letter_queue.retain.age` deletes sealed segments whose newest entry is
// older than that. Writes are synchronous: an entry is on disk before the batch that refused it
// is acknowledged.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Event } from '../event/event.ts';
import { Timestamp } from '../event/timestamp.ts';
import type { Logger, PluginDeadLetterQueue } from '../plugins/types.ts';
import { deserializeEntry, serializeEntry } from './dlq/entry.ts';
import { RECORD_HEADER_SIZE, RecordIOWriter, readSegment } from './dlq/record-io.ts';
import { processAlive } from '../util/process-alive.ts';

export type StoragePolicy = 'drop_newer' | 'drop_older';

/** What logstash.yml / pipelines.yml say about the dead letter queue, when it is enabled. */
export interface DeadLetterQueueSettings {
  /** `path.dead_letter_queue`: one subdirectory per pipeline id goes under it. */
  path: string;
  /** `dead_letter_queue.max_bytes` (default 1024mb). */
  maxBytes: number;
  /** `dead_letter_queue.storage_policy` (default drop_newer). */
  storagePolicy: StoragePolicy;
  /** `dead_letter_queue.flush_interval` in ms (default 5000). */
  flushIntervalMs: number;
  /** `dead_letter_queue.retain.age` in ms, when set. */
  retainAgeMs?: number;
}

/** DeadLetterQueueFactory's MAX_SEGMENT_SIZE_BYTES. */
export const MAX_SEGMENT_SIZE_BYTES = 10 * 1024 * 1024;
/** How often the writer checks for a stale head segment (Logstash: every second). */
const FLUSH_CHECK_MS = 1000;
const LOCK_FILE = '.lock';

/** The queue directory is held by another live process (Logstash: LockException). */
export class DeadLetterQueueLockError extends Error {
  override readonly name = 'DeadLetterQueueLockError';
}

export interface DeadLetterQueueStats {
  written: number;
  dropped_events: number;
  expired_events: number;
  /** Entries refused because the event had already been through a DLQ ([@metadata][dead_letter_queue]). */
  already_processed: number;
  queue_size_in_bytes: number;
  max_queue_size_in_bytes: number;
}

const segmentId = (name: string): number => Number.parseInt(name.split('.')[0]!, 10);

export class DeadLetterQueueWriter {
  private readonly counts = { written: 0, dropped_events: 0, expired_events: 0, already_processed: 0 };
  private currentQueueSize: number;
  private currentSegmentIndex: number;
  private currentWriter!: RecordIOWriter;
  private open = true;
  private readonly flushTimer: NodeJS.Timeout;
  private oldestSegment: { file: string; newest: Timestamp } | undefined;
  /** Logstash's last_error. */
  lastError = 'no errors';

  constructor(
    readonly queuePath: string,
    private readonly settings: DeadLetterQueueSettings,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    mkdirSync(queuePath, { recursive: true });
    this.lock();
    try {
      this.cleanupTempFiles();
      this.currentQueueSize = this.computeQueueSize();
      this.updateOldestSegmentReference();
      this.currentSegmentIndex = Math.max(0, ...this.segments().map(segmentId));
      this.nextWriter();
    } catch (e) {
      this.unlock();
      throw e;
    }
    this.flushTimer = setInterval(() => this.scheduledFlushCheck(), FLUSH_CHECK_MS);
    this.flushTimer.unref();
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The writer a plugin gets as ctx.deadLetterQueue: entries carry its type (config name) and id. */
  forPlugin(pluginType: string, pluginId: string): PluginDeadLetterQueue {
    const queue = this;
    let written = 0;
    return {
      write(event: Event, reason: string): void {
        if (queue.writeEntry(event, pluginType, pluginId, reason)) written++;
      },
      get written() {
        return written;
      },
    };
  }

  /** Writes one entry; false when it was not written (dropped by the storage policy, a write error, closed). */
  writeEntry(event: Event, pluginType: string, pluginId: string, reason: string): boolean {
    if (!this.open) {
      this.counts.dropped_events++;
      this.log.error('Cannot write event to DLQ: the dead letter queue is closed', { path: this.queuePath, plugin_id: pluginId });
      return false;
    }
    if (Object.prototype.hasOwnProperty.call(event.metadata, 'dead_letter_queue')) {
      this.counts.already_processed++;
      this.log.warn('Event previously submitted to dead letter queue. Skipping...');
      return false;
    }
    try {
      const record = serializeEntry({ entryTime: Timestamp.fromMillis(this.clock()), event, pluginType, pluginId, reason });
      const payload = RECORD_HEADER_SIZE + record.length;
      this.executeAgeRetentionPolicy();
      if (this.executeStoragePolicy(payload)) return false;
      if (this.currentWriter.getPosition() + payload > MAX_SEGMENT_SIZE_BYTES) this.finalizeSegment(true, 'the segment has reached its maximum size');
      this.currentQueueSize += this.currentWriter.writeEvent(record, this.clock());
      this.counts.written++;
      return true;
    } catch (e) {
      this.counts.dropped_events++;
      this.lastError = `Cannot write event to DLQ(path: ${this.queuePath}): ${(e as Error).message}`;
      this.log.error(this.lastError);
      return false;
    }
  }

  /** Seals the head segment and releases the directory. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.flushTimer);
    try {
      this.finalizeSegment(true, 'Dead letter queue is closing');
    } catch (e) {
      this.log.warn('Unable to close dlq writer, ignoring', { exception: (e as Error).message });
    }
    this.unlock();
  }

  stats(): DeadLetterQueueStats {
    return { ...this.counts, queue_size_in_bytes: this.currentQueueSize, max_queue_size_in_bytes: this.settings.maxBytes };
  }

  get storagePolicy(): StoragePolicy {
    return this.settings.storagePolicy;
  }

  /** True when the entry must be skipped (drop_newer and no room). */
  private executeStoragePolicy(payload: number): boolean {
    if (!this.exceedsMaxQueueSize(payload)) return false;
    // Another process (the dead_letter_queue input with clean_consumed) may have removed segments.
    this.currentQueueSize = this.computeQueueSize();
    if (!this.exceedsMaxQueueSize(payload)) return false;
    if (this.settings.storagePolicy === 'drop_newer') {
      this.lastError = `Cannot write event to DLQ(path: ${this.queuePath}): reached maxQueueSize of ${this.settings.maxBytes}`;
      this.log.error(this.lastError);
      this.counts.dropped_events++;
      return true;
    }
    do {
      if (!this.dropTailSegment()) break;
    } while (this.exceedsMaxQueueSize(payload));
    return false;
  }

  private exceedsMaxQueueSize(payload: number): boolean {
    return this.currentQueueSize + payload > this.settings.maxBytes;
  }

  /** Deletes the oldest sealed segment; false when there is none. */
  private dropTailSegment(): boolean {
    const oldest = this.sortedSegments()[0];
    if (oldest === undefined) {
      this.log.info(`Queue size ${this.settings.maxBytes} exceeded, but no complete DLQ segments found`);
      this.currentQueueSize = this.computeQueueSize();
      return false;
    }
    this.deleteTailSegment(oldest, `dead letter queue size exceeded dead_letter_queue.max_bytes size(${this.settings.maxBytes})`);
    this.currentQueueSize = this.computeQueueSize();
    return true;
  }

  /** Removes a segment; returns how many entries it held (0 when already gone). */
  private deleteTailSegment(name: string, motivation: string): number {
    const file = path.join(this.queuePath, name);
    let events = 0;
    try {
      events = readSegment(file).length;
    } catch {
      // An unreadable segment is removed all the same; it held no entry anyone can read.
    }
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    this.log.debug(`Removed segment file ${file} due to ${motivation}`);
    return events;
  }

  private executeAgeRetentionPolicy(): void {
    if (!this.isOldestSegmentExpired()) return;
    try {
      do {
        if (this.oldestSegment) this.counts.expired_events += this.deleteTailSegment(path.basename(this.oldestSegment.file), 'age retention policy');
        this.updateOldestSegmentReference();
      } while (this.isOldestSegmentExpired());
    } catch (e) {
      this.log.error("Can't remove some DLQ files while cleaning expired segments", { exception: (e as Error).message });
    }
    this.currentQueueSize = this.computeQueueSize();
  }

  private isOldestSegmentExpired(): boolean {
    const age = this.settings.retainAgeMs;
    if (age === undefined || !this.oldestSegment) return false;
    return this.oldestSegment.newest.toMillis() < this.clock() - age;
  }

  /** The oldest sealed segment with content, and the entry time of its last entry. */
  private updateOldestSegmentReference(): void {
    this.oldestSegment = undefined;
    if (this.settings.retainAgeMs === undefined) return;
    for (const name of this.sortedSegments()) {
      const file = path.join(this.queuePath, name);
      if (safeSize(file) <= 1) continue;
      try {
        const entries = readSegment(file);
        const last = entries[entries.length - 1];
        if (last) this.oldestSegment = { file, newest: deserializeEntry(last).entryTime };
        else this.log.warn(`Cannot find a complete event into the segment file [${file}], this is a DLQ segment corruption`);
      } catch (e) {
        this.log.warn(`Cannot find a complete event into the segment file [${file}], this is a DLQ segment corruption`, { exception: (e as Error).message });
      }
      return;
    }
  }

  private scheduledFlushCheck(): void {
    try {
      this.finalizeSegment(false, "the segment has expired 'flush_interval'");
      this.updateOldestSegmentReference();
      this.executeAgeRetentionPolicy();
    } catch (e) {
      this.log.warn('Unable to finalize segment', { exception: (e as Error).message });
    }
  }

  /** Seals the head segment (always, or only when stale) and opens the next one. */
  private finalizeSegment(always: boolean, reason: string): void {
    const w = this.currentWriter;
    const stale = w.lastWrite !== undefined && this.clock() - w.lastWrite > this.settings.flushIntervalMs;
    if (!always && !stale) return;
    if (w.hasWritten) {
      w.close();
      renameSync(this.tempFile(this.currentSegmentIndex), this.segmentFile(this.currentSegmentIndex));
      this.log.debug(`Sealed segment with index ${this.currentSegmentIndex} because ${reason}`);
    }
    this.updateOldestSegmentReference();
    this.executeAgeRetentionPolicy();
    if (this.open && w.hasWritten) this.nextWriter();
    if (!this.open && !w.hasWritten) {
      // Never written: Logstash leaves the empty temp file for the next start to delete; remove it now.
      w.close();
      try {
        unlinkSync(this.tempFile(this.currentSegmentIndex));
      } catch {
        // already gone
      }
    }
  }

  private nextWriter(): void {
    const file = this.tempFile(++this.currentSegmentIndex);
    this.currentWriter = new RecordIOWriter(file);
    this.currentQueueSize += 1;
    this.log.debug(`Created new head segment ${file}`);
  }

  private tempFile(index: number): string {
    return path.join(this.queuePath, `${index}.log.tmp`);
  }

  private segmentFile(index: number): string {
    return path.join(this.queuePath, `${index}.log`);
  }

  /** The sealed segments (`N.log`). */
  private segments(): string[] {
    return readdirSync(this.queuePath).filter((n) => n.endsWith('.log') && /^\d+\.log$/.test(n));
  }

  private sortedSegments(): string[] {
    return this.segments().sort((a, b) => segmentId(a) - segmentId(b));
  }

  private computeQueueSize(): number {
    return this.segments().reduce((n, name) => n + safeSize(path.join(this.queuePath, name)), 0);
  }

  /** A temp segment left by a crash: kept as a segment when it reads, set aside as `.err` when not. */
  private cleanupTempFiles(): void {
    for (const name of readdirSync(this.queuePath).filter((n) => n.endsWith('.log.tmp'))) {
      const base = name.split('.')[0]!;
      const tmp = path.join(this.queuePath, name);
      const segment = path.join(this.queuePath, `${base}.log`);
      if (existsSync(segment)) {
        unlinkSync(tmp);
        this.log.debug(`Deleted temporary file ${tmp}`);
        continue;
      }
      let status: 'empty' | 'valid' | 'invalid';
      try {
        status = readSegment(tmp).length > 0 ? 'valid' : 'empty';
      } catch (e) {
        this.log.warn(`Error reading segment file ${tmp}`, { exception: (e as Error).message });
        status = 'invalid';
      }
      if (status === 'valid') {
        this.log.debug(`Moving temp file ${tmp} to segment file ${segment}`);
        renameSync(tmp, segment);
      } else if (status === 'empty') {
        unlinkSync(tmp);
        this.log.debug(`Deleted temporary empty file ${tmp}`);
      } else {
        const err = path.join(this.queuePath, `${base}.err`);
        this.log.warn(`Segment file ${segment} is in an error state, saving as ${err}`);
        renameSync(tmp, err);
      }
    }
  }

  /**
   * Logstash holds an OS file lock on `.lock`; Node has none, so the file is created exclusively
   * with the owner's pid, and a lock whose process is gone (a crash) is taken over.
   */
  private lock(): void {
    const file = path.join(this.queuePath, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) break;
      if (owner === process.pid) break;
      unlinkSync(file);
    }
    throw new DeadLetterQueueLockError(`The queue failed to obtain exclusive access, cause: the dead letter queue ${this.queuePath} is in use (${LOCK_FILE})`);
  }

  private unlock(): void {
    try {
      unlinkSync(path.join(this.queuePath, LOCK_FILE));
    } catch (e) {
      this.log.debug('Unable to delete fileLock file', { exception: (e as Error).message });
    }
  }
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * DeadLetterQueueFactory: one writer per queue directory in the process, shared while a reload
 * builds the new pipeline before the old one has drained; closed when its last user releases it.
 */
const open = new Map<string, { writer: DeadLetterQueueWriter; users: number }>();

export interface DeadLetterQueueHandle {
  writer: DeadLetterQueueWriter;
  release(): void;
}

export function acquireDeadLetterQueue(pipelineId: string, settings: DeadLetterQueueSettings, log: Logger): DeadLetterQueueHandle {
  const queuePath = path.resolve(settings.path, pipelineId);
  let slot = open.get(queuePath);
  if (!slot || !slot.writer.isOpen) {
    slot = { writer: new DeadLetterQueueWriter(queuePath, settings, log), users: 0 };
    open.set(queuePath, slot);
  }
  slot.users++;
  const held = slot;
  let released = false;
  return {
    writer: held.writer,
    release: () => {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      held.writer.close();
      if (open.get(queuePath) === held) open.delete(queuePath);
    },
  };
}
