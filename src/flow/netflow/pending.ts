// Data sets held until their template arrives (option pending_data), bounded in bytes and age.
import type { Timestamp } from '../../event/timestamp.ts';
import type { RecordHeader } from './field-values.ts';

export interface HeldSet {
  /** Template cache key the set waits for. */
  key: string;
  version: 9 | 10;
  exporter: string;
  domain: number;
  setId: number;
  data: Buffer;
  header: RecordHeader;
  timestamp: Timestamp;
  heldAt: number;
  /** NetFlow v9: the records the packet header's count leaves for this set (see v9RecordLimit). */
  owedRecords?: number;
}

export class PendingData {
  private entries: HeldSet[] = [];
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Holds a set; returns the sets evicted to stay within the byte bound (oldest first). */
  hold(s: HeldSet): HeldSet[] {
    const evicted: HeldSet[] = [];
    if (s.data.length > this.maxBytes) return [s];
    while (this.bytes + s.data.length > this.maxBytes && this.entries.length > 0) {
      const old = this.entries.shift()!;
      this.bytes -= old.data.length;
      evicted.push(old);
    }
    this.entries.push(s);
    this.bytes += s.data.length;
    return evicted;
  }

  /** Removes and returns the sets older than the age bound. */
  expire(now: number): HeldSet[] {
    if (this.entries.length === 0 || now - this.entries[0]!.heldAt <= this.maxAgeMs) return [];
    const keep: HeldSet[] = [];
    const gone: HeldSet[] = [];
    for (const e of this.entries) (now - e.heldAt > this.maxAgeMs ? gone : keep).push(e);
    this.entries = keep;
    for (const g of gone) this.bytes -= g.data.length;
    return gone;
  }

  /** Removes and returns the sets waiting for this template key, in arrival order. */
  take(key: string): HeldSet[] {
    if (this.entries.length === 0) return [];
    const out: HeldSet[] = [];
    const keep: HeldSet[] = [];
    for (const e of this.entries) (e.key === key ? out : keep).push(e);
    if (out.length === 0) return out;
    this.entries = keep;
    for (const o of out) this.bytes -= o.data.length;
    return out;
  }
}
