// One open output file: plain, or a gzip stream written into it (as Logstash wraps the file in a
// Zlib::GzipWriter). Each opening of a gzip file starts a new gzip member, so a file appended to
// across runs, or reopened after being closed as stale or evicted, holds several members — which
// gunzip, zcat and node:zlib read as one stream (RFC 1952 §2.2).
import { chmodSync, createWriteStream, existsSync, fchmodSync, ftruncateSync, mkdirSync, open, type WriteStream } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import { writeFully } from '../stdout/stdout.ts';

const openFile = promisify(open);

/** -1 means "the system's default" (0777/0666 less the umask), as in Logstash. */
export interface FileModes {
  dirMode: number;
  fileMode: number;
}

/**
 * mkdir -p as Ruby's FileUtils.mkdir_p(dir, mode:) does it: each directory it creates is chmod'ed
 * to exactly `mode` (the umask does not apply), directories that exist are left alone.
 * Returns the directories created, outermost first.
 */
export function makeDirectories(dir: string, mode: number): string[] {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  missing.reverse();
  for (const d of missing) {
    try {
      mkdirSync(d, mode === -1 ? undefined : { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    if (mode !== -1) chmodSync(d, mode);
  }
  return missing;
}

export class FileWriter {
  /** Written to since the last stale-files cycle (Logstash's IOWriter#active). */
  active = true;
  /** Events written since the last flush that reached the file (what a later failure can lose). */
  unflushedEvents = 0;
  private failure: Error | undefined;
  private lastWrite: Promise<void> = Promise.resolve();
  private gz: Gzip | undefined;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly stream: WriteStream,
    gzip: boolean,
  ) {
    // A failed write destroys the stream; its write callbacks report the error, this keeps it from
    // being an unhandled 'error' event.
    stream.on('error', (e) => (this.failure ??= e));
    if (gzip) this.gz = this.startGzip();
  }

  /** Creates the directories and opens the file for appending; a new file gets exactly `fileMode`. */
  static async open(file: string, gzip: boolean, modes: FileModes): Promise<FileWriter> {
    const dir = path.dirname(file);
    makeDirectories(dir, modes.dirMode);
    const existed = existsSync(file);
    // Asynchronous open: a FIFO without a reader must not block the event loop.
    const fd = await openFile(file, 'a', modes.fileMode === -1 ? 0o666 : modes.fileMode);
    try {
      if (!existed && modes.fileMode !== -1) fchmodSync(fd, modes.fileMode);
    } catch {
      // Not ours to chmod (another user's file created meanwhile): the write decides.
    }
    // Room for several batches: the worker only waits when the disk falls behind, not per batch.
    const stream = createWriteStream(file, { fd, highWaterMark: 1 << 20 });
    return new FileWriter(file, fd, stream, gzip);
  }

  /** True once a write failed: the output drops the writer and reopens the file on the next batch. */
  get broken(): boolean {
    return this.failure !== undefined || this.stream.destroyed;
  }

  /**
   * Resolves once `data` (compressed, for gzip: everything zlib has emitted so far; with `flush`,
   * all of it) has been handed to the OS; rejects with the write's own error.
   */
  async write(data: string | Buffer, events: number, flush: boolean): Promise<void> {
    this.active = true;
    if (!this.gz) {
      await writeFully(this.stream, data);
      return;
    }
    const gz = this.gz;
    this.unflushedEvents += events;
    try {
      await new Promise<void>((resolve, reject) => gz.write(data, (e) => (e ? reject(e) : resolve())));
      if (flush) await this.flush();
      else await this.settled();
    } catch (e) {
      // This batch is reported failed by its caller; what stays unflushed belongs to earlier ones.
      this.unflushedEvents = Math.max(0, this.unflushedEvents - events);
      throw e;
    }
  }

  /**
   * Logstash's IOWriter#flush: a gzip stream is sync-flushed (Zlib::SYNC_FLUSH, a readable prefix
   * on disk), then the file. A plain file has nothing to flush: every write already reached the OS.
   */
  async flush(): Promise<void> {
    const gz = this.gz;
    if (gz) {
      await new Promise<void>((resolve) => gz.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
      await this.settled();
      this.unflushedEvents = 0;
    }
  }

  /** write_behavior => overwrite: the file is emptied before a batch (a gzip file restarts its member). */
  async truncate(): Promise<void> {
    if (this.gz) {
      await this.endGzip();
      ftruncateSync(this.fd, 0);
      this.gz = this.startGzip();
    } else {
      ftruncateSync(this.fd, 0);
    }
  }

  /** Ends the gzip member (its trailer) and the file; rejects with the first error met. */
  async close(): Promise<void> {
    try {
      if (this.gz) await this.endGzip();
    } finally {
      await new Promise<void>((resolve) => {
        if (this.stream.destroyed) return resolve();
        this.stream.once('error', () => resolve());
        this.stream.end(() => resolve());
      });
    }
    if (this.failure) throw this.failure;
  }

  private startGzip(): Gzip {
    const gz = createGzip();
    // Compressed chunks are written in the order zlib emits them; in flowing mode each is emitted
    // before zlib calls back the write or flush that produced it, so awaiting lastWrite afterwards
    // covers them.
    gz.on('data', (chunk: Buffer) => {
      this.lastWrite = writeFully(this.stream, chunk).catch((e: Error) => {
        this.failure ??= e;
      });
    });
    gz.on('error', (e) => (this.failure ??= e));
    return gz;
  }

  private async endGzip(): Promise<void> {
    const gz = this.gz;
    if (!gz) return;
    this.gz = undefined;
    await new Promise<void>((resolve) => {
      gz.once('end', resolve);
      gz.once('error', () => resolve());
      gz.end();
    });
    await this.settled();
  }

  private async settled(): Promise<void> {
    await this.lastWrite;
    if (this.failure) throw this.failure;
  }
}
