// Delta debugging of a failing sequence: first fewer datagrams (ddmin), then fewer bytes in each
// (shortest failing prefix, then chunk removal), within a budget of test runs.
import type { FuzzDatagram } from './types.ts';

export type StillFails = (seq: FuzzDatagram[]) => Promise<boolean>;

export interface MinimizeStats {
  tests: number;
  budget: number;
}

class Budget {
  tests = 0;
  constructor(readonly max: number) {}
  get exhausted(): boolean {
    return this.tests >= this.max;
  }
  async check(fails: StillFails, seq: FuzzDatagram[]): Promise<boolean> {
    if (this.exhausted) return false;
    this.tests++;
    return fails(seq);
  }
}

async function ddminDatagrams(seq: FuzzDatagram[], fails: StillFails, budget: Budget): Promise<FuzzDatagram[]> {
  let cur = seq;
  let n = 2;
  while (cur.length >= 2 && !budget.exhausted) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let start = 0; start < cur.length; start += chunk) {
      const complement = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      if (complement.length > 0 && (await budget.check(fails, complement))) {
        cur = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(n * 2, cur.length);
    }
  }
  return cur;
}

async function shrinkBytes(seq: FuzzDatagram[], i: number, fails: StillFails, budget: Budget): Promise<FuzzDatagram[]> {
  const withPayload = (p: Buffer): FuzzDatagram[] => seq.map((d, k) => (k === i ? { ...d, payload: p } : d));
  let bytes = seq[i]!.payload;
  // Shortest failing prefix (binary search; verified, since failing need not be monotonic).
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi && !budget.exhausted) {
    const mid = (lo + hi) >> 1;
    if (await budget.check(fails, withPayload(bytes.subarray(0, mid)))) hi = mid;
    else lo = mid + 1;
  }
  if (hi < bytes.length && (await budget.check(fails, withPayload(bytes.subarray(0, hi))))) bytes = bytes.subarray(0, hi);
  // Remove chunks, halving their size.
  for (let size = bytes.length >> 1; size >= 1 && !budget.exhausted; size >>= 1) {
    let at = 0;
    while (at + size <= bytes.length && !budget.exhausted) {
      const candidate = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + size)]);
      if (await budget.check(fails, withPayload(candidate))) bytes = candidate;
      else at += size;
    }
  }
  return withPayload(Buffer.from(bytes));
}

/** The smallest sequence found that still fails (never larger than the input). */
export async function minimizeSequence(seq: FuzzDatagram[], fails: StillFails, maxTests: number): Promise<{ sequence: FuzzDatagram[]; stats: MinimizeStats }> {
  const budget = new Budget(maxTests);
  let cur = await ddminDatagrams(seq, fails, budget);
  for (let i = 0; i < cur.length && !budget.exhausted; i++) cur = await shrinkBytes(cur, i, fails, budget);
  return { sequence: cur, stats: { tests: budget.tests, budget: maxTests } };
}
