// An input that cannot run at all (a port in use, a capture it cannot read): the run ends with one line
// saying what and why, and exit code 1 (the pipeline reads `exitCode`; the udp receiver thread, whose
// errors cross a thread boundary as plain objects, carries the same field).
import type net from 'node:net';

export class InputCannotRunError extends Error {
  readonly exitCode = 1;
}

/** Listening failed: `Could not start <what> on host:port: <reason>`. */
export class ListenError extends InputCannotRunError {
  constructor(what: string, host: string, port: number, cause: NodeJS.ErrnoException) {
    super(`Could not start ${what} on ${host}:${port}: ${cause.code === 'EADDRINUSE' ? 'address already in use' : cause.message}`);
    this.name = 'ListenError';
  }
}

/** Binds a TCP/TLS server; a failure is a ListenError naming the input. */
export function listenOn(server: net.Server, host: string, port: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new ListenError(what, host, port, e)));
    server.listen(port, host, () => resolve());
  });
}

/** Resolves once the input is told to stop (ctx.signal) and the server has closed; `closeConnections` ends the open ones. */
export function serveUntilAborted(server: net.Server, signal: AbortSignal, closeConnections: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve());
      closeConnections();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
