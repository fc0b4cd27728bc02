// "Processing events in the dead letter queue" end to end, with the real CLI: pipeline A's
// elasticsearch output writes into the local _bulk stand-in (test/plugins/elasticsearch/
// bulk-server.ts; no Elasticsearch here), which refuses the documents whose message is "bad" with
// 400, so they land in A's DLQ (logstash.yml dead_letter_queue.enable); pipeline B
// `input { dead_letter_queue { … } } output { stdout { codec => rubydebug { metadata => true } } }`
// prints them with [@metadata][dead_letter_queue] as logstash-input-dead_letter_queue sets it.
// commit_offsets: a second run of B starts after what the first one read.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flowstash, runFlowstash } from '../../../../test/e2e/helpers.ts';
import { BulkServer } from '../../../../test/plugins/elasticsearch/bulk-server.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function fillDlq(url: string, root: string, lines: string[], run: string): Promise<void> {
  const settings = path.join(root, `settings-${run}`);
  const config =
    `input { generator { lines => ${JSON.stringify(lines)} count => 1 add_field => { "run" => "${run}" } } } ` +
    `output { elasticsearch { id => "es_out" hosts => ["${url}"] index => "flows" manage_template => false } }`;
  mkdirSync(settings);
  writeFileSync(path.join(settings, 'logstash.yml'), `dead_letter_queue.enable: true\npath.dead_letter_queue: ${JSON.stringify(path.join(root, 'dlq'))}\n`);
  writeFileSync(path.join(settings, 'pipelines.yml'), `- pipeline.id: flows\n  config.string: ${JSON.stringify(config)}\n`);
  const r = await runFlowstash(['--path.settings', settings]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/dlqRouted=1/);
}

/** Runs pipeline B until it has printed `count` events, then stops it with SIGINT. */
async function reprocess(root: string, count: number): Promise<string> {
  const config =
    `input { dead_letter_queue { path => "${path.join(root, 'dlq')}" pipeline_id => "flows" sincedb_path => "${path.join(root, 'dlq.sincedb')}" } } ` +
    `output { stdout { codec => rubydebug { metadata => true } } }`;
  const b = flowstash(['-e', config]);
  cleanup.push(() => void b.child.kill('SIGKILL'));
  await b.waitFor(new RegExp(`(?:"plugin_type" => "elasticsearch"[\\s\\S]*){${count}}`), 30_000);
  await new Promise((r) => setTimeout(r, 300)); // nothing more is coming
  b.child.kill('SIGINT');
  expect(await b.exited, b.stderr).toBe(0);
  return b.stdout;
}

describe('dead_letter_queue input end to end', () => {
  it('pipeline B prints what the elasticsearch output of pipeline A refused, with its DLQ metadata; a second run starts after it', async () => {
    const server = new BulkServer({ itemStatus: (item) => ((item.source as Record<string, unknown>)['message'] === 'bad' ? 400 : 201) });
    const url = await server.start();
    cleanup.push(() => server.stop());
    const root = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-e2e-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));

    await fillDlq(url, root, ['good', 'bad', 'also good'], '1');
    const first = await reprocess(root, 1);
    expect(first.match(/"message" => "bad"/g)).toHaveLength(1);
    expect(first).toMatch(/"run" => "1"/);
    expect(first).toMatch(/"@metadata" => \{[\s\S]*"dead_letter_queue" => \{/);
    expect(first).toMatch(/"plugin_type" => "elasticsearch"/);
    expect(first).toMatch(/"plugin_id" => "es_out"/);
    expect(first).toMatch(/"reason" => "Could not index event to Elasticsearch\. status: 400, action: /);
    expect(first).toMatch(/"entry_time" => \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/);
    expect(first).not.toMatch(/"good"/);

    await fillDlq(url, root, ['bad'], '2');
    const second = await reprocess(root, 1);
    expect(second.match(/"message" => "bad"/g)).toHaveLength(1);
    expect(second).toMatch(/"run" => "2"/);
    expect(second).not.toMatch(/"run" => "1"/);
  }, 90_000);

  it('in one process (pipelines.yml): pipeline b reads what pipeline a refuses, once a segment is sealed', async () => {
    const server = new BulkServer({ itemStatus: (item) => ((item.source as Record<string, unknown>)['message'] === 'bad' ? 400 : 201) });
    const url = await server.start();
    cleanup.push(() => server.stop());
    const root = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-e2e-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const a = `input { generator { lines => ["good", "bad"] count => 1 } } output { elasticsearch { id => "es_out" hosts => ["${url}"] index => "flows" manage_template => false } }`;
    const b = `input { dead_letter_queue { path => "${path.join(root, 'dlq')}" pipeline_id => "a" sincedb_path => "${path.join(root, 's')}" } } output { stdout { codec => rubydebug { metadata => true } } }`;
    writeFileSync(path.join(root, 'logstash.yml'), `dead_letter_queue.enable: true\npath.dead_letter_queue: ${JSON.stringify(path.join(root, 'dlq'))}\n`);
    writeFileSync(path.join(root, 'pipelines.yml'), `- pipeline.id: a\n  config.string: ${JSON.stringify(a)}\n- pipeline.id: b\n  dead_letter_queue.enable: false\n  config.string: ${JSON.stringify(b)}\n`);
    const run = flowstash(['--path.settings', root]);
    cleanup.push(() => void run.child.kill('SIGKILL'));
    await run.waitFor(/"plugin_id" => "es_out"/, 30_000);
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr).toBe(0);
    expect(run.stdout.match(/"message" => "bad"/g)).toHaveLength(1);
    expect(run.stdout).not.toMatch(/"message" => "good"/);
  }, 60_000);
});
