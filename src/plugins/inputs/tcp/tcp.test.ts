// The tcp input over real loopback sockets: line / json_lines streams split anywhere, IPFIX over TCP
// (RFC 7011 §10.4) from the project's synthesiser cut into arbitrary segments, a client that
// disconnects mid-message, non-IPFIX streams, back-pressure, client mode, the PROXY header, and the
// connection metadata fields of logstash-input-tcp (ECS on and off).
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { Event } from '../../../event/event.ts';
import { standaloneContext } from '../../context.ts';
import type { Codec, InputContext, Logger, PluginContext } from '../../types.ts';
import { LineCodec } from '../../codecs/line/line.ts';
import { NetflowCodec } from '../../codecs/netflow/codec.ts';
import { synthesize } from '../../../synth/synth.ts';
import { TcpInput } from './tcp.ts';
import { tcpSchema, type TcpInputOptions } from './schema.ts';
import { IpfixFramer } from './ipfix-framer.ts';

function options(given: Record<string, unknown>): TcpInputOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(tcpSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, host: '127.0.0.1', port: 0, dns_reverse_lookup_enabled: false, codec: 'line', ...given } as unknown as TcpInputOptions;
}

interface Runtime {
  ctx: InputContext;
  events: Event[];
  logs: { level: string; msg: string }[];
  abort(): void;
  hold(): void;
  release(): void;
}

function runtime(makeCodec: () => Codec, ecs: PluginContext['ecsCompatibility'] = 'v8'): Runtime {
  const events: Event[] = [];
  const logs: Runtime['logs'] = [];
  const ac = new AbortController();
  let held: { promise: Promise<void>; resolve: () => void } | undefined;
  const at = (level: string) => (msg: string) => void logs.push({ level, msg });
  const log: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
  const ctx: InputContext = {
    ...standaloneContext({ ecsCompatibility: ecs }),
    log,
    createCodec: makeCodec,
    codec: makeCodec(),
    decorate: (e) => e.tag('decorated'),
    push: (batch) => {
      events.push(...batch);
      return held?.promise;
    },
    signal: ac.signal,
  };
  return {
    ctx, events, logs,
    abort: () => ac.abort(),
    hold: () => {
      let resolve!: () => void;
      held = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    },
    release: () => {
      const h = held;
      held = undefined;
      h?.resolve();
    },
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(o: TcpInputOptions, rt: Runtime): Promise<{ input: TcpInput; port: number; running: Promise<void> }> {
  const input = new TcpInput(o, rt.ctx);
  const running = input.run(rt.ctx);
  const { port } = await input.listening;
  return { input, port, running };
}

/** Sends the chunks as separate writes (with a pause between, so they arrive as separate segments), then closes. */
async function send(port: number, chunks: Buffer[], opts: { localAddress?: string; end?: boolean } = {}): Promise<number> {
  const socket = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.setNoDelay(true);
  for (const c of chunks) {
    await new Promise<void>((r) => socket.write(c, () => r()));
    await new Promise((r) => setTimeout(r, 2));
  }
  const local = socket.localPort!;
  await new Promise<void>((r) => socket.end(() => r()));
  return local;
}

/** Cuts a buffer into pieces of pseudo-random sizes 1..max. */
function cut(buf: Buffer, max: number, seed = 7): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let pos = 0; pos < buf.length; ) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % max);
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

const lineCodec = (ecs = true) => () => new LineCodec('\n', undefined, undefined, ecs);
const netflowCodec = () => new NetflowCodec();

describe('tcp input: line and json_lines streams', () => {
  it('lines split across segments arrive whole and in order; the unterminated tail is flushed at close; ECS metadata', async () => {
    const rt = runtime(lineCodec());
    const { input, port, running } = await start(options({}), rt);
    const text = Array.from({ length: 50 }, (_, i) => `line ${i} ☹`).join('\n') + '\nlast without newline';
    const local = await send(port, cut(Buffer.from(text), 17), { localAddress: '127.0.0.7' });
    await until(() => rt.events.length === 51);
    rt.abort();
    await running;
    expect(rt.events.map((e) => e.get('message'))).toEqual(text.split('\n'));
    const e = rt.events[0]!;
    expect(e.get('[@metadata][input][tcp][source][ip]')).toBe('127.0.0.7');
    expect(e.get('[@metadata][input][tcp][source][name]')).toBe('127.0.0.7');
    expect(e.get('[@metadata][input][tcp][source][port]')).toBe(local);
    expect(e.get('host')).toBeUndefined();
    expect(e.get('tags')).toEqual(['decorated']);
    expect(input.counters).toMatchObject({ connections: 1, bytes: Buffer.byteLength(text), events: 51, frames_failed: 0 });
  });

  it('ECS disabled: host (reverse-resolved when dns_reverse_lookup_enabled), port, [@metadata][ip_address]; a set host is kept', async () => {
    const rt = runtime(lineCodec(false), 'disabled');
    const { port, running } = await start(options({ dns_reverse_lookup_enabled: true }), rt);
    const local = await send(port, [Buffer.from('a\n')]);
    await until(() => rt.events.length === 1);
    rt.abort();
    await running;
    const e = rt.events[0]!;
    expect(['localhost', '127.0.0.1', 'localhost.localdomain']).toContain(e.get('host'));
    expect(e.get('port')).toBe(local);
    expect(e.get('[@metadata][ip_address]')).toBe('127.0.0.1');
  });

  it('json_lines: one event per line, fields kept', async () => {
    const { JsonLinesCodec } = await import('../../codecs/json_lines/json_lines.ts');
    const rt = runtime(() => new JsonLinesCodec('\n'));
    const { port, running } = await start(options({ codec: 'json_lines' }), rt);
    await send(port, cut(Buffer.from('{"a":1}\n{"b":"x"}\n{"c":[1,2]}\n'), 5));
    await until(() => rt.events.length === 3);
    rt.abort();
    await running;
    expect(rt.events.map((e) => [e.get('a'), e.get('b'), e.get('[c][1]')])).toEqual([[1, undefined, undefined], [undefined, 'x', undefined], [undefined, undefined, 2]]);
  });

  it('back-pressure: while the pipeline is full the socket is paused, nothing is lost', async () => {
    const rt = runtime(lineCodec());
    const { input, port, running } = await start(options({}), rt);
    rt.hold();
    const lines = Array.from({ length: 2000 }, (_, i) => `n${i}`);
    const sending = send(port, cut(Buffer.from(lines.join('\n') + '\n'), 300));
    await until(() => rt.events.length > 0);
    const seenWhileHeld = rt.events.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.events.length).toBe(seenWhileHeld);
    rt.release();
    await sending;
    await until(() => rt.events.length === 2000);
    rt.abort();
    await running;
    expect(rt.events.map((e) => e.get('message'))).toEqual(lines);
    expect(input.counters.events).toBe(2000);
  });

  it('client mode connects to a server and reads what it sends', async () => {
    const server = net.createServer((s) => s.end('from server 1\nfrom server 2\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const rt = runtime(lineCodec());
    const input = new TcpInput(options({ mode: 'client', port: (server.address() as net.AddressInfo).port }), rt.ctx);
    const running = input.run(rt.ctx);
    await until(() => rt.events.length >= 2);
    rt.abort();
    await running;
    server.close();
    expect(rt.events.slice(0, 2).map((e) => e.get('message'))).toEqual(['from server 1', 'from server 2']);
  });

  it('proxy_protocol: the PROXY v1 header gives the original client; the peer becomes the proxy', async () => {
    const rt = runtime(lineCodec(false), 'disabled');
    const { port, running } = await start(options({ proxy_protocol: true }), rt);
    const local = await send(port, [Buffer.from('PROXY TCP4 203.0.113.9 127.0.0.1 40000 514\r\nhello\n')]);
    await until(() => rt.events.length === 1);
    rt.abort();
    await running;
    const e = rt.events[0]!;
    expect(e.get('message')).toBe('hello');
    expect(e.get('host')).toBe('203.0.113.9');
    expect(e.get('[@metadata][ip_address]')).toBe('127.0.0.1');
    expect(e.get('proxy_host')).toBe('127.0.0.1');
    expect(e.get('proxy_port')).toBe(local);
  });
});

describe('tcp input: IPFIX over TCP (netflow codec)', () => {
  const synth = synthesize({ profile: 'netscaler', flows: 400, seed: 3 });
  const messages = synth.packets.map((p) => p.payload);
  const stream = Buffer.concat(messages);
  const records = synth.packets.reduce((n, p) => n + p.records.length, 0);

  it('the framer returns exactly the messages whatever the segment sizes', () => {
    for (const max of [1, 3, 16, 17, 100, 5000]) {
      const framer = new IpfixFramer();
      const got: Buffer[] = [];
      for (const c of cut(stream, max, max)) framer.push(Buffer.from(c), (m) => got.push(Buffer.from(m)));
      expect(got.length).toBe(messages.length);
      expect(Buffer.concat(got).equals(stream)).toBe(true);
      expect(framer.buffered).toBe(0);
    }
  });

  it('synthesised IPFIX cut into random segments decodes to one event per record (templates scoped to the connection)', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    await send(port, cut(stream, 700));
    await until(() => rt.events.length === records);
    rt.abort();
    await running;
    expect(rt.events).toHaveLength(records);
    expect(rt.events.every((e) => e.get('[netflow][version]') === 10)).toBe(true);
    const c = input.counters;
    expect(c).toMatchObject({ frames: messages.length, frames_decoded: messages.length, frames_failed: 0, truncated_bytes: 0, bytes: stream.length, events: records });
    expect(c.frames).toBe(c.frames_decoded + c.frames_failed);
  });

  it('a client disconnecting mid-message: every complete message is decoded, the partial one is counted as truncated', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    const whole = messages.slice(0, 5);
    const partial = messages[5]!.subarray(0, Math.floor(messages[5]!.length / 2));
    const expected = synth.packets.slice(0, 5).reduce((n, p) => n + p.records.length, 0);
    await send(port, cut(Buffer.concat([...whole, partial]), 333));
    await until(() => input.counters.truncated_bytes > 0);
    rt.abort();
    await running;
    expect(rt.events).toHaveLength(expected);
    expect(input.counters).toMatchObject({ frames: 5, frames_decoded: 5, truncated_bytes: partial.length });
  });

  it('a stream that is not IPFIX closes the connection with a framing error; other connections go on', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    await send(port, [Buffer.from('GET / HTTP/1.0\r\n\r\n')]);
    await send(port, messages.slice(0, 3));
    const expected = synth.packets.slice(0, 3).reduce((n, p) => n + p.records.length, 0);
    await until(() => rt.events.length === expected && input.counters.framing_errors === 1);
    rt.abort();
    await running;
    expect(input.counters).toMatchObject({ framing_errors: 1, connections: 2, frames: 3 });
    expect(rt.logs.some((l) => l.level === 'error' && l.msg.includes('not IPFIX'))).toBe(true);
  });

  it('the framer keeps a message whose length field is split, and rejects a bad header after a split', () => {
    const framer = new IpfixFramer();
    const got: Buffer[] = [];
    const m = messages[0]!;
    framer.push(Buffer.from(m.subarray(0, 2)), (x) => got.push(Buffer.from(x)));
    expect(framer.buffered).toBe(2);
    framer.push(Buffer.from(m.subarray(2, 3)), (x) => got.push(Buffer.from(x)));
    framer.push(Buffer.from(Buffer.concat([m.subarray(3), messages[1]!.subarray(0, 1)])), (x) => got.push(Buffer.from(x)));
    expect(got).toHaveLength(1);
    expect(got[0]!.equals(m)).toBe(true);
    expect(framer.buffered).toBe(1);
    // The kept 0x00 and 'G' make version 0x0047 = 71 ≠ 10: not IPFIX.
    expect(() => framer.push(Buffer.from([0x47, 0x45, 0x54, 0x20]), () => undefined)).toThrow(/not an IPFIX message at stream offset \+0: version 71 /);
  });

  it('while the pipeline is full, received messages wait undecoded; when the peer closes meanwhile nothing is lost', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    rt.hold();
    // One write: the whole stream arrives in a few large chunks and the peer closes at once.
    await send(port, [stream]);
    await until(() => rt.events.length > 0);
    const framesAtFirstPush = input.counters.frames;
    await new Promise((r) => setTimeout(r, 50));
    // About one pipeline batch (125 events) was decoded: the rest waits as bytes until the pipeline takes it.
    expect(input.counters.frames).toBe(framesAtFirstPush);
    expect(framesAtFirstPush).toBeLessThan(messages.length);
    const perMessage = Math.max(...synth.packets.map((p) => p.records.length));
    expect(rt.events.length).toBe(synth.packets.slice(0, framesAtFirstPush).reduce((n, p) => n + p.records.length, 0));
    expect(rt.events.length).toBeLessThan(125 + perMessage);
    rt.release();
    await until(() => rt.events.length === records);
    rt.abort();
    await running;
    expect(input.counters).toMatchObject({ frames: messages.length, frames_decoded: messages.length, truncated_bytes: 0, events: records });
  });

  it('shutdown while the pipeline is full: what an open connection already sent is decoded before run() resolves', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    rt.hold();
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', () => r()));
    client.on('error', () => undefined);
    await new Promise<void>((r) => client.write(stream, () => r()));
    await until(() => rt.events.length > 0);
    rt.abort();
    let finished = false;
    void running.then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(finished).toBe(false);
    rt.release();
    await running;
    client.destroy();
    expect(rt.events).toHaveLength(records);
    expect(input.counters).toMatchObject({ frames: messages.length, frames_decoded: messages.length, truncated_bytes: 0, bytes: stream.length });
  });

  it('many connections at once: received = out + failed (message accounting holds)', async () => {
    const rt = runtime(netflowCodec);
    const { input, port, running } = await start(options({ codec: 'netflow' }), rt);
    const corrupt = Buffer.from(messages[1]!);
    corrupt.writeUInt16BE(0xffff, 18); // a set with an impossible length inside a well-framed message
    await Promise.all([send(port, cut(stream, 900, 1)), send(port, cut(stream, 450, 2)), send(port, [messages[0]!, corrupt])]);
    await until(() => rt.events.length >= 2 * records);
    rt.abort();
    await running;
    const c = input.counters;
    expect(c.frames).toBe(2 * messages.length + 2);
    expect(c.frames).toBe(c.frames_decoded + c.frames_failed);
    expect(c.bytes).toBe(2 * stream.length + messages[0]!.length + corrupt.length);
    expect(rt.events.length).toBe(c.events);
  });
});
