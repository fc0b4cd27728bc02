// geoip filter lookup rate on one core, with the machine load: events through the filter (one
// lookup each, default City fields written, legacy layout) with the record cache warm (addresses
// recur, cache_size 1000) and cold (cache_size 0: every lookup walks the tree and decodes the
// record), beside the `maxmind` package's own reader.get() on the same addresses, with its LRU cache
// and without — the peer: a raw lookup that decodes the whole record and writes no event.
//   npx tsx bench/geoip.ts [--seconds N]
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import maxmind, { Reader } from 'maxmind';
import { Event } from '../src/event/event.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { create } from '../src/plugins/filters/geoip/geoip.ts';
import { geoipSchema, type GeoipFilterOptions } from '../src/plugins/filters/geoip/schema.ts';
import type { Filter } from '../src/plugins/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEOIP = path.resolve(ROOT, '../shared/geoip');
const DB = path.join(GEOIP, 'GeoIP2-City-Test.mmdb');
const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 2;

if (!existsSync(DB)) {
  console.log(`skip: ${DB} is absent (MaxMind test databases live in ../shared/geoip)`);
  process.exit(0);
}

/** One address inside every IPv4 network of the database's JSON source (all found). */
function addresses(): string[] {
  const source = JSON.parse(readFileSync(path.join(GEOIP, 'GeoIP2-City-Test.json'), 'utf8')) as Record<string, unknown>[];
  const out: string[] = [];
  for (const entry of source) {
    const [net] = Object.keys(entry) as [string];
    const m = /^(?:::)?(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(net);
    if (!m) continue;
    out.push(`${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + (Number(m[5]) < (net.startsWith('::') ? 128 : 32) ? 1 : 0)}`);
  }
  return out;
}

function options(cacheSize: number): GeoipFilterOptions {
  const o: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(geoipSchema.options)) if (spec.default !== undefined) o[k] = spec.default;
  return { ...o, add_field: {}, add_tag: [], remove_field: [], remove_tag: [], source: 'ip', database: DB, cache_size: cacheSize } as unknown as GeoipFilterOptions;
}

interface Rate {
  /** Per second of wall time. */
  perSecond: number;
  /** Per second of this process's CPU time: the one-core figure, whatever else the machine runs. */
  perCpuSecond: number;
}

/** Runs `pass` (which does `n` lookups) for SECONDS of wall time. */
function measure(n: number, pass: () => void): Rate {
  let done = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    pass();
    done += n;
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: done / wall, perCpuSecond: done / ((used.user + used.system) / 1e6) };
}

async function filterRate(cacheSize: number, ips: string[]): Promise<Rate & { found: number }> {
  const filter = create(options(cacheSize), standaloneContext({ ecsCompatibility: 'disabled' })) as Filter;
  await filter.register!();
  const events = ips.map((ip) => new Event({ ip }));
  let found = 0;
  let passes = 0;
  const rate = measure(events.length, () => {
    passes++;
    for (let i = 0; i < events.length; i++) {
      // A fresh target each time: the filter writes into the event.
      const e = events[i]!;
      (e.data as Record<string, unknown>)['geoip'] = undefined;
      const [out] = filter.filter(e) as Event[];
      if (out!.data['geoip'] !== undefined) found++;
    }
  });
  return { ...rate, found: found / passes };
}

async function peerRate(ips: string[], cached: boolean): Promise<Rate> {
  // The maxmind package's open() always caches (LRU); its Reader without a cache decodes every time.
  const reader = cached ? await maxmind.open(DB, { cache: { max: 1000 } }) : new Reader(readFileSync(DB));
  return measure(ips.length, () => {
    for (let i = 0; i < ips.length; i++) reader.get(ips[i]!);
  });
}

const ips = addresses();
const before = os.loadavg();
const cached = await filterRate(1000, ips);
const uncached = await filterRate(0, ips);
const peer = await peerRate(ips, true);
const peerUncached = await peerRate(ips, false);
const after = os.loadavg();
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);
const row = (what: string, r: Rate, target = ''): string => `  ${what.padEnd(46)} ${fmt(r.perCpuSecond)} /CPU-s ${fmt(r.perSecond)} /s wall ${target}`;
console.log(`geoip lookups (${ips.length} addresses of GeoIP2-City-Test, ${cached.found} found per pass, ${SECONDS} s each; /CPU-s = per second of this process's CPU time, the one-core figure):`);
console.log(row('filter, record cache warm (cache_size 1000)', cached, '(target ≥ 500,000 on one core)'));
console.log(row('filter, no cache (cache_size 0)', uncached, '(target ≥ 100,000 on one core)'));
console.log(row('peer: maxmind reader.get(), LRU 1000', peer, `→ filter warm / peer ${(cached.perCpuSecond / peer.perCpuSecond).toFixed(2)}`));
console.log(row('peer: maxmind Reader.get(), no cache', peerUncached, `→ filter no cache / peer ${(uncached.perCpuSecond / peerUncached.perCpuSecond).toFixed(2)}`));
console.log(`machine load (1/5/15 min): before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
