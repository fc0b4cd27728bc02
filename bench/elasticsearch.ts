// elasticsearch output throughput: documents/s through the real output (event → bulk lines → gzip
// → @elastic/elasticsearch → HTTP) into the local _bulk stand-in running as a separate process
// (test/plugins/elasticsearch/bulk-server-main.ts, count-only). Flow-like events (ElastiFlow-sized),
// Logstash's batch of 125 with two batches in flight (two workers) and larger batches; with and
// without gzip (compression_level 1 is the default). No Elasticsearch runs here, so there is no
// peer ratio: the server side is a stand-in, the figure is the output's own cost.
//   npx tsx bench/elasticsearch.ts [events] [batch:in-flight:gzip-level …]
// The --dry-run path on real ElastiFlow documents (CPU-µs per document): bench/elasticsearch-dry-run.ts.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Event } from '../src/event/event.ts';
import { Timestamp } from '../src/event/timestamp.ts';
import { Float } from '../src/event/values.ts';
import { standaloneContext } from '../src/plugins/context.ts';
import { ElasticsearchOutput } from '../src/plugins/outputs/elasticsearch/elasticsearch.ts';
import { elasticsearchSchema, type ElasticsearchOptions } from '../src/plugins/outputs/elasticsearch/schema.ts';

const N = Number(process.argv[2] ?? 200_000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/plugins/elasticsearch/bulk-server-main.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const url = (await lines.next()).value as string;
async function serverCount(): Promise<number> {
  child.stdin.write('count\n');
  return Number((await lines.next()).value);
}

function flowEvent(i: number): Event {
  return new Event({
    '@timestamp': Timestamp.fromMillis(1_700_000_000_000 + i),
    '@version': '1',
    event: { kind: 'event', category: 'network', type: 'connection' },
    flow: { src_addr: `10.0.${(i >> 8) & 255}.${i & 255}`, dst_addr: '192.0.2.10', src_port: 1024 + (i % 60000), dst_port: 443, ip_protocol: 'TCP', bytes: 1500 * (i % 97), packets: i % 97, tcp_flags: ['ACK', 'PSH'], sampling_interval: 1 },
    node: { ipaddr: '198.51.100.1', hostname: 'exporter-1' },
    netflow: { version: 10, flow_seq_num: i, in_bytes: 1500 * (i % 97), in_pkts: i % 97, flowStartMilliseconds: '2023-11-14T22:13:20.000Z', flowEndMilliseconds: '2023-11-14T22:13:21.000Z', ratio: new Float(0.5) },
    tags: ['__netflow'],
  });
}

interface Result {
  rate: number;
  perCpuSecond: number;
  load: number;
}

function options(given: Record<string, unknown>): ElasticsearchOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(elasticsearchSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, hosts: [url], index: 'elastiflow-4.0.1-%{+YYYY.MM.dd}', manage_template: false, ...given } as unknown as ElasticsearchOptions;
}

const events = Array.from({ length: 10_000 }, (_, i) => flowEvent(i));

async function run(batch: number, inFlight: number, compression: number): Promise<Result> {
  const out = new ElasticsearchOutput(options({ compression_level: compression }), standaloneContext());
  await out.register();
  await out.write([events[0]!]);
  const before = await serverCount();
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const from = next;
      if (from >= N) return;
      next += batch;
      const slice: Event[] = [];
      for (let i = from; i < Math.min(from + batch, N); i++) slice.push(events[i % events.length]!);
      await out.write(slice);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const received = (await serverCount()) - before;
  if (received !== N) throw new Error(`server received ${received} of ${N}`);
  await out.close();
  // End to end: from the first batch handed to write() until the server acknowledged the last one.
  // CPU seconds of this process (event → bulk lines → gzip → client → HTTP); the stand-in server is another process.
  return { rate: N / secs, perCpuSecond: N / ((cpu.user + cpu.system) / 1e6), load: os.loadavg()[0]! };
}

const given = process.argv.slice(3).map((c) => c.split(':').map(Number) as [number, number, number]);
const configs = given.length > 0 ? given : ([[125, 2, 1], [125, 2, 0], [1000, 2, 1], [1000, 2, 0]] as const);
const rows: Array<[string, Result]> = [];
await run(125, 2, 1); // warm-up
for (const [batch, inFlight, level] of configs) {
  rows.push([`batch ${batch}, ${inFlight} in flight, gzip level ${level}`, await run(batch, inFlight, level)]);
}
child.stdin.end();
console.log(`| elasticsearch output → local _bulk stand-in (${N} flow docs) | docs/s (wall) | docs per CPU-second of the output | load (1 min) |`);
console.log('|---|---:|---:|---:|');
for (const [label, r] of rows) console.log(`| ${label} | ${Math.round(r.rate).toLocaleString('en-US')} | ${Math.round(r.perCpuSecond).toLocaleString('en-US')} | ${r.load.toFixed(1)} |`);
console.log(`target ≥ 50,000 docs/s; no Elasticsearch peer here (stand-in server), so no ratio`);
console.log(`load average (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} on ${os.cpus().length} cores`);
