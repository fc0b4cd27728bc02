// The beats input: Lumberjack v2 as libbeat (go-lumber) writes it — window, JSON and compressed
// frames, the ack after the window is queued — checked with a client written here (no Filebeat
// package in Debian's main archive). Expected events follow logstash-input-beats' message_listener
// and event transforms (spec/inputs/beats/message_listener_spec.rb, docs "Event Metadata and ECS").
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { deflateSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { fakeRuntime, until } from '../../../../test/inputs/helpers.ts';
import { standaloneContext } from '../../context.ts';
import { PlainCodec } from '../../codecs/plain/plain.ts';
import { BeatsInput, KEEP_ALIVE_INTERVAL_MS, enrichCategories } from './beats.ts';
import { loadPipelineConfig } from '../../../config/pipeline-config.ts';
import { PipelineLogger } from '../../../pipeline/log.ts';
import { Pipeline } from '../../../pipeline/pipeline.ts';
import type { Event } from '../../../event/event.ts';
import { LumberjackFrameError, LumberjackFrameReader, ackFrame } from './lumberjack-frames.ts';
import type { BeatsInputOptions } from './schema.ts';

// ---- a Lumberjack v2 client, as go-lumber encodes ----
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const windowFrame = (n: number): Buffer => Buffer.concat([Buffer.from('2W'), u32(n)]);
const jsonFrame = (seq: number, doc: unknown): Buffer => {
  const payload = Buffer.from(JSON.stringify(doc), 'utf8');
  return Buffer.concat([Buffer.from('2J'), u32(seq), u32(payload.length), payload]);
};
const compressedFrame = (inner: Buffer): Buffer => {
  const z = deflateSync(inner);
  return Buffer.concat([Buffer.from('2C'), u32(z.length), z]);
};
const dataFrame = (seq: number, pairs: Record<string, string>): Buffer => {
  const parts = [Buffer.from('1D'), u32(seq), u32(Object.keys(pairs).length)];
  for (const [k, v] of Object.entries(pairs)) {
    for (const s of [k, v]) {
      const b = Buffer.from(s, 'utf8');
      parts.push(u32(b.length), b);
    }
  }
  return Buffer.concat(parts);
};

/** A Filebeat 8 event as libbeat publishes it over lumberjack. */
const filebeatEvent = (i: number): Record<string, unknown> => ({
  '@timestamp': `2026-12-06T10:00:0${i}.000Z`,
  '@metadata': { beat: 'filebeat', type: '_doc', version: '8.15.0' },
  host: { name: 'web-1' },
  log: { offset: i * 10, file: { path: '/var/log/app.log' } },
  message: `line ${i}`,
});

const OPTIONS = {
  host: '127.0.0.1',
  port: 0,
  ssl: false,
  ssl_verify_mode: 'none',
  ssl_peer_metadata: false,
  include_codec_tag: true,
  client_inactivity_timeout: 60,
  event_loop_threads: 0,
  add_hostname: false,
  ssl_enabled: false,
  ssl_certificate_authorities: [],
  ssl_client_authentication: 'none',
  ssl_supported_protocols: [],
  ssl_handshake_timeout: 10000,
  codec: 'plain',
  add_field: {},
} as unknown as BeatsInputOptions;

async function server(options: Partial<BeatsInputOptions> = {}, ecs: 'disabled' | 'v8' = 'v8', keepAliveMs?: number) {
  const rt = fakeRuntime(new PlainCodec(undefined, undefined, false));
  const input = new BeatsInput({ ...OPTIONS, ...options } as BeatsInputOptions, standaloneContext({ ecsCompatibility: ecs }), keepAliveMs);
  const done = input.run(rt.ctx);
  await until(() => input.address() !== undefined);
  return { input, rt, port: input.address()!.port, done };
}

class Client {
  acks: number[] = [];
  raw = Buffer.alloc(0);
  closed = false;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.raw = Buffer.concat([this.raw, d]);
      while (this.raw.length >= 6) {
        expect(this.raw.subarray(0, 2).toString()).toBe('2A');
        this.acks.push(this.raw.readUInt32BE(2));
        this.raw = this.raw.subarray(6);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static async connect(port: number): Promise<Client> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.setNoDelay(true);
    return new Client(socket);
  }
  /** Writes the bytes in pieces of `step` bytes, waiting for each to leave. */
  async send(bytes: Buffer, step = bytes.length): Promise<void> {
    for (let i = 0; i < bytes.length; i += step) {
      await new Promise<void>((r) => this.socket.write(bytes.subarray(i, i + step), () => r()));
      if (step < bytes.length) await new Promise((r) => setImmediate(r));
    }
  }
}

describe('lumberjack frames', () => {
  const stream = Buffer.concat([
    windowFrame(4),
    compressedFrame(Buffer.concat([jsonFrame(1, { message: 'a' }), jsonFrame(2, { message: 'b', n: [1, 2] })])),
    jsonFrame(3, { message: 'é' }),
    dataFrame(4, { line: 'x', file: '/tmp/f' }),
  ]);
  it('any split of a stream gives the same frames', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 10 }), (cuts) => {
        const reader = new LumberjackFrameReader();
        const frames = [];
        let from = 0;
        for (const p of [...[...new Set(cuts)].sort((a, b) => a - b), stream.length]) {
          frames.push(...reader.push(stream.subarray(from, p)));
          from = p;
        }
        expect(reader.pending).toBe(0);
        expect(frames).toEqual([
          { type: 'window', version: 2, size: 4 },
          { type: 'event', version: 2, seq: 1, data: { message: 'a' } },
          { type: 'event', version: 2, seq: 2, data: { message: 'b', n: [1, 2] } },
          { type: 'event', version: 2, seq: 3, data: { message: 'é' } },
          { type: 'event', version: 1, seq: 4, data: { line: 'x', file: '/tmp/f' } },
        ]);
      }),
    );
  });

  it('bad frames name what and the byte offset in the stream', () => {
    const w = windowFrame(1);
    const failure = (bytes: Buffer): string => {
      const out = new LumberjackFrameReader().push(bytes);
      const last = out[out.length - 1];
      expect(last).toBeInstanceOf(LumberjackFrameError);
      return (last as LumberjackFrameError).message;
    };
    expect(failure(Buffer.from('3W\0\0\0\x01'))).toBe("Invalid version of beats protocol: '3' at byte 0");
    const reader = new LumberjackFrameReader();
    expect(reader.push(Buffer.concat([w, Buffer.from('2')]))).toEqual([{ type: 'window', version: 2, size: 1 }]);
    expect((reader.push(Buffer.from('X'))[0] as Error).message).toBe("Invalid Frame Type, received: 'X' at byte 7");
    const badJson = Buffer.concat([Buffer.from('2J'), u32(1), u32(5), Buffer.from('{"a":')]);
    expect(failure(Buffer.concat([w, badJson]))).toMatch(/^JSON frame seq 1: .* at byte 6$/);
    const notObject = Buffer.concat([Buffer.from('2J'), u32(7), u32(3), Buffer.from('[1]')]);
    expect(failure(notObject)).toBe('JSON frame seq 7: payload is not a JSON object at byte 0');
    const cut = jsonFrame(1, { message: 'abc' });
    expect(failure(compressedFrame(cut.subarray(0, cut.length - 2)))).toMatch(/compressed frame ends inside a frame .* at byte 0/);
    expect(failure(Buffer.concat([Buffer.from('2C'), u32(3), Buffer.from('xyz')]))).toMatch(/^compressed frame: .* at byte 0$/);
    expect(failure(Buffer.concat([Buffer.from('2J'), u32(1), u32(0x7fffffff)]))).toMatch(/^JSON frame length 2147483647 exceeds \d+ at byte 0$/);
  });

  it('an ack is version, A, the sequence number', () => {
    expect(ackFrame(2, 258)).toEqual(Buffer.from([0x32, 0x41, 0, 0, 1, 2]));
    expect(ackFrame(1, 1)).toEqual(Buffer.from([0x31, 0x41, 0, 0, 0, 1]));
  });

  it('enrich: unset means all categories, none means none', () => {
    expect([...enrichCategories(undefined)].sort()).toEqual(['codec_metadata', 'source_metadata', 'ssl_peer_metadata']);
    expect(enrichCategories('none').size).toBe(0);
    expect([...enrichCategories(['source_metadata'])]).toEqual(['source_metadata']);
  });
});

describe('beats input', () => {
  it('a window of Filebeat events split at every byte: events decoded through the codec, then one ack of the last seq', async () => {
    const { rt, port, done, input } = await server();
    const client = await Client.connect(port);
    await client.send(Buffer.concat([windowFrame(3), jsonFrame(1, filebeatEvent(1)), jsonFrame(2, filebeatEvent(2)), jsonFrame(3, filebeatEvent(3))]), 1);
    await until(() => client.acks.length === 1);
    expect(client.acks).toEqual([3]);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['line 1', 'line 2', 'line 3']);
    const e = rt.events[0]!;
    expect(e.get('@timestamp')?.toString()).toBe('2026-12-06T10:00:01.000Z');
    expect(e.get('[@metadata][beat]')).toBe('filebeat');
    expect(e.get('[@metadata][type]')).toBe('_doc');
    expect(e.get('[@metadata][version]')).toBe('8.15.0');
    expect(e.get('[@metadata][input][beats][host][ip]')).toBe('127.0.0.1');
    expect(e.get('[@metadata][ip_address]')).toBeUndefined();
    expect(e.get('[host][name]')).toBe('web-1');
    expect(e.get('[log][file][path]')).toBe('/var/log/app.log');
    expect(e.get('[event][original]')).toBeUndefined();
    expect(e.get('tags')).toEqual(['beats_input_codec_plain_applied']);
    expect(e.get('type')).toBe('flows'); // the common options were applied (fake runtime's decorate)
    client.socket.end();
    rt.abort();
    await done;
    expect(input.stats()).toMatchObject({ windows: 1, events: 3, acked_windows: 1, protocol_errors: 0 });
  });

  it('ECS disabled: the ip goes to [@metadata][ip_address]; include_codec_tag => false adds no tag', async () => {
    const { rt, port, done } = await server({ include_codec_tag: false }, 'disabled');
    const client = await Client.connect(port);
    await client.send(Buffer.concat([windowFrame(1), jsonFrame(1, filebeatEvent(1))]));
    await until(() => client.acks.length === 1);
    expect(rt.events[0]!.get('[@metadata][ip_address]')).toBe('127.0.0.1');
    expect(rt.events[0]!.get('[@metadata][input]')).toBeUndefined();
    expect(rt.events[0]!.get('tags')).toBeUndefined();
    client.socket.end();
    rt.abort();
    await done;
  });

  it('an event without message/line is taken raw, tagged beats_input_raw_event; no @metadata means no ip', async () => {
    const { rt, port, done } = await server();
    const client = await Client.connect(port);
    const metric = { '@timestamp': '2026-12-06T10:00:00.000Z', '@metadata': { beat: 'metricbeat', type: '_doc', version: '8.15.0' }, system: { cpu: { total: { pct: 0.25 } } } };
    await client.send(Buffer.concat([windowFrame(2), jsonFrame(1, metric), jsonFrame(2, { system: 'x' })]));
    await until(() => client.acks.length === 1);
    const [a, b] = rt.events;
    expect(Number(a!.get('[system][cpu][total][pct]')?.valueOf())).toBe(0.25);
    expect(a!.get('@timestamp')?.toString()).toBe('2026-12-06T10:00:00.000Z');
    expect(a!.get('[@metadata][beat]')).toBe('metricbeat');
    expect(a!.get('[@metadata][input][beats][host][ip]')).toBe('127.0.0.1');
    expect(a!.get('tags')).toEqual(['beats_input_raw_event']);
    expect(b!.get('[@metadata][input][beats][host][ip]')).toBeUndefined();
    client.socket.end();
    rt.abort();
    await done;
  });

  it('compressed windows split across TCP segments, v1 data frames with `line`, add_hostname from [beat][hostname]', async () => {
    const { rt, port, done } = await server({ add_hostname: true }, 'disabled');
    const client = await Client.connect(port);
    const old = { '@metadata': { beat: 'filebeat', type: 'doc' }, beat: { hostname: 'old-host', name: 'fb' }, message: 'six' };
    const win1 = Buffer.concat([windowFrame(2), compressedFrame(Buffer.concat([jsonFrame(1, old), jsonFrame(2, { ...old, host: 'explicit' })]))]);
    await client.send(windowFrame(0));
    await until(() => client.acks.length === 1);
    expect(client.acks).toEqual([0]);
    client.acks = [];
    await client.send(win1, 7);
    await until(() => client.acks.length === 1);
    await client.send(Buffer.concat([windowFrame(1), dataFrame(1, { line: 'from lsf', file: '/tmp/x' })]), 3);
    await until(() => client.acks.length === 2);
    expect(client.acks).toEqual([2, 1]);
    expect(rt.events.map((e) => [e.get('message'), e.get('host')])).toEqual([
      ['six', 'old-host'],
      ['six', 'explicit'],
      ['from lsf', undefined],
    ]);
    expect(rt.events[2]!.get('file')).toBe('/tmp/x');
    expect(rt.events[0]!.get('[@metadata][ip_address]')).toBe('127.0.0.1');
    client.socket.end();
    rt.abort();
    await done;
  });

  it('no ack before the window is queued (back-pressure)', async () => {
    const { rt, port, done } = await server();
    rt.hold();
    const client = await Client.connect(port);
    await client.send(Buffer.concat([windowFrame(2), jsonFrame(1, filebeatEvent(1)), jsonFrame(2, filebeatEvent(2))]));
    await until(() => rt.events.length === 2);
    // The push has not resolved: a round trip on the same connection shows no ack was written.
    await new Promise((r) => setTimeout(r, 50));
    expect(client.acks).toEqual([]);
    rt.release();
    await until(() => client.acks.length === 1);
    expect(client.acks).toEqual([2]);
    client.socket.end();
    rt.abort();
    await done;
  });

  it('a client that disconnects mid-window: nothing of that window is queued; its resend is', async () => {
    const { rt, port, done, input } = await server();
    const first = await Client.connect(port);
    await first.send(Buffer.concat([windowFrame(1), jsonFrame(1, filebeatEvent(1))]));
    await until(() => first.acks.length === 1);
    const partial = Buffer.concat([windowFrame(3), jsonFrame(1, filebeatEvent(2)), jsonFrame(2, filebeatEvent(3))]);
    await first.send(Buffer.concat([partial, jsonFrame(3, filebeatEvent(4)).subarray(0, 5)]));
    first.socket.destroy();
    await until(() => input.stats()['unacked_events_dropped'] === 2);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['line 1']);
    // libbeat resends the unacknowledged window on a new connection.
    const second = await Client.connect(port);
    await second.send(Buffer.concat([partial, jsonFrame(3, filebeatEvent(4))]));
    await until(() => second.acks.length === 1);
    expect(second.acks).toEqual([3]);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    second.socket.end();
    rt.abort();
    await done;
  });

  it('a bad frame closes the connection with a WARN naming the frame and byte offset; acked windows stay', async () => {
    const { rt, port, done, input } = await server();
    const client = await Client.connect(port);
    const good = Buffer.concat([windowFrame(1), jsonFrame(1, filebeatEvent(1))]);
    await client.send(Buffer.concat([good, Buffer.from('2Z')]));
    await until(() => client.closed);
    expect(client.acks).toEqual([1]);
    expect(rt.events).toHaveLength(1);
    const warn = rt.logs.find((l) => l.level === 'warn');
    expect(warn?.msg).toMatch(new RegExp(`^Beats protocol error from 127\\.0\\.0\\.1:\\d+: Invalid Frame Type, received: 'Z' at byte ${good.length + 1}; closing the connection$`));
    const json = await Client.connect(port);
    await json.send(Buffer.concat([windowFrame(1), Buffer.from('2J'), u32(1), u32(3), Buffer.from('{x}')]));
    await until(() => json.closed);
    expect(rt.logs.filter((l) => l.level === 'warn')[1]?.msg).toMatch(/JSON frame seq 1: .* at byte 6; closing the connection$/);
    const early = await Client.connect(port);
    await early.send(jsonFrame(9, { message: 'no window' }));
    await until(() => early.closed);
    expect(rt.logs.filter((l) => l.level === 'warn')[2]?.msg).toMatch(/event seq 9 before any window size frame/);
    expect(input.stats()['protocol_errors']).toBe(3);
    rt.abort();
    await done;
  });

  it('ssl_enabled: a TLS client gets its acks; ssl_peer_metadata records the verified client', async (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) {
      console.warn('openssl not found: skipping the beats TLS test');
      t.skip();
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'beats-tls-'));
    const gen = (name: string, cn: string, signer?: string): void => {
      const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', `${dir}/${name}.key`, '-out', `${dir}/${name}.crt`];
      if (signer) args.push('-CA', `${dir}/${signer}.crt`, '-CAkey', `${dir}/${signer}.key`);
      if (name === 'server') args.push('-addext', 'subjectAltName=IP:127.0.0.1');
      const r = spawnSync('openssl', args);
      if (r.status !== 0) throw new Error(r.stderr.toString());
    };
    gen('ca', 'test-ca');
    gen('server', 'localhost', 'ca');
    gen('client', 'beat-client', 'ca');
    const { rt, port, done } = await server({
      ssl_enabled: true,
      ssl_certificate: `${dir}/server.crt`,
      ssl_key: `${dir}/server.key`,
      ssl_certificate_authorities: [`${dir}/ca.crt`],
      ssl_client_authentication: 'required',
      ssl_peer_metadata: true,
    });
    const socket = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(`${dir}/ca.crt`), cert: readFileSync(`${dir}/client.crt`), key: readFileSync(`${dir}/client.key`) });
    await new Promise<void>((r, j) => socket.once('secureConnect', () => r()).once('error', j));
    const client = new Client(socket as unknown as net.Socket);
    await client.send(Buffer.concat([windowFrame(1), jsonFrame(1, filebeatEvent(1))]));
    await until(() => client.acks.length === 1);
    const e = rt.events[0]!;
    expect(e.get('[@metadata][tls_peer][status]')).toBe('verified');
    expect(e.get('[@metadata][input][beats][tls][client][subject]')).toBe('CN=beat-client');
    expect(e.get('[@metadata][input][beats][tls][version_protocol]')).toMatch(/^TLSv1\.[23]$/);
    expect(e.get('[@metadata][input][beats][tls][cipher]')).toMatch(/^TLS_/);
    socket.end();
    rt.abort();
    await done;
  });
});

// logstash-input-beats Server.java: IdleStateHandler(client_inactivity_timeout, 5 s writer idle, …);
// ConnectionHandler sets CHANNEL_SEND_KEEP_ALIVE on every read and, on WRITER_IDLE while it is set,
// writes Ack(VERSION_2, 0); BeatsHandler clears it after a batch is processed and acked.
describe('beats input keep-alive acks', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('while a window waits on a full queue: seq-0 acks every writer-idle period, then the window ack, then no more', async () => {
    const { rt, port, done, input } = await server({}, 'v8', 100);
    rt.hold();
    const client = await Client.connect(port);
    await client.send(Buffer.concat([windowFrame(2), jsonFrame(1, filebeatEvent(1)), jsonFrame(2, filebeatEvent(2))]));
    await until(() => client.acks.length >= 3);
    expect(client.acks.every((a) => a === 0)).toBe(true);
    expect(client.raw.length).toBe(0);
    rt.release();
    await until(() => client.acks.includes(2));
    expect(client.acks[client.acks.length - 1]).toBe(2);
    const after = client.acks.length;
    await sleep(400);
    expect(client.acks.length).toBe(after);
    expect(input.stats()['keepalive_acks']).toBe(after - 1);
    client.socket.end();
    rt.abort();
    await done;
  });

  it('a window still arriving (partial) counts as pending; an idle connection gets none', async () => {
    const { rt, port, done } = await server({}, 'v8', 100);
    const idle = await Client.connect(port);
    const slow = await Client.connect(port);
    const bytes = Buffer.concat([windowFrame(2), jsonFrame(1, filebeatEvent(1)), jsonFrame(2, filebeatEvent(2))]);
    await slow.send(bytes.subarray(0, 20));
    await until(() => slow.acks.length >= 2);
    expect(slow.acks.every((a) => a === 0)).toBe(true);
    await slow.send(bytes.subarray(20));
    await until(() => slow.acks.includes(2));
    expect(idle.acks).toEqual([]);
    idle.socket.end();
    slow.socket.end();
    rt.abort();
    await done;
  });

  it('the keep-alive is always version 2, sequence 0 — also on a v1 (data frame) window', async () => {
    const { rt, port, done } = await server({}, 'v8', 100);
    rt.hold();
    const client = await Client.connect(port);
    const raw: Buffer[] = [];
    client.socket.removeAllListeners('data');
    client.socket.on('data', (d: Buffer) => raw.push(d));
    await client.send(Buffer.concat([Buffer.from('1W'), u32(1), dataFrame(1, { line: 'x' })]));
    await until(() => Buffer.concat(raw).length >= 6);
    expect(Buffer.concat(raw).subarray(0, 6)).toEqual(Buffer.concat([Buffer.from('2A'), u32(0)]));
    rt.release();
    await until(() => Buffer.concat(raw).includes(Buffer.concat([Buffer.from('1A'), u32(1)])));
    client.socket.end();
    rt.abort();
    await done;
  });

  it(`a real pipeline made slow by its output: keep-alives every ${KEEP_ALIVE_INTERVAL_MS / 1000} s (Logstash's period) until the window is queued, then its ack`, async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const config = await loadPipelineConfig({ configString: `input { beats { host => "127.0.0.1" port => ${port} } } output { stdout { id => "slow" } }` });
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const written: Event[] = [];
    const pipeline = await Pipeline.build(
      config,
      { workers: 1, batchSize: 1, batchDelayMs: 0, log: new PipelineLogger('test', 'error', { write: () => undefined }) },
      {
        outputs: {
          slow: {
            write: async (events) => {
              written.push(...events);
              await gate;
            },
            close: () => undefined,
          },
        },
      },
    );
    pipeline.start();
    // More events than the queue holds (1024) behind an output that waits: the input's push waits too.
    const n = 1100;
    const frames = [windowFrame(n)];
    for (let i = 1; i <= n; i++) frames.push(jsonFrame(i, { message: `event ${i}` }));
    let client: Client | undefined;
    for (let attempt = 0; attempt < 50 && !client; attempt++) {
      try {
        client = await Client.connect(port);
      } catch {
        await sleep(100);
      }
    }
    await client!.send(Buffer.concat(frames));
    await until(() => client!.acks.length >= 1, 20_000);
    expect(client!.acks).toEqual([0]);
    openGate();
    await until(() => client!.acks.includes(n), 30_000);
    expect(client!.acks.slice(0, -1).every((a) => a === 0)).toBe(true);
    expect(client!.acks[client!.acks.length - 1]).toBe(n);
    client!.socket.end();
    pipeline.stop();
    await pipeline.done;
    expect(written.length).toBe(n);
  }, 60_000);
});
