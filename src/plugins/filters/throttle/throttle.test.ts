// Expected values from logstash-filter-throttle: the examples in lib/logstash/filters/throttle.rb's
// documentation (period 600 / before 3 / after 5, and "1 event per hour") and
// spec/filters/throttle_spec.rb ("no before_count", "before_count throttled", "before_count
// exceeded", "after_count exceeded", "different keys", "composite key"); the memory-control
// figures from throttle.rb's flush (5% steps of the configured max_age, floor 5%, regrow below 80%).
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { ThrottleFilter } from './throttle.ts';
import { throttleSchema, type ThrottleFilterOptions } from './schema.ts';

function throttle(options: Record<string, unknown>, log = recorder()): ThrottleFilter {
  return new ThrottleFilter(withDefaults<ThrottleFilterOptions>(throttleSchema, { add_tag: ['throttled'], ...options }), context('v8', log));
}

/** Runs events (fields + epoch second) through the filter and returns each one's tags. */
function tagsOf(f: ThrottleFilter, events: { fields?: Record<string, string>; at?: number }[]): (string[] | undefined)[] {
  return events.map(({ fields = { host: 'server1' }, at = 1_000_000 }) => {
    const e = new Event({ ...fields, '@timestamp': new Timestamp(at) });
    const out = f.filter(e);
    expect(out).toEqual([e]);
    return e.get('tags') as string[] | undefined;
  });
}

const T = 'throttled';

describe('throttle filter', () => {
  it('spec "no before_count": one event under after_count is not throttled', () => {
    expect(tagsOf(throttle({ period: '60', after_count: 2, key: '%{host}' }), [{}])).toEqual([undefined]);
  });
  it('spec "before_count throttled" / "before_count exceeded" / "after_count exceeded"', () => {
    const f = throttle({ period: '60', before_count: 2, after_count: 3, key: '%{host}' });
    expect(tagsOf(f, [{}, {}, {}, {}])).toEqual([[T], undefined, undefined, [T]]);
  });
  it('spec "different keys" and "composite key": each key counts alone', () => {
    const hosts = ['server1', 'server2', 'server3', 'server4'].map((host) => ({ fields: { host } }));
    expect(tagsOf(throttle({ period: '60', after_count: 2, key: '%{host}' }), hosts)).toEqual([undefined, undefined, undefined, undefined]);
    const pairs = [['server1', 'foo'], ['server1', 'bar'], ['server2', 'foo'], ['server2', 'bar']].map(([host, message]) => ({ fields: { host: host!, message: message! } }));
    expect(tagsOf(throttle({ period: '60', after_count: 1, key: '%{host}%{message}' }), pairs)).toEqual([undefined, undefined, undefined, undefined]);
  });
  it('documented example: period 600, before 3, after 5 — 1-2 and 6+ throttled, then the next period starts over', () => {
    const f = throttle({ period: '600', max_age: 1200, before_count: 3, after_count: 5, key: '%{host}' });
    const first = Array.from({ length: 8 }, (_, i) => ({ at: 1000 + i * 10 }));
    const second = Array.from({ length: 6 }, (_, i) => ({ at: 1600 + i }));
    expect(tagsOf(f, [...first, ...second])).toEqual([[T], [T], undefined, undefined, undefined, [T], [T], [T], [T], [T], undefined, undefined, undefined, [T]]);
  });
  it('documented example: one event per hour (before -1, after 1)', () => {
    const f = throttle({ period: '3600', max_age: 7200, after_count: 1, key: '%{host}' });
    expect(tagsOf(f, [{ at: 0 }, { at: 10 }, { at: 3599 }, { at: 3600 }, { at: 3700 }])).toEqual([undefined, [T], [T], undefined, [T]]);
  });
  it('timeslots are aligned on the key\'s first event, by event time (not arrival time)', () => {
    const f = throttle({ period: '60', after_count: 1, key: '%{host}' });
    // first event at 30: slots [30,90), [90,150) …; an earlier event (10) lands in slot -30.
    expect(tagsOf(f, [{ at: 30 }, { at: 89 }, { at: 90 }, { at: 10 }, { at: 149 }])).toEqual([undefined, [T], undefined, undefined, [T]]);
  });
  it('period is interpolated per event; unparsable or 0 falls back to 60', () => {
    const f = throttle({ period: '%{p}', after_count: 1, key: '%{host}' });
    const run = (p: string, at: number) => ({ fields: { host: 'h', p }, at });
    expect(tagsOf(f, [run('10', 0), run('10', 9), run('10', 10)])).toEqual([undefined, [T], undefined]);
    const g = throttle({ period: '%{p}', after_count: 1, key: '%{host}' });
    expect(tagsOf(g, [run('x', 0), run('x', 59), run('0', 60)])).toEqual([undefined, [T], undefined]);
  });
  it('filter_matched applies the other common options only to throttled events', () => {
    const f = throttle({ period: '60', after_count: 1, key: 'k', add_field: { throttled_by: '%{host}' }, remove_field: ['host'] });
    const a = new Event({ host: 'h1' });
    const b = new Event({ host: 'h2' });
    f.filter(a);
    f.filter(b);
    expect(a.get('host')).toBe('h1');
    expect(a.get('throttled_by')).toBeUndefined();
    expect(b.get('throttled_by')).toBe('h2');
    expect(b.includes('host')).toBe(false);
  });
  it('timeslots older than max_age behind the newest are forgotten (a late event then starts a fresh count)', () => {
    const f = throttle({ period: '10', max_age: 20, after_count: 1, key: 'k' });
    expect(tagsOf(f, [{ at: 0 }, { at: 100 }, { at: 1 }])).toEqual([undefined, undefined, undefined]);
    const g = throttle({ period: '10', max_age: 200, after_count: 1, key: 'k' });
    expect(tagsOf(g, [{ at: 0 }, { at: 100 }, { at: 1 }])).toEqual([undefined, undefined, [T]]);
  });
  it('flush forgets keys idle longer than max_age behind the newest key, and periodic flush is on by default', () => {
    const f = throttle({ period: '10', max_age: 20, after_count: 1, key: '%{host}' });
    expect(f.periodicFlush).toBe(true);
    tagsOf(f, [{ fields: { host: 'old' }, at: 0 }, { fields: { host: 'new' }, at: 100 }]);
    expect(f.flush()).toEqual([]);
    expect(f.stats().keys).toBe(1);
    expect(tagsOf(f, [{ fields: { host: 'old' }, at: 5 }])).toEqual([undefined]);
    expect(throttle({ key: 'k', periodic_flush: false }).periodicFlush).toBe(false);
  });
  it('memory control: past max_counters max_age shrinks by 5% of its configured value per flush (floor 5%), then grows back', () => {
    const log = recorder();
    const f = throttle({ period: '1', max_age: 100, max_counters: 2, key: '%{host}' }, log);
    tagsOf(f, ['a', 'b', 'c'].map((host) => ({ fields: { host }, at: 0 })));
    f.flush();
    expect(f.currentMaxAge).toBe(95);
    for (let i = 0; i < 30; i++) f.flush();
    expect(f.currentMaxAge).toBe(5);
    expect(log.lines.filter((l) => l.level === 'warn')[0]).toEqual({ level: 'warn', msg: 'Decreased timeslot max_age to 95 because max_counters exceeded by 1. Use a better key to prevent too many unique event counters.' });
    // the newest key moves on: keys idle longer than max_age go, the total falls below 80% of the limit
    tagsOf(f, [{ fields: { host: 'a' }, at: 1000 }]);
    f.flush();
    expect(f.currentMaxAge).toBe(10);
    expect(log.lines.at(-1)!.msg).toBe('Increased timeslot max_age to 10 because max_counters no longer exceeded.');
  });
  it('memory control uses Ruby integer arithmetic for an integer max_age (5% of 10 is 0: no change)', () => {
    const f = throttle({ period: '1', max_age: 10, max_counters: 1, key: '%{host}' });
    tagsOf(f, ['a', 'b'].map((host) => ({ fields: { host }, at: 0 })));
    f.flush();
    expect(f.currentMaxAge).toBe(10);
  });
  it('max_counters -1 disables the memory control', () => {
    const log = recorder();
    const f = throttle({ period: '1', max_age: 100, max_counters: -1, key: '%{host}' }, log);
    tagsOf(f, ['a', 'b', 'c'].map((host) => ({ fields: { host }, at: 0 })));
    f.flush();
    expect(f.currentMaxAge).toBe(100);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('throttle filter in a pipeline', () => {
  it('the documented drop pattern: only the 3rd-5th events of a key in a period get through', async () => {
    const { loadPipelineConfig } = await import('../../../config/pipeline-config.ts');
    const { runPipelineHarness } = await import('../../../pipeline/harness.ts');
    const config = await loadPipelineConfig({
      configString: `filter {
        throttle { before_count => 3 after_count => 5 period => 3600 max_age => 7200 key => "%{host}%{message}" add_tag => "throttled" }
        if "throttled" in [tags] { drop { } }
      }`,
    });
    const lines = Array.from({ length: 7 }, (_, i) => JSON.stringify({ host: 'h', message: 'disk full', n: i + 1, '@timestamp': `2024-01-01T00:00:0${i}Z` }));
    lines.push(JSON.stringify({ host: 'other', message: 'disk full', n: 99, '@timestamp': '2024-01-01T00:00:09Z' }));
    const r = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines } });
    expect(r.events.map((e) => e.get('n'))).toEqual([3, 4, 5]);
  });
});
