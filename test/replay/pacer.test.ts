import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hrClock, Pacer, Schedule, validatePacing, type Clock, type PacingOptions } from '../../src/replay/pacer.ts';

/** A clock that only moves when waited on (plus a fixed cost per send, to model a slow sender). */
class FakeClock implements Clock {
  t = 1_000_000;
  waits: number[] = [];
  now(): number {
    return this.t;
  }
  async waitUntil(target: number): Promise<void> {
    this.waits.push(target);
    if (target > this.t) this.t = target;
  }
}

interface Pkt {
  sec: number;
  nsec: number;
  bytes: number;
}

/** Runs the pacer over `pkts` for all passes; returns the clock time of each send (relative to start). */
async function sendTimes(opts: PacingOptions, pkts: Pkt[], sendCostNs = 0): Promise<number[]> {
  const clock = new FakeClock();
  const pacer = new Pacer(opts, clock);
  const start = pacer.start();
  const times: number[] = [];
  let passes = 0;
  outer: while (pacer.morePasses(passes)) {
    pacer.startPass();
    for (const p of pkts) {
      if ((await pacer.pace(p.sec, p.nsec, p.bytes)) === 'stop') break outer;
      times.push(clock.t - start);
      clock.t += sendCostNs;
      pacer.sent(p.bytes);
    }
    passes++;
  }
  return times;
}

const pkt = (ms: number, bytes = 100): Pkt => ({ sec: 1_700_000_000 + Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6, bytes });

describe('Schedule/Pacer: capture timing', () => {
  it('follows capture offsets on an absolute schedule', async () => {
    expect(await sendTimes({}, [pkt(0), pkt(10), pkt(25), pkt(1500)])).toEqual([0, 10e6, 25e6, 1500e6]);
  });

  it('scales by the multiplier', async () => {
    expect(await sendTimes({ multiplier: 2 }, [pkt(0), pkt(10), pkt(30)])).toEqual([0, 5e6, 15e6]);
    expect(await sendTimes({ multiplier: 0.5 }, [pkt(0), pkt(10)])).toEqual([0, 20e6]);
  });

  it('does not accumulate drift when each send is slow', async () => {
    // 3 ms per send, 10 ms apart: every packet still leaves exactly on its slot.
    expect(await sendTimes({}, [pkt(0), pkt(10), pkt(20), pkt(30)], 3e6)).toEqual([0, 10e6, 20e6, 30e6]);
  });

  it('excludeSetup moves the rest of the schedule later (socket opening is not paid by later packets)', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({}, clock);
    const start = pacer.start();
    const times: number[] = [];
    for (const [i, p] of [pkt(0), pkt(10), pkt(20)].entries()) {
      expect(await pacer.pace(p.sec, p.nsec, p.bytes)).toBe('send');
      times.push(clock.t - start);
      if (i === 0) {
        // Opening the first exporter's socket took 4 ms.
        clock.t += 4e6;
        pacer.excludeSetup(4e6);
      }
      pacer.sent(p.bytes);
    }
    expect(times).toEqual([0, 14e6, 24e6]);
  });

  it('sends late packets at once and catches up with the schedule', async () => {
    // 15 ms per send, 10 ms apart: late packets go immediately; later slots still hold.
    expect(await sendTimes({}, [pkt(0), pkt(10), pkt(20), pkt(100)], 15e6)).toEqual([0, 15e6, 30e6, 100e6]);
  });

  it('sends equal and backwards timestamps at once', async () => {
    expect(await sendTimes({}, [pkt(0), pkt(50), pkt(50), pkt(20), pkt(60)])).toEqual([0, 50e6, 50e6, 50e6, 60e6]);
  });

  it('re-anchors each loop pass at its first packet', async () => {
    const t = await sendTimes({ loop: 2 }, [pkt(0), pkt(10)], 1e6);
    // Second pass starts right after the last send of the first (10 ms + 1 ms send cost).
    expect(t).toEqual([0, 10e6, 11e6, 21e6]);
  });

  it('schedule property: send time = max(previous send end, anchor + offset / multiplier)', () => {
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(0.5, 1, 2, 10),
        fc.integer({ min: 0, max: 3_000_000 }),
        async (offsetsMs, multiplier, cost) => {
          const pkts = offsetsMs.map((ms) => pkt(ms));
          const times = await sendTimes({ multiplier }, pkts, cost);
          let prevEnd = 0;
          for (let i = 0; i < pkts.length; i++) {
            const target = ((offsetsMs[i]! - offsetsMs[0]!) * 1e6) / multiplier;
            const expected = i === 0 ? 0 : Math.max(prevEnd, target);
            expect(times[i]).toBeCloseTo(expected, 3);
            prevEnd = times[i]! + cost;
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('Schedule/Pacer: fixed rates and limits', () => {
  it('--pps spaces packets start + n/R regardless of capture time', async () => {
    expect(await sendTimes({ pps: 100 }, [pkt(0), pkt(0), pkt(500), pkt(1)])).toEqual([0, 10e6, 20e6, 30e6]);
  });

  it('--mbps schedules (bytes sent + this packet) * 8 / bps from start', async () => {
    // 1 Mbps: 125 bytes = 1 ms.
    expect(await sendTimes({ mbps: 1 }, [pkt(0, 125), pkt(0, 250), pkt(0, 125)])).toEqual([1e6, 3e6, 4e6]);
  });

  it('--topspeed and --mbps 0 never wait', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ topspeed: true }, clock);
    pacer.start();
    for (const p of [pkt(0), pkt(1000), pkt(99999)]) {
      expect(await pacer.pace(p.sec, p.nsec, p.bytes)).toBe('send');
      pacer.sent(p.bytes);
    }
    expect(clock.waits).toEqual([]);
    expect(new Schedule({ mbps: 0 }).mode).toBe('topspeed');
  });

  it('--limit counts packets across passes', async () => {
    expect((await sendTimes({ limit: 5, loop: 3, topspeed: true }, [pkt(0), pkt(1), pkt(2)])).length).toBe(5);
  });

  it('--loop 0 runs until --limit', async () => {
    expect((await sendTimes({ loop: 0, limit: 7, topspeed: true }, [pkt(0), pkt(1)])).length).toBe(7);
  });

  it('--duration stops before a packet due after it, without sleeping past the deadline', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ duration: 1 }, clock);
    const start = pacer.start();
    expect(await pacer.pace(pkt(0).sec, pkt(0).nsec, 1)).toBe('send');
    pacer.sent(1);
    expect(await pacer.pace(pkt(500).sec, pkt(500).nsec, 1)).toBe('send');
    pacer.sent(1);
    expect(await pacer.pace(pkt(5000).sec, pkt(5000).nsec, 1)).toBe('stop');
    expect(clock.t - start).toBe(1e9);
  });

  it('rejects contradictory or invalid flags with a message naming them', () => {
    expect(validatePacing({ pps: 10, topspeed: true })).toBe('--pps and --topspeed are mutually exclusive: pick one speed mode');
    expect(validatePacing({ multiplier: 0 })).toMatch(/--multiplier must be a positive number, got 0/);
    expect(validatePacing({ loop: -1 })).toMatch(/--loop/);
    expect(validatePacing({ limit: 0 })).toMatch(/--limit/);
    expect(validatePacing({ mbps: 0 })).toBeUndefined();
    expect(validatePacing({ pps: 0.5, loop: 0, duration: 3 })).toBeUndefined();
  });
});

describe('hrClock.waitUntil', () => {
  it('never returns before its target, whichever way it waits (spin, blocking sleeps, timer)', async () => {
    const clock = hrClock();
    // 0 and past targets, the spin-only stretch (< 30 µs), blocking slices (< 3 ms), timer + slices.
    for (const aheadNs of [-1_000_000, 0, 10_000, 29_000, 80_000, 400_000, 1_500_000, 3_500_000, 6_000_000]) {
      const target = clock.now() + aheadNs;
      await clock.waitUntil(target);
      expect(clock.now()).toBeGreaterThanOrEqual(target);
    }
  });
});
