// A local stand-in for the Elasticsearch endpoints the elasticsearch output calls, on 127.0.0.1:
// `GET /` (version), `GET /_xpack`, templates (`_index_template`, `_template`), ILM policies, the
// rollover alias, and `_bulk` with Elasticsearch's response format (per-item statuses, `errors`
// when any item failed, gzip request bodies). No Elasticsearch can be installed on the test
// machine; the output's client code path is the real one, only the server is this. Bulk responses
// honour `filter_path` as Elasticsearch does (dotted paths, `*` for any key, arrays transparent).
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

export interface BulkItem {
  action: string;
  meta: Record<string, unknown>;
  /** The source line (absent for delete). */
  source?: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface BulkServerOptions {
  /** The version `GET /` reports (default 8.15.0). */
  version?: string;
  /** Per-item status; `attempt` counts how often an item with this source line was seen (1 first). */
  itemStatus?: (item: BulkItem, attempt: number) => number;
  /** Status for the whole bulk request n (1-based); 200 unless given. */
  requestStatus?: (n: number) => number;
  /** Bench mode: items are counted, not parsed or recorded. */
  countOnly?: boolean;
  ilmAvailable?: boolean;
}

export class BulkServer {
  readonly requests: RecordedRequest[] = [];
  readonly items: BulkItem[] = [];
  readonly templates = new Map<string, unknown>();
  readonly policies = new Map<string, unknown>();
  readonly aliases = new Map<string, string>();
  bulkRequests = 0;
  itemCount = 0;
  private readonly attempts = new Map<string, number>();
  private readonly countReplies = new Map<string, [string, string | undefined, string]>();
  private server?: http.Server;
  port = 0;

  constructor(private readonly o: BulkServerOptions = {}) {}

  async start(host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.unref();
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://${host}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private reply(res: http.ServerResponse, status: number, body?: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    if (!(this.o.countOnly && path.endsWith('/_bulk'))) {
      this.requests.push({ method, path: url.pathname + url.search, headers: req.headers, body: body.toString('utf8') });
    }
    if (method === 'POST' && path.endsWith('/_bulk')) return this.bulk(body, res, filterPaths(url.searchParams.get('filter_path')));
    if (method === 'GET' && (path === '/' || path === '')) {
      return this.reply(res, 200, {
        name: 'flowstash-test', cluster_name: 'test', cluster_uuid: 'test-uuid',
        version: { number: this.o.version ?? '8.15.0', build_flavor: 'default', lucene_version: '9.11.1', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0' },
        tagline: 'You Know, for Search',
      });
    }
    if (path === '/_xpack') return this.reply(res, 200, { features: { ilm: { available: this.o.ilmAvailable ?? true, enabled: this.o.ilmAvailable ?? true } } });
    const store = (map: Map<string, unknown>, name: string): void => {
      if (method === 'PUT') {
        map.set(name, JSON.parse(body.toString('utf8')));
        return this.reply(res, 200, { acknowledged: true });
      }
      if (!map.has(name)) return this.reply(res, 404, method === 'HEAD' ? undefined : { error: { type: 'resource_not_found_exception' }, status: 404 });
      return this.reply(res, 200, method === 'HEAD' ? undefined : { [name]: map.get(name) });
    };
    let m: RegExpExecArray | null;
    if ((m = /^\/(_index_template|_template)\/(.+)$/.exec(path))) return store(this.templates, `${m[1]}/${m[2]}`);
    if ((m = /^\/_ilm\/policy\/(.+)$/.exec(path))) return store(this.policies, m[1]!);
    if ((m = /^\/<(.+)>$/.exec(path)) && method === 'PUT') {
      const def = JSON.parse(body.toString('utf8')) as { aliases: Record<string, unknown> };
      for (const alias of Object.keys(def.aliases)) this.aliases.set(alias, m[1]!);
      return this.reply(res, 200, { acknowledged: true, index: m[1] });
    }
    if ((m = /^\/([^_/][^/]*)$/.exec(path)) && method === 'HEAD') return this.reply(res, this.aliases.has(m[1]!) ? 200 : 404);
    return this.reply(res, 404, { error: { type: 'no_handler', reason: `${method} ${path}` }, status: 404 });
  }

  private bulk(body: Buffer, res: http.ServerResponse, filters: string[][] | undefined): void {
    const n = ++this.bulkRequests;
    const requestStatus = this.o.requestStatus?.(n) ?? 200;
    if (requestStatus !== 200) return this.reply(res, requestStatus, { error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status: requestStatus });
    if (this.o.countOnly) return this.countOnly(body, res, filters);
    const lines = body.toString('utf8').split('\n');
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue;
      const head = JSON.parse(lines[i]!) as Record<string, Record<string, unknown>>;
      const action = Object.keys(head)[0]!;
      const meta = head[action]!;
      const item: BulkItem = { action, meta };
      let key = lines[i]!;
      if (action !== 'delete') {
        key += lines[i + 1];
        item.source = JSON.parse(lines[++i]!);
      }
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const status = this.o.itemStatus?.(item, attempt) ?? (action === 'index' || action === 'create' ? 201 : 200);
      const result: Record<string, unknown> = { _index: meta['_index'], _id: meta['_id'] ?? `gen-${this.itemCount}`, status };
      if (status >= 300) {
        errors = true;
        result['error'] = { type: status === 409 ? 'version_conflict_engine_exception' : status === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception', reason: `status ${status}` };
      } else {
        this.items.push(item);
      }
      this.itemCount++;
      items.push({ [action]: result });
    }
    this.reply(res, 200, filtered({ took: 1, errors, items }, filters));
  }

  private countOnly(body: Buffer, res: http.ServerResponse, filters: string[][] | undefined): void {
    let lines = 0;
    for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines++;
    const count = lines >> 1;
    this.itemCount += count;
    const [head, item, tail] = this.countReply(filters);
    this.reply(res, 200, item === undefined ? head : `${head}[${new Array<string>(count).fill(item).join(',')}]${tail}`);
  }

  /** The count-only response around its items (all alike), per filter_path: computed once. */
  private countReply(filters: string[][] | undefined): [string, string | undefined, string] {
    const key = JSON.stringify(filters ?? null);
    let parts = this.countReplies.get(key);
    if (!parts) {
      const one = { index: { _index: 'bench', _id: 'x', _version: 1, result: 'created', _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1, status: 201 } };
      const response = filtered({ took: 1, errors: false, items: [one] }, filters) as Record<string, unknown>;
      const items = response['items'] as unknown[] | undefined;
      if (items === undefined) parts = [JSON.stringify(response), undefined, ''];
      else {
        const [head, tail] = JSON.stringify({ ...response, items: 0 }).split('"items":0');
        parts = [`${head}"items":`, JSON.stringify(items[0]), tail!];
      }
      this.countReplies.set(key, parts);
    }
    return parts;
  }
}

/** `filter_path=a.b,c.*.d` → [['a','b'],['c','*','d']]. */
function filterPaths(param: string | null): string[][] | undefined {
  return param === null || param === '' ? undefined : param.split(',').map((p) => p.split('.'));
}

function filtered(value: unknown, filters: string[][] | undefined): unknown {
  return filters === undefined ? value : (filterValue(value, filters) ?? {});
}

/** What of `value` the (remaining) paths select; undefined when nothing. */
function filterValue(value: unknown, filters: string[][]): unknown {
  if (filters.some((f) => f.length === 0)) return value;
  if (Array.isArray(value)) {
    const kept = value.map((v) => filterValue(v, filters)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(value)) {
    const rest = filters.filter((f) => f[0] === '*' || f[0] === k).map((f) => f.slice(1));
    if (rest.length === 0) continue;
    const kept = filterValue(v, rest);
    if (kept !== undefined) {
      out[k] = kept;
      any = true;
    }
  }
  return any ? out : undefined;
}
