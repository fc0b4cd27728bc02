// The file input (logstash-input-file): polls the files its `path` globs match every
// stat_interval seconds (re-globbing every discover_interval polls) and reads what was appended,
// split on `delimiter`, each line through the codec with [log][file][path] (ECS) or `path`.
// Files are known by inode and device, so a renamed (rotated) file is read to its end and a new
// file at the path is picked up from its beginning. Positions are kept in a sincedb file in the
// plugin's format. In read mode each file is read to its end (the last line needs no delimiter),
// then deleted and/or logged per file_completed_action.
import { appendFileSync, closeSync, fstatSync, openSync, readSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext } from '../../types.ts';
import { expandGlob, segmentRegExp } from './glob.ts';
import { deviceNumbers, formatSincedb, readSincedb, sincedbKey, writeSincedb, type SincedbRecord } from './sincedb.ts';
import type { FileInputOptions } from './schema.ts';
import { InputCannotRunError } from '../input-errors.ts';

interface WatchedFile {
  path: string;
  key: string;
  fd: number;
  /** Bytes read from the file so far (including a partial line held in `pending`). */
  bytesRead: number;
  pending: Buffer;
  record: SincedbRecord;
  /** The path now names another file (or none): read to the end, then let go. */
  rotated: boolean;
}

export class FileInputError extends InputCannotRunError {
  override readonly name = 'FileInputError';
}

/** The default sincedb: <data dir>/plugins/inputs/file/.sincedb_<md5 of the joined paths>, as Logstash names it. */
export function defaultSincedbPath(paths: readonly string[], dataDir = path.resolve('data')): string {
  return path.join(dataDir, 'plugins', 'inputs', 'file', `.sincedb_${createHash('md5').update(paths.join(',')).digest('hex')}`);
}

export class FileInput implements Input {
  private readonly watched = new Map<string, WatchedFile>();
  private readonly done = new Set<string>();
  private records = new Map<string, SincedbRecord>();
  private readonly sincedbPath: string;
  private readonly delimiter: Buffer;
  private readonly hostname = os.hostname();
  private readonly ecs: boolean;
  private readonly excludes: RegExp[];
  readonly counters = { files_discovered: 0, lines: 0, events: 0, rotations: 0, truncations: 0, files_completed: 0, read_errors: 0 };

  constructor(
    private readonly options: FileInputOptions,
    private readonly pctx: PluginContext,
  ) {
    const paths = options.path.map(String);
    for (const p of paths) {
      if (!path.isAbsolute(p)) throw new FileInputError(`File paths must be absolute, relative path specified: ${p}`);
    }
    this.sincedbPath = options.sincedb_path ?? defaultSincedbPath(paths, pctx.dataPath);
    this.delimiter = Buffer.from(options.delimiter, 'utf8');
    this.ecs = pctx.ecsCompatibility !== 'disabled';
    this.excludes = (options.exclude ?? []).map((e) => segmentRegExp(String(e)));
  }

  private get readMode(): boolean {
    return this.options.mode === 'read';
  }

  async run(ctx: InputContext): Promise<void> {
    this.records = readSincedb(this.sincedbPath);
    let lastWrite = Date.now();
    let polls = 0;
    try {
      while (!ctx.signal.aborted) {
        if (polls % Math.max(1, Math.round(this.options.discover_interval)) === 0) this.discover(polls === 0, ctx);
        polls++;
        for (const file of [...this.watched.values()]) {
          if (ctx.signal.aborted) break;
          await this.readFile(file, ctx);
        }
        if (Date.now() - lastWrite >= this.options.sincedb_write_interval * 1000) {
          this.writeSincedb();
          lastWrite = Date.now();
        }
        if (this.readMode && this.options.exit_after_read && this.watched.size === 0) break;
        await sleep(this.options.stat_interval * 1000, ctx.signal);
      }
    } finally {
      for (const f of this.watched.values()) closeSync(f.fd);
      this.watched.clear();
      this.writeSincedb();
    }
  }

  private writeSincedb(): void {
    try {
      writeSincedb(this.sincedbPath, formatSincedb(this.records.values(), Date.now() / 1000, this.options.sincedb_clean_after));
    } catch (e) {
      this.pctx.log.warn('sincedb_write: error', { path: this.sincedbPath, exception: (e as Error).message });
    }
  }

  /** Globs the paths; new files start at their sincedb position, else per start_position (initial scan only). */
  private discover(initial: boolean, ctx: InputContext): void {
    const current = new Map<string, string>();
    const found: { file: string; stat: Stats }[] = [];
    for (const pattern of this.options.path.map(String)) {
      for (const file of expandGlob(pattern)) {
        if (this.excludes.some((re) => re.test(path.basename(file)))) continue;
        try {
          found.push({ file, stat: statSync(file) });
        } catch {
          // gone between the glob and the stat
        }
      }
    }
    // file_sort_by/file_sort_direction: the order new files are read in.
    const byPath = this.options.file_sort_by === 'path';
    found.sort((a, b) => (byPath ? a.file.localeCompare(b.file) : a.stat.mtimeMs - b.stat.mtimeMs) * (this.options.file_sort_direction === 'desc' ? -1 : 1));
    for (const { file, stat } of found) {
      const { major, minor } = deviceNumbers(stat.dev);
      const key = sincedbKey(String(stat.ino), major, minor);
      current.set(file, key);
      const known = this.watched.get(key);
      if (known) {
        known.path = file;
        continue;
      }
      if (this.done.has(key)) continue;
      if (this.options.ignore_older !== undefined && Date.now() / 1000 - stat.mtimeMs / 1000 > this.options.ignore_older) continue;
      const record = this.records.get(key);
      let position: number;
      if (record) position = Math.min(record.position, stat.size);
      else position = !this.readMode && initial && this.options.start_position === 'end' ? stat.size : 0;
      if (this.readMode && record && record.position >= stat.size) {
        this.done.add(key);
        continue;
      }
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (e) {
        this.counters.read_errors++;
        ctx.log.warn('failed to open file', { path: file, exception: (e as Error).message });
        continue;
      }
      const rec: SincedbRecord = { inode: String(stat.ino), major, minor, position, lastChangedAt: Date.now() / 1000, path: file };
      this.records.set(key, rec);
      this.watched.set(key, { path: file, key, fd, bytesRead: position, pending: Buffer.alloc(0), record: rec, rotated: false });
      this.counters.files_discovered++;
      ctx.log.debug('discovered file', { path: file, position });
    }
    for (const file of this.watched.values()) {
      if (current.get(file.path) !== file.key && !file.rotated) {
        file.rotated = true;
        this.counters.rotations++;
      }
    }
  }

  private async readFile(file: WatchedFile, ctx: InputContext): Promise<void> {
    let size: number;
    try {
      size = fstatSync(file.fd).size;
    } catch {
      return this.release(file);
    }
    if (size < file.bytesRead) {
      this.counters.truncations++;
      file.bytesRead = 0;
      file.pending = Buffer.alloc(0);
    }
    const chunk = Buffer.alloc(Math.max(1, this.options.file_chunk_size));
    let chunks = 0;
    while (file.bytesRead < size && !ctx.signal.aborted) {
      const n = readSync(file.fd, chunk, 0, chunk.length, file.bytesRead);
      if (n <= 0) break;
      file.bytesRead += n;
      const lines = this.split(file, chunk.subarray(0, n));
      await this.emit(lines, file, ctx);
      if (this.options.file_chunk_count !== undefined && ++chunks >= this.options.file_chunk_count) return;
    }
    if (ctx.signal.aborted) return;
    if (this.readMode) {
      if (file.pending.length > 0) {
        const last = file.pending;
        file.pending = Buffer.alloc(0);
        await this.emit([last], file, ctx);
      }
      file.record.position = file.bytesRead;
      this.complete(file, ctx);
    } else if (file.rotated) this.release(file);
  }

  /** Complete lines of the data appended to what was pending; the sincedb position follows them. */
  private split(file: WatchedFile, data: Buffer): Buffer[] {
    const buf = file.pending.length > 0 ? Buffer.concat([file.pending, data]) : Buffer.from(data);
    const lines: Buffer[] = [];
    let from = 0;
    for (let at = buf.indexOf(this.delimiter, from); at >= 0; at = buf.indexOf(this.delimiter, from)) {
      lines.push(buf.subarray(from, at));
      from = at + this.delimiter.length;
    }
    file.pending = buf.subarray(from);
    return lines;
  }

  private async emit(lines: Buffer[], file: WatchedFile, ctx: InputContext): Promise<void> {
    if (lines.length === 0) return;
    const events: Event[] = [];
    for (const line of lines) {
      this.counters.lines++;
      ctx.codec.decode(line, {}, (event) => {
        const hostField = this.ecs ? '[host][name]' : 'host';
        const pathField = this.ecs ? '[log][file][path]' : 'path';
        if (event.get(hostField) === undefined) event.set(hostField, this.hostname);
        if (event.get(pathField) === undefined) event.set(pathField, file.path);
        ctx.decorate(event);
        events.push(event);
      });
    }
    this.counters.events += events.length;
    if (events.length > 0) await ctx.push(events);
    // Only now are these lines in the queue: the sincedb may move past them.
    file.record.position = file.bytesRead - file.pending.length;
    file.record.lastChangedAt = Date.now() / 1000;
  }

  private complete(file: WatchedFile, ctx: InputContext): void {
    const action = this.options.file_completed_action;
    if ((action === 'log' || action === 'log_and_delete') && this.options.file_completed_log_path) {
      try {
        appendFileSync(this.options.file_completed_log_path, `${file.path}\n`);
      } catch (e) {
        ctx.log.warn('file_completed_log_path: cannot append', { path: this.options.file_completed_log_path, exception: (e as Error).message });
      }
    }
    if (action === 'delete' || action === 'log_and_delete') {
      try {
        unlinkSync(file.path);
        // A deleted file's inode may be reused: its record must not apply to a newcomer.
        this.records.delete(file.key);
      } catch (e) {
        ctx.log.warn('file_completed_action delete: cannot delete', { path: file.path, exception: (e as Error).message });
      }
    }
    this.counters.files_completed++;
    if (action === 'log') this.done.add(file.key);
    this.release(file);
  }

  private release(file: WatchedFile): void {
    closeSync(file.fd);
    this.watched.delete(file.key);
  }

  stats(): Record<string, number> {
    return { ...this.counters, files_watched: this.watched.size };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function create(options: FileInputOptions, ctx: PluginContext): Input {
  return new FileInput(options, ctx);
}
