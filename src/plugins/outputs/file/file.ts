// The file output, as logstash-output-file 4.3 behaves: `path` sprintf'd per event (directories
// created with `dir_mode`, new files with `file_mode`), appended to by default (`write_behavior =>
// overwrite` keeps only each batch's last event), codec json_lines by default, `gzip` streams.
// An interpolated path that leaves the path's static root goes to `filename_failure` (file-root.ts);
// with `create_if_deleted => false` a missing file is not (re)created: its events go there too.
// Writes are serialized (Logstash's io_mutex); each path keeps one open file, at most MAX_OPEN_FILES,
// and files not written between two stale-cleanup cycles are closed.
import { existsSync } from 'node:fs';
import type { Event } from '../../../event/event.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import type { Codec, Logger, Output, PluginContext } from '../../types.ts';
import { encodeBatch } from '../stdout/stdout.ts';
import { FileRoot } from './file-root.ts';
import { FileWriter } from './file-writer.ts';
import { fileSchema, type FileOutputOptions } from './schema.ts';

/** Open files kept at once (a path per exporter or per day must not exhaust descriptors). */
const MAX_OPEN_FILES = 256;

/** A write that did not reach the file: the path and the system's reason (`ENOSPC: no space left on device`). */
export class OutputWriteError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    readonly events: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(`cannot write to ${path}: ${cause.message}`);
    this.name = 'OutputWriteError';
    this.code = cause.code;
  }
}

/** The plugin's settings beyond path, codec and write_behavior (names as in the config). */
export interface FileSettings {
  gzip: boolean;
  /** Seconds; 0 (or less, or a fraction of one: Logstash takes to_i) flushes after every batch. */
  flush_interval: number;
  create_if_deleted: boolean;
  dir_mode: number;
  file_mode: number;
  filename_failure: string;
  /** Seconds between stale-file cycles. */
  stale_cleanup_interval: number;
}

function schemaDefaults(): FileSettings {
  const o = fileSchema.options;
  return {
    gzip: o.gzip.default as boolean,
    flush_interval: o.flush_interval.default as number,
    create_if_deleted: o.create_if_deleted.default as boolean,
    dir_mode: o.dir_mode.default as number,
    file_mode: o.file_mode.default as number,
    filename_failure: o.filename_failure.default as string,
    stale_cleanup_interval: o.stale_cleanup_interval.default as number,
  };
}

/** A mode option: -1 or a permission number (the config's `0640` arrives as 416: Ruby's Integer()). */
function checkMode(name: string, value: number, log?: Logger): number {
  if (value === -1) return value;
  if (!Number.isInteger(value) || value < 0 || value > 0o7777) {
    throw new Error(`${name} must be -1 (the system default) or a permission mode written in octal like 0640, got ${value}`);
  }
  if (value > 0o777 && /^[0-7]{3}$/.test(String(value))) {
    log?.warn(`${name} => ${value} is decimal (${value.toString(8).padStart(4, '0')} in octal): write 0${value} for mode ${value}`);
  }
  return value;
}

export class FileOutput implements Output {
  private readonly path: Interpolator;
  private readonly root: FileRoot;
  private readonly settings: FileSettings;
  private readonly flushEachBatch: boolean;
  private readonly writers = new Map<string, FileWriter>();
  private readonly closing = new Set<Promise<void>>();
  private serial: Promise<unknown> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastStaleCycle: number;
  private readonly reportedLosses = new Set<string>();
  private lastLoss: OutputWriteError | undefined;
  written = 0;
  failed = 0;
  /**
   * Events already counted as written whose compressed bytes were still in zlib (not yet flushed)
   * when a write to their gzip file failed: up to this many may be missing from the file.
   */
  unconfirmed = 0;
  /** Events sent to the failure file because their path left the root. */
  outsideRoot = 0;

  constructor(
    pathTemplate: string,
    private readonly codec: Codec,
    private readonly overwrite: boolean,
    private readonly log?: Logger,
    settings: Partial<FileSettings> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = { ...schemaDefaults(), ...settings };
    checkMode('dir_mode', this.settings.dir_mode, log);
    checkMode('file_mode', this.settings.file_mode, log);
    this.root = new FileRoot(pathTemplate, this.settings.filename_failure);
    this.path = compileSprintf(this.root.template);
    const flushSeconds = Math.trunc(this.settings.flush_interval);
    this.flushEachBatch = !(flushSeconds > 0);
    this.lastStaleCycle = this.now();
    if (this.settings.gzip && !this.flushEachBatch) {
      // Logstash's flusher thread; plain files need none (every write already reached the OS).
      this.every(flushSeconds * 1000, () => this.flushAll());
    }
    // Logstash runs the cycle only when a batch arrives (issue #88); a timer also closes idle files.
    const staleMs = this.settings.stale_cleanup_interval * 1000;
    if (staleMs > 0) this.every(staleMs, () => this.closeStaleFiles());
  }

  private every(ms: number, task: () => Promise<void>): void {
    const t = setInterval(() => void this.exclusive(task), ms);
    t.unref();
    this.timers.push(t);
  }

  /** Runs `task` after everything queued before it (Logstash's @io_mutex). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task);
    this.serial = run.catch(() => undefined);
    return run;
  }

  write(events: Event[]): Promise<void> {
    return this.exclusive(() => this.writeBatch(events));
  }

  /** Logstash's event_path: the interpolated file, the failure file when it leaves the root or (create_if_deleted => false) does not exist. */
  private route(events: Event[]): Map<string, Event[]> {
    const byPath = new Map<string, Event[]>();
    const exists = new Map<string, boolean>();
    // Resolving is per distinct path, not per event (a batch mostly shares one or a few).
    const resolved = new Map<string, string | null>();
    for (const e of events) {
      const interpolated = this.path(e);
      let file = resolved.get(interpolated);
      if (file === undefined) resolved.set(interpolated, (file = this.root.inside(interpolated) ?? null));
      if (file === null) {
        this.outsideRoot++;
        this.log?.warn('File: the event tried to write outside the files root, writing the event to the failure file', {
          path: interpolated,
          filename: this.root.failurePath,
        });
        file = this.root.failurePath;
      } else if (!this.settings.create_if_deleted) {
        let present = exists.get(file);
        if (present === undefined) exists.set(file, (present = existsSync(file)));
        if (!present) file = this.root.failurePath;
      }
      let list = byPath.get(file);
      if (!list) byPath.set(file, (list = []));
      list.push(e);
    }
    return byPath;
  }

  private async writeBatch(events: Event[]): Promise<void> {
    let failure: Error | undefined;
    for (const [file, list] of this.route(events)) {
      try {
        const writer = await this.open(file);
        let data;
        if (this.overwrite) {
          // Logstash truncates and writes only the batch's last event for the path.
          await writer.truncate();
          data = encodeBatch(this.codec, list.slice(-1));
        } else {
          data = encodeBatch(this.codec, list);
        }
        await writer.write(data, list.length, this.flushEachBatch);
        this.written += list.length;
      } catch (e) {
        this.failed += list.length;
        failure ??= new OutputWriteError(file, list.length, e as NodeJS.ErrnoException);
      }
    }
    await this.closeStaleFiles();
    // The pipeline counts the batch as failed and logs each distinct reason once.
    if (failure) throw failure;
  }

  /** Logstash's open(): the cached file unless it was deleted (then re-created, or with create_if_deleted => false kept). */
  private async open(file: string): Promise<FileWriter> {
    let w = this.writers.get(file);
    if (w && w.broken) {
      // A failed write: the next batch tries to open the file again (the disk may have room by then).
      this.writers.delete(file);
      this.retire(w);
      w = undefined;
    }
    if (w && this.settings.create_if_deleted && !existsSync(file)) {
      this.log?.debug('Required path was deleted, creating the file again', { path: file });
      this.writers.delete(file);
      this.retire(w);
      w = undefined;
    }
    if (w) {
      // Most recently used last, so the oldest is the one closed when too many are open.
      this.writers.delete(file);
      this.writers.set(file, w);
      return w;
    }
    if (this.writers.size >= MAX_OPEN_FILES) {
      const [oldest, writer] = this.writers.entries().next().value as [string, FileWriter];
      this.writers.delete(oldest);
      this.retire(writer);
    }
    this.log?.info('Opening file', { path: file });
    w = await FileWriter.open(file, this.settings.gzip, { dirMode: this.settings.dir_mode, fileMode: this.settings.file_mode });
    this.writers.set(file, w);
    return w;
  }

  /** Closes a writer in the background (close() waits for it). */
  private retire(w: FileWriter): void {
    const done = this.closeWriter(w).finally(() => this.closing.delete(done));
    this.closing.add(done);
  }

  /**
   * Never rejects: a write error already reported for its batch is not reported again; only gzip
   * data of batches already counted as written (a flush_interval > 0 tail) is, by unflushedLost().
   */
  private async closeWriter(w: FileWriter): Promise<void> {
    try {
      await w.close();
    } catch (e) {
      this.unflushedLost(w, e as Error);
    }
  }

  private unflushedLost(w: FileWriter, e: Error): void {
    const events = w.unflushedEvents;
    w.unflushedEvents = 0;
    if (events === 0) return;
    this.unconfirmed += events;
    this.lastLoss = new OutputWriteError(w.path, events, e as NodeJS.ErrnoException);
    const key = `${w.path}\u0000${e.message}`;
    if (this.reportedLosses.has(key)) return;
    this.reportedLosses.add(key);
    this.log?.error(`${this.lastLoss.message} (up to ${events} events already counted as written were not yet flushed from the gzip stream and may be missing)`);
  }

  private async flushAll(): Promise<void> {
    for (const w of this.writers.values()) {
      try {
        await w.flush();
      } catch (e) {
        this.unflushedLost(w, e as Error);
      }
    }
  }

  /** Logstash's close_stale_files: files not written since the previous cycle are closed. */
  private async closeStaleFiles(): Promise<void> {
    const now = this.now();
    if (now - this.lastStaleCycle < this.settings.stale_cleanup_interval * 1000) return;
    for (const [file, w] of this.writers) {
      if (w.active) continue;
      this.log?.info(`Closing file ${file}`);
      this.writers.delete(file);
      this.retire(w);
    }
    for (const w of this.writers.values()) w.active = false;
    this.lastStaleCycle = now;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.serial;
    const unconfirmedBefore = this.unconfirmed;
    await Promise.all([...this.writers.values()].map((w) => this.closeWriter(w)));
    this.writers.clear();
    await Promise.all(this.closing);
    await this.codec.close?.();
    // The pipeline logs a failed close: the last gzip data could not be written.
    if (this.unconfirmed > unconfirmedBefore && this.lastLoss) throw this.lastLoss;
  }

  stats(): Record<string, number> {
    const s: Record<string, number> = { written: this.written, failed: this.failed };
    if (this.outsideRoot) s['outside_root'] = this.outsideRoot;
    if (this.unconfirmed) s['gzip_unconfirmed'] = this.unconfirmed;
    return s;
  }
}

export function create(options: FileOutputOptions, ctx: PluginContext): Output {
  return new FileOutput(options.path, ctx.createCodec(options.codec), options.write_behavior === 'overwrite', ctx.log, {
    gzip: options.gzip,
    flush_interval: options.flush_interval,
    create_if_deleted: options.create_if_deleted,
    dir_mode: options.dir_mode,
    file_mode: options.file_mode,
    filename_failure: options.filename_failure,
    stale_cleanup_interval: options.stale_cleanup_interval,
  });
}
