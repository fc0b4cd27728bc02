// The memory queue between inputs and workers: order, batches, back-pressure, and that it lets go of
// the events it handed out (events it kept reachable survived young-generation GCs and were promoted:
// the old generation filled with dead events and major GCs took a third of ElastiFlow's CPU time).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { BoundedQueue } from '../../src/pipeline/queue.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const events = (n: number, from = 0): Event[] => Array.from({ length: n }, (_, i) => new Event({ n: from + i }));
const numbers = (batch: Event[]): unknown[] => batch.map((e) => e.get('n'));

/** After the current job, so that WeakRefs made in it can be cleared. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue', () => {
  it('hands out events in order, in batches of at most max', async () => {
    const q = new BoundedQueue(10);
    void q.push(events(7));
    expect(numbers(await q.take(3, 0))).toEqual([0, 1, 2]);
    expect(numbers(await q.take(10, 0))).toEqual([3, 4, 5, 6]);
    q.close();
    expect(await q.take(3, 0)).toEqual([]);
  });

  it('makes a push wait while it is full, and releases it once a take makes room', async () => {
    const q = new BoundedQueue(4);
    expect(q.push(events(2))).toBeUndefined();
    const full = q.push(events(2, 2));
    expect(full).toBeInstanceOf(Promise);
    let released = false;
    void full!.then(() => (released = true));
    await nextTurn();
    expect(released).toBe(false);
    expect(numbers(await q.take(3, 0))).toEqual([0, 1, 2]);
    await nextTurn();
    expect(released).toBe(true);
    expect(q.size).toBe(1);
  });

  it('keeps no reference to events it handed out, whether it was drained or not', async () => {
    const q = new BoundedQueue(1000);
    void q.push(events(300));
    let drained = await q.take(100, 0); // part of what is queued
    const partly = new WeakRef(drained[50]!);
    drained = await q.take(200, 0); // the rest: the queue is empty
    const fully = new WeakRef(drained[150]!);
    drained = [];
    await nextTurn();
    gc();
    expect(partly.deref()).toBeUndefined();
    expect(fully.deref()).toBeUndefined();
  });

  it('keeps the events still queued after a partial take', async () => {
    const q = new BoundedQueue(10_000);
    for (let i = 0; i < 60; i++) void q.push(events(100, i * 100));
    const seen: unknown[] = [];
    while (q.size > 0) seen.push(...numbers(await q.take(125, 0)));
    expect(seen).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });
});
