// Setting an input's own fields (host, sequence) can collide with what the event already holds
// (`host` as a string, then `[host][hostname]`): the event goes on without that field, with a
// WARN the first time, instead of the exception stopping the input.
import type { Event } from '../../event/event.ts';
import type { Logger } from '../types.ts';

export class FieldEnricher {
  private warned = false;
  failures = 0;
  constructor(private readonly log: Logger) {}

  set(event: Event, ref: string, value: string | number, onlyIfAbsent: boolean): void {
    try {
      if (onlyIfAbsent && event.includes(ref)) return;
      event.set(ref, value);
    } catch (e) {
      this.failures++;
      if (!this.warned) {
        this.warned = true;
        this.log.warn(`Could not set ${ref} on an event; it goes on without it (further cases are only counted)`, {
          exception: (e as Error).message,
        });
      }
    }
  }
}
