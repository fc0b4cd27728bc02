// The bounded in-memory queue between inputs and workers (Logstash's memory queue): pushes wait
// while it is full (back-pressure to the inputs), takes wait for events, and a batch is
// dispatched once full or after the batch delay. Closing lets workers drain what is left.
import type { Event } from '../event/event.ts';

export class BoundedQueue {
  /** Queued events from `head` on; slots before it are emptied as they are taken. */
  private items: (Event | undefined)[] = [];
  private head = 0;
  private closed = false;
  private spaceWaiters: (() => void)[] = [];
  private fillWaiters = new Set<() => void>();
  private dataWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('queue capacity must be at least 1');
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Enqueues; resolves once there is room again (an input awaits it before reading more). */
  push(events: Event[]): Promise<void> | void {
    if (this.closed) throw new Error('queue is closed');
    for (const e of events) this.items.push(e);
    this.wakeTakers();
    if (this.size < this.capacity) return;
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Up to `max` events; waits up to delayMs for a full batch. [] only when closed and empty. */
  async take(max: number, delayMs: number): Promise<Event[]> {
    while (this.size === 0) {
      if (this.closed) return [];
      await new Promise<void>((resolve) => this.dataWaiters.push(resolve));
    }
    if (this.size < max && !this.closed && delayMs > 0) {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.size >= max || this.closed) {
            clearTimeout(timer);
            this.fillWaiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          this.fillWaiters.delete(check);
          resolve();
        }, delayMs);
        this.fillWaiters.add(check);
      });
      if (this.size === 0) return this.closed ? [] : this.take(max, delayMs);
    }
    return this.drain(max);
  }

  private drain(max: number): Event[] {
    const n = Math.min(max, this.size);
    const batch = this.items.slice(this.head, this.head + n) as Event[];
    // Taken events must not stay reachable from here: kept alive past a young-generation GC they are
    // copied and then promoted, and die in the old generation (most of ElastiFlow's GC time was that).
    if (this.head + n === this.items.length) {
      this.items = [];
      this.head = 0;
    } else {
      this.items.fill(undefined, this.head, this.head + n);
      this.head += n;
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    }
    if (this.size < this.capacity) {
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of waiters) w();
    }
    return batch;
  }

  private wakeTakers(): void {
    if (this.dataWaiters.length > 0) {
      const waiters = this.dataWaiters;
      this.dataWaiters = [];
      for (const w of waiters) w();
    }
    // Called per input push: no copies while nobody waits.
    if (this.fillWaiters.size > 0) for (const w of [...this.fillWaiters]) w();
  }

  /** No more pushes; takers drain what is left, then get []. */
  close(): void {
    this.closed = true;
    this.wakeTakers();
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }

  /** Empties the queue (forced shutdown); returns how many events were discarded. */
  discard(): number {
    const n = this.size;
    this.items = [];
    this.head = 0;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    return n;
  }
}
