// Saves a template cache file off the decoding path: a change only marks the file dirty; one
// asynchronous, atomic write (temp file + rename) runs a little later with everything changed until
// then, never two at once for one file, and close() writes the final state once.
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LogstashTuple } from './field-spec.ts';

/** How long changes are gathered before a write (a burst of new templates becomes one write). */
export const CACHE_WRITE_DELAY_MS = 250;

export async function writeCacheFileAsync(file: string, entries: Map<string, LogstashTuple[]>): Promise<void> {
  const obj: Record<string, LogstashTuple[]> = {};
  for (const [k, v] of entries) obj[k] = v;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(obj));
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export class CacheFileWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Files written so far (a burst of changes is one write). */
  writes = 0;

  constructor(
    readonly file: string,
    private readonly snapshot: () => Map<string, LogstashTuple[]>,
    private readonly onError: (e: Error) => void,
    private readonly delayMs = CACHE_WRITE_DELAY_MS,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => void this.drain(), this.delayMs);
    this.timer.unref();
  }

  private drain(): Promise<void> {
    this.timer = undefined;
    this.running ??= (async () => {
      while (this.dirty) {
        this.dirty = false;
        try {
          await writeCacheFileAsync(this.file, this.snapshot());
          this.writes++;
        } catch (e) {
          this.onError(e as Error);
        }
      }
      this.running = undefined;
    })();
    return this.running;
  }

  /** Writes what is still unsaved, once; resolves when the file holds the final state. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running;
    if (this.dirty) await this.drain();
  }
}
