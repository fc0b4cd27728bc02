// ruby filter: interpreter start (CRuby 3.3 WebAssembly: compile + instantiate + prelude), then
// events/s of ElastiFlow's typical snippet
//   init => "require 'csv'"  code => "event.set('[flow][dst_rep_tags]', event.get('[@metadata][dst_rep_label]').parse_csv)"
// on ElastiFlow-shaped events in worker batches of 125, beside the same loop without the ruby
// filter (building the events and running the batch through nothing) and beside the JavaScript
// peer doing the same work (mutate copy + split into the same field), with the machine load.
// Figures are per wall second and per CPU-second of this process (the load of a shared machine
// inflates both; the ratio to the peer measured in the same run is the stable figure).
//   npx tsx bench/ruby.ts [--seconds N] [--batch N]
import os from 'node:os';
import { Event } from '../src/event/event.ts';
import { Timestamp } from '../src/event/timestamp.ts';
import type { FieldMap } from '../src/event/values.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { RubyFilter } from '../src/plugins/filters/ruby/ruby.ts';
import { rubySchema, type RubyFilterOptions } from '../src/plugins/filters/ruby/schema.ts';
import { sharedRubyVm } from '../src/plugins/filters/ruby/vm.ts';
import { MutateFilter } from '../src/plugins/filters/mutate/mutate.ts';
import { mutateSchema, type MutateFilterOptions } from '../src/plugins/filters/mutate/schema.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('--seconds', 3);
const BATCH = arg('--batch', 125);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

console.log(`ruby filter bench — node ${process.version}, ${os.cpus().length} cores, load ${load()}`);
const t0 = performance.now();
const vm = await sharedRubyVm();
console.log(
  `interpreter start: ${(performance.now() - t0).toFixed(0)} ms (compile the 36 MB module ${vm.phases.compileMillis.toFixed(0)} ms, ` +
    `Ruby init + prelude ${vm.phases.initMillis.toFixed(0)} ms)`,
);

function elastiflowEvent(i: number): Event {
  const data: FieldMap = {
    '@timestamp': new Timestamp(1700000000 + (i % 60), (i % 1000) * 1e6),
    '@version': '1',
    event: { kind: 'event', category: 'network', type: 'connection', created: '2024-01-01T00:00:00.000Z' },
    flow: { locality: 'public', sampling_interval: 1, tcp_flags: 27, input_snmp: 101020003, output_snmp: 101020004 },
    source: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000), bytes: 1500 + i, packets: 3 },
    destination: { ip: '203.0.113.7', port: 443, bytes: 9000, packets: 8, mac: '00:1a:2b:3c:4d:5e' },
    network: { transport: 'tcp', iana_number: 6, bytes: 10500 + i, packets: 11, community_id: '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=' },
    observer: { ip: '192.0.2.1', hostname: 'edge-router-1' },
    netflow: { version: 10, flow_seq_num: i, flowset_id: 256 },
    tags: ['elastiflow'],
  };
  return new Event(data, { dst_rep_label: i % 3 ? 'Spam,Botnet' : 'Scanner', src_rep_label: 'Malware' });
}

const options = {
  add_field: {},
  add_tag: [],
  remove_field: [],
  remove_tag: [],
  ...Object.fromEntries(Object.entries(rubySchema.options).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default])),
  init: "require 'csv'",
  code: "event.set('[flow][dst_rep_tags]', event.get('[@metadata][dst_rep_label]').parse_csv)",
} as unknown as RubyFilterOptions;
const filter = new RubyFilter(options, standaloneContext());
await filter.register();

/** Events per second of wall time, and per second of this process's CPU time (what one core does, whatever the load). */
const peer = new MutateFilter(
  {
    add_field: {},
    add_tag: [],
    remove_field: [],
    remove_tag: [],
    ...Object.fromEntries(Object.entries(mutateSchema.options).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default])),
    copy: { '[@metadata][dst_rep_label]': '[flow][dst_rep_tags]' },
    split: { '[flow][dst_rep_tags]': ',' },
  } as unknown as MutateFilterOptions,
  standaloneContext(),
);

type Mode = 'none' | 'ruby' | 'mutate';
async function measure(mode: Mode): Promise<{ wall: number; cpu: number }> {
  let events = 0;
  let i = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < deadline) {
    const batch: Event[] = [];
    for (let k = 0; k < BATCH; k++) batch.push(elastiflowEvent(i++));
    const out =
      mode === 'ruby'
        ? (await Promise.all(batch.map((e) => filter.filter(e)))).flat()
        : mode === 'mutate'
          ? (await Promise.all(batch.map((e) => peer.filter(e)))).flat()
          : await Promise.all(batch.map((e) => [e]));
    events += out.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: events / ((performance.now() - start) / 1000), cpu: events / ((cpu.user + cpu.system) / 1e6) };
}

const best = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }) => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });
const rate = (n: number) => Math.round(n).toLocaleString('en-US');

// Warm up (the WebAssembly code tiers up while it runs), then keep the best of two runs each.
await measure('none');
await measure('mutate');
await measure('ruby');
await measure('ruby');
const without = best(await measure('none'), await measure('none'));
const withMutate = best(await measure('mutate'), await measure('mutate'));
const withRuby = best(await measure('ruby'), await measure('ruby'));
const check = elastiflowEvent(1);
await Promise.all([filter.filter(check)]);
console.log(`sample output [flow][dst_rep_tags]: ${JSON.stringify(check.get('[flow][dst_rep_tags]'))}`);
console.log(`without the ruby filter: ${rate(without.wall)} events/s wall, ${rate(without.cpu)} events per CPU-second (building ElastiFlow-shaped events, batches of ${BATCH})`);
console.log(`with the JS peer (mutate copy + split): ${rate(withMutate.wall)} events/s wall, ${rate(withMutate.cpu)} events per CPU-second`);
console.log(`with the ruby filter:    ${rate(withRuby.wall)} events/s wall, ${rate(withRuby.cpu)} events per CPU-second (one core: the filter runs on the main thread)`);
console.log(`ruby / JS peer: ${(withRuby.cpu / withMutate.cpu).toFixed(3)} of the peer's rate per CPU-second`);
console.log(`load after: ${load()}`);
filter.close();
