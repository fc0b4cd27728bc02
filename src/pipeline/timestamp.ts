// Logstash's Timestamp: an instant with nanosecond precision, rendered like Logstash 8
// (`….000Z` when whole, else 3, 6 or 9 fraction digits, ISO_INSTANT style).

let lastSeconds = Number.NaN;
let lastBase = '';

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
    // Events arrive in bursts within the same second: reuse its formatted date-time.
    let base: string;
    if (this.seconds === lastSeconds) base = lastBase;
    else {
      const date = new Date(this.seconds * 1000);
      // Beyond JS Date's range (±273,790 years) there is no calendar rendering; never throw.
      if (Number.isNaN(date.getTime())) return `${this.seconds}.${String(this.nanos).padStart(9, '0')}`;
      const iso = date.toISOString();
      base = iso.slice(0, iso.lastIndexOf('.'));
      lastSeconds = this.seconds;
      lastBase = base;
    }
    if (this.nanos === 0) return `${base}.000Z`;
    let digits = String(this.nanos).padStart(9, '0');
    if (digits.endsWith('000000')) digits = digits.slice(0, 3);
    else if (digits.endsWith('000')) digits = digits.slice(0, 6);
    return `${base}.${digits}Z`;
  }

  toJSON(): string {
    return this.toString();
  }
}
