import { describe, expect, it } from 'vitest';
import { PipelineLogger, parseLogLevel } from '../../src/pipeline/log.ts';
import { BoundedQueue } from '../../src/pipeline/queue.ts';
import { Event } from '../../src/event/event.ts';

describe('logger', () => {
  it('prints Logstash’s layout and honours the level', () => {
    const lines: string[] = [];
    const clock = (): Date => new Date(2026, 10, 25, 12, 0, 0, 7);
    const log = new PipelineLogger('runner', 'info', { write: (l) => void lines.push(l) }, clock);
    log.debug('hidden');
    log.info('Pipeline started', { 'pipeline.id': 'main', workers: 1 });
    log.child('inputs.stdin').warn('careful');
    expect(lines).toEqual([
      '[2026-11-25T12:00:00,007][INFO ][flowstash.runner         ] Pipeline started {"pipeline.id"=>"main", :workers=>1}\n',
      '[2026-11-25T12:00:00,007][WARN ][flowstash.inputs.stdin   ] careful\n',
    ]);
    expect(() => parseLogLevel('loud')).toThrow(/Invalid log level 'loud'/);
  });
});

describe('bounded queue', () => {
  it('pushes wait while full and resume as workers take', async () => {
    const q = new BoundedQueue(4);
    const ev = (): Event[] => [new Event({}), new Event({})];
    expect(q.push(ev())).toBeUndefined();
    const wait = q.push(ev());
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void (wait as Promise<void>).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(false);
    expect(await q.take(3, 0)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toBe(true);
    q.close();
    expect(await q.take(3, 100)).toHaveLength(1);
    expect(await q.take(3, 100)).toEqual([]);
  });
});
