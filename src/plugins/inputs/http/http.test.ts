// The http input with curl as the client (the real peer; fetch stands in when curl is absent):
// codecs by content type, the header map and ECS fields of logstash-input-http, basic auth,
// max_content_length, response_code.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { Event } from '../../../event/event.ts';
import { standaloneContext } from '../../context.ts';
import type { Codec, InputContext, PluginContext } from '../../types.ts';
import { PlainCodec } from '../../codecs/plain/plain.ts';
import { JsonCodec } from '../../codecs/json/json.ts';
import { HttpInput, domainPort } from './http.ts';
import { httpInputSchema, type HttpInputOptions } from './schema.ts';

const HAVE_CURL = spawnSync('curl', ['--version']).status === 0;
if (!HAVE_CURL) console.warn('[skip] curl is not installed: the http input is driven with fetch instead (Debian: curl)');

function options(given: Record<string, unknown> = {}): HttpInputOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(httpInputSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, host: '127.0.0.1', port: 0, ...given } as unknown as HttpInputOptions;
}

async function withInput(ecs: PluginContext['ecsCompatibility'], given: Record<string, unknown>, fn: (url: string) => Promise<void>) {
  const events: Event[] = [];
  const ac = new AbortController();
  const ecsOn = ecs !== 'disabled';
  const ctx: InputContext = {
    ...standaloneContext({ ecsCompatibility: ecs, createCodec: (name) => (name === 'json' ? new JsonCodec() : new PlainCodec(undefined, undefined, ecsOn)) as Codec }),
    codec: new PlainCodec(undefined, undefined, ecsOn),
    decorate: (e) => e.tag('http'),
    push: (b) => void events.push(...b),
    signal: ac.signal,
  };
  const input = new HttpInput(options(given), ctx);
  const running = input.run(ctx);
  const port = await input.listening;
  await fn(`http://127.0.0.1:${port}`);
  ac.abort();
  await running;
  return { events, input };
}

/** POST with curl (or fetch): returns [status, body]. */
async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<[number, string]> {
  if (HAVE_CURL) {
    const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-A', 'test-agent/1.0', '--data-binary', body, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
    // Asynchronous: the server answering curl runs in this process.
    const stdout = await new Promise<string>((resolve) => {
      let out = '';
      const child = spawn('curl', ['--max-time', '10', ...args]);
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.once('close', () => resolve(out));
    });
    const lines = stdout.split('\n');
    return [Number(lines.pop()), lines.join('\n')];
  }
  const res = await fetch(url, { method: 'POST', body, headers: { 'user-agent': 'test-agent/1.0', 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  return [res.status, await res.text()];
}

describe('http input', () => {
  it('plain body, ECS off: message, headers map (CGI-style names), host; answers 200 "ok"', async () => {
    let answer: [number, string] = [0, ''];
    const { events } = await withInput('disabled', {}, async (url) => void (answer = await post(`${url}/path?q=1`, 'hello')));
    expect(answer).toEqual([200, 'ok']);
    const e = events[0]!;
    expect(e.get('message')).toBe('hello');
    expect(e.get('host')).toBe('127.0.0.1');
    expect(e.get('[headers][request_method]')).toBe('POST');
    expect(e.get('[headers][request_path]')).toBe('/path?q=1');
    expect(e.get('[headers][http_version]')).toBe('HTTP/1.1');
    expect(e.get('[headers][http_user_agent]')).toBe('test-agent/1.0');
    expect(e.get('[headers][content_length]')).toBe('5');
    expect(e.get('[headers][content_type]')).toBe('application/x-www-form-urlencoded');
    expect(e.get('tags')).toEqual(['http']);
  });

  it('application/json → json codec; ECS on: [http]/[url]/[user_agent] fields, headers under @metadata, [host][ip]', async () => {
    const { events } = await withInput('v8', {}, async (url) => void (await post(url, '{"a":1}', { 'Content-Type': 'application/json' })));
    const e = events[0]!;
    expect(e.get('a')).toBe(1);
    expect(e.get('[host][ip]')).toBe('127.0.0.1');
    expect(e.get('[http][method]')).toBe('POST');
    expect(e.get('[http][version]')).toBe('HTTP/1.1');
    expect(e.get('[url][path]')).toBe('/');
    expect(e.get('[url][domain]')).toBe('127.0.0.1');
    expect(typeof e.get('[url][port]')).toBe('number');
    expect(e.get('[user_agent][original]')).toBe('test-agent/1.0');
    expect(e.get('[http][request][mime_type]')).toBe('application/json');
    expect(e.get('[@metadata][input][http][request][headers][request_method]')).toBe('POST');
    expect(e.get('headers')).toBeUndefined();
  });

  it('basic auth (401 without), max_content_length (413), response_code', async () => {
    const answers: [number, string][] = [];
    const { events, input } = await withInput('v8', { user: 'u', password: 'p', max_content_length: 10, response_code: '202' }, async (url) => {
      answers.push(await post(url, 'x'));
      answers.push(await post(url, 'x', { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }));
      answers.push(await post(url, 'x'.repeat(50), { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }));
    });
    expect(answers.map((a) => a[0])).toEqual([401, 202, 413]);
    expect(events).toHaveLength(1);
    expect(input.stats()).toMatchObject({ requests: 3, events: 1, unauthorized: 1, too_large: 1 });
  });

  it('get_domain_port: IPv4, [IPv6]:port, no port', () => {
    expect(domainPort('127.0.0.1:8080')).toEqual(['127.0.0.1', 8080]);
    expect(domainPort('[2001:db8::1]:9000')).toEqual(['2001:db8::1', 9000]);
    expect(domainPort('example.com')).toEqual(['example.com', undefined]);
  });
});
