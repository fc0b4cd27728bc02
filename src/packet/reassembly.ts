// IPv4 and IPv6 fragment reassembly, bounded in memory (bytes and datagrams in flight) and in
// time (capture time). Overlaps, gaps, oversize datagrams and evictions are reported, never silent.
import type { DecodedFrame } from './decode.ts';

export interface ReassemblyLimits {
  /** Seconds of capture time a datagram may stay incomplete (Linux: 30). */
  timeoutSec: number;
  /** Bytes of fragment payload held at most. */
  maxBytes: number;
  /** Datagrams in flight at most. */
  maxDatagrams: number;
}

export const DEFAULT_LIMITS: ReassemblyLimits = { timeoutSec: 30, maxBytes: 64 * 1024 * 1024, maxDatagrams: 8192 };

export type ReassemblyProblem = 'overlap' | 'incomplete' | 'oversize' | 'evicted' | 'bad-length' | 'truncated';

export interface ReassemblyIssue {
  problem: ReassemblyProblem;
  family: 4 | 6;
  /** Fragment id, the packet numbers of the fragments held, and a sentence. */
  id: number;
  packets: number[];
  message: string;
}

/** The first fragment's frame (L3/L4 headers) plus the whole reassembled IP payload. */
export interface ReassembledDatagram {
  family: 4 | 6;
  /** Frame bytes of the offset-0 fragment and its decoding. */
  firstFrame: Buffer;
  first: DecodedFrame;
  /** The reassembled payload after the IP header(s) (starts with the L4 header). */
  payload: Buffer;
  packets: number[];
  wireBytes: number;
}

interface Piece {
  start: number;
  end: number;
  data: Buffer;
}

interface Pending {
  family: 4 | 6;
  id: number;
  firstTs: number;
  pieces: Piece[];
  total: number; // -1 until the last fragment arrives
  bytes: number;
  packets: number[];
  wireBytes: number;
  firstFrame: Buffer | null;
  first: DecodedFrame | null;
}

export class Reassembler {
  private readonly pending = new Map<string, Pending>();
  private heldBytes = 0;

  constructor(
    private readonly onIssue: (issue: ReassemblyIssue) => void,
    private readonly limits: ReassemblyLimits = DEFAULT_LIMITS,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment (`f.isFragment`). Returns the datagram when this fragment completes it.
   * `caplenShort` marks a fragment whose frame was cut by the snaplen (datagram unrecoverable).
   */
  add(f: DecodedFrame, data: Buffer, packetNumber: number, ts: number, caplenShort: boolean): ReassembledDatagram | null {
    this.expire(ts);
    const family = f.ipVersion as 4 | 6;
    const key = fragmentKey(f, data);
    let p = this.pending.get(key);
    if (!p) {
      p = { family, id: f.fragId, firstTs: ts, pieces: [], total: -1, bytes: 0, packets: [], wireBytes: 0, firstFrame: null, first: null };
      this.pending.set(key, p);
      this.enforceLimits(key);
    }
    p.packets.push(packetNumber);
    p.wireBytes += data.length;
    // Start of the fragmentable part: after the IPv4 header, or after the IPv6 Fragment header.
    const payloadStart = family === 4 ? f.ipOffset + f.ipHeaderLen : f.fragHeaderOffset + 8;
    const start = f.fragOffset;
    const length = f.ipEnd - payloadStart;
    const end = start + length;
    const drop = (problem: ReassemblyProblem, why: string): null => {
      this.discard(key, p!);
      this.report(problem, p!, why);
      return null;
    };
    if (caplenShort || data.length < f.ipEnd) {
      return drop('truncated', `fragment in packet ${packetNumber} was not captured whole (snaplen); the datagram cannot be rebuilt`);
    }
    if (length < 0) return drop('bad-length', `fragment in packet ${packetNumber} has a negative payload length`);
    if (f.moreFragments && length % 8 !== 0) {
      return drop('bad-length', `fragment in packet ${packetNumber} (offset ${start}) carries ${length} bytes, not a multiple of 8, yet more fragments follow`);
    }
    const headerLen = family === 4 ? f.ipHeaderLen : 0;
    if (end + headerLen > 65535) {
      return drop('oversize', `fragment in packet ${packetNumber} ends at byte ${end + headerLen}, beyond the 65535-byte IP limit`);
    }
    if (!f.moreFragments) {
      if (p.total >= 0 && p.total !== end) {
        return drop('overlap', `two last fragments disagree on the datagram length (${p.total} and ${end} bytes)`);
      }
      p.total = end;
    }
    if (p.total >= 0 && end > p.total) {
      return drop('overlap', `fragment in packet ${packetNumber} (bytes ${start}-${end}) extends past the last fragment's end ${p.total}`);
    }
    // Copied so a held fragment does not pin the reader's whole chunk in memory.
    const bytes = Buffer.from(data.subarray(payloadStart, f.ipEnd));
    // Insert keeping pieces sorted; an exact duplicate is ignored, any other overlap discards all.
    let at = p.pieces.length;
    for (let k = 0; k < p.pieces.length; k++) {
      const q = p.pieces[k]!;
      if (q.start === start && q.end === end && q.data.equals(bytes)) return null;
      if (start < q.end && q.start < end) {
        return drop('overlap', `fragment in packet ${packetNumber} (bytes ${start}-${end}) overlaps bytes ${q.start}-${q.end} of an earlier fragment`);
      }
      if (q.start > start) {
        at = k;
        break;
      }
    }
    p.pieces.splice(at, 0, { start, end, data: bytes });
    p.bytes += bytes.length;
    this.heldBytes += bytes.length;
    if (start === 0) {
      p.firstFrame = Buffer.from(data);
      p.first = f;
    }
    this.enforceLimits(key);
    if (!this.pending.has(key)) return null;
    if (p.total < 0 || !p.first || !p.firstFrame) return null;
    let covered = 0;
    for (const q of p.pieces) {
      if (q.start !== covered) return null;
      covered = q.end;
    }
    if (covered !== p.total) return null;
    this.pending.delete(key);
    this.heldBytes -= p.bytes;
    // For IPv6 the first fragment may carry extension headers after the Fragment header; the
    // L4 header starts at first.l4Offset, which is inside the first piece.
    const skip = p.family === 6 && p.first.l4Offset >= 0 ? p.first.l4Offset - (p.first.fragHeaderOffset + 8) : 0;
    const whole = Buffer.concat(p.pieces.map((q) => q.data), p.total);
    return {
      family: p.family,
      firstFrame: p.firstFrame,
      first: p.first,
      payload: skip > 0 ? whole.subarray(skip) : whole,
      packets: p.packets,
      wireBytes: p.wireBytes,
    };
  }

  /** Reports and drops everything still incomplete (end of capture). */
  flush(): void {
    for (const [key, p] of this.pending) {
      this.discard(key, p);
      this.report('incomplete', p, `capture ended with the datagram incomplete (${describeGaps(p)})`);
    }
  }

  /** Gives up datagrams older than the timeout at capture time `now` (call for every packet). */
  expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.firstTs <= this.limits.timeoutSec) break;
      this.discard(key, p);
      this.report('incomplete', p, `not completed within ${this.limits.timeoutSec} s of capture time (${describeGaps(p)})`);
    }
  }

  private enforceLimits(keep: string): void {
    for (const [key, p] of this.pending) {
      if (this.pending.size <= this.limits.maxDatagrams && this.heldBytes <= this.limits.maxBytes) return;
      if (key === keep) continue;
      this.discard(key, p);
      this.report(
        'evicted',
        p,
        `dropped to stay within ${this.limits.maxDatagrams} datagrams / ${this.limits.maxBytes} bytes in reassembly (fragment flood?) (${describeGaps(p)})`,
      );
    }
  }

  private discard(key: string, p: Pending): void {
    if (this.pending.delete(key)) this.heldBytes -= p.bytes;
  }

  private report(problem: ReassemblyProblem, p: Pending, message: string): void {
    this.onIssue({ problem, family: p.family, id: p.id, packets: p.packets.slice(), message: `IPv${p.family} datagram id ${p.id}: ${message}` });
  }
}

function describeGaps(p: Pending): string {
  const gaps: string[] = [];
  let covered = 0;
  for (const q of p.pieces) {
    if (q.start > covered) gaps.push(`${covered}-${q.start}`);
    covered = Math.max(covered, q.end);
  }
  if (p.total < 0) gaps.push(`${covered}-? (last fragment missing)`);
  else if (covered < p.total) gaps.push(`${covered}-${p.total}`);
  return `${p.packets.length} fragment(s) held, missing bytes ${gaps.join(', ')}`;
}

function fragmentKey(f: DecodedFrame, data: Buffer): string {
  const alen = f.ipVersion === 4 ? 4 : 16;
  const src = data.toString('latin1', f.srcOffset, f.srcOffset + alen);
  const dst = data.toString('latin1', f.dstOffset, f.dstOffset + alen);
  // IPv4 keys include the protocol; IPv6 keys are (src, dst, id) per RFC 8200.
  return `${f.ipVersion}${src}${dst}${f.ipVersion === 4 ? f.protocol : ''}/${f.fragId}`;
}
