// Pipeline throughput: generator → mutate → json_lines to /dev/null, one worker, plus the
// json_lines encoder alone. Prints events/s. No peer runs here (Logstash needs a JVM, which this
// machine does not have), so the table has no ratio column; the figures are for comparing
// flowstash revisions with each other on the same machine.
//   npx tsx bench/pipeline.ts [events]
import { loadPipelineConfig } from '../src/config/pipeline-config.ts';
import { runPipeline } from '../src/pipeline/runner.ts';
import { JsonLinesCodec } from '../src/plugins/codecs/json_lines/json_lines.ts';
import { Event } from '../src/event/event.ts';
import { Float } from '../src/event/values.ts';

const N = Number(process.argv[2] ?? 300_000);

async function pipelineRun(): Promise<number> {
  const config = await loadPipelineConfig({
    configString: `input { generator { count => ${N} message => "192.0.2.1 GET /index.html 200 5120" } }
      filter {
        mutate { split => { "message" => " " } add_field => { "client" => "%{[message][0]}" } }
        mutate { convert => { "[message][3]" => "integer" } rename => { "client" => "[source][ip]" } uppercase => [ "[message][1]" ] }
      }
      output { file { path => "/dev/null" codec => json_lines } }`,
    env: {},
  });
  const start = process.hrtime.bigint();
  const code = await runPipeline(config, { workers: 1, batchSize: 125, batchDelayMs: 50, logLevel: 'warn', handleSignals: false });
  if (code !== 0) throw new Error(`pipeline exited ${code}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function encoderRun(): number {
  const codec = new JsonLinesCodec('\n');
  const events = Array.from({ length: 1000 }, (_, i) =>
    new Event({ message: 'hello world', n: i, ratio: new Float(i / 7), netflow: { src: '192.0.2.1', dst: '198.51.100.7', bytes: 123456789012n, ports: [80, 443] } }),
  );
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < N / 1000; r++) for (const e of events) bytes += codec.encode(e).length;
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('nothing encoded');
  return secs;
}

await pipelineRun(); // warm-up (JIT, module loading)
const p = await pipelineRun();
const e = encoderRun();
const rows = [
  ['generator → 2×mutate → json_lines → /dev/null (-w 1)', N, p],
  ['json_lines encode only (flow-like event)', N, e],
] as const;
console.log('| benchmark | events | seconds | events/s | peer |');
console.log('|---|---:|---:|---:|---|');
for (const [name, n, s] of rows) {
  console.log(`| ${name} | ${n} | ${s.toFixed(2)} | ${Math.round(n / s).toLocaleString('en-US')} | n/a (no Logstash/JVM on this machine) |`);
}
