// Finding signatures: the same bug found through different bytes groups under one signature.
import type { FindingClass } from './types.ts';

/** Numbers, hex and quoted values vary with the input; the shape of the message does not. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/0x[0-9a-fA-F]+/g, 'H')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 200);
}

/** First stack frame inside the project (src/…:line), else the first frame. */
export function topFrame(stack: string | undefined): string {
  if (!stack) return '';
  const frames = stack.split('\n').filter((l) => l.trim().startsWith('at '));
  const mine = frames.find((l) => /\/(src|test)\//.test(l) && !/\/src\/fuzz\//.test(l)) ?? frames[0] ?? '';
  const m = /((?:src|test)\/[^\s():]+:\d+)/.exec(mine) ?? /([^\s()/]+:\d+):\d+\)?\s*$/.exec(mine);
  return m ? m[1]! : mine.trim();
}

/**
 * `problemKind`: the kind of the problem the codec counted while logging the error (its `problem_<kind>`
 * stat rose), so one kind of decoder fault groups under one signature whatever its wording.
 */
export function signatureOf(cls: FindingClass, codec: string, message: string, stack?: string, problemKind?: string): string {
  const kind = problemKind ? `problem ${problemKind}` : '';
  return [cls, codec, kind, normalizeMessage(message), topFrame(stack)].filter(Boolean).join(' | ');
}

const PROBLEM_STAT = 'problem_';

/** The problem kind whose `problem_<kind>` counter rose since `seen` (which is brought up to date). */
export function risenProblemKind(stats: Record<string, number> | undefined, seen: Map<string, number>): string | undefined {
  let risen: string | undefined;
  for (const [key, n] of Object.entries(stats ?? {})) {
    if (!key.startsWith(PROBLEM_STAT)) continue;
    if (n > (seen.get(key) ?? 0)) risen = key.slice(PROBLEM_STAT.length);
    seen.set(key, n);
  }
  return risen;
}
