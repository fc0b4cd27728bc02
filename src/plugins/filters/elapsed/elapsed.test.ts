// Expected values from logstash-filter-elapsed: spec/filters/elapsed_spec.rb (start/end
// interaction, new_event_on_match, #flush ages and expiry) with the field and tag names of 3.0+
// (CHANGELOG 3.0.0: `elapsed.` became `elapsed_`), and keep_start_event from the 4.1 docs
// (plugins-filters-elapsed: "first" keeps the first start event of an id, "last" the last one).
// Ages advance only by flush() (5 s each, as Logstash's flush does): the flush calls are the clock.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { ElapsedFilter } from './elapsed.ts';
import { elapsedSchema, type ElapsedFilterOptions } from './schema.ts';

const START = 'startTag';
const END = 'endTag';
const ID = 'uniqueIdField';

function elapsed(options: Record<string, unknown> = {}): ElapsedFilter {
  const o = withDefaults<ElapsedFilterOptions>(elapsedSchema, { start_tag: START, end_tag: END, unique_id_field: ID, ...options });
  return new ElapsedFilter(o, context('v8', recorder()));
}
const at = (s: number): Timestamp => new Timestamp(s);
const ev = (tags: string[], fields: Record<string, unknown> = {}): Event =>
  new Event({ message: 'Log message', tags, ...fields } as ConstructorParameters<typeof Event>[0]);

describe('elapsed filter', () => {
  it('events without the start/end tag, or without the id field, are not recorded', () => {
    const f = elapsed();
    for (const e of [ev([]), ev(['tag1', 'tag2'], { [ID]: 'x' }), ev(['tag1', START]), ev([END])]) expect(f.filter(e)).toEqual([e]);
    expect(f.pending().size).toBe(0);
  });
  it('a start event is recorded once per id: the first one by default', () => {
    const f = elapsed();
    const first = ev([START], { [ID]: 'id123', '@timestamp': at(100) });
    f.filter(first);
    f.flush();
    f.filter(ev([START], { [ID]: 'id123', '@timestamp': at(200) }));
    expect(f.pending()).toEqual(new Map([['s:id123', 5]]));
    const end = ev([END], { [ID]: 'id123', '@timestamp': at(250) });
    f.filter(end);
    expect(end.get('elapsed_time')).toEqual(new Float(150));
  });
  it('keep_start_event => last: a later start event replaces the recorded one', () => {
    const f = elapsed({ keep_start_event: 'last' });
    f.filter(ev([START], { [ID]: 'id123', '@timestamp': at(100) }));
    f.flush();
    f.filter(ev([START], { [ID]: 'id123', '@timestamp': at(200) }));
    expect(f.pending()).toEqual(new Map([['s:id123', 0]]));
    const end = ev([END], { [ID]: 'id123', '@timestamp': at(250) });
    f.filter(end);
    expect(end.get('elapsed_time')).toEqual(new Float(50));
  });
  it('an end event without a start is tagged elapsed_end_without_start (and filter_matched)', () => {
    const f = elapsed({ add_tag: ['seen'] });
    const end = ev([END], { [ID]: 'id_123' });
    f.filter(end);
    expect(end.get('tags')).toEqual([END, 'seen', 'elapsed_end_without_start']);
  });
  it('end events with no id or another id leave the start event recorded', () => {
    const f = elapsed();
    f.filter(ev([START], { [ID]: 'id_123' }));
    f.filter(ev([END]));
    f.filter(ev([END], { [ID]: 'id_123_different' }));
    expect([...f.pending().keys()]).toEqual(['s:id_123']);
  });
  it('new_event_on_match false: the end event gets the elapsed info; the start is forgotten', () => {
    const f = elapsed();
    const start = ev([START], { [ID]: 'id_123', '@timestamp': new Timestamp(1000, 250_000_000) });
    f.filter(start);
    const end = ev([END], { [ID]: 'id_123', '@timestamp': new Timestamp(1010, 250_000_000) });
    expect(f.filter(end)).toEqual([end]);
    expect(end.get('tags')).toEqual([END, 'elapsed', 'elapsed_match']);
    expect(end.get('elapsed_time')).toEqual(new Float(10));
    expect(end.get('elapsed_timestamp_start')).toEqual(start.get('@timestamp'));
    expect(end.get(ID)).toBe('id_123');
    expect(f.pending().size).toBe(0);
  });
  it('elapsed_time keeps sub-second precision', () => {
    const f = elapsed();
    f.filter(ev([START], { [ID]: 'a', '@timestamp': new Timestamp(10, 900_000_000) }));
    const end = ev([END], { [ID]: 'a', '@timestamp': new Timestamp(12, 150_000_000) });
    f.filter(end);
    expect((end.get('elapsed_time') as Float).value).toBeCloseTo(1.25, 9);
  });
  it('new_event_on_match true: a new match event follows the end event, with host and the common options', () => {
    const f = elapsed({ new_event_on_match: true, add_tag: ['m'] });
    const start = ev([START], { [ID]: 'id_123', '@timestamp': at(1000) });
    f.filter(start);
    const end = ev([END], { [ID]: 'id_123', '@timestamp': at(1010), message: 'end of message' });
    const out = f.filter(end);
    expect(out.length).toBe(2);
    expect(out[0]).toBe(end);
    expect(end.get('tags')).toEqual([END, 'm']);
    expect(end.includes('elapsed_time')).toBe(false);
    const match = out[1]!;
    expect(match.get('tags')).toEqual(['elapsed', 'elapsed_match', 'm']);
    expect(match.get('elapsed_time')).toEqual(new Float(10));
    expect(match.get('elapsed_timestamp_start')).toEqual(at(1000));
    expect(match.get(ID)).toBe('id_123');
    expect(match.get('host')).toBe(hostname());
    expect(match.includes('message')).toBe(false);
  });
  it('#flush ages every recorded start event by 5 seconds', () => {
    const f = elapsed({ timeout: 1000 });
    for (const id of ['1', '2', '3']) f.filter(ev([START], { [ID]: id }));
    f.flush();
    f.flush();
    expect([...f.pending().values()]).toEqual([10, 10, 10]);
  });
  it('#flush with timeout 30: start events whose age reaches it expire into elapsed_expired_error events', () => {
    const f = elapsed({ timeout: 30, add_tag: ['x'] });
    const starts = ['1', '2', '3'].map((id, i) => ev([START], { [ID]: id, '@timestamp': at(100 + i) }));
    f.filter(starts[0]!);
    for (let i = 0; i < 5; i++) f.flush(); // "2" recorded at age 0 after 5 flushes (25 s) …
    f.filter(starts[1]!);
    const [one] = f.flush(); // … 1 is now 30: expired; 2 is 5
    expect(one!.get(ID)).toBe('1');
    expect(one!.get('elapsed_time')).toBe(30);
    expect(one!.get('tags')).toEqual(['elapsed', 'elapsed_expired_error', 'x']);
    f.filter(starts[2]!);
    expect(f.pending()).toEqual(new Map([['s:2', 5], ['s:3', 0]]));
    const f2 = elapsed({ timeout: 30 });
    for (const s of starts) f2.filter(ev([START], { [ID]: s.get(ID), '@timestamp': s.get('@timestamp') }));
    for (let i = 0; i < 5; i++) expect(f2.flush()).toEqual([]);
    const expired = f2.flush();
    expect(expired.map((e) => e.get(ID))).toEqual(['1', '2', '3']);
    expect(expired[0]!.get('tags')).toEqual(['elapsed', 'elapsed_expired_error']);
    expect(expired[0]!.get('elapsed_time')).toBe(30);
    expect(expired[1]!.get('elapsed_timestamp_start')).toEqual(at(101));
    expect(expired[0]!.get('host')).toBe(hostname());
    expect(f2.pending().size).toBe(0);
  });
  it('expired events are filter_matched (common options apply); the filter asks for the periodic flush', () => {
    const f = elapsed({ timeout: 5, add_tag: ['x'], add_field: { from: 'elapsed' } });
    expect(f.periodicFlush).toBe(true);
    f.filter(ev([START], { [ID]: 7 }));
    const [e] = f.flush();
    expect(e!.get('tags')).toEqual(['elapsed', 'elapsed_expired_error', 'x']);
    expect(e!.get('from')).toBe('elapsed');
    expect(e!.get(ID)).toBe(7);
  });
  it('ids compare by value and type (7 and "7" are different tasks)', () => {
    const f = elapsed();
    f.filter(ev([START], { [ID]: 7 }));
    const end = ev([END], { [ID]: '7' });
    f.filter(end);
    expect(end.get('tags')).toContain('elapsed_end_without_start');
  });
});

describe('elapsed filter in a pipeline', () => {
  it('a match on the end event, and a start event left open expires at the shutdown flush (age 5 ≥ timeout 5)', async () => {
    const { loadPipelineConfig } = await import('../../../config/pipeline-config.ts');
    const { runPipelineHarness } = await import('../../../pipeline/harness.ts');
    const config = await loadPipelineConfig({ configString: 'filter { elapsed { start_tag => "s" end_tag => "e" unique_id_field => "task" timeout => 5 } }' });
    const lines = [
      { task: 'a', tags: ['s'], '@timestamp': '2024-01-01T00:00:00.000Z' },
      { task: 'b', tags: ['s'], '@timestamp': '2024-01-01T00:00:01.000Z' },
      { task: 'a', tags: ['e'], '@timestamp': '2024-01-01T00:00:02.500Z' },
    ].map((o) => JSON.stringify(o));
    const r = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines } });
    expect(r.events.map((e) => [e.get('task'), e.get('tags'), e.get('elapsed_time')])).toEqual([
      ['a', ['s'], undefined],
      ['b', ['s'], undefined],
      ['a', ['e', 'elapsed', 'elapsed_match'], new Float(2.5)],
      ['b', ['elapsed', 'elapsed_expired_error'], 5],
    ]);
  });
});
