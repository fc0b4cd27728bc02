// The main side of `--threads` (pipeline/threads/filter-threads.ts) when a thread dies holding
// events: every event sent to it and not through its outputs is reported lost (the pipeline counts
// them failed), the death is reported once with the count, and the other threads finish normally.
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { FilterThreads } from '../../src/pipeline/threads/filter-threads.ts';

const ORIGIN = {
  // A batch with [slow] keeps its thread busy far longer than the test runs.
  parts: [{ file: 'slow.conf', text: 'filter { ruby { code => "sleep 60 if event.get(\'slow\')" } } output { null {} }' }],
  env: {},
  supportEscapes: false,
};

const batch = (n: number, slow: boolean): Event[] => Array.from({ length: n }, (_, i) => new Event({ i, slow }));

describe('filter threads: a thread that dies', () => {
  it('accounts for the events it held as lost, says so once, and the other thread finishes', async () => {
    const errors: string[] = [];
    const pool = await FilterThreads.start(2, { origin: ORIGIN, batchSize: 10, batchDelayMs: 0, logLevel: 'error' }, (m) => errors.push(m));
    const unsendable: Event[] = [];
    // Ties go to the first thread: the slow batch to thread 1, the next to thread 2 (it holds fewer).
    await pool.send(batch(10, true), (e) => unsendable.push(e));
    await pool.send(batch(7, false), (e) => unsendable.push(e));
    expect(pool.inFlight).toBe(17);
    const threads = (pool as unknown as { threads: { worker: Worker }[] }).threads;
    await threads[0]!.worker.terminate();
    const result = await pool.finish();
    expect(unsendable).toEqual([]);
    expect(result.lost).toBe(10);
    expect(result.totals).toMatchObject({ out: 7, failed: 0 });
    expect(result.plugins.find((p) => p.kind === 'output')).toMatchObject({ name: 'null', in: 7, out: 7 });
    expect(errors).toEqual(['filter thread 1 exited (code 1) with 10 events not accounted for']);
  }, 60_000);
});
