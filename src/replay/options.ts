// Pacing options shared by `flowstash replay` (flags) and the pcap input (plugin options).
import { validatePacing, type PacingOptions } from './pacer.ts';

function numberOption(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Pacing from plugin-style options (`multiplier`, `pps`, `mbps`, `topspeed`, `loop`, `limit`,
 * `duration`). Without any speed option the result is topspeed (the pcap input's default).
 * Throws an Error naming the option on a bad value or combination.
 */
export function pacingFromOptions(o: Record<string, unknown>, prefix = ''): PacingOptions {
  const name = (k: string): string => `${prefix}${k}`;
  const p: PacingOptions = {
    multiplier: numberOption(name('multiplier'), o['multiplier']),
    pps: numberOption(name('pps'), o['pps']),
    mbps: numberOption(name('mbps'), o['mbps']),
    topspeed: o['topspeed'] === true || o['topspeed'] === 'true',
    loop: numberOption(name('loop'), o['loop']),
    limit: numberOption(name('limit'), o['limit']),
    duration: numberOption(name('duration'), o['duration']),
  };
  // A multiplier of 1 is capture timing, the neutral value: it yields to an explicit rate mode.
  if (p.topspeed || ((p.pps !== undefined || p.mbps !== undefined) && p.multiplier === 1)) p.multiplier = undefined;
  if (p.multiplier === undefined && p.pps === undefined && p.mbps === undefined) p.topspeed = true;
  const err = validatePacing(p);
  if (err) throw new Error(prefix + err.replace(/--/g, ''));
  return p;
}
