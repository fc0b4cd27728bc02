// geoip filter lookup rate on one core, with the machine load: events through the filter (one
// lookup each, default City fields written, legacy layout) with the record cache warm (addresses
// recur, cache_size 1000) and cold (cache_size 0: every lookup walks the tree and decodes the
// record), beside the `maxmind` package's own reader.get() on the same addresses (its LRU cache on)
// — the peer: a raw lookup that writes no event.
//   npx tsx bench/geoip.ts [--seconds N]
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import maxmind from 'maxmind';
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

async function filterRate(cacheSize: number, ips: string[]): Promise<{ perSecond: number; found: number }> {
  const filter = create(options(cacheSize), standaloneContext({ ecsCompatibility: 'disabled' })) as Filter;
  await filter.register!();
  const events = ips.map((ip) => new Event({ ip }));
  let n = 0;
  let found = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < events.length; i++) {
      // A fresh field map each time: the filter writes into the event.
      const e = events[i]!;
      (e.data as Record<string, unknown>)['geoip'] = undefined;
      const [out] = filter.filter(e) as Event[];
      if (out!.data['geoip'] !== undefined) found++;
    }
    n += events.length;
  }
  return { perSecond: n / SECONDS, found: found / (n / events.length) };
}

async function peerRate(ips: string[]): Promise<number> {
  const reader = await maxmind.open(DB, { cache: { max: 1000 } });
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < ips.length; i++) reader.get(ips[i]!);
    n += ips.length;
  }
  return n / SECONDS;
}

const ips = addresses();
const before = os.loadavg();
const cached = await filterRate(1000, ips);
const uncached = await filterRate(0, ips);
const peer = await peerRate(ips);
const after = os.loadavg();
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`geoip lookups on one core (${ips.length} addresses of GeoIP2-City-Test, ${cached.found} found per pass, ${SECONDS} s each):`);
console.log(`  filter, record cache warm (cache_size 1000): ${fmt(cached.perSecond)} events/s   (target ≥ 500,000)`);
console.log(`  filter, no cache (cache_size 0):             ${fmt(uncached.perSecond)} events/s   (target ≥ 100,000)`);
console.log(`  peer: maxmind reader.get() (LRU 1000):       ${fmt(peer)} lookups/s   → filter warm / peer = ${(cached.perSecond / peer).toFixed(2)}`);
console.log(`machine load (1/5/15 min): before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
