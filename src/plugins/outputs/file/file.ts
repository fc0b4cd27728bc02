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
      s.on('error', (e) => this.log?.error('Error writing to file', { path: file, exception: e.message }));
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
    for (const [file, list] of byPath) {
      try {
        await writeFully(this.open(file), encodeBatch(this.codec, list));
        this.written += list.length;
      } catch (e) {
        this.failed += list.length;
        this.log?.error('Failed to write events to file', { path: file, events: list.length, exception: (e as Error).message });
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.streams.values()].map(
        (s) => new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
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
