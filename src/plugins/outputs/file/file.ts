// The file output: `path` sprintf'd per event (directories created), appended to by default
// (`write_behavior => overwrite` truncates on first write), codec json_lines by default.
// Each path keeps one open stream; close() ends them all and waits until they are flushed.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import type { Codec, Logger, Output, PluginContext, ResolvedOptions } from '../../types.ts';
import { encodeBatch, writeFully } from '../stdout/stdout.ts';

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

export class FileOutput implements Output {
  private readonly path: Interpolator;
  private readonly streams = new Map<string, WriteStream>();
  private readonly overwritten = new Set<string>();
  private closing: Promise<void>[] = [];
  written = 0;
  failed = 0;

  constructor(
    pathTemplate: string,
    private readonly codec: Codec,
    private readonly overwrite: boolean,
    private readonly log?: Logger,
  ) {
    this.path = compileSprintf(pathTemplate);
  }

  private open(file: string): WriteStream {
    let s = this.streams.get(file);
    if (s) {
      // Most recently used last, so the oldest is the one closed when too many are open.
      this.streams.delete(file);
      this.streams.set(file, s);
    } else {
      if (this.streams.size >= MAX_OPEN_FILES) {
        const [oldest, stream] = this.streams.entries().next().value as [string, WriteStream];
        this.streams.delete(oldest);
        this.closing.push(new Promise<void>((resolve) => stream.end(() => resolve())));
      }
      mkdirSync(path.dirname(file), { recursive: true });
      s = createWriteStream(file, {
        flags: this.overwrite && !this.overwritten.has(file) ? 'w' : 'a',
        // Room for several batches: the worker only waits when the disk falls behind, not per batch.
        highWaterMark: 1 << 20,
      });
      // The failing write's callback reports the error (counted by the pipeline); dropping the stream
      // makes the next batch try to open the file again (the disk may have room by then).
      s.on('error', () => {
        if (this.streams.get(file) === s) this.streams.delete(file);
      });
      this.log?.info('Opening file', { path: file });
      this.streams.set(file, s);
    }
    if (this.overwrite) {
      // overwrite truncates once per run: reopening an evicted file must append.
      this.overwritten.add(file);
    }
    return s;
  }

  async write(events: Event[]): Promise<void> {
    const byPath = new Map<string, Event[]>();
    for (const e of events) {
      const p = this.path(e);
      let list = byPath.get(p);
      if (!list) byPath.set(p, (list = []));
      list.push(e);
    }
    let failure: Error | undefined;
    for (const [file, list] of byPath) {
      try {
        await writeFully(this.open(file), encodeBatch(this.codec, list));
        this.written += list.length;
      } catch (e) {
        this.failed += list.length;
        failure ??= new OutputWriteError(file, list.length, e as NodeJS.ErrnoException);
      }
    }
    // The pipeline counts the batch as failed and logs each distinct reason once.
    if (failure) throw failure;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.streams.values()].map(
        (s) => new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
          s.once('error', () => resolve());
          s.end(() => resolve());
        }),
      ),
    );
    this.streams.clear();
    await Promise.all(this.closing);
    this.closing = [];
    await this.codec.close?.();
  }

  stats(): Record<string, number> {
    return { written: this.written, failed: this.failed };
  }
}

export function create(options: ResolvedOptions, ctx: PluginContext): Output {
  const p = options['path'];
  if (typeof p !== 'string' || p === '') throw new Error('Missing a required setting for the file output plugin: path');
  return new FileOutput(p, ctx.createCodec(options['codec'] ?? 'json_lines'), options['write_behavior'] === 'overwrite', ctx.log);
}
