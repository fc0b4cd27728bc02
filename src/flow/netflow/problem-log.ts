// Logging of decoding problems with a budget: each kind may log a burst of lines per window, then
// further ones are only counted until the window ends, when one line says how many were not shown.
// A flood of garbage or spoofed templates then costs a few lines, not hundreds of megabytes of stderr.
import type { FlowProblemKind } from './problems.ts';

export const PROBLEM_WINDOW_MS = 10_000;
export const PROBLEM_BURST = 20;

interface KindWindow {
  start: number;
  logged: number;
  suppressed: number;
}

export class ProblemLogLimiter {
  private readonly windows = new Map<FlowProblemKind, KindWindow>();

  constructor(
    private readonly emit: (level: 'warn', message: string) => void,
    private readonly windowMs = PROBLEM_WINDOW_MS,
    private readonly burst = PROBLEM_BURST,
  ) {}

  /** True when this problem's own line may be logged now. */
  allow(kind: FlowProblemKind, now: number): boolean {
    let w = this.windows.get(kind);
    if (!w || now - w.start >= this.windowMs) {
      if (w && w.suppressed > 0) this.report(kind, w);
      w = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(kind, w);
    }
    if (w.logged < this.burst) {
      w.logged++;
      return true;
    }
    w.suppressed++;
    return false;
  }

  /** Says how many lines were held back in windows still open (at shutdown). */
  flush(): void {
    for (const [kind, w] of this.windows) if (w.suppressed > 0) this.report(kind, w);
    this.windows.clear();
  }

  private report(kind: FlowProblemKind, w: KindWindow): void {
    this.emit('warn', `${w.suppressed} more '${kind}' problems in ${Math.round(this.windowMs / 1000)} s were not logged (all are counted in problem_${kind})`);
    w.suppressed = 0;
  }
}
