// The null output: accepts and discards every event.
import type { Output } from '../plugins/types.ts';

export class NullOutput implements Output {
  written = 0;
  write(events: unknown[]): void {
    this.written += events.length;
  }
  close(): void {}
}

export function createNullOutput(): Output {
  return new NullOutput();
}
