// The relp input: the protocol exchange as logstash-input-relp's RelpServer writes it
// (lib/logstash/util/relp.rb, spec/inputs/relp_spec.rb), frames split at every byte, the
// acknowledgement only after the events are queued, and rsyslog's omrelp as a real peer.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { fakeRuntime } from '../../../../test/inputs/helpers.ts';
import { RelpInput } from './relp.ts';
import { RelpFrameReader, relpFrame } from './relp-frames.ts';
import { standaloneContext } from '../../context.ts';
import type { Codec } from '../../types.ts';
import { Event } from '../../../event/event.ts';

const OPEN = relpFrame(1, 'open', 'relp_version=0\nrelp_software=librelp,1.11.0,https://www.rsyslog.com\ncommands=syslog');
const OPEN_OK = '1 rsp 86 200 OK relp_version=0\nrelp_software=logstash,1.1.1,http://logstash.net\ncommands=syslog\n';

const messageCodec = (): Codec => ({
  decode: (data, _s, emit) => emit(new Event({ message: data.toString('utf8') })),
  encode: () => '',
});

async function server(): Promise<{ input: RelpInput; rt: ReturnType<typeof fakeRuntime>; port: number; done: Promise<void> }> {
  const rt = fakeRuntime(messageCodec());
  const input = new RelpInput({ host: '127.0.0.1', port: 0, ssl_enable: false, ssl_verify: true } as never, standaloneContext());
  const done = input.run(rt.ctx);
  for (let i = 0; i < 100 && !input.address(); i++) await new Promise((r) => setTimeout(r, 10));
  return { input, rt, port: input.address()!.port, done };
}

/** Sends the chunks with a pause between them and collects what the server answers until it closes. */
async function converse(port: number, chunks: Buffer[], waitFor: (text: string) => boolean): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('data', (d) => (text += d.toString('utf8')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const c of chunks) {
    socket.write(c);
    await new Promise((r) => setTimeout(r, 2));
  }
  for (let i = 0; i < 300 && !waitFor(text); i++) await new Promise((r) => setTimeout(r, 10));
  socket.end();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
  socket.destroy();
  return text;
}

describe('relp frames', () => {
  it('any split of a byte stream gives the same frames; a zero datalen has no space before the trailer', () => {
    const stream = Buffer.concat([OPEN, relpFrame(2, 'syslog', 'héllo wörld'), relpFrame(3, 'syslog', 'two\nlines'), relpFrame(4, 'close')]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const reader = new RelpFrameReader();
        const frames = [];
        let from = 0;
        for (const p of [...points, stream.length]) {
          frames.push(...reader.push(stream.subarray(from, p)));
          from = p;
        }
        expect(frames.map((f) => [f.txnr, f.command, f.data.toString('utf8')])).toEqual([
          [1, 'open', 'relp_version=0\nrelp_software=librelp,1.11.0,https://www.rsyslog.com\ncommands=syslog'],
          [2, 'syslog', 'héllo wörld'],
          [3, 'syslog', 'two\nlines'],
          [4, 'close', ''],
        ]);
      }),
    );
    expect(relpFrame(4, 'close').toString()).toBe('4 close 0\n');
  });

  it('malformed headers name the field and the byte offset', () => {
    expect(() => new RelpFrameReader().push(Buffer.from('x1 syslog 3 abc\n'))).toThrow(/bad txnr at byte 0/);
    expect(() => new RelpFrameReader().push(Buffer.from('1 syslog 3x abc\n'))).toThrow(/bad datalen at byte 9/);
    expect(() => new RelpFrameReader().push(Buffer.from('1 syslog 3 abcd\n'))).toThrow(/bad trailer at byte 14/);
  });
});

describe('relp input', () => {
  it('open → 200 OK offer; syslog frames acked after queueing, with host = ip:port; close → rsp, serverclose', async () => {
    const { rt, port, done } = await server();
    const text = await converse(port, [OPEN, relpFrame(2, 'syslog', '<13>Dec  6 20:00:00 h app: one'), relpFrame(3, 'syslog', 'two'), relpFrame(4, 'close')], (t) => t.includes('serverclose'));
    expect(text).toBe(`${OPEN_OK}2 rsp 6 200 OK\n3 rsp 6 200 OK\n4 rsp 0\n0 serverclose 0\n`);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['<13>Dec  6 20:00:00 h app: one', 'two']);
    expect(rt.events[0]!.get('host')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(rt.events[0]!.get('type')).toBe('flows');
    rt.abort();
    await done;
  });

  it('a client that does not offer syslog gets Logstash\'s 500 and serverclose', async () => {
    const { rt, port, done, input } = await server();
    const text = await converse(port, [relpFrame(1, 'open', 'relp_version=0\ncommands=foo')], (t) => t.includes('serverclose'));
    expect(text).toBe('1 rsp 42 500 Required command(s) syslog not offered\n0 serverclose 0\n');
    expect(rt.logs.some((l) => l.level === 'warn' && l.msg === 'Relp client incapable of syslog')).toBe(true);
    expect(input.stats().protocol_errors).toBe(1);
    rt.abort();
    await done;
  });

  it('a first frame other than open, or a bad frame, ends the session with serverclose and a WARN', async () => {
    const { rt, port, done } = await server();
    expect(await converse(port, [relpFrame(1, 'syslog', 'early')], (t) => t.includes('serverclose'))).toBe('0 serverclose 0\n');
    expect(await converse(port, [OPEN, Buffer.from('2 syslog 5x hello\n')], (t) => t.includes('serverclose'))).toBe(`${OPEN_OK}0 serverclose 0\n`);
    expect(rt.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'Relp client trying to open connection with something other than open:syslog expecting open',
      `Relp error: RELP frame: bad datalen at byte ${OPEN.length + '2 syslog '.length} of the connection: '5x' is not a length`,
    ]);
    expect(rt.events).toHaveLength(0);
    rt.abort();
    await done;
  });

  it('a client gone mid-frame: every complete frame was acked and queued; the partial one is counted, never acked', async () => {
    const { rt, port, done, input } = await server();
    const partial = relpFrame(3, 'syslog', 'never complete').subarray(0, 12);
    const text = await converse(port, [OPEN, relpFrame(2, 'syslog', 'whole'), partial], (t) => t.includes('2 rsp'));
    expect(text).toBe(`${OPEN_OK}2 rsp 6 200 OK\n`);
    for (let i = 0; i < 100 && input.stats().unacked_bytes_lost === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rt.events.map((e) => e.get('message'))).toEqual(['whole']);
    expect(input.stats()).toMatchObject({ acked: 1, unacked_bytes_lost: 12 });
    rt.abort();
    await done;
  });

  it('the acknowledgement waits while the pipeline queue is full', async () => {
    const { rt, port, done } = await server();
    rt.hold();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.write(Buffer.concat([OPEN, relpFrame(2, 'syslog', 'held')]));
    await new Promise((r) => setTimeout(r, 200));
    expect(text).toBe(OPEN_OK);
    rt.release();
    for (let i = 0; i < 100 && !text.includes('2 rsp'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(text).toBe(`${OPEN_OK}2 rsp 6 200 OK\n`);
    socket.destroy();
    rt.abort();
    await done;
  });

  it('a port in use: one line, exit code 1', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const rt = fakeRuntime(messageCodec());
    const input = new RelpInput({ host: '127.0.0.1', port, ssl_enable: false, ssl_verify: true } as never, standaloneContext());
    await expect(input.run(rt.ctx)).rejects.toMatchObject({ exitCode: 1, message: `Could not start RELP server on 127.0.0.1:${port}: address already in use` });
    blocker.close();
  });
});

const haveRsyslog = spawnSync('rsyslogd', ['-v']).status === 0 && spawnSync('logger', ['--version']).status === 0;
if (!haveRsyslog) console.warn('[skip] relp: rsyslogd (with rsyslog-relp) or logger is missing: the real-peer test is skipped');

describe.skipIf(!haveRsyslog)('relp input with rsyslog omrelp as the peer', () => {
  it('logger → rsyslog imudp → omrelp → flowstash: every message arrives once, in order', async () => {
    const { rt, port, done } = await server();
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-rsyslog-'));
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const udpPort = probe.address().port;
    probe.close();
    const conf = path.join(dir, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        'module(load="omrelp")',
        `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
        `*.* action(type="omrelp" target="127.0.0.1" port="${port}" template="RSYSLOG_ForwardFormat")`,
        '',
      ].join('\n'),
    );
    const rsyslog = spawn('rsyslogd', ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 800));
      const count = 20;
      for (let i = 0; i < count; i++) {
        spawnSync('logger', ['--server', '127.0.0.1', '--port', String(udpPort), '--udp', '--rfc3164', '-t', 'relptest', `message ${i}`]);
      }
      for (let i = 0; i < 500 && rt.events.length < count; i++) await new Promise((r) => setTimeout(r, 20));
      const messages = rt.events.map((e) => String(e.get('message')));
      expect(messages).toHaveLength(count);
      messages.forEach((m, i) => expect(m).toMatch(new RegExp(`relptest.*: message ${i}$`)));
      expect(rt.events[0]!.get('host')).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      rsyslog.kill('SIGTERM');
      rt.abort();
      await done;
    }
  });
});
