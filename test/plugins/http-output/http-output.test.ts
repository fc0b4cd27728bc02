// The http output against a local HTTP server: bodies per format, sprintf'd url/headers, basic auth,
// gzip, retries on retryable codes, ignorable codes, failures dropped and counted.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Event } from '../../../src/event/event.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import { HttpOutput } from '../../../src/plugins/outputs/http/http.ts';
import type { HttpOutputOptions } from '../../../src/plugins/outputs/http/schema.ts';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
const servers: http.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(status: (n: number) => number = () => 200): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString() });
      res.writeHead(status(seen.length)).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const ev = (fields: Record<string, unknown>): Event => new Event({ '@timestamp': Timestamp.fromMillis(Date.UTC(2025, 0, 1)), '@version': '1', ...fields } as never);
const out = (o: Record<string, unknown>): HttpOutput => {
  const h = new HttpOutput({ http_method: 'post', format: 'json', retry_failed: true, follow_redirects: true, request_timeout: 10, http_compression: false, ...o } as unknown as HttpOutputOptions, standaloneContext());
  h.sleep = () => Promise.resolve();
  return h;
};

describe('http output', () => {
  it('json: one request per event, url and headers sprintf\'d, basic auth', async () => {
    const { url, seen } = await serve();
    const h = out({ url: `${url}/in/%{kind}`, headers: { 'X-Kind': '%{kind}' }, user: 'u', password: 'p' });
    await h.write([ev({ kind: 'a' }), ev({ kind: 'b' })]);
    expect(seen.map((s) => [s.method, s.url, s.headers['x-kind'], s.headers['content-type']])).toEqual([['POST', '/in/a', 'a', 'application/json'], ['POST', '/in/b', 'b', 'application/json']]);
    expect(seen[0]!.body).toBe('{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","kind":"a"}');
    expect(seen[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('json_batch: the batch as one JSON array; mapping; form; message; gzip', async () => {
    const { url, seen } = await serve();
    await out({ url, format: 'json_batch' }).write([ev({ n: 1 }), ev({ n: 2 })]);
    expect(JSON.parse(seen[0]!.body)).toHaveLength(2);
    await out({ url, format: 'json', mapping: { who: '%{n}', fixed: 'x' } }).write([ev({ n: 3 })]);
    expect(seen[1]!.body).toBe('{"who":"3","fixed":"x"}');
    await out({ url, format: 'form', mapping: { a: '%{n}', b: 'two words' } }).write([ev({ n: 4 })]);
    expect([seen[2]!.body, seen[2]!.headers['content-type']]).toEqual(['a=4&b=two%20words', 'application/x-www-form-urlencoded']);
    await out({ url, format: 'message', message: 'n is %{n}', http_compression: true }).write([ev({ n: 5 })]);
    expect([seen[3]!.body, seen[3]!.headers['content-encoding'], seen[3]!.headers['content-type']]).toEqual(['n is 5', 'gzip', 'text/plain']);
  });

  it('retryable codes are retried until accepted; ignorable codes count as sent; others are dropped and counted', async () => {
    const { url, seen } = await serve((n) => (n <= 2 ? 503 : n === 3 ? 200 : n === 4 ? 404 : 400));
    const h = out({ url, ignorable_codes: [404] });
    await h.write([ev({ n: 1 })]);
    expect(seen).toHaveLength(3);
    await h.write([ev({ n: 2 }), ev({ n: 3 })]);
    expect(h.stats()).toEqual({ sent: 2, failed: 1, retries: 2 });
  });

  it('connection refused is retried while retry_failed; without it the event is dropped', async () => {
    const { url } = await serve();
    const dead = url.replace(/:\d+$/, ':9');
    const h = out({ url: dead, retry_failed: false });
    await h.write([ev({})]);
    expect(h.stats()).toMatchObject({ failed: 1 });
  });
});
