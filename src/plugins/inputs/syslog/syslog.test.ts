// The syslog input against util-linux logger (the real peer) over UDP and TCP, RFC 3164 and
// RFC 5424, ECS on and off; plus the default pattern on the RFC's own examples. Expected values
// follow logstash-input-syslog (syslog.rb syslog_relay) and logstash-patterns-core's SYSLOGLINE.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { standaloneContext } from '../../context.ts';
import type { InputContext, Logger, PluginContext } from '../../types.ts';
import { PlainCodec } from '../../codecs/plain/plain.ts';
import { SyslogInput } from './syslog.ts';
import { syslogSchema, type SyslogInputOptions } from './schema.ts';
import { matchSyslogLine } from './syslog-line.ts';

const HAVE_LOGGER = spawnSync('logger', ['--help'], { encoding: 'utf8' }).stdout?.includes('--rfc5424') ?? false;
if (!HAVE_LOGGER) console.warn('[skip] util-linux logger (with --server/--rfc5424) is not installed: the logger-driven syslog tests are skipped (Debian: bsdutils)');

function options(given: Record<string, unknown> = {}): SyslogInputOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(syslogSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, host: '127.0.0.1', port: 0, timezone: 'UTC', ...given } as unknown as SyslogInputOptions;
}

function runtime(ecs: PluginContext['ecsCompatibility']) {
  const events: Event[] = [];
  const ac = new AbortController();
  const silent = () => undefined;
  const log: Logger = { trace: silent, debug: silent, info: silent, warn: silent, error: silent, isEnabled: () => false };
  const codec = new PlainCodec(undefined, undefined, ecs !== 'disabled');
  const ctx: InputContext = {
    ...standaloneContext({ ecsCompatibility: ecs }),
    log,
    codec,
    decorate: (e) => void (e.get('type') === undefined && e.set('type', 'syslog')),
    push: (batch) => void events.push(...batch),
    signal: ac.signal,
  };
  return { ctx, events, abort: () => ac.abort() };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function logger(port: number, proto: '--udp' | '--tcp', format: '--rfc3164' | '--rfc5424', args: string[]): void {
  const r = spawnSync('logger', ['--server', '127.0.0.1', '--port', String(port), proto, format, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`logger failed: ${r.stderr}`);
}

async function withInput(ecs: PluginContext['ecsCompatibility'], given: Record<string, unknown>, send: (port: number) => void | Promise<void>, count: number) {
  const rt = runtime(ecs);
  const input = new SyslogInput(options(given), rt.ctx);
  await input.register();
  const running = input.run(rt.ctx);
  const { port } = await input.listening;
  await send(port);
  await until(() => rt.events.length >= count);
  rt.abort();
  await running;
  return { events: rt.events, input };
}

const nearNow = (ts: unknown): boolean => ts instanceof Timestamp && Math.abs(ts.toMillis() - Date.now()) < 120_000;

describe.skipIf(!HAVE_LOGGER)('syslog input with util-linux logger', () => {
  it('RFC 3164 over UDP, ECS off: priority/severity/facility and labels, logsource, program, pid, @timestamp from the line (UTC)', async () => {
    const { events } = await withInput('disabled', {}, (port) => logger(port, '--udp', '--rfc3164', ['-t', 'myprog', '-p', 'local3.warning', '--id=42', 'hello udp']), 1);
    const e = events[0]!;
    expect(e.get('message')).toBe('hello udp');
    expect(e.get('priority')).toBe(156); // local3 (19) * 8 + warning (4)
    expect(e.get('severity')).toBe(4);
    expect(e.get('facility')).toBe(19);
    expect(e.get('facility_label')).toBe('local3');
    expect(e.get('severity_label')).toBe('Warning');
    expect(e.get('program')).toBe('myprog');
    expect(e.get('pid')).toBe('42');
    expect(e.get('host')).toBe('127.0.0.1');
    expect(typeof e.get('logsource')).toBe('string');
    expect(e.get('timestamp')).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d$/);
    expect(nearNow(e.get('@timestamp'))).toBe(true);
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('type')).toBe('syslog');
  });

  it('RFC 3164 over TCP, ECS v8: [log][syslog][…], [host][hostname], [process][name|pid], event.original, no timestamp field', async () => {
    const { events } = await withInput('v8', {}, (port) => logger(port, '--tcp', '--rfc3164', ['-t', 'tcpprog', '-p', 'auth.err', '--id=7', 'over tcp']), 1);
    const e = events[0]!;
    expect(e.get('message')).toBe('over tcp');
    expect(e.get('[log][syslog][priority]')).toBe(35); // auth (4) * 8 + err (3)
    expect(e.get('[log][syslog][severity]')).toEqual({ code: 3, name: 'Error' });
    expect(e.get('[log][syslog][facility]')).toEqual({ code: 4, name: 'security/authorization' });
    expect(e.get('[process][name]')).toBe('tcpprog');
    expect(e.get('[process][pid]')).toBe(7);
    expect(e.get('[host][ip]')).toBe('127.0.0.1');
    expect(typeof e.get('[host][hostname]')).toBe('string');
    expect(String(e.get('[event][original]'))).toMatch(/^<35>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ tcpprog\[7\]: over tcp\n$/);
    expect(e.get('timestamp')).toBeUndefined();
    expect(nearNow(e.get('@timestamp'))).toBe(true);
  });

  it('RFC 5424 (UDP and TCP) is not RFC 3164: tagged _grokparsefailure_sysloginput, priority 0 (kernel/Emergency) as Logstash indexes it', async () => {
    const { events, input } = await withInput('disabled', {}, (port) => {
      logger(port, '--udp', '--rfc5424', ['-t', 'p5424', '-p', 'user.notice', 'five four two four']);
      logger(port, '--tcp', '--rfc5424', ['-t', 'p5424', '-p', 'user.notice', 'over tcp']);
    }, 2);
    const byProto = events.sort((a, b) => String(a.get('message')).length - String(b.get('message')).length);
    for (const e of byProto) {
      expect(e.get('tags')).toEqual(['_grokparsefailure_sysloginput']);
      expect(String(e.get('message'))).toMatch(/^<13>1 \d{4}-\d\d-\d\dT[\d:.]+\+00:00 \S+ p5424 - - \[timeQuality [^\]]*\] (five four two four|over tcp)\n?$/);
      expect([e.get('priority'), e.get('severity'), e.get('facility'), e.get('facility_label'), e.get('severity_label')]).toEqual([0, 0, 0, 'kernel', 'Emergency']);
    }
    // The TCP line keeps its "\n" (Ruby's IO#each), the datagram has none.
    expect(events.filter((e) => String(e.get('message')).endsWith('\n'))).toHaveLength(1);
    expect(input.counters).toMatchObject({ messages_received: 2, events: 2, unparsed: 2 });
  });

  it('use_labels => false and custom labels', async () => {
    const off = await withInput('disabled', { use_labels: false }, (port) => logger(port, '--udp', '--rfc3164', ['-p', 'mail.info', 'x']), 1);
    expect(off.events[0]!.get('facility_label')).toBeUndefined();
    expect(off.events[0]!.get('severity')).toBe(6);
    const custom = await withInput('disabled', { severity_labels: ['e', 'a', 'c', 'er', 'w', 'n', 'INFO'] }, (port) => logger(port, '--udp', '--rfc3164', ['-p', 'mail.info', 'x']), 1);
    expect(custom.events[0]!.get('severity_label')).toBe('INFO');
    expect(custom.events[0]!.get('facility_label')).toBe('mail');
  });
});

describe('syslog input: the default pattern and relay on the RFC examples', () => {
  it('RFC 3164 §5.4 example 1, and the ISO8601 variant (timestamp8601 → date filter)', () => {
    expect(matchSyslogLine("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toEqual({
      priority: '34', timestamp: 'Oct 11 22:14:15', logsource: 'mymachine', program: 'su', message: "'su root' failed for lonvick on /dev/pts/8",
    });
    expect(matchSyslogLine('<13>2025-03-04T05:06:07.123Z host app[9]: msg')).toMatchObject({ timestamp8601: '2025-03-04T05:06:07.123Z', logsource: 'host', program: 'app', pid: '9', message: 'msg' });
    expect(matchSyslogLine('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - msg')).toBeUndefined();
    expect(matchSyslogLine('no priority Oct 11 22:14:15 host x: y')).toBeUndefined();
  });

  it('over a TCP socket with a PROXY header: the client from the header becomes host; UDP from another 127.0.0.x', async () => {
    const { events } = await withInput('disabled', { proxy_protocol: true }, async (port) => {
      const s = net.connect(port, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.end('PROXY TCP4 198.51.100.4 127.0.0.1 5555 514\r\n<13>2025-03-04T05:06:07Z host app: via proxy\n');
      const u = dgram.createSocket('udp4');
      await new Promise<void>((r) => u.bind(0, '127.0.0.9', () => r()));
      await new Promise<void>((r) => u.send('<14>Mar  4 05:06:07 h2 x: by udp', port, '127.0.0.1', () => r()));
      u.close();
    }, 2);
    const proxied = events.find((e) => e.get('message') === 'via proxy')!;
    expect(proxied.get('host')).toBe('198.51.100.4');
    expect((proxied.get('@timestamp') as Timestamp).toString()).toBe('2025-03-04T05:06:07.000Z');
    const udp = events.find((e) => e.get('message') === 'by udp')!;
    expect(udp.get('host')).toBe('127.0.0.9');
    expect(udp.get('priority')).toBe(14);
  });

  it('a custom grok_pattern needs the grok filter: a clear error at register when it is not available', async () => {
    const { findPlugin } = await import('../../registry.ts');
    const input = new SyslogInput(options({ grok_pattern: '<%{POSINT:priority}>%{GREEDYDATA:message}' }), runtime('v8').ctx);
    if (findPlugin('filter', 'grok')?.implementation) {
      await expect(input.register()).resolves.toBeUndefined();
    } else {
      await expect(input.register()).rejects.toThrow(/needs the grok filter/);
    }
  });
});
