// What goes on the wire for a bulk request, beside the line contents pinned in elasticsearch.test.ts:
// the path and query Logstash's http_client_builder.rb gives `_bulk` (filter_path added unless
// bulk_path has one; `parameters` first, as manticore_adapter.rb's format_url joins them), the
// index-only action line (built once per index name) equal to common.rb's, and the split at
// TARGET_BULK_BYTES counted in UTF-8 bytes, gzip small and large.
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { Event } from '../../../src/event/event.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { JsonBatchWriter } from '../../../src/event/json-writer.ts';
import { Float } from '../../../src/event/values.ts';
import type { Logger } from '../../../src/plugins/types.ts';
import { elasticsearchSchema, type ElasticsearchOptions } from '../../../src/plugins/outputs/elasticsearch/schema.ts';
import { bulkRequestTarget } from '../../../src/plugins/outputs/elasticsearch/connection.ts';
import { ActionBuilder, type ActionSettings, type BulkAction, EventMappingError } from '../../../src/plugins/outputs/elasticsearch/actions.ts';
import { BulkSender, TARGET_BULK_BYTES } from '../../../src/plugins/outputs/elasticsearch/bulk-sender.ts';

const FILTER = 'filter_path=errors,items.*.error,items.*.status';

function options(given: Record<string, unknown> = {}): ElasticsearchOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(elasticsearchSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, ...given } as unknown as ElasticsearchOptions;
}

describe('bulk request target (http_client_builder.rb bulk_path / resolve_filter_path)', () => {
  it('default: /_bulk with the filter_path Logstash asks for', () => {
    expect(bulkRequestTarget(options())).toEqual({ path: '/_bulk', querystring: FILTER });
  });

  it('a bulk_path without filter_path gets it appended; slashes deduplicated', () => {
    expect(bulkRequestTarget(options({ bulk_path: '/meh' }))).toEqual({ path: '/meh', querystring: FILTER });
    expect(bulkRequestTarget(options({ bulk_path: 'a//b' }))).toEqual({ path: '/a/b', querystring: FILTER });
    expect(bulkRequestTarget(options({ bulk_path: '/meh?routing=true' }))).toEqual({ path: '/meh', querystring: `routing=true&${FILTER}` });
  });

  it('a bulk_path with its own filter_path (first or later parameter) is used as given', () => {
    expect(bulkRequestTarget(options({ bulk_path: '/meh?filter_path=error&routing=true' }))).toEqual({ path: '/meh', querystring: 'filter_path=error&routing=true' });
    expect(bulkRequestTarget(options({ bulk_path: '/meh?routing=true&filter_path=error' }))).toEqual({ path: '/meh', querystring: 'routing=true&filter_path=error' });
  });

  it('parameters come first, then the bulk path query', () => {
    expect(bulkRequestTarget(options({ parameters: { refresh: 'true', pipeline: 'p 1' } }))).toEqual({ path: '/_bulk', querystring: `refresh=true&pipeline=p%201&${FILTER}` });
  });
});

const settings = (given: Partial<ActionSettings> = {}): ActionSettings => ({
  action: 'index',
  index: 'logs-%{+YYYY.MM.dd}',
  docAsUpsert: false,
  upsert: '',
  retryOnConflict: 1,
  script: { script: '', scriptType: 'inline', scriptLang: 'painless', scriptVarName: 'event', scriptedUpsert: false },
  dlqOnFailedIndexnameInterpolation: true,
  ...given,
});
const event = (iso: string, fields: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Event =>
  new Event({ '@timestamp': Timestamp.fromMillis(Date.parse(iso)), n: 1, ...fields } as never, metadata as never);

describe('index-only action lines (common.rb event_action_tuple: _id, _index, routing always present)', () => {
  it('the index follows each event across a day boundary; the document follows the action line', () => {
    const b = new ActionBuilder(settings());
    const lines = ['2025-03-04T23:59:59.999Z', '2025-03-05T00:00:00.000Z', '2025-03-04T12:00:00.000Z'].map((t) => b.build(event(t)).ndjson);
    expect(lines).toEqual([
      '{"index":{"_id":null,"_index":"logs-2025.03.04","routing":null}}\n{"@timestamp":"2025-03-04T23:59:59.999Z","@version":"1","n":1}\n',
      '{"index":{"_id":null,"_index":"logs-2025.03.05","routing":null}}\n{"@timestamp":"2025-03-05T00:00:00.000Z","@version":"1","n":1}\n',
      '{"index":{"_id":null,"_index":"logs-2025.03.04","routing":null}}\n{"@timestamp":"2025-03-04T12:00:00.000Z","@version":"1","n":1}\n',
    ]);
  });

  it('create; [@metadata][target_ingest_pipeline] still adds the pipeline; field-based index names', () => {
    expect(new ActionBuilder(settings({ action: 'create', index: 'i' })).build(event('2025-03-04T00:00:00Z')).ndjson.split('\n')[0]).toBe('{"create":{"_id":null,"_index":"i","routing":null}}');
    const b = new ActionBuilder(settings({ index: 'logs-%{svc}' }));
    expect(b.build(event('2025-03-04T00:00:00Z', { svc: 'a' }, { target_ingest_pipeline: 'p1' })).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"logs-a","routing":null,"pipeline":"p1"}}');
    expect(b.build(event('2025-03-04T00:00:00Z', { svc: 'a' })).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"logs-a","routing":null}}');
    expect(b.build(event('2025-03-04T00:00:00Z', { svc: 'b"q' })).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"logs-b\\"q","routing":null}}');
  });

  it('an index still holding %{…} is a mapping error every time (or sent as is when the DLQ check is off)', () => {
    const b = new ActionBuilder(settings({ index: 'logs-%{svc}' }));
    expect(() => b.build(event('2025-03-04T00:00:00Z'))).toThrow(EventMappingError);
    expect(() => b.build(event('2025-03-04T00:00:00Z'))).toThrow('Badly formatted index, after interpolation still contains placeholder: [logs-%{svc}]');
    const lenient = new ActionBuilder(settings({ index: 'logs-%{svc}', dlqOnFailedIndexnameInterpolation: false }));
    expect(lenient.build(event('2025-03-04T00:00:00Z')).ndjson.split('\n')[0]).toBe('{"index":{"_id":null,"_index":"logs-%{svc}","routing":null}}');
  });
});

describe('bulk lines written straight into bytes (the --dry-run path): byte for byte what build() makes', () => {
  /** Each event through writeLines into one batch, and through a second builder's build(). */
  const both = (given: Partial<ActionSettings>, events: Event[]): [string, string] => {
    const w = new JsonBatchWriter(256);
    const writer = new ActionBuilder(settings(given));
    for (const e of events) writer.writeLines(e, w);
    const built = new ActionBuilder(settings(given));
    return [w.take().toString('utf8'), events.map((e) => built.build(e).ndjson).join('')];
  };
  const flow = (i: number, iso = '2025-03-04T23:59:59.000Z'): Event =>
    event(iso, { flow: { bytes: i, src: `10.0.0.${i}`, ratio: new Float(0.5), big: 2 ** 40 + i, neg: -i }, tags: ['a', 'ü'], node: { name: i % 3 === 0 ? 'é"\n' : 'x' } });

  it('index-only (the fast path): repeated shapes (compiled), a day boundary, non-ASCII and escapes, floats, large integers', () => {
    const events = Array.from({ length: 40 }, (_, i) => flow(i, i < 20 ? '2025-03-04T23:59:59.000Z' : '2025-03-05T00:00:00.000Z'));
    events.push(event('2025-03-05T00:00:01Z', { other: { shape: true } }), flow(41));
    const [written, built] = both({}, events);
    expect(written).toBe(built);
    expect(written.split('\n')[40]).toBe('{"index":{"_id":null,"_index":"logs-2025.03.05","routing":null}}');
  });

  it('per-event parameters take build()\'s path: document_id, routing, [@metadata][target_ingest_pipeline], create, delete, update', () => {
    const events = Array.from({ length: 10 }, (_, i) => flow(i));
    const [idWritten, idBuilt] = both({ documentId: '%{[flow][bytes]}', routing: '%{[node][name]}' }, events);
    expect(idWritten).toBe(idBuilt);
    const withPipeline = events.map((e, i) => (i % 2 === 0 ? event('2025-03-04T00:00:00Z', { n: i }, { target_ingest_pipeline: 'p1' }) : e));
    const [a, b] = both({}, withPipeline);
    expect(a).toBe(b);
    expect(a).toContain('"pipeline":"p1"');
    for (const action of ['create', 'delete', 'update']) {
      const [x, y] = both({ action, documentId: 'id-%{[flow][bytes]}' }, events);
      expect(x).toBe(y);
    }
  });

  it('an event that cannot be mapped throws and writes nothing; the batch goes on', () => {
    const b = new ActionBuilder(settings({ index: 'logs-%{svc}' }));
    const w = new JsonBatchWriter();
    b.writeLines(event('2025-03-04T00:00:00Z', { svc: 'a' }), w);
    expect(() => b.writeLines(event('2025-03-04T00:00:00Z'), w)).toThrow(EventMappingError);
    b.writeLines(event('2025-03-04T00:00:00Z', { svc: 'b' }), w);
    expect(w.take().toString()).toBe(
      '{"index":{"_id":null,"_index":"logs-a","routing":null}}\n{"@timestamp":"2025-03-04T00:00:00.000Z","@version":"1","n":1,"svc":"a"}\n' +
        '{"index":{"_id":null,"_index":"logs-b","routing":null}}\n{"@timestamp":"2025-03-04T00:00:00.000Z","@version":"1","n":1,"svc":"b"}\n',
    );
  });
});

const quietLog: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };

function recordingSender(compressionLevel: number): { sender: BulkSender; bodies: string[] } {
  const bodies: string[] = [];
  const transport = {
    send(body: Buffer, gzipped: boolean) {
      expect(gzipped).toBe(compressionLevel > 0);
      const text = (gzipped ? gunzipSync(body) : body).toString('utf8');
      bodies.push(text);
      return Promise.resolve({ errors: false, items: [] });
    },
  };
  const sender = new BulkSender(transport, { retryInitialInterval: 0.01, retryMaxInterval: 0.01, dlqCodes: new Set([400, 404]), silenced: new Set(), compressionLevel, log: quietLog });
  return { sender, bodies };
}

const action = (ndjson: string): BulkAction => ({ action: 'index', ndjson, event: new Event({}) });

describe('bulk request bodies', () => {
  it('a batch is one body, in order, gzipped at compression_level or plain at 0', async () => {
    for (const level of [0, 1, 9]) {
      const { sender, bodies } = recordingSender(level);
      const actions = ['a', 'b', 'c'].map((x) => action(`{"index":{}}\n{"x":"${x}"}\n`));
      await sender.submit(actions);
      expect(bodies).toEqual([actions.map((a) => a.ndjson).join('')]);
      expect(sender.stats.indexed).toBe(3);
    }
  });

  it('requests in flight together keep their own bodies (plain, gzipped inline and gzipped in the thread pool)', async () => {
    for (const level of [0, 1]) {
      const { sender, bodies } = recordingSender(level);
      const batches = ['a', 'b', 'c', 'd'].map((x, i) => [action(`{"index":{}}\n{"m":"${x.repeat(i % 2 === 0 ? 10 : 1_500_000)}"}\n`)]);
      await Promise.all(batches.map((b) => sender.submit(b)));
      expect([...bodies].sort()).toEqual(batches.map((b) => b[0]!.ndjson).sort());
    }
  });

  it('split at TARGET_BULK_BYTES counted in UTF-8 bytes; an action larger than it goes alone; large bodies gzip too', async () => {
    const { sender, bodies } = recordingSender(1);
    const wide = action(`{"index":{}}\n{"m":"${'é'.repeat(7_000_000)}"}\n`); // 14 MB of UTF-8 in 7 M UTF-16 units
    const narrow = action(`{"index":{}}\n{"m":"${'x'.repeat(7_000_000)}"}\n`);
    const small = action('{"index":{}}\n{"m":"s"}\n');
    const huge = action(`{"index":{}}\n{"m":"${'y'.repeat(TARGET_BULK_BYTES + 10)}"}\n`);
    await sender.submit([wide, narrow, small, huge, small]);
    expect(bodies.map((b) => Buffer.byteLength(b))).toEqual([
      Buffer.byteLength(wide.ndjson),
      Buffer.byteLength(narrow.ndjson) + Buffer.byteLength(small.ndjson),
      Buffer.byteLength(huge.ndjson),
      Buffer.byteLength(small.ndjson),
    ]);
    expect(bodies.join('')).toBe([wide, narrow, small, huge, small].map((a) => a.ndjson).join(''));
    expect(sender.stats.indexed).toBe(5);
  });

  /** The texts as actions whose lines are bytes lying back to back in one buffer, as the output writes them. */
  const adjacent = (texts: string[]): BulkAction[] => {
    const all = Buffer.from(texts.join(''));
    let at = 0;
    return texts.map((t) => {
      const n = Buffer.byteLength(t);
      at += n;
      return { action: 'index', ndjson: all.subarray(at - n, at), event: new Event({}) };
    });
  };

  it('lines as bytes: back to back (sent as they lie), apart, or mixed with text; all give the same body', async () => {
    const texts = ['a', 'ü', 'c'].map((x) => `{"index":{}}\n{"x":"${x}"}\n`);
    const apart = texts.map((t): BulkAction => ({ action: 'index', ndjson: Buffer.from(t), event: new Event({}) }));
    const mixed = [action(texts[0]!), ...adjacent(texts.slice(1))];
    for (const level of [0, 1]) {
      for (const actions of [adjacent(texts), apart, mixed]) {
        const { sender, bodies } = recordingSender(level);
        await sender.submit(actions);
        expect(bodies).toEqual([texts.join('')]);
      }
    }
  });

  it('lines as bytes are split at TARGET_BULK_BYTES too', async () => {
    const { sender, bodies } = recordingSender(0);
    const texts = [`{"index":{}}\n{"m":"${'é'.repeat(7_000_000)}"}\n`, `{"index":{}}\n{"m":"${'x'.repeat(7_000_000)}"}\n`, '{"index":{}}\n{"m":"s"}\n'];
    await sender.submit(adjacent(texts));
    expect(bodies).toEqual([texts[0], texts[1]! + texts[2]!]);
  });
});
