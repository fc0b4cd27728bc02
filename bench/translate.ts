// translate filter: dictionary load time for every ElastiFlow dictionary (the largest is
// ieee_oui.yml, 1 MB / 27k keys; target < 1 s), beside the `yaml` package's full parser on the
// same text (the peer: what loading costs without the flat-mapping scanner), then lookups/s of
// events through the filter (exact mode, keys drawn from the dictionary, 1 in 10 a miss with a
// fallback), with the machine load.
//   npx tsx bench/translate.ts [--seconds N]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { Event } from '../src/event/event.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { readDictionaryFile } from '../src/plugins/filters/translate/dictionary-file.ts';
import { create } from '../src/plugins/filters/translate/translate.ts';
import { translateSchema, type TranslateOptions } from '../src/plugins/filters/translate/schema.ts';
import type { Filter } from '../src/plugins/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DICTS = path.resolve(ROOT, '../shared/configs/elastiflow/dictionaries');
const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 2;

if (!existsSync(DICTS)) {
  console.log(`skip: ${DICTS} is absent (ElastiFlow dictionaries live in ../shared/configs/elastiflow)`);
  process.exit(0);
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

console.log(`translate bench — node ${process.version}, ${os.cpus().length} cores, load ${load()}`);
console.log('\ndictionary load (median of 3)            size     keys    flowstash   yaml pkg   ratio');
const files = readdirSync(DICTS).filter((f) => f.endsWith('.yml')).sort((a, b) => statSync(path.join(DICTS, b)).size - statSync(path.join(DICTS, a)).size);
for (const name of files.slice(0, 4)) {
  const p = path.join(DICTS, name);
  const ours: number[] = [];
  let keys = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    keys = (await readDictionaryFile(p)).entries.length;
    ours.push(ms(t0));
  }
  const text = readFileSync(p, 'utf8');
  const t1 = process.hrtime.bigint();
  parseDocument(text, { schema: 'failsafe', uniqueKeys: false }).toJS();
  const peer = ms(t1);
  const median = ours.sort((a, b) => a - b)[1]!;
  console.log(
    `  ${name.padEnd(36)} ${(statSync(p).size / 1024).toFixed(0).padStart(6)} KB ${String(keys).padStart(7)} ${median.toFixed(1).padStart(9)} ms ${peer.toFixed(0).padStart(7)} ms ${(peer / median).toFixed(1).padStart(6)}x`,
  );
}

const dictionaryPath = path.join(DICTS, 'ieee_oui.yml');
const options = { ...defaults(), source: '[mac]', target: '[vendor]', dictionary_path: dictionaryPath, fallback: 'unknown %{mac}', refresh_interval: 0 } as TranslateOptions;
const filter = create(options, standaloneContext({ ecsCompatibility: 'disabled' })) as Filter & { close(): void };
const t0 = process.hrtime.bigint();
await filter.register?.();
const registerMs = ms(t0);
const keys = (await readDictionaryFile(dictionaryPath)).entries.map(([k]) => k);
const sample = Array.from({ length: 4096 }, (_, i) => (i % 10 === 9 ? `zz:zz:${i}` : keys[(i * 7919) % keys.length]!));

let events = 0;
const deadline = Date.now() + SECONDS * 1000;
const start = process.hrtime.bigint();
while (Date.now() < deadline) {
  for (let i = 0; i < 4096; i++) filter.filter(new Event({ mac: sample[i]! }));
  events += 4096;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`\nregister (ieee_oui.yml, ${keys.length} keys): ${registerMs.toFixed(1)} ms`);
console.log(`lookups through the filter (exact, new Event each, 10% fallback): ${Math.round(events / seconds).toLocaleString('en-US')} events/s on one core`);
console.log(`load after: ${load()}`);
filter.close();

function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = { add_field: {}, add_tag: [], remove_field: [], remove_tag: [] };
  for (const [k, spec] of Object.entries(translateSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return out;
}
