// Sequence numbers per exporter and domain: v5 and IPFIX count records (flows), v9 counts packets.
// A forward jump is a loss; a backward jump (restart, reordering) just resynchronises.

export interface SequenceGap {
  expected: number;
  got: number;
  lost: number;
}

interface State {
  next: number | undefined;
}

const HALF = 2 ** 31;
/** Bound on tracked sessions (a flood of spoofed exporters must not grow memory without limit). */
const MAX_SESSIONS = 65536;

export class SequenceTracker {
  /** exporter → (version, domain, port) slot → state. */
  private readonly states = new Map<string, Map<number, State>>();
  gaps = 0;
  lost = 0;
  resyncs = 0;

  /**
   * Records a message with sequence `seq` that carried `count` units (undefined: unknown, e.g. data
   * sets that could not be decoded, so the next message only resynchronises). Returns the gap, if any.
   */
  observe(exporter: string, version: number, domain: number, port: number, seq: number, count: number | undefined): SequenceGap | undefined {
    let m = this.states.get(exporter);
    if (!m) {
      if (this.states.size >= MAX_SESSIONS) this.states.clear();
      this.states.set(exporter, (m = new Map()));
    }
    const slot = ((domain * 65536 + port) * 16) + version;
    let st = m.get(slot);
    if (!st) {
      st = { next: undefined };
      m.set(slot, st);
    }
    let gap: SequenceGap | undefined;
    if (st.next !== undefined && seq !== st.next) {
      const diff = (seq - st.next + 2 ** 32) % 2 ** 32;
      if (diff < HALF) {
        gap = { expected: st.next, got: seq, lost: diff };
        this.gaps++;
        this.lost += diff;
      } else {
        this.resyncs++;
      }
    }
    st.next = count === undefined ? undefined : (seq + count) % 2 ** 32;
    return gap;
  }
}
