// Walks every plugin in the catalog: schema defaults (+ the example options below for required
// settings) → create → register → one event through → close. A plugin added to the catalog
// without an entry here fails the first test, so every runnable plugin gets this check.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CATALOG } from '../../src/plugins/catalog.ts';
import { findPlugin } from '../../src/plugins/registry.ts';
import { standaloneContext } from '../../src/plugins/context.ts';
import { Event } from '../../src/event/event.ts';
import type { Codec, Filter, Input, InputContext, Output, PluginInstance, PluginModule } from '../../src/plugins/types.ts';
import { BulkServer } from './elasticsearch/bulk-server.ts';
import { startRespStub } from './redis/resp-stub.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-conformance-'));
/** The elasticsearch output writes to a local _bulk stand-in (left running until the test process ends). */
const esServer = new BulkServer();
const esUrl = await esServer.start();
/** The redis output talks to a RESP stand-in (no redis-server in this walk; test/plugins/redis runs the real one). */
const resp = await startRespStub();

/** Options a plugin needs beyond its defaults to be created here (required settings, files under a temp dir). */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  'input/stdin': {},
  'input/generator': { count: 1 },
  'input/udp': { port: 0, host: '127.0.0.1' },
  'input/tcp': { port: 0, host: '127.0.0.1' },
  'input/syslog': { port: 0, host: '127.0.0.1' },
  'input/pipeline': { address: 'conformance' },
  'output/pipeline': { send_to: ['conformance-nobody'], ensure_delivery: false },
  'output/tcp': { host: '127.0.0.1', port: 0, mode: 'server' },
  'output/udp': { host: '127.0.0.1', port: 9 },
  'output/http': { url: `${esUrl}/http-output`, http_method: 'post', retryable_codes: [] },
  'output/redis': { host: [`127.0.0.1:${resp.port}`], data_type: 'list', key: 'conformance' },
  'input/redis': { data_type: 'list', key: 'conformance' },
  'input/http': { port: 0, host: '127.0.0.1' },
  'input/pcap': { path: path.join(dir, 'missing.pcap') },
  'input/relp': { port: 0, host: '127.0.0.1' },
  'input/beats': { port: 0, host: '127.0.0.1' },
  'input/file': { path: [path.join(dir, 'none-*.log')], sincedb_path: '/dev/null' },
  'input/snmptrap': { port: 0, host: '127.0.0.1' },
  'input/dead_letter_queue': { path: path.join(dir, 'dlq'), sincedb_path: path.join(dir, 'dlq.sincedb') },
  'filter/mutate': { add_tag: ['seen'] },
  'filter/grok': { match: { message: '%{WORD:first}' } },
  'filter/date': { match: ['when', 'ISO8601'] },
  'filter/drop': {},
  'filter/ruby': { code: 'event.set("seen", true)' },
  'filter/translate': { source: 'message', dictionary: { hello: 'world' } },
  'filter/cidr': { address: ['%{message}'], network: ['10.0.0.0/8'] },
  'filter/json': { source: 'message', target: 'parsed' },
  'filter/kv': { target: 'kv' },
  'filter/csv': { target: 'csv' },
  'filter/dissect': { mapping: { message: '%{greeting}' } },
  'filter/clone': { clones: ['copy'] },
  'filter/split': { terminator: 'l' },
  'filter/syslog_pri': {},
  'filter/fingerprint': { method: 'SHA256', key: 'k' },
  'filter/prune': { blacklist_names: ['^nothing$'] },
  'filter/urldecode': {},
  'filter/de_dot': {},
  'filter/truncate': { length_bytes: 3 },
  'filter/uuid': { target: 'id' },
  'filter/bytes': { source: 'size', target: 'size_bytes' },
  'filter/throttle': { key: '%{host}', after_count: 1, add_tag: ['throttled'] },
  'filter/elapsed': { start_tag: 'start', end_tag: 'end', unique_id_field: 'task' },
  'filter/aggregate': { task_id: '%{message}', code: "map['n'] ||= 0; map['n'] += 1; event.set('n', map['n'])" },
  'filter/geoip': { source: 'message', target: 'geo', database: path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/geoip/GeoLite2-City-Test.mmdb') },
  'filter/dns': { reverse: ['missing_field'] },
  'filter/useragent': { source: 'message' },
  'output/stdout': { codec: 'dots' },
  'output/file': { path: path.join(dir, 'out.log') },
  'output/null': {},
  'output/elasticsearch': { hosts: [esUrl], index: 'conformance' },
  'codec/rubydebug': {},
  'codec/json': {},
  'codec/json_lines': {},
  'codec/line': {},
  'codec/plain': {},
  'codec/dots': {},
  'codec/netflow': {},
  'codec/sflow': {},
  'codec/edn': {},
  'codec/edn_lines': {},
  'codec/graphite': { metrics: { 'hello.count': '1' } },
  'codec/multiline': { pattern: '^\\s', what: 'previous' },
};

/** Codecs that only render (outputs) or only parse (flow protocols). */
const ENCODE_ONLY = new Set(['rubydebug', 'dots']);
const DECODE_ONLY = new Set(['netflow', 'sflow']);

/** Plugins whose input side cannot run in this walk (they read stdin or bind sockets): created and closed only. */
const CREATE_ONLY = new Set(['input/stdin', 'input/udp', 'input/tcp', 'input/syslog', 'input/pipeline', 'input/redis', 'input/http', 'input/pcap', 'input/relp', 'input/beats', 'input/file', 'input/snmptrap', 'input/dead_letter_queue']);

function optionsOf(kind: string, name: string): Record<string, unknown> {
  const entry = findPlugin(kind as 'input', name)!;
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(entry.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, ...EXAMPLES[`${kind}/${name}`] };
}

async function codecNamed(name: string): Promise<Codec> {
  const module = await findPlugin('codec', name)!.implementation!.load();
  const codec = module.create(optionsOf('codec', name), standaloneContext()) as Codec;
  await codec.register?.();
  return codec;
}

describe('plugin conformance (every catalog entry)', () => {
  it('every runnable plugin has a conformance example, and every example names a runnable plugin', () => {
    const keys = CATALOG.map((c) => `${c.schema.kind}/${c.schema.name}`).sort();
    expect(Object.keys(EXAMPLES).sort()).toEqual(keys);
  });

  for (const entry of CATALOG) {
    const { kind, name } = entry.schema;
    const key = `${kind}/${name}`;
    it(`${key}: defaults → create → register → one event → close`, async () => {
      const module: PluginModule = await entry.implementation.load();
      expect(typeof module.create).toBe('function');
      const options = optionsOf(kind, name);
      const ctx = standaloneContext({ createCodec: () => { throw new Error('no nested codec here'); } });
      let instance: PluginInstance;
      if (kind === 'input' || kind === 'output') {
        const codec = await codecNamed(typeof options['codec'] === 'string' ? (options['codec'] as string) : (entry.schema.defaultCodec ?? 'plain'));
        instance = module.create(options, { ...ctx, createCodec: () => codec });
        await (instance as Input).register?.();
        if (kind === 'input') {
          const events: Event[] = [];
          const abort = new AbortController();
          if (CREATE_ONLY.has(key)) return;
          const ictx: InputContext = { ...ctx, codec, decorate: () => undefined, push: (es) => void events.push(...es), signal: abort.signal };
          await (instance as Input).run(ictx);
          expect(events.length).toBeGreaterThan(0);
          return;
        }
        const out = instance as Output;
        await out.write([new Event({ message: 'hello', when: '2025-01-01T00:00:00Z' })]);
        await out.close();
        return;
      }
      instance = module.create(options, ctx);
      if (kind === 'filter') {
        const f = instance as Filter;
        await f.register?.();
        const event = new Event({ message: 'hello', when: '2025-01-01T00:00:00.000Z' });
        const results = await f.filter(event);
        // The contract: a list of events, or the given event itself (it goes on alone).
        if (!Array.isArray(results)) expect(results).toBe(event);
        for (const r of [results].flat()) expect(r).toBeInstanceOf(Event);
        await f.close?.();
        return;
      }
      const c = instance as Codec;
      await c.register?.();
      if (!ENCODE_ONLY.has(name)) {
        const decoded: Event[] = [];
        c.decode(Buffer.from('{"message":"hello"}\n'), { host: '127.0.0.1', port: 5000 }, (e) => decoded.push(e));
        c.flush?.({ host: '127.0.0.1', port: 5000 }, (e) => decoded.push(e));
        for (const e of decoded) expect(e).toBeInstanceOf(Event);
      }
      if (!DECODE_ONLY.has(name)) expect(c.encode(new Event({ message: 'hello' })).length).toBeGreaterThan(0);
      await c.close?.();
    });
  }
});
