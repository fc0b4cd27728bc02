// The elasticsearch output's own cost per document on real ElastiFlow documents: the full ElastiFlow
// conf.d runs in process on the bench capture (bench/elastiflow.ts makes it) to collect its output
// events, then the output (--dry-run, as the ElastiFlow bench collector runs it) turns batches of 125
// of them into bulk lines on stdout, a pipe the parent drains, as the collector's stdout is.
// Prints CPU-µs per document of the writing process (event → action + document lines → stdout write).
//   npx tsx bench/elasticsearch-dry-run.ts [--docs 20000] [--rounds 5]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Event } from '../src/event/event.ts';
import { elastiflowInProcess } from './elastiflow-in-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAPTURE = path.join(ROOT, 'bench/out/elastiflow-softflowd.pcap');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : def;
};
const DOCS = Number(arg('--docs', '20000'));
const ROUNDS = Number(arg('--rounds', '5'));
const BATCH = 125;

async function parent(): Promise<void> {
  if (!existsSync(CAPTURE)) {
    console.warn(`bench/elasticsearch-dry-run: ${path.relative(ROOT, CAPTURE)} is absent: run bench/elastiflow.ts once to make it`);
    return;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let bytes = 0;
  // A digest of everything printed: equal digests before and after a change = byte-identical output.
  const digest = createHash('sha256');
  child.stdout!.on('data', (b: Buffer) => {
    bytes += b.length;
    digest.update(b);
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  console.error(`stdout: ${(bytes / 1e6).toFixed(1)} MB of bulk lines, sha256 ${digest.digest('hex').slice(0, 16)}; exit ${code}`);
}

/** The events leaving ElastiFlow's filters for the elasticsearch output, in order. */
async function elastiflowEvents(): Promise<Event[]> {
  const events: Event[] = [];
  let enough: () => void;
  const collected = new Promise<void>((r) => (enough = r));
  const { pipeline, cleanup } = await elastiflowInProcess({
    capture: CAPTURE,
    batchSize: BATCH,
    dist: false,
    feed: async (ctx, datagrams, decode) => {
      let pushed = 0;
      for (let i = 0; pushed < DOCS && i < datagrams.length; i++) {
        const batch = decode(datagrams[i]!);
        pushed += batch.length;
        const full = ctx.push(batch);
        if (full) await full;
      }
    },
    outputs: (_id, batch) => {
      for (const e of batch) if (events.length < DOCS) events.push(e);
      if (events.length >= DOCS) enough();
    },
  });
  pipeline.start();
  await collected;
  cleanup();
  return events;
}

async function child(): Promise<void> {
  const { ElasticsearchOutput } = await import('../src/plugins/outputs/elasticsearch/elasticsearch.ts');
  const { elasticsearchSchema } = await import('../src/plugins/outputs/elasticsearch/schema.ts');
  const { standaloneContext } = await import('../src/plugins/context.ts');
  type Options = import('../src/plugins/outputs/elasticsearch/schema.ts').ElasticsearchOptions;
  const events = await elastiflowEvents();
  const options: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(elasticsearchSchema.options)) if (spec.default !== undefined) options[k] = spec.default;
  // ElastiFlow's 30_output_10_single.logstash.conf, without the template (not the hot path).
  Object.assign(options, { hosts: ['127.0.0.1:9200'], index: 'elastiflow-4.0.1-%{+YYYY.MM.dd}', manage_template: false });
  const out = new ElasticsearchOutput(options as unknown as Options, standaloneContext({ dryRun: true, ecsCompatibility: 'disabled' }));
  await out.register();
  for (let round = 0; round <= ROUNDS; round++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < events.length; i += BATCH) await out.write(events.slice(i, i + BATCH));
    const c = process.cpuUsage(cpu0);
    const us = c.user + c.system;
    console.error(
      `${round === 0 ? 'warm-up' : `round ${round}`}: ${events.length} ElastiFlow documents in batches of ${BATCH}: ` +
        `${(us / events.length).toFixed(2)} CPU-µs per document, load ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }
  await out.close();
  // The pipeline's other inputs still listen.
  process.exit(0);
}

if (process.argv.includes('--child')) await child();
else await parent();
