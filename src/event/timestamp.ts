// Logstash's Timestamp: an instant with nanosecond precision, rendered like Logstash 8
// (`….000Z` when whole, else 3, 6 or 9 fraction digits, ISO_INSTANT style).

// Events interleave a few seconds (a record's first/last switched times, batches straddling a second):
// a small direct-mapped cache of per-second date-time prefixes, and the 1000 millisecond suffixes.
const SLOTS = 4096;
const slotSeconds = new Float64Array(SLOTS).fill(Number.NaN);
const slotBase: string[] = new Array<string>(SLOTS).fill('');
const MILLIS_SUFFIX: string[] = [];
for (let i = 0; i < 1000; i++) MILLIS_SUFFIX.push('.' + String(i).padStart(3, '0') + 'Z');

/** Logstash 8 text of an instant: integer seconds, 0 ≤ nanos < 1e9. */
export function formatInstant(seconds: number, nanos: number): string {
  const slot = seconds & (SLOTS - 1);
  let base: string;
  if (slotSeconds[slot] === seconds) base = slotBase[slot]!;
  else {
    const date = new Date(seconds * 1000);
    // Beyond JS Date's range (±273,790 years) there is no calendar rendering; never throw.
    if (Number.isNaN(date.getTime())) return `${seconds}.${String(nanos).padStart(9, '0')}`;
    const iso = date.toISOString();
    base = iso.slice(0, iso.lastIndexOf('.'));
    slotSeconds[slot] = seconds;
    slotBase[slot] = base;
  }
  const ms = nanos / 1e6;
  if (Number.isInteger(ms)) return base + MILLIS_SUFFIX[ms]!;
  let digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return base + '.' + digits + 'Z';
}

export class Timestamp {
  /** Seconds since the Unix epoch (may be negative). */
  readonly seconds: number;
  /** 0 ≤ nanos < 1e9. */
  readonly nanos: number;

  constructor(seconds: number, nanos = 0) {
    let s = Math.floor(seconds);
    let n = Math.round((seconds - s) * 1e9) + Math.trunc(nanos);
    s += Math.floor(n / 1e9);
    n = ((n % 1e9) + 1e9) % 1e9;
    this.seconds = s;
    this.nanos = n;
  }

  static now(): Timestamp {
    const ms = Date.now();
    return new Timestamp(Math.floor(ms / 1000), (ms % 1000) * 1e6);
  }

  static fromMillis(ms: number): Timestamp {
    const s = Math.floor(ms / 1000);
    return new Timestamp(s, Math.round((ms - s * 1000) * 1e6));
  }

  toMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanos / 1e6);
  }

  toDate(): Date {
    return new Date(this.toMillis());
  }

  equals(other: Timestamp): boolean {
    return this.seconds === other.seconds && this.nanos === other.nanos;
  }

  compare(other: Timestamp): number {
    return this.seconds - other.seconds || this.nanos - other.nanos;
  }

  toString(): string {
    return formatInstant(this.seconds, this.nanos);
  }

  toJSON(): string {
    return this.toString();
  }
}
