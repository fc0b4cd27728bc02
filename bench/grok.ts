// grok filter throughput for %{COMBINEDAPACHELOG} on one core (this process, one thread), both
// pattern sets, against Logstash's published grok figures for the same pattern:
//   - Logstash 1.5.0 release notes: "using only grok filter and ingesting apache logs, throughput
//     increased from 34K eps to 50K eps" (quoted in elastic/logstash#2793; core count unstated)
//   - elastic/logstash#1657 (jls-grok 0.11): %{COMBINEDAPACHELOG} from a generator, 20,580 events/s
//     (1-minute rate; Logstash 1.4, one filter worker)
// Goal: ≥ 2× the larger one (50K eps) on one core.
//   npx tsx bench/grok.ts [--seconds N]
import os from 'node:os';
import { Event } from '../src/event/event.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { create } from '../src/plugins/filters/grok/grok.ts';
import { grokSchema, type GrokFilterOptions } from '../src/plugins/filters/grok/schema.ts';
import type { Filter } from '../src/plugins/types.ts';

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 3;
const LOGSTASH_EPS = 50_000;
const LOGSTASH_ONE_WORKER_EPS = 20_580;

const agents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'curl/8.5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
];
const LINES = Array.from({ length: 1000 }, (_, i) => {
  const ip = `${10 + (i % 200)}.${i % 256}.${(i * 7) % 256}.${(i * 13) % 256}`;
  const path = ['/index.html', '/api/v1/items?id=' + i, '/static/app.js', '/logs/access.log'][i % 4];
  const status = [200, 304, 404, 500][i % 4];
  const bytes = i % 5 === 0 ? '-' : String(100 + i * 37);
  return `${ip} - ${i % 3 ? '-' : 'frank'} [24/Jul/2014:05:35:${String(i % 60).padStart(2, '0')} +0530] "GET ${path} HTTP/1.1" ${status} ${bytes} "http://example.com/ref${i % 10}" "${agents[i % agents.length]}"`;
});

function options(ecs: string): GrokFilterOptions {
  const o: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(grokSchema.options)) if (spec.default !== undefined) o[k] = spec.default;
  o['match'] = { message: '%{COMBINEDAPACHELOG}' };
  o['add_field'] = {};
  o['add_tag'] = [];
  o['remove_field'] = [];
  o['remove_tag'] = [];
  o['ecs_compatibility'] = ecs;
  return o as GrokFilterOptions;
}

async function run(ecs: 'disabled' | 'v8'): Promise<{ rate: number; cpuRate: number; failures: number; engine: string }> {
  const filter = create(options(ecs), standaloneContext({ ecsCompatibility: ecs })) as Filter & { stats(): Record<string, number> };
  await filter.register?.();
  const engine = (filter as unknown as { fields: { groks: { regexp: { engine: string } }[] }[] }).fields[0]!.groks[0]!.regexp.engine;
  // Warm up, then count whole passes over the lines until the time is up.
  for (const line of LINES) filter.filter(new Event({ message: line }));
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    for (const line of LINES) filter.filter(new Event({ message: line }));
    n += LINES.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  // Lines per second of CPU this thread actually got: the one-core figure on a shared machine.
  const cpuRate = n / ((cpu.user + cpu.system) / 1e6);
  return { rate, cpuRate, failures: filter.stats()['failures'] ?? 0, engine };
}

const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`grok %{COMBINEDAPACHELOG}, one thread, ${SECONDS} s per set, load before: ${load} (${os.cpus().length} cores)`);
for (const ecs of ['v8', 'disabled'] as const) {
  const r = await run(ecs);
  console.log(
    `  ${ecs === 'v8' ? 'ecs-v1 patterns' : 'legacy patterns'}: ${Math.round(r.cpuRate).toLocaleString('en')} lines per CPU-second` +
      ` (${Math.round(r.rate).toLocaleString('en')} lines/s wall; engine ${r.engine}, failures ${r.failures})` +
      `  ×${(r.cpuRate / LOGSTASH_EPS).toFixed(2)} Logstash 1.5 (50K eps)  ×${(r.cpuRate / LOGSTASH_ONE_WORKER_EPS).toFixed(2)} Logstash #1657 (20.6K eps, 1 worker)`,
  );
}
console.log(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
