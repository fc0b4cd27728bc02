// The drop filter: cancels the event (all of them, or `percentage` of them at random).
import type { Event } from '../../../event/event.ts';
import type { Filter, ResolvedOptions } from '../../types.ts';

export class DropFilter implements Filter {
  dropped = 0;
  constructor(
    private readonly percentage: number,
    private readonly random: () => number = Math.random,
  ) {}

  filter(event: Event): Event[] {
    if (this.percentage >= 100 || this.random() * 100 < this.percentage) {
      event.cancelled = true;
      this.dropped++;
      return [];
    }
    return [event];
  }

  stats(): Record<string, number> {
    return { dropped: this.dropped };
  }
}

export function create(options: ResolvedOptions): Filter {
  const p = options['percentage'];
  return new DropFilter(typeof p === 'number' ? p : 100);
}
