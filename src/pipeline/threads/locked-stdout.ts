// A filter thread's stdout: written straight to fd 1, each write whole while holding a lock the
// threads share, so a batch's bytes never interleave with another thread's. Node's own stdout in a
// worker would post every write to the main thread as a copy for it to write (~2 µs per flow each side
// at ElastiFlow's document size).
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { isatty } from 'node:tty';

const UNLOCKED = 0;
const LOCKED = 1;
/** How long to wait for a reader when the descriptor is non-blocking and the pipe is full. */
const FULL_PIPE_WAIT_MS = 1;

export function stdoutLock(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

/**
 * A Writable over fd 1 taking `lock` (a stdoutLock()) around each write; isTTY as the descriptor's.
 * When a write finds the reader gone (EPIPE) and `endsProcess` is given, it is called and the write
 * never completes: the process is ending, as it does when the main thread's stdout meets EPIPE in the
 * CLI, and nothing more may reach the logs. Without it the write fails with the error.
 */
export function lockedStdout(lock: SharedArrayBuffer, endsProcess?: () => void): Writable & { isTTY: boolean } {
  const word = new Int32Array(lock);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const writeAll = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(1, bytes, at, bytes.length - at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(pause, 0, 0, FULL_PIPE_WAIT_MS);
      }
    }
  };
  const stream = new Writable({
    writev(chunks, callback) {
      while (Atomics.compareExchange(word, 0, UNLOCKED, LOCKED) !== UNLOCKED) Atomics.wait(word, 0, LOCKED);
      let failure: Error | null = null;
      try {
        for (const { chunk, encoding } of chunks) {
          writeAll(typeof chunk === 'string' ? Buffer.from(chunk, encoding as BufferEncoding) : (chunk as Uint8Array));
        }
      } catch (e) {
        failure = e as Error;
      } finally {
        Atomics.store(word, 0, UNLOCKED);
        Atomics.notify(word, 0, 1);
      }
      if (failure && (failure as NodeJS.ErrnoException).code === 'EPIPE' && endsProcess) endsProcess();
      else callback(failure);
    },
  });
  // The failed write's callback reports the error to the output; the stream's own 'error' is that same error.
  stream.on('error', () => {});
  return Object.assign(stream, { isTTY: isatty(1) });
}
