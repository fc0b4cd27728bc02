// Expected values from logstash-filter-aggregate 2.10: spec/filters/aggregate_spec.rb (start /
// update / end filters sharing the "%{taskid}" maps, timeouts, inactivity_timeout, timeout_code
// and tags, push_previous_map_as_event, final flush, timeout_timestamp_field, map_meta timeouts,
// new_event_block, aggregate_maps_path) and the plugin docs. The spec's sleep()s become a fake
// clock: the filter reads "now" only from it.
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { standaloneContext } from '../../context.ts';
import { recorder, withDefaults, type RecordedLine } from '../../../../test/plugins/text-filters/kit.ts';
import { AggregateFilter } from './aggregate.ts';
import { aggregateSchema, type AggregateFilterOptions } from './schema.ts';

let pipelineSeq = 0;
let open: AggregateFilter[] = [];
afterEach(async () => {
  for (const f of open) await f.close();
  open = [];
});

class FakeClock {
  t = 1_700_000_000;
  now = (): number => this.t;
  sleep(s: number): void {
    this.t += s;
  }
}

interface Setup {
  pipeline: string;
  clock: FakeClock;
  log: ReturnType<typeof recorder>;
}

function setup(): Setup {
  return { pipeline: `spec-${++pipelineSeq}`, clock: new FakeClock(), log: recorder() };
}

async function filter(s: Setup, options: Record<string, unknown>, workers = 1): Promise<AggregateFilter> {
  const o = withDefaults<AggregateFilterOptions>(aggregateSchema, { task_id: '%{taskid}', ...options });
  const f = new AggregateFilter(o, standaloneContext({ log: s.log, pipelineId: s.pipeline, pipelineWorkers: workers }), s.clock);
  await f.register();
  open.push(f);
  return f;
}

/** The spec's before(:each): a start, an update and an end filter on the "%{taskid}" pattern. */
async function specFilters(s: Setup) {
  return {
    start: await filter(s, { map_action: 'create', code: "map['sql_duration'] = 0" }),
    update: await filter(s, { map_action: 'update', code: "map['sql_duration'] += event.get('duration')" }),
    end: await filter(s, {
      timeout_task_id_field: 'my_id',
      push_map_as_event_on_timeout: true,
      map_action: 'update',
      code: "event.set('sql_duration', map['sql_duration'])",
      end_of_task: true,
      timeout: 5,
      inactivity_timeout: 2,
      timeout_code: "event.set('test', 'testValue')",
      timeout_tags: ['tag1', 'tag2'],
    }),
  };
}

const ev = (fields: Record<string, unknown> = {}): Event => new Event(fields as ConstructorParameters<typeof Event>[0]);
const errors = (lines: RecordedLine[]): string[] => lines.filter((l) => l.level === 'error').map((l) => l.msg);

describe('aggregate filter', () => {
  it('validation: task_id without a dynamic expression; inactivity_timeout longer than timeout; two timeout owners for one pattern', async () => {
    const s = setup();
    await expect(filter(s, { code: '', task_id: 'static_value' })).rejects.toThrow("Aggregate plugin: task_id pattern 'static_value' must contain a dynamic expression like '%{field}'");
    await expect(filter(s, { task_id: '%{taskid2}', code: '', timeout: 2, inactivity_timeout: 3 })).rejects.toThrow('Aggregate plugin: For task_id pattern %{taskid2}, inactivity_timeout must be lower than timeout');
    await filter(s, { code: '', timeout: 10 });
    await expect(filter(s, { code: "map['taskid'] = event.get('taskid')", push_previous_map_as_event: true })).rejects.toThrow(
      "For task_id pattern '%{taskid}', there are more than one filter which defines timeout options",
    );
    await expect(filter(s, { task_id: '%{x}', code: 'map[' })).rejects.toThrow(/SyntaxError/);
  });

  it('start event: without task id nothing is recorded; with one the map is created; a second start keeps the first map', async () => {
    const s = setup();
    const { start, update } = await specFilters(s);
    await start.filter(ev());
    expect(start.maps()).toEqual({});
    await start.filter(ev({ taskid: 'id124' }));
    await update.filter(ev({ taskid: 'id124', duration: 2 }));
    s.clock.sleep(1);
    await start.filter(ev({ taskid: 'id124' }));
    expect(start.maps()).toEqual({ id124: { sql_duration: 2 } });
  });

  it('end event without a start does nothing; with the same id it gets the aggregate and the map is deleted', async () => {
    const s = setup();
    const { start, update, end } = await specFilters(s);
    const lonely = ev({ taskid: 'id124' });
    await end.filter(lonely);
    expect(lonely.get('sql_duration')).toBeUndefined();
    expect(end.maps()).toEqual({});

    await start.filter(ev({ taskid: 'id_123' }));
    await end.filter(ev());
    await end.filter(ev({ taskid: 'id_123_different' }));
    expect(Object.keys(end.maps())).toEqual(['id_123']);
    await update.filter(ev({ taskid: 'id_123', duration: 2 }));
    const last = ev({ taskid: 'id_123' });
    expect(await end.filter(last)).toEqual([last]);
    expect(last.get('sql_duration')).toBe(2);
    expect(end.maps()).toEqual({});
  });

  it('an integer task id works as a string one', async () => {
    const s = setup();
    const { start } = await specFilters(s);
    await start.filter(ev({ taskid: 124 }));
    expect(Object.keys(start.maps())).toEqual(['124']);
  });

  it('code raising: the event is tagged _aggregateexception, the error logged, filter_matched skipped', async () => {
    const s = setup();
    const f = await filter(s, { code: "fail 'Test'", add_tag: ['ok'] });
    const e = ev({ taskid: 'id124' });
    await f.filter(e);
    expect(e.get('tags')).toEqual(['_aggregateexception']);
    expect(errors(s.log.lines)).toEqual(['Aggregate exception occurred']);
    expect(f.stats()['code_errors']).toBe(1);
  });

  it('filter_matched applies the common options when the code ran', async () => {
    const s = setup();
    const f = await filter(s, { code: "map['n'] = 1", add_tag: ['aggregated'], add_field: { at: '%{taskid}' } });
    const e = ev({ taskid: 'a' });
    await f.filter(e);
    expect(e.get('tags')).toEqual(['aggregated']);
    expect(e.get('at')).toBe('a');
  });

  it('flush: no timeout anywhere — a default filter owns the pattern with the 1800 s default; maps stay before it', async () => {
    const s = setup();
    const f = await filter(s, { code: "map['n'] = 1" });
    await f.filter(ev({ taskid: 'x' }));
    s.clock.sleep(1799);
    expect(f.flush(false)).toEqual([]);
    expect(Object.keys(f.maps())).toEqual(['x']);
    s.clock.sleep(2);
    expect(f.flush(false)).toEqual([]); // timeout management runs every inactivity_timeout / 2 = 900 s
    expect(Object.keys(f.maps())).toEqual(['x']);
    s.clock.sleep(899);
    // the default timeout expires the map (not pushed: no push option)
    expect(f.flush(false)).toEqual([]);
    expect(f.maps()).toEqual({});
  });

  it('flush: timeout defined on the end filter — not expired yet, then expired into a timeout event (task id field, map, timeout code, tags)', async () => {
    const s = setup();
    const { start, end } = await specFilters(s);
    await start.filter(ev({ taskid: 'id_123' }));
    expect(start.flush(false)).toEqual([]); // another filter owns the pattern's timeouts
    expect(end.flush(false)).toEqual([]);
    expect(Object.keys(end.maps())).toEqual(['id_123']);
    s.clock.sleep(6);
    const out = end.flush(false);
    expect(end.maps()).toEqual({});
    expect(out.length).toBe(1);
    expect(out[0]!.get('my_id')).toBe('id_123');
    expect(out[0]!.get('sql_duration')).toBe(0);
    expect(out[0]!.get('test')).toBe('testValue');
    expect(out[0]!.get('tags')).toEqual(['tag1', 'tag2']);
  });

  it('a timeout on another task_id pattern does not remove these maps', async () => {
    const s = setup();
    const { start } = await specFilters(s);
    await start.filter(ev({ taskid: 'id_123' }));
    const another = await filter(s, { task_id: '%{another_taskid}', code: '', timeout: 1 });
    s.clock.sleep(2);
    expect(another.flush(false)).toEqual([]);
    expect(Object.keys(start.maps())).toEqual(['id_123']);
  });

  it('inactivity_timeout: events within it keep the map; silence past it removes it; timeout still ends a busy map', async () => {
    const s = setup();
    const { start, end } = await specFilters(s); // timeout 5, inactivity 2
    await start.filter(ev({ taskid: 'a' }));
    const touch = await filter(s, { code: "map['n'] = (map['n'] || 0) + 1" });
    s.clock.sleep(1);
    await touch.filter(ev({ taskid: 'a' }));
    s.clock.sleep(1.5);
    expect(end.flush(false)).toEqual([]);
    s.clock.sleep(1.1); // 2.6 s idle, and more than inactivity_timeout / 2 since the last run
    expect(end.flush(false).length).toBe(1);

    await start.filter(ev({ taskid: 'b' }));
    for (let i = 0; i < 5; i++) {
      s.clock.sleep(1.2);
      await touch.filter(ev({ taskid: 'b' }));
    }
    const out = end.flush(false); // 6 s old although active
    expect(out.map((e) => e.get('my_id'))).toEqual(['b']);
    expect(out[0]!.get('n')).toBe(5);
  });

  it('timeout management runs at most every inactivity_timeout / 2 seconds, and always at the final flush', async () => {
    const s = setup();
    const f = await filter(s, { code: '', timeout: 10, push_map_as_event_on_timeout: true });
    expect(f.flush(false)).toEqual([]); // runs (first time), sets the last-run time
    await f.filter(ev({ taskid: 'a' }));
    s.clock.sleep(11);
    expect(f.flush(false).length).toBe(1);
    await f.filter(ev({ taskid: 'b' }));
    s.clock.sleep(11); // expired, but the last run was 11 s ago: 11 > 10/2, it runs
    expect(f.flush(false).length).toBe(1);
    await f.filter(ev({ taskid: 'c' }));
    expect(f.flush(false)).toEqual([]); // ran 0 s ago: skipped
    s.clock.sleep(11);
    await f.filter(ev({ taskid: 'd' }));
    const last = f.flush(true); // final: runs; c expired, d not (and no push_previous)
    expect(last.map((e) => e.get('tags'))).toEqual([['_aggregatefinalflush']]);
  });

  it('push_previous_map_as_event: a new task id pushes the previous map (with timeout_task_id_field)', async () => {
    const s = setup();
    const f = await filter(s, { task_id: '%{ppm_id}', code: "map['ppm_id'] = event.get('ppm_id')", push_previous_map_as_event: true, timeout: 5, timeout_task_id_field: 'timeout_task_id_field' });
    const one = ev({ ppm_id: '1' });
    expect(await f.filter(one)).toEqual([one]);
    const two = ev({ ppm_id: '2' });
    const out = await f.filter(two);
    expect(out.length).toBe(2);
    expect(out[0]).toBe(two);
    expect(out[1]!.get('ppm_id')).toBe('1');
    expect(out[1]!.get('timeout_task_id_field')).toBe('1');
    expect(Object.keys(f.maps())).toEqual(['2']);
  });

  it('push_previous_map_as_event: timeout pushes the last map (timeout code runs); shutdown pushes it even before the timeout', async () => {
    const s = setup();
    const f = await filter(s, { task_id: '%{ppm_id}', code: "map['ppm_id'] = event.get('ppm_id')", push_previous_map_as_event: true, timeout: 1, timeout_code: "event.set('test', 'testValue')" });
    await f.filter(ev({ ppm_id: '1' }));
    s.clock.sleep(2);
    const out = f.flush(false);
    expect(out.map((e) => [e.get('ppm_id'), e.get('test')])).toEqual([['1', 'testValue']]);
    expect(f.maps()).toEqual({});

    const t = setup();
    const g = await filter(t, { task_id: '%{ppm_id}', code: '', push_previous_map_as_event: true, timeout: 4 });
    await g.filter(ev({ ppm_id: '1' }));
    expect(g.flush(false)).toEqual([]);
    expect(Object.keys(g.maps())).toEqual(['1']);
    const final = g.flush(true);
    expect(final.map((e) => e.get('tags'))).toEqual([['_aggregatefinalflush']]);
    expect(g.maps()).toEqual({});
  });

  it('timeout_timestamp_field: timeouts follow event time — an event 5 min later pushes the earlier aggregate', async () => {
    const s = setup();
    const f = await filter(s, {
      task_id: '%{ppm_id}',
      code: "map['sql_duration'] ||= 0; map['sql_duration'] += event.get('duration')",
      timeout_timestamp_field: '@timestamp',
      push_map_as_event_on_timeout: true,
      timeout: 120,
    });
    const at = (iso: string) => Timestamp.fromMillis(Date.parse(iso));
    expect((await f.filter(ev({ ppm_id: '1', duration: 2, '@timestamp': at('2018-01-31T00:00:00Z') }))).length).toBe(1);
    expect((await f.filter(ev({ ppm_id: '1', duration: 3, '@timestamp': at('2018-01-31T00:00:01Z') }))).length).toBe(1);
    expect(f.flush(false)).toEqual([]);
    const out = await f.filter(ev({ ppm_id: '1', duration: 4, '@timestamp': at('2018-01-31T00:05:00Z') }));
    expect(out.length).toBe(2);
    expect(out[1]!.get('sql_duration')).toBe(5);
    expect(f.maps()).toEqual({ '1': { sql_duration: 4 } });
  });

  it('map_meta: timeout = 0 pushes at once (or just drops without a push option); inactivity_timeout = 1 at the next flush', async () => {
    const s = setup();
    const f = await filter(s, { task_id: '%{ppm_id}', code: "map['sql_duration'] = 2; map_meta.timeout = 0", push_map_as_event_on_timeout: true, timeout: 120 });
    const out = await f.filter(ev({ ppm_id: '1' }));
    expect(out[1]!.get('sql_duration')).toBe(2);
    expect(f.maps()).toEqual({});

    const t = setup();
    const g = await filter(t, { task_id: '%{ppm_id}', code: 'map_meta.timeout = 0', push_map_as_event_on_timeout: false, timeout: 120 });
    expect((await g.filter(ev({ ppm_id: '1' }))).length).toBe(1);
    expect(g.maps()).toEqual({});

    const u = setup();
    const h = await filter(u, { task_id: '%{ppm_id}', code: "map['sql_duration'] = 2; map_meta.inactivity_timeout = 1", push_map_as_event_on_timeout: true, timeout: 120 });
    expect((await h.filter(ev({ ppm_id: '1' }))).length).toBe(1);
    u.clock.sleep(2);
    expect(h.flush(false).length).toBe(1);
    expect(h.maps()).toEqual({});
  });

  it('the events of one worker batch go to Ruby together and keep their order (push_previous_map_as_event within a batch)', async () => {
    const s = setup();
    const f = await filter(s, { task_id: '%{id}', code: "map['id'] = event.get('id'); map['n'] = (map['n'] || 0) + 1; event.set('n', map['n'])", push_previous_map_as_event: true, timeout: 60 });
    const events = ['a', 'a', 'b', 'a', 'c'].map((id) => ev({ id }));
    const outs = await Promise.all(events.map((e) => f.filter(e)));
    expect(outs.map((o) => o.map((e) => [e.get('id'), e.get('n')]))).toEqual([
      [['a', 1]],
      [['a', 2]],
      [['b', 1], ['a', 2]],
      [['a', 1], ['b', 1]],
      [['c', 1], ['a', 1]],
    ]);
  });

  it('new_event_block: the code can emit events', async () => {
    const s = setup();
    const f = await filter(s, { task_id: '%{task_id}', code: "map['sql_duration'] = 2; new_event_block.call(LogStash::Event.new({:my_sql_duration => map['sql_duration']}))", timeout: 120 });
    const out = await f.filter(ev({ task_id: '1' }));
    expect(out.length).toBe(2);
    expect(out[1]!.get('my_sql_duration')).toBe(2);
  });

  it('aggregate_maps_path: maps are stored at close and loaded (then the file removed) at the next register', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-aggregate-'));
    const file = path.join(dir, 'aggregate_maps');
    const s = setup();
    await filter(s, { task_id: '%{one_special_field}', code: '' });
    const store = await filter(s, { code: "map['sql_duration'] = 0", aggregate_maps_path: file });
    await store.filter(ev({ taskid: 124 }));
    for (const f of open) await f.close();
    open = [];
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))['%{taskid}']['124'][2]).toEqual({ sql_duration: 0 });

    const other = await filter(s, { task_id: '%{one_special_field}', code: '' });
    const again = await filter(s, { code: "map['sql_duration'] += 1", aggregate_maps_path: file });
    expect(existsSync(file)).toBe(false);
    expect(other.maps()).toEqual({});
    expect(again.maps()).toEqual({ '124': { sql_duration: 0 } });
    await again.filter(ev({ taskid: 124 }));
    expect(again.maps()).toEqual({ '124': { sql_duration: 1 } });
  });

  it('aggregate_maps_path on two filters of a pipeline is a configuration error', async () => {
    const s = setup();
    await filter(s, { code: '', aggregate_maps_path: '/nonexistent/aggregate_maps1' });
    await expect(filter(s, { task_id: '%{x}', code: '', aggregate_maps_path: '/nonexistent/aggregate_maps2' })).rejects.toThrow("Option 'aggregate_maps_path' must be set on only one aggregate filter");
  });

  it('more than one pipeline worker: a warning at creation', async () => {
    const s = setup();
    await filter(s, { code: '' }, 4);
    expect(s.log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'Aggregate plugin needs pipeline.workers => 1 to see the events of a task in order (here 4): run with -w 1',
    ]);
  });
});

describe('aggregate filter in a pipeline', () => {
  it('docs example #4 (push_previous_map_as_event, jdbc-style sorted rows): one event per country, the last one pushed by the shutdown flush', async () => {
    const { loadPipelineConfig } = await import('../../../config/pipeline-config.ts');
    const { runPipelineHarness } = await import('../../../pipeline/harness.ts');
    const configString = `filter {
      aggregate {
        task_id => "%{country_name}"
        code => "
          map['country_name'] ||= event.get('country_name')
          map['towns'] ||= []
          map['towns'] << {'town_name' => event.get('town_name')}
          event.cancel()
        "
        push_previous_map_as_event => true
        timeout => 3
      }
    }`;
    const config = await loadPipelineConfig({ configString });
    const rows = [['France', 'Paris'], ['France', 'Marseille'], ['France', 'Lyon'], ['USA', 'New-York'], ['USA', 'Chicago'], ['USA', 'Los Angeles']];
    const lines = rows.map(([country_name, town_name]) => JSON.stringify({ country_name, town_name }));
    const r = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines } });
    expect(r.events.map((e) => [e.get('country_name'), e.get('towns'), e.get('tags')])).toEqual([
      ['France', [{ town_name: 'Paris' }, { town_name: 'Marseille' }, { town_name: 'Lyon' }], undefined],
      ['USA', [{ town_name: 'New-York' }, { town_name: 'Chicago' }, { town_name: 'Los Angeles' }], ['_aggregatefinalflush']],
    ]);
  });
});
