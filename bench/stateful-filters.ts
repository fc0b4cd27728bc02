// Throughput of the stateful filters on one core, one filter at a time (no Logstash peer runs
// here: the figure stands alone). aggregate goes through the Ruby VM once per worker batch (125
// events, as the pipeline hands them); throttle and elapsed are plain TypeScript.
//   npx tsx bench/stateful-filters.ts
import os from 'node:os';
import { Event } from '../src/event/event.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { AggregateFilter } from '../src/plugins/filters/aggregate/aggregate.ts';
import { aggregateSchema, type AggregateFilterOptions } from '../src/plugins/filters/aggregate/schema.ts';
import { ElapsedFilter } from '../src/plugins/filters/elapsed/elapsed.ts';
import { elapsedSchema, type ElapsedFilterOptions } from '../src/plugins/filters/elapsed/schema.ts';
import { ThrottleFilter } from '../src/plugins/filters/throttle/throttle.ts';
import { throttleSchema, type ThrottleFilterOptions } from '../src/plugins/filters/throttle/schema.ts';
import type { Filter } from '../src/plugins/types.ts';

function options<T>(schema: { options: Record<string, { default?: unknown }> }, set: Record<string, unknown>): T {
  const out: Record<string, unknown> = { add_field: {}, add_tag: [], remove_field: [], remove_tag: [] };
  for (const [k, spec] of Object.entries(schema.options)) if (spec.default !== undefined) out[k] = structuredClone(spec.default);
  return { ...out, ...set } as T;
}

async function measure(name: string, filter: Filter, make: (i: number) => Event, n: number): Promise<void> {
  await filter.register?.();
  const events = Array.from({ length: n }, (_, i) => make(i));
  const started = performance.now();
  for (let i = 0; i < n; i += 125) await Promise.all(events.slice(i, i + 125).map((e) => filter.filter(e)));
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name.padEnd(10)} ${Math.round(n / seconds).toLocaleString('en')} events/s`);
}

const ctx = standaloneContext();
await measure(
  'aggregate',
  new AggregateFilter(options<AggregateFilterOptions>(aggregateSchema, { task_id: '%{id}', code: "map['n'] ||= 0; map['n'] += 1; event.set('n', map['n'])" }), ctx),
  (i) => new Event({ id: String(i % 100), message: 'x'.repeat(100) }),
  50_000,
);
await measure('throttle', new ThrottleFilter(options<ThrottleFilterOptions>(throttleSchema, { key: '%{id}', after_count: 5 }), ctx), (i) => new Event({ id: String(i % 1000) }), 500_000);
await measure(
  'elapsed',
  new ElapsedFilter(options<ElapsedFilterOptions>(elapsedSchema, { start_tag: 's', end_tag: 'e', unique_id_field: 'id' }), ctx),
  (i) => new Event({ id: String(i >> 1), tags: [i % 2 ? 'e' : 's'] }),
  500_000,
);
console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
