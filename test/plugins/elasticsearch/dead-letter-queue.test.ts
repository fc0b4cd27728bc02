// The dead letter queue end to end: `flowstash --path.settings DIR` with Logstash's settings
// (dead_letter_queue.enable in logstash.yml or per pipeline in pipelines.yml, path.dead_letter_queue,
// max_bytes, storage_policy), an elasticsearch output into the local _bulk stand-in (bulk-server.ts,
// no Elasticsearch here) that refuses some items with 400. Expected: what Logstash does —
// logstash-output-elasticsearch common.rb handle_dlq_response writes "Could not index event to
// Elasticsearch. status: 400, action: …, response: …" to the pipeline's DLQ at
// <path.dead_letter_queue>/<pipeline.id>/; without a DLQ the item is dropped with a warning.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFlowstash } from '../../e2e/helpers.ts';
import { readSegment } from '../../../src/pipeline/dlq/record-io.ts';
import { deserializeEntry, type DlqEntry } from '../../../src/pipeline/dlq/entry.ts';
import { BulkServer } from './bulk-server.ts';
import { ElasticsearchOutput } from '../../../src/plugins/outputs/elasticsearch/elasticsearch.ts';
import { elasticsearchSchema, type ElasticsearchOptions } from '../../../src/plugins/outputs/elasticsearch/schema.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';

const servers: BulkServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A bulk server refusing (400, mapper_parsing_exception) every document whose message is "bad". */
async function refusingServer(): Promise<{ server: BulkServer; url: string }> {
  const server = new BulkServer({ itemStatus: (item) => ((item.source as Record<string, unknown>)['message'] === 'bad' ? 400 : 201) });
  servers.push(server);
  return { server, url: await server.start() };
}

const pipelineConfig = (url: string, id: string): string =>
  `input { generator { lines => ["good", "bad", "also good"] count => 1 } } ` +
  `output { elasticsearch { id => "${id}" hosts => ["${url}"] index => "flows" manage_template => false } }`;

function settingsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-settings-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function entries(dir: string): DlqEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .flatMap((f) => readSegment(path.join(dir, f)).map(deserializeEntry));
}

const yamlString = (s: string): string => JSON.stringify(s);

describe('dead letter queue from Logstash settings', () => {
  it('logstash.yml dead_letter_queue.enable: refused items land in <path.dead_letter_queue>/<pipeline.id>/1.log with the reason', async () => {
    const { server, url } = await refusingServer();
    const dlqPath = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-'));
    const dir = settingsDir({
      'logstash.yml': `dead_letter_queue.enable: true\npath.dead_letter_queue: ${yamlString(dlqPath)}\n`,
      'pipelines.yml': `- pipeline.id: flows\n  config.string: ${yamlString(pipelineConfig(url, 'es_out'))}\n`,
    });
    const r = await runFlowstash(['--path.settings', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.items.map((i) => (i.source as Record<string, unknown>)['message']).sort()).toEqual(['also good', 'good']);
    expect(readdirSync(path.join(dlqPath, 'flows'))).toEqual(['1.log']);
    const [entry, ...rest] = entries(path.join(dlqPath, 'flows'));
    expect(rest).toEqual([]);
    expect(entry!.pluginType).toBe('elasticsearch');
    expect(entry!.pluginId).toBe('es_out');
    expect(entry!.reason).toMatch(/^Could not index event to Elasticsearch\. status: 400, action: \["index", \{:_id=>nil, :_index=>"flows", :routing=>nil\}, #<LogStash::Event:0x[0-9a-f]+>\], response: \{"index"=>\{.*"status"=>400/);
    expect(entry!.event.get('message')).toBe('bad');
    expect(r.stderr).toMatch(/dlqRouted=1/);
    expect(r.stderr).toMatch(/Dead letter queue .*:written=>1, :dropped_events=>0/);
  });

  it('per pipeline in pipelines.yml: only the pipeline that enables it gets a DLQ; the other drops the item with a warning, counted', async () => {
    const { url } = await refusingServer();
    const dlqPath = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-'));
    const dir = settingsDir({
      'logstash.yml': `path.dead_letter_queue: ${yamlString(dlqPath)}\n`,
      'pipelines.yml':
        `- pipeline.id: with_dlq\n  dead_letter_queue.enable: true\n  config.string: ${yamlString(pipelineConfig(url, 'es_a'))}\n` +
        `- pipeline.id: without\n  config.string: ${yamlString(pipelineConfig(url, 'es_b'))}\n`,
    });
    const r = await runFlowstash(['--path.settings', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(entries(path.join(dlqPath, 'with_dlq')).map((e) => [e.pluginId, e.event.get('message')])).toEqual([['es_a', 'bad']]);
    expect(existsSync(path.join(dlqPath, 'without'))).toBe(false);
    expect(r.stderr).toMatch(/\[WARN \].*Could not index event to Elasticsearch\./);
    expect(r.stderr).toMatch(/output elasticsearch \(es_b\):.* dropped=1/);
  });

  it('dlq_custom_codes without a DLQ stops the start with the plugin\'s ConfigurationError', async () => {
    const { url } = await refusingServer();
    const dir = settingsDir({
      'pipelines.yml': `- pipeline.id: main\n  config.string: ${yamlString(`input { generator { count => 1 } } output { elasticsearch { hosts => ["${url}"] dlq_custom_codes => [403] } }`)}\n`,
    });
    const r = await runFlowstash(['--path.settings', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DLQ feature (dlq_custom_codes) is configured while DLQ is not enabled');
  });

  it('max_bytes: a full queue drops new entries with drop_newer (counted, logged), and deletes the oldest segment with drop_older', async () => {
    const { url } = await refusingServer();
    const dlqPath = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-'));
    const files = (policy: string, maxBytes: string): Record<string, string> => ({
      'logstash.yml': `dead_letter_queue:\n  enable: true\n  max_bytes: ${maxBytes}\n  storage_policy: ${policy}\npath.dead_letter_queue: ${yamlString(dlqPath)}\n`,
      'pipelines.yml': `- pipeline.id: main\n  config.string: ${yamlString(pipelineConfig(url, 'es_out'))}\n`,
    });
    const queue = path.join(dlqPath, 'main');
    // First run: room to spare; the segment is sealed at shutdown.
    expect((await runFlowstash(['--path.settings', settingsDir(files('drop_newer', '1mb'))])).code).toBe(0);
    expect(readdirSync(queue)).toEqual(['1.log']);
    // 1.log alone exceeds 100 bytes: drop_newer refuses the next entry.
    const full = await runFlowstash(['--path.settings', settingsDir(files('drop_newer', '100b'))]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toContain(`Cannot write event to DLQ(path: ${queue}): reached maxQueueSize of 100`);
    expect(full.stderr).toMatch(/Dead letter queue .*:written=>0, :dropped_events=>1/);
    expect(entries(queue)).toHaveLength(1);
    // drop_older: 1.log is deleted to make room for the new entry, which goes to 2.log.
    const older = await runFlowstash(['--path.settings', settingsDir(files('drop_older', '1kb'))]);
    expect(older.code, older.stderr).toBe(0);
    expect(readdirSync(queue)).toEqual(['2.log']);
    expect(entries(queue).map((e) => e.event.get('message'))).toEqual(['bad']);
  });
});

describe('dlq_custom_codes with a DLQ (check_dlq_custom_codes)', () => {
  const options = (codes: number[]): ElasticsearchOptions => {
    const out: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(elasticsearchSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
    return { ...out, hosts: ['http://127.0.0.1:9'], dlq_custom_codes: codes } as unknown as ElasticsearchOptions;
  };
  const dlq = { write: () => undefined, written: 0 };
  const registered = async (codes: number[]): Promise<string> => {
    const out = new ElasticsearchOutput(options(codes), standaloneContext(), dlq);
    try {
      await out.register();
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    } finally {
      await out.close();
    }
  };

  it('codes that are already DLQ, success or conflict codes are refused with the plugin\'s messages', async () => {
    expect(await registered([400, 403])).toBe('[400] are already defined as standard DLQ error codes');
    expect(await registered([201])).toBe('[201] are success codes which cannot be redefined in dlq_custom_codes');
    expect(await registered([409])).toBe('[409] are error codes already defined as conflict which cannot be redefined in dlq_custom_codes');
    expect(await registered([403])).toBe('ok');
  });
});
