// Re-reads a file a plugin loaded (a dictionary, a network list) every `intervalSeconds` while the
// pipeline runs, like the rufus scheduler Logstash's translate and cidr filters use: runs never
// overlap, and with `onlyWhenModified` a run that finds the same mtime does nothing.
import { stat } from 'node:fs/promises';

export interface FileRefreshOptions {
  path: string;
  /** Seconds between checks; zero or less disables refreshing. */
  intervalSeconds: number;
  /** Reload only when the file's mtime changed since the last load. */
  onlyWhenModified: boolean;
  /** Reads the file again; a rejection goes to onError and the next run still happens. */
  reload(): Promise<void>;
  onError(error: unknown): void;
}

export class FileRefresher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastMtimeMs: number | undefined;

  constructor(private readonly options: FileRefreshOptions) {}

  /** Remembers the mtime of the copy just loaded (so an unchanged file is not re-read). */
  markLoaded(mtimeMs: number | undefined): void {
    this.lastMtimeMs = mtimeMs;
  }

  start(): void {
    if (this.options.intervalSeconds <= 0 || this.stopped) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One check now (also what the timer runs). */
  async runOnce(): Promise<void> {
    try {
      const mtimeMs = (await stat(this.options.path)).mtimeMs;
      if (this.options.onlyWhenModified && mtimeMs === this.lastMtimeMs) return;
      this.lastMtimeMs = mtimeMs;
      await this.options.reload();
    } catch (e) {
      this.options.onError(e);
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.runOnce().then(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.options.intervalSeconds * 1000);
    this.timer.unref();
  }
}

/** The file's mtime, or undefined when it cannot be read. */
export async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
