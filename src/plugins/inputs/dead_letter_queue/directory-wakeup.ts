// Waiting for the writer to seal a segment: Logstash's reader is woken by a WatchService; here
// fs.watch (inotify on Linux) wakes the wait when the directory changes, and a timeout bounds it
// where the file system sends no notifications (or fs.watch is unavailable).
import { watch, type FSWatcher } from 'node:fs';

export class DirectoryWakeup {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;

  /** `relevant`: the file names whose changes wake the wait (a change without a name always does). */
  constructor(dir: string, relevant: (name: string) => boolean = () => true) {
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name && !relevant(String(name))) return;
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** True when notifications arrive; otherwise callers wait the fallback timeout each time. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Resolves when the directory changed since the last wait, after `ms`, or on abort. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.changed || signal.aborted) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
