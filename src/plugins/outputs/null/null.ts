// The null output: accepts and discards every event.
import type { Output } from '../../types.ts';

export class NullOutput implements Output {
  written = 0;
  write(events: unknown[]): void {
    this.written += events.length;
  }
  close(): void {}
}

export function create(): Output {
  return new NullOutput();
}
