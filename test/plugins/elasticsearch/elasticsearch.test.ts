// The elasticsearch output against a local _bulk server (bulk-server.ts): bulk lines as Logstash's
// plugin writes them (action parameters, update/script bodies, data streams), template and ILM
// management, Logstash's retry semantics, gzip, auth headers, the DLQ, and --dry-run.
// Expected values come from logstash-output-elasticsearch (common.rb, http_client.rb,
// data_stream_support.rb, template_manager.rb, ilm.rb) and its documentation.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Event } from '../../../src/event/event.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import type { Logger, PluginContext } from '../../../src/plugins/types.ts';
import { elasticsearchSchema, type ElasticsearchOptions } from '../../../src/plugins/outputs/elasticsearch/schema.ts';
import { ElasticsearchOutput, check } from '../../../src/plugins/outputs/elasticsearch/elasticsearch.ts';
import { ActionBuilder } from '../../../src/plugins/outputs/elasticsearch/actions.ts';
import { resolvePlan } from '../../../src/plugins/outputs/elasticsearch/resolve.ts';
import type { DeadLetterQueue } from '../../../src/plugins/outputs/elasticsearch/dead-letter.ts';
import { DeadLetterQueueWriter } from '../../../src/pipeline/dead-letter-queue.ts';
import { readSegment } from '../../../src/pipeline/dlq/record-io.ts';
import { deserializeEntry } from '../../../src/pipeline/dlq/entry.ts';
import { BulkServer } from './bulk-server.ts';
import { HAVE_SHARED, REAL_CONFIGS, REPO } from '../../config/shared.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-es-'));

function options(given: Record<string, unknown> = {}): ElasticsearchOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(elasticsearchSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  if (typeof out['hosts'] === 'string') out['hosts'] = [out['hosts']];
  return { ...out, ...given } as unknown as ElasticsearchOptions;
}

interface LogLine { level: string; msg: string; data?: Record<string, unknown> }
function recordingLog(lines: LogLine[]): Logger {
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push({ level, msg, ...(data ? { data } : {}) });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
}

const at = (iso: string): Timestamp => Timestamp.fromMillis(Date.parse(iso));
function event(fields: Record<string, unknown>, metadata: Record<string, unknown> = {}, when = '2025-03-04T23:59:59.500Z'): Event {
  return new Event({ '@timestamp': at(when), '@version': '1', ...fields } as never, metadata as never);
}

const servers: BulkServer[] = [];
const outputs: ElasticsearchOutput[] = [];
afterEach(async () => {
  for (const o of outputs.splice(0)) await o.close();
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(o: ConstructorParameters<typeof BulkServer>[0] = {}): Promise<{ server: BulkServer; url: string }> {
  const server = new BulkServer(o);
  servers.push(server);
  return { server, url: await server.start() };
}

function output(opts: ElasticsearchOptions, ctx: Partial<PluginContext> = {}, dlq?: DeadLetterQueue): ElasticsearchOutput {
  const o = new ElasticsearchOutput(opts, standaloneContext(ctx), dlq);
  outputs.push(o);
  return o;
}

function builderFor(given: Record<string, unknown>, ecs: 'disabled' | 'v8' = 'v8'): ActionBuilder {
  const o = options(given);
  const plan = resolvePlan(o, ecs, 8);
  const out = new ElasticsearchOutput(o, standaloneContext({ ecsCompatibility: ecs }));
  return (out as unknown as { builderFor(p: typeof plan): ActionBuilder }).builderFor(plan);
}

describe('bulk lines (event_action_tuple)', () => {
  it('index: _id, _index, routing always present (null when unset), index sprintf in UTC, no @metadata', () => {
    const b = builderFor({ index: 'elastiflow-4.0.1-%{+YYYY.MM.dd}' });
    const a = b.build(event({ message: 'hi' }, { secret: 'x' }));
    expect(a.ndjson).toBe(
      '{"index":{"_id":null,"_index":"elastiflow-4.0.1-2025.03.04","routing":null}}\n' +
        '{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","message":"hi"}\n',
    );
  });

  it('document_id, routing, pipeline and version are interpolated; an empty pipeline is left out', () => {
    const b = builderFor({ index: 'i', document_id: '%{id}', routing: '%{r}', pipeline: '%{p}', version: '%{v}', version_type: 'external' });
    expect(b.build(event({ id: 'a1', r: 'k', p: 'geo', v: 3 })).ndjson.split('\n')[0]).toBe(
      '{"index":{"_id":"a1","_index":"i","routing":"k","pipeline":"geo","version":"3","version_type":"external"}}',
    );
    const noPipeline = builderFor({ index: 'i', pipeline: '' });
    expect(noPipeline.build(event({})).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"i","routing":null}}');
  });

  it('[@metadata][target_ingest_pipeline] names the pipeline when `pipeline` is unset', () => {
    const b = builderFor({ index: 'i' });
    expect(b.build(event({}, { target_ingest_pipeline: 'logs-x' })).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"i","routing":null,"pipeline":"logs-x"}}');
  });

  it('update: partial doc, doc_as_upsert, upsert, retry_on_conflict', () => {
    const doc = '{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","n":1}';
    const plain = builderFor({ index: 'i', action: 'update', document_id: 'x' }).build(event({ n: 1 })).ndjson;
    expect(plain).toBe(`{"update":{"_id":"x","_index":"i","routing":null,"retry_on_conflict":1}}\n{"doc":${doc}}\n`);
    const upserting = builderFor({ index: 'i', action: 'update', document_id: 'x', doc_as_upsert: true, retry_on_conflict: 5 }).build(event({ n: 1 })).ndjson;
    expect(upserting).toBe(`{"update":{"_id":"x","_index":"i","routing":null,"retry_on_conflict":5}}\n{"doc":${doc},"doc_as_upsert":true}\n`);
    const withUpsert = builderFor({ index: 'i', action: 'update', document_id: 'x', upsert: '{"n":%{n},"f":1.0}' }).build(event({ n: 1 })).ndjson;
    expect(withUpsert).toBe(`{"update":{"_id":"x","_index":"i","routing":null,"retry_on_conflict":1}}\n{"doc":${doc},"upsert":{"n":1,"f":1.0}}\n`);
  });

  it('update with a script: the event in script.params, inline/lang, scripted_upsert', () => {
    const doc = '{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","n":1}';
    const s = builderFor({ index: 'i', action: 'update', document_id: 'x', script: 'ctx._source.n += params.event.n' }).build(event({ n: 1 })).ndjson;
    expect(s).toBe(`{"update":{"_id":"x","_index":"i","routing":null,"retry_on_conflict":1}}\n{"script":{"params":{"event":${doc}},"inline":"ctx._source.n += params.event.n","lang":"painless"}}\n`);
    const scripted = builderFor({ index: 'i', action: 'update', document_id: 'x', script: 'my-script', script_type: 'indexed', scripted_upsert: true, script_var_name: 'e' }).build(event({ n: 1 })).ndjson;
    expect(scripted.split('\n')[1]).toBe(`{"script":{"params":{"e":${doc}},"id":"my-script","lang":"painless"},"scripted_upsert":true,"upsert":{}}`);
  });

  it('delete: the action line only; create; action from a field', () => {
    expect(builderFor({ index: 'i', action: 'delete', document_id: '%{id}' }).build(event({ id: 'z' })).ndjson).toBe('{"delete":{"_id":"z","_index":"i","routing":null}}\n');
    const dynamic = builderFor({ index: 'i', action: '%{op}' });
    expect(dynamic.build(event({ op: 'create' })).ndjson.startsWith('{"create":{')).toBe(true);
    expect(() => dynamic.build(event({ op: 'upsert' }))).toThrow(/doesn't support the 'upsert' action/);
  });

  it('an index still holding %{…} after interpolation is a mapping error (dlq_on_failed_indexname_interpolation)', () => {
    expect(() => builderFor({ index: 'x-%{missing}' }).build(event({}))).toThrow('Badly formatted index, after interpolation still contains placeholder: [x-%{missing}]');
    expect(builderFor({ index: 'x-%{missing}', dlq_on_failed_indexname_interpolation: false }).build(event({})).ndjson).toContain('"_index":"x-%{missing}"');
  });

  it('data streams (ECS on, no incompatible setting): create into type-dataset-namespace, data_stream fields synced', () => {
    const b = builderFor({});
    expect(b.build(event({ message: 'm' })).ndjson).toBe(
      '{"create":{"_id":null,"_index":"logs-generic-default","routing":null}}\n' +
        '{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","message":"m","data_stream":{"type":"logs","dataset":"generic","namespace":"default"}}\n',
    );
    const routed = b.build(event({ data_stream: { dataset: 'nginx' } })).ndjson;
    expect(routed.split('\n')[0]).toBe('{"create":{"_id":null,"_index":"logs-nginx-default","routing":null}}');
    expect(routed.split('\n')[1]).toContain('"data_stream":{"dataset":"nginx","type":"logs","namespace":"default"}');
  });
});

describe('plan (data_stream / ILM / index / template resolution)', () => {
  it('data_stream => auto: true under ECS with only connection settings, false once index/template/action… is given', () => {
    expect(resolvePlan(options({ hosts: ['h'], user: 'u', password: 'p' }), 'v8', 8).dataStream).toBeDefined();
    expect(resolvePlan(options({ index: 'x' }), 'v8', 8).dataStream).toBeUndefined();
    expect(resolvePlan(options({ manage_template: false }), 'v8', 8).dataStream).toBeDefined();
    expect(resolvePlan(options({ action: 'index' }), 'v8', 8).dataStream).toBeUndefined();
    expect(resolvePlan(options({}), 'disabled', 8).dataStream).toBeUndefined();
  });

  it('data stream settings while data streams resolve to false are a configuration error', () => {
    expect(() => resolvePlan(options({ index: 'x', data_stream_dataset: 'a' }), 'v8', 8)).toThrow(/Ambiguous configuration.*data_stream_dataset/);
    expect(() => resolvePlan(options({ data_stream: 'true', index: 'x' }), 'v8', 8)).toThrow('Invalid data stream configuration: [index]');
  });

  it('ECS disabled, default index, ES 8: ILM with the `logstash` alias, composable template named after it', () => {
    const p = resolvePlan(options({}), 'disabled', 8);
    expect(p.index).toBe('logstash');
    expect(p.ilm).toEqual({ rolloverAlias: 'logstash', pattern: '{now/d}-000001', policy: 'logstash-policy', installDefaultPolicy: true });
    expect(p.template).toEqual({ name: 'logstash', endpoint: '_index_template', overwrite: false });
  });

  it('explicit index: no ILM under auto, the index as given, the default template name; legacy endpoint on ES 7', () => {
    const p = resolvePlan(options({ index: 'elastiflow-%{+YYYY.MM.dd}', template_name: 'ef' }), 'v8', 7);
    expect(p.ilm).toBeUndefined();
    expect(p.index).toBe('elastiflow-%{+YYYY.MM.dd}');
    expect(p.template).toEqual({ name: 'ef', endpoint: '_template', overwrite: false });
    expect(resolvePlan(options({ index: 'x' }), 'v8', 8).template?.name).toBe('ecs-logstash');
  });

  it('-t check: invalid action, update without document_id', () => {
    const ctx = { log: standaloneContext().log, ecsCompatibility: 'v8' as const, id: 'es', where: 'x.conf:3:3' };
    expect(check(options({ action: 'upsert' }), ctx).errors[0]).toBe("x.conf:3:3: Action 'upsert' is invalid! Pick one of index, delete, create, update or use a sprintf style statement");
    expect(check(options({ action: 'update' }), ctx).errors[0]).toContain('needs a document_id');
    expect(check(options({ action: '%{op}' }), ctx).errors).toEqual([]);
  });
});

describe('against the local _bulk server', () => {
  it('sends the batch as one bulk request; the server sees the documents without @metadata', async () => {
    const { server, url } = await serve();
    const out = output(options({ hosts: [url], index: 'logs-%{+YYYY.MM.dd}', manage_template: false }));
    await out.register();
    await out.write([event({ a: 1 }, { hidden: true }), event({ a: 2 })]);
    expect(server.bulkRequests).toBe(1);
    expect(server.items.map((i) => [i.action, i.meta['_index'], (i.source as Record<string, unknown>)['a']])).toEqual([
      ['index', 'logs-2025.03.04', 1],
      ['index', 'logs-2025.03.04', 2],
    ]);
    expect(JSON.stringify(server.items)).not.toContain('hidden');
    // Logstash's default bulk_path asks only for what the per-item handling reads.
    const bulk = server.requests.find((r) => r.path === '/_bulk?filter_path=errors,items.*.error,items.*.status')!;
    expect(bulk.headers['content-type']).toContain('application/vnd.elasticsearch+x-ndjson');
    // compression_level defaults to 1: bodies are gzipped unless it is 0.
    expect(bulk.headers['content-encoding']).toBe('gzip');
    const plain = output(options({ hosts: [url], index: 'p', manage_template: false, compression_level: 0 }));
    await plain.register();
    await plain.write([event({ a: 3 })]);
    expect(server.requests.filter((r) => r.path.startsWith('/_bulk?')).at(-1)!.headers['content-encoding']).toBeUndefined();
    expect(out.stats()).toMatchObject({ indexed: 2 });
  });

  it('installs the template file as given (template_overwrite) on the composable endpoint', async () => {
    const { server, url } = await serve();
    const file = path.join(dir, 'tpl.json');
    writeFileSync(file, JSON.stringify({ index_patterns: ['elastiflow-*'], template: { settings: { number_of_shards: 3 } } }));
    const out = output(options({ hosts: [url], index: 'elastiflow-%{+YYYY.MM.dd}', template: file, template_name: 'elastiflow-4.0.1', template_overwrite: true }));
    await out.register();
    await out.write([event({})]);
    expect(server.templates.get('_index_template/elastiflow-4.0.1')).toEqual({ index_patterns: ['elastiflow-*'], template: { settings: { number_of_shards: 3 } } });
    expect(server.requests.some((r) => r.method === 'HEAD' && r.path.startsWith('/_index_template'))).toBe(false);
  });

  it('a template that exists is left alone unless template_overwrite; ES 7 uses _template', async () => {
    const { server, url } = await serve({ version: '7.17.0' });
    server.templates.set('_template/ef', { old: true });
    const out = output(options({ hosts: [url], index: 'x', template_name: 'ef' }));
    await out.register();
    await out.write([event({})]);
    expect(server.templates.get('_template/ef')).toEqual({ old: true });
  });

  it('ILM with the default index: policy, rollover alias <alias-{now/d}-000001>, template with lifecycle settings, writes to the alias', async () => {
    const { server, url } = await serve();
    const out = output(options({ hosts: [url] }), { ecsCompatibility: 'disabled' });
    await out.register();
    await out.write([event({ m: 1 })]);
    expect(server.policies.get('logstash-policy')).toBeDefined();
    expect(server.aliases.get('logstash')).toBe('logstash-{now/d}-000001');
    const tpl = server.templates.get('_index_template/logstash') as { index_patterns: string; template: { settings: Record<string, unknown> } };
    expect(tpl.index_patterns).toBe('logstash-*');
    expect(tpl.template.settings).toMatchObject({ 'index.lifecycle.name': 'logstash-policy', 'index.lifecycle.rollover_alias': 'logstash' });
    expect(server.items[0]!.meta['_index']).toBe('logstash');
  });

  it('a missing template file is logged (Failed to install template) and events still flow', async () => {
    const { server, url } = await serve();
    const lines: LogLine[] = [];
    const out = output(options({ hosts: [url], index: 'x', template: path.join(dir, 'absent.json') }), { log: recordingLog(lines) });
    await out.register();
    await out.write([event({})]);
    expect(lines.find((l) => l.msg === 'Failed to install template')?.data?.['message']).toContain("could not be found");
    expect(server.items).toHaveLength(1);
  });

  it('retry semantics: 429/503 items retried with backoff, 409 dropped, 400 dropped (no DLQ) — counted and logged', async () => {
    const { server, url } = await serve({
      itemStatus: (item, attempt) => {
        const n = (item.source as Record<string, number>)['n'];
        if (n === 1) return attempt === 1 ? 429 : 201;
        if (n === 2) return attempt < 3 ? 503 : 201;
        if (n === 3) return 409;
        if (n === 4) return 400;
        return 201;
      },
    });
    const lines: LogLine[] = [];
    const out = output(options({ hosts: [url], index: 'i', action: 'create', manage_template: false, retry_initial_interval: 0.01, retry_max_interval: 0.02 }), { log: recordingLog(lines) });
    await out.register();
    await out.write([1, 2, 3, 4, 5].map((n) => event({ n })));
    expect(server.items.map((i) => (i.source as Record<string, number>)['n']).sort()).toEqual([1, 2, 5]);
    expect(out.stats()).toMatchObject({ indexed: 3, conflicts: 1, dropped: 1, retriedItems: 3 });
    expect(lines.filter((l) => l.msg === 'Failed action')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'Could not index event to Elasticsearch.')).toHaveLength(1);
    // As common.rb logs them: the action tuple and the item's response as Ruby prints them (the lines
    // went out as bytes; the parameters still read in Logstash's order: _id, _index, routing).
    const failed = lines.find((l) => l.msg === 'Failed action')!.data!;
    expect(String(failed['action'])).toMatch(/^\["create", \{:_id=>nil, :_index=>"i", :routing=>nil\}, #<LogStash::Event:0x[0-9a-f]+>\]$/);
    // The bulk request asks for filter_path=errors,items.*.error,items.*.status, as Logstash's http_client does.
    expect(String(failed['response'])).toBe('{"create"=>{"status"=>409, "error"=>{"type"=>"version_conflict_engine_exception", "reason"=>"status 409"}}}');
    expect(server.bulkRequests).toBe(3);
  });

  it('a whole request refused (429, then 503) is resent until accepted', async () => {
    const { server, url } = await serve({ requestStatus: (n) => (n === 1 ? 429 : n === 2 ? 503 : 200) });
    const out = output(options({ hosts: [url], index: 'i', manage_template: false, retry_initial_interval: 0.01 }));
    await out.register();
    await out.write([event({ n: 1 })]);
    expect(server.bulkRequests).toBe(3);
    expect(server.items).toHaveLength(1);
    expect(out.stats()).toMatchObject({ indexed: 1, retriedRequests: 2 });
  });

  it('closing while items are still being retried gives up on them (counted as abandoned)', async () => {
    const { url } = await serve({ itemStatus: () => 503 });
    const out = output(options({ hosts: [url], index: 'i', manage_template: false, retry_initial_interval: 30 }));
    await out.register();
    const pending = out.write([event({ n: 1 })]);
    await new Promise((r) => setTimeout(r, 200));
    await out.close();
    await pending;
    expect(out.stats()).toMatchObject({ abandoned: 1, indexed: 0 });
  });

  it('DLQ codes go to the dead letter queue when enabled, with the reason and the @metadata', async () => {
    const { url } = await serve({ itemStatus: (item) => ((item.source as Record<string, number>)['n'] === 1 ? 400 : 201) });
    const queue = new DeadLetterQueueWriter(path.join(dir, 'dlq', 'main'), { path: path.join(dir, 'dlq'), maxBytes: 2 ** 20, storagePolicy: 'drop_newer', flushIntervalMs: 5000 }, standaloneContext().log);
    const out = output(options({ hosts: [url], index: 'i', manage_template: false }), {}, queue.forPlugin('elasticsearch', 'es1'));
    await out.register();
    await out.write([event({ n: 1 }, { k: 'v' }), event({ n: 2 }), event({ n: 3, idx: 1 })]);
    queue.close();
    const entries = readSegment(path.join(dir, 'dlq', 'main', '1.log')).map(deserializeEntry);
    expect(entries).toHaveLength(1);
    // handle_dlq_response: "#{message} status: #{status}, action: #{action_params}, response: #{response}" (Ruby's to_s of an Array and a Hash).
    expect(entries[0]!.reason).toMatch(
      /^Could not index event to Elasticsearch\. status: 400, action: \["index", \{:_id=>nil, :_index=>"i", :routing=>nil\}, #<LogStash::Event:0x[0-9a-f]+>\], response: \{"index"=>\{"status"=>400, "error"=>\{"type"=>"mapper_parsing_exception", "reason"=>"status 400"\}\}\}$/,
    );
    expect(entries[0]!).toMatchObject({ pluginType: 'elasticsearch', pluginId: 'es1' });
    expect(entries[0]!.event.data).toMatchObject({ n: 1 });
    expect(entries[0]!.event.metadata).toEqual({ k: 'v' });
    expect(out.stats()).toMatchObject({ dlqRouted: 1, indexed: 2, dlq_written: 1 });
  });

  it('http_compression gzips the bulk body; user/password and api_key become Authorization headers; parameters and custom_headers are sent', async () => {
    const { server, url } = await serve();
    const out = output(options({ hosts: [url], index: 'i', manage_template: false, http_compression: true, compression_level: 0, user: 'elastic', password: 'changeme', parameters: { refresh: 'true' }, custom_headers: { 'x-team': 'flow' } }));
    await out.register();
    await out.write([event({ n: 1 })]);
    const bulk = server.requests.find((r) => r.path.startsWith('/_bulk'))!;
    expect(bulk.headers['content-encoding']).toBe('gzip');
    expect(bulk.body).toContain('"n":1');
    expect(bulk.path).toBe('/_bulk?refresh=true&filter_path=errors,items.*.error,items.*.status');
    expect(bulk.headers['authorization']).toBe(`Basic ${Buffer.from('elastic:changeme').toString('base64')}`);
    expect(bulk.headers['x-team']).toBe('flow');

    const keyed = output(options({ hosts: [url], index: 'i', manage_template: false, api_key: 'id1:secret' }));
    await keyed.register();
    await keyed.write([event({ n: 2 })]);
    expect(server.requests.filter((r) => r.path.startsWith('/_bulk?')).at(-1)!.headers['authorization']).toBe(`ApiKey ${Buffer.from('id1:secret').toString('base64')}`);
  });

  it('an unmappable event is counted and logged, the rest of the batch is indexed', async () => {
    const { server, url } = await serve();
    const lines: LogLine[] = [];
    const out = output(options({ hosts: [url], index: 'i-%{k}', manage_template: false }), { log: recordingLog(lines) });
    await out.register();
    await out.write([event({ k: 'a' }), event({})]);
    expect(server.items.map((i) => i.meta['_index'])).toEqual(['i-a']);
    expect(out.stats()).toMatchObject({ mapping_failures: 1 });
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('Badly formatted index, after interpolation still contains placeholder: [i-%{k}]'))).toBe(true);
  });

  it('hosts: a host without scheme/port gets http and 9200; path prefixes; ssl disagreeing with the URL is an error', async () => {
    const { nodeUrls } = await import('../../../src/plugins/outputs/elasticsearch/connection.ts');
    expect(nodeUrls(options({ hosts: ['127.0.0.1'] }))).toEqual(['http://127.0.0.1:9200/']);
    expect(nodeUrls(options({ hosts: ['//es.local', 'https://b:443'], path: '/es' }))).toEqual(['http://es.local:9200/es', 'https://b/es']);
    expect(nodeUrls(options({ hosts: ['es:9201'], ssl_enabled: true }))).toEqual(['https://es:9201/']);
    expect(() => nodeUrls(options({ hosts: ['http://es'], ssl_enabled: true }))).toThrow(/SSL option was explicitly set/);
    expect(() => nodeUrls(options({ hosts: ['http://u:p@es'] }))).toThrow(/user password in the URL/);
  });
});

describe('--dry-run', () => {
  /** What `run` writes on stdout, one string per write. */
  async function printed(run: () => Promise<void>): Promise<string[]> {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
    try {
      await run();
    } finally {
      process.stdout.write = write;
    }
    return chunks;
  }

  it('prints the bulk lines (action + document) on stdout; nothing is contacted', async () => {
    const chunks = await printed(async () => {
      const out = output(options({ hosts: ['127.0.0.1:1'], index: 'x-%{+YYYY.MM.dd}' }), { dryRun: true });
      await out.register();
      await out.write([event({ m: 'a' }, { drop: 1 })]);
      await out.close();
    });
    expect(chunks.join('')).toBe('{"index":{"_id":null,"_index":"x-2025.03.04","routing":null}}\n{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","m":"a"}\n');
  });

  it('one write per batch, the lines build() makes; an unmappable event is counted, logged and left out', async () => {
    const lines: LogLine[] = [];
    const batch = [event({ k: 'a', m: 'ü' }), event({}), event({ k: 'b' }, { target_ingest_pipeline: 'p' }), event({ k: 'a', m: 'x' }, {}, '2025-03-05T00:00:00.000Z')];
    let out!: ElasticsearchOutput;
    const chunks = await printed(async () => {
      out = output(options({ hosts: ['127.0.0.1:1'], index: 'i-%{k}-%{+YYYY.MM.dd}' }), { dryRun: true, log: recordingLog(lines) });
      await out.register();
      await out.write(batch);
      await out.write([event({})]);
    });
    expect(chunks).toEqual([
      '{"index":{"_id":null,"_index":"i-a-2025.03.04","routing":null}}\n{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","k":"a","m":"ü"}\n' +
        '{"index":{"_id":null,"_index":"i-b-2025.03.04","routing":null,"pipeline":"p"}}\n{"@timestamp":"2025-03-04T23:59:59.500Z","@version":"1","k":"b"}\n' +
        '{"index":{"_id":null,"_index":"i-a-2025.03.05","routing":null}}\n{"@timestamp":"2025-03-05T00:00:00.000Z","@version":"1","k":"a","m":"x"}\n',
    ]);
    expect(out.stats()).toMatchObject({ printed: 3, mapping_failures: 2 });
    expect(lines.filter((l) => l.level === 'warn' && l.msg.startsWith('Badly formatted index'))).toHaveLength(2);
  });

  it.skipIf(!HAVE_SHARED)("flowstash --dry-run on ElastiFlow's 30_output_10_single: bulk lines into elastiflow-4.0.1-YYYY.MM.dd (UTC day of @timestamp)", () => {
    const output = readFileSync(path.join(REAL_CONFIGS, 'elastiflow_30_output_10_single.conf'), 'utf8');
    const input = `input { generator { count => 2 lines => ['{"@timestamp":"2026-01-01T02:30:00.000Z","flow":{"bytes":10}}'] codec => json } }\n`;
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/flowstash.mjs'), '--dry-run', '-w', '1', '-e', input + output], { cwd: REPO, encoding: 'utf8', env: { ...process.env, TZ: 'America/New_York' } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]!)).toEqual({ index: { _id: null, _index: 'elastiflow-4.0.1-2026.01.01', routing: null } });
    expect(JSON.parse(lines[1]!)).toMatchObject({ '@timestamp': '2026-01-01T02:30:00.000Z', flow: { bytes: 10 } });
    // The template file the config names does not exist here: Logstash logs the failure and keeps indexing.
    expect(r.stderr).toContain('Failed to install template');
  });
});

if (!HAVE_SHARED) console.warn('[skip] ../shared is absent: the ElastiFlow --dry-run test is skipped');
void existsSync;
