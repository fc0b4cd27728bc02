// redis input and output against a real redis-server started here on 127.0.0.3 (skipped, with a
// message, when redis-server is not installed — Debian: redis-server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createClient, type RedisClientType } from 'redis';
import { Event } from '../../../src/event/event.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import type { InputContext } from '../../../src/plugins/types.ts';
import { JsonCodec } from '../../../src/plugins/codecs/json/json.ts';
import { RedisOutput } from '../../../src/plugins/outputs/redis/redis.ts';
import type { RedisOutputOptions } from '../../../src/plugins/outputs/redis/schema.ts';
import { RedisInput } from '../../../src/plugins/inputs/redis/redis.ts';
import type { RedisInputOptions } from '../../../src/plugins/inputs/redis/schema.ts';

const HAVE_REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_REDIS) console.warn('[skip] redis-server is not installed: the redis input/output tests are skipped (Debian: redis-server)');
const HOST = '127.0.0.3';
let server: ChildProcess | undefined;
let port = 0;
let client: RedisClientType;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, HOST, r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  client = createClient({ socket: { host: HOST, port, reconnectStrategy: (n) => (n > 50 ? false : 100) } }) as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  await client?.quit().catch(() => undefined);
  server?.kill();
});

const ev = (n: number): Event => new Event({ '@timestamp': Timestamp.fromMillis(Date.UTC(2025, 0, 1)), '@version': '1', n, kind: n % 2 ? 'odd' : 'even' } as never);
const outOptions = (o: Record<string, unknown>) => ({ host: [HOST], port, db: 0, timeout: 5, batch: false, batch_events: 50, batch_timeout: 5, congestion_threshold: 0, congestion_interval: 1, reconnect_interval: 0.05, shuffle_hosts: false, ssl: false, ...o }) as unknown as RedisOutputOptions;
const inOptions = (o: Record<string, unknown>) => ({ host: HOST, port, db: 0, timeout: 5, batch_count: 125, threads: 1, command_map: {}, ssl: false, ...o }) as unknown as RedisInputOptions;

function inputRuntime() {
  const events: Event[] = [];
  const ac = new AbortController();
  const codec = new JsonCodec();
  const ctx: InputContext = { ...standaloneContext(), codec, decorate: (e) => e.tag('from-redis'), push: (b) => void events.push(...b), signal: ac.signal };
  return { ctx, events, abort: () => ac.abort() };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!HAVE_REDIS)('redis output → redis-server', () => {
  it('list: RPUSH of the json rendering to the sprintf\'d key; batch pushes several per command', async () => {
    const out = new RedisOutput(outOptions({ data_type: 'list', key: 'flows-%{kind}' }), new JsonCodec(), standaloneContext());
    await out.write([ev(1), ev(2), ev(3)]);
    await out.close();
    expect(await client.lRange('flows-odd', 0, -1)).toEqual([1, 3].map((n) => `{"@timestamp":"2025-01-01T00:00:00.000Z","@version":"1","n":${n},"kind":"odd"}`));
    expect(await client.lLen('flows-even')).toBe(1);
    const batched = new RedisOutput(outOptions({ data_type: 'list', key: 'batched', batch: true, batch_events: 2 }), new JsonCodec(), standaloneContext());
    await batched.write([ev(1), ev(2), ev(3)]);
    await batched.close();
    expect(await client.lLen('batched')).toBe(3);
  });

  it('channel: PUBLISH reaches a subscriber', async () => {
    const sub = client.duplicate();
    sub.on('error', () => undefined);
    await sub.connect();
    const got: string[] = [];
    await sub.subscribe('chan-out', (m) => void got.push(m));
    const out = new RedisOutput(outOptions({ data_type: 'channel', key: 'chan-out' }), new JsonCodec(), standaloneContext());
    await out.write([ev(5)]);
    await until(() => got.length === 1);
    await out.close();
    await sub.quit();
    expect(JSON.parse(got[0]!)).toMatchObject({ n: 5 });
  });
});

describe.skipIf(!HAVE_REDIS)('redis input ← redis-server', () => {
  it('list: entries popped in order and decoded; then the output → input round trip', async () => {
    await client.rPush('in-list', ['{"a":1}', '{"a":2}', 'not json']);
    const rt = inputRuntime();
    const input = new RedisInput(inOptions({ data_type: 'list', key: 'in-list' }), rt.ctx);
    const running = input.run(rt.ctx);
    await until(() => rt.events.length === 3);
    const out = new RedisOutput(outOptions({ data_type: 'list', key: 'in-list' }), new JsonCodec(), standaloneContext());
    await out.write([ev(10), ev(11)]);
    await out.close();
    await until(() => rt.events.length === 5);
    rt.abort();
    await running;
    expect(rt.events.slice(0, 2).map((e) => e.get('a'))).toEqual([1, 2]);
    // The json codec keeps an undecodable entry as a message tagged _jsonparsefailure (Logstash's json codec).
    expect(rt.events[2]!.get('tags')).toContain('_jsonparsefailure');
    expect(rt.events.slice(3).map((e) => e.get('n'))).toEqual([10, 11]);
    expect(rt.events.every((e) => (e.get('tags') as string[]).includes('from-redis'))).toBe(true);
    expect(input.stats()).toMatchObject({ received: 5, events: 5 });
    expect(await client.lLen('in-list')).toBe(0);
  });

  it('channel and pattern_channel: published messages become events', async () => {
    for (const [dataType, key, channel] of [['channel', 'in-chan', 'in-chan'], ['pattern_channel', 'in-pat.*', 'in-pat.x']] as const) {
      const rt = inputRuntime();
      const input = new RedisInput(inOptions({ data_type: dataType, key }), rt.ctx);
      const running = input.run(rt.ctx);
      await until(async () => (await client.publish(channel, '{"m":"hi"}')) > 0);
      await until(() => rt.events.length >= 1);
      rt.abort();
      await running;
      expect(rt.events[0]!.get('m')).toBe('hi');
    }
  });
});
