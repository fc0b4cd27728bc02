// useragent filter rate on one core, with the machine load: events through the filter with the LRU
// cache answering (the same agents recur) and with every agent parsed (cache size 0: up to ~1,200
// uap-core regexes tried per agent). No peer runs in this process (Logstash's parser is Java).
//   npx tsx bench/useragent.ts [--seconds N]
import os from 'node:os';
import { Event } from '../src/event/event.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { create } from '../src/plugins/filters/useragent/useragent.ts';
import { useragentSchema, type UseragentFilterOptions } from '../src/plugins/filters/useragent/schema.ts';
import type { Filter } from '../src/plugins/types.ts';

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 2;

const AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.11; rv:45.0) Gecko/20100101 Firefox/45.0',
  'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36',
  'curl/8.4.0',
];

function filter(cacheSize: number): Filter {
  const o: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(useragentSchema.options)) if (spec.default !== undefined) o[k] = spec.default;
  const f = create({ ...o, add_field: {}, add_tag: [], remove_field: [], remove_tag: [], source: 'agent', lru_cache_size: cacheSize } as unknown as UseragentFilterOptions, standaloneContext({ ecsCompatibility: 'v8' }));
  f.register!();
  return f;
}

function rate(f: Filter): { perCpuSecond: number; perSecond: number } {
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() < start + SECONDS * 1000) {
    for (const agent of AGENTS) f.filter(new Event({ agent }));
    n += AGENTS.length;
  }
  const used = process.cpuUsage(cpu);
  return { perCpuSecond: n / ((used.user + used.system) / 1e6), perSecond: n / ((performance.now() - start) / 1000) };
}

const before = os.loadavg();
const cached = rate(filter(1000));
const uncached = rate(filter(0));
const after = os.loadavg();
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);
console.log(`useragent (${AGENTS.length} agents, ECS v8 layout, ${SECONDS} s each; /CPU-s = per second of this process's CPU time):`);
console.log(`  LRU cache answering        ${fmt(cached.perCpuSecond)} /CPU-s ${fmt(cached.perSecond)} /s wall`);
console.log(`  every agent parsed         ${fmt(uncached.perCpuSecond)} /CPU-s ${fmt(uncached.perSecond)} /s wall`);
console.log(`machine load (1/5/15 min): before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
