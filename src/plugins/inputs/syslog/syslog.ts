// logstash-input-syslog 3.7: one port, UDP and TCP. A datagram, or a TCP line (the "\n" kept, as
// Ruby's IO#each yields it), goes through the codec (plain); each event is decorated, gets the
// sender's address (host / [host][ip]) and is relayed as syslog_relay does: the default pattern
// `<%{POSINT:priority}>%{SYSLOGLINE}` (syslog-line.ts; a custom grok_pattern runs the grok filter),
// priority → severity/facility, the date filter on `timestamp` (MMM dd HH:mm:ss, MMM  d HH:mm:ss,
// MMM d HH:mm:ss, ISO8601; timezone/locale), and the facility/severity labels.
// Logstash's failure check compares the tags with the tag_on_failure *array*, so it never sees the
// `_grokparsefailure_sysloginput` tag: an unparsed message gets priority 0 (kernel/Emergency), not
// the 13 the code intends. flowstash does the same, since that is what Logstash indexes.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Event } from '../../../event/event.ts';
import type { FieldValue } from '../../../event/values.ts';
import { rubyToI } from '../../../event/ruby-strings.ts';
import { findPlugin } from '../../registry.ts';
import type { Filter, Input, InputContext, PluginContext } from '../../types.ts';
import { DateFilter } from '../../filters/date/date.ts';
import { dateSchema } from '../../filters/date/schema.ts';
import { ProxyHeaderReader } from '../tcp/proxy-protocol.ts';
import { matchSyslogLine } from './syslog-line.ts';
import type { SyslogInputOptions } from './schema.ts';

const GROK_FAILURE = '_grokparsefailure_sysloginput';

interface Keys {
  priority: string;
  facility: string;
  severity: string;
  facilityLabel: string;
  severityLabel: string;
  host: string;
}

const keysFor = (ecs: boolean): Keys =>
  ecs
    ? { priority: '[log][syslog][priority]', facility: '[log][syslog][facility][code]', severity: '[log][syslog][severity][code]', facilityLabel: '[log][syslog][facility][name]', severityLabel: '[log][syslog][severity][name]', host: '[host][ip]' }
    : { priority: 'priority', facility: 'facility', severity: 'severity', facilityLabel: 'facility_label', severityLabel: 'severity_label', host: 'host' };

export interface SyslogCounters {
  messages_received: number;
  events: number;
  unparsed: number;
  decode_errors: number;
  connections: number;
}

/** Ruby's `value.to_i` for what grok leaves in the priority field; undefined where to_i would raise (an array). */
function rubyInteger(v: FieldValue | undefined): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') return Number(rubyToI(v));
  return undefined;
}

export class SyslogInput implements Input {
  readonly counters: SyslogCounters = { messages_received: 0, events: 0, unparsed: 0, decode_errors: 0, connections: 0 };
  readonly listening: Promise<{ address: string; port: number }>;
  private resolveListening!: (a: { address: string; port: number }) => void;
  private readonly ecs: boolean;
  private readonly keys: Keys;
  private readonly date: DateFilter;
  private grok?: Filter;

  constructor(
    private readonly options: SyslogInputOptions,
    private readonly pctx: PluginContext,
  ) {
    this.ecs = pctx.ecsCompatibility !== 'disabled';
    this.keys = keysFor(this.ecs);
    this.listening = new Promise((r) => (this.resolveListening = r));
    const dateOptions: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(dateSchema.options)) if (spec.default !== undefined) dateOptions[k] = spec.default;
    Object.assign(dateOptions, { add_field: {}, add_tag: [], remove_field: [], remove_tag: [], periodic_flush: false, enable_metric: true });
    dateOptions['match'] = ['timestamp', 'MMM dd HH:mm:ss', 'MMM  d HH:mm:ss', 'MMM d HH:mm:ss', 'ISO8601'];
    if (options.timezone !== undefined) dateOptions['timezone'] = options.timezone;
    if (options.locale !== undefined) dateOptions['locale'] = options.locale;
    this.date = new DateFilter(dateOptions as never, { ...pctx, id: `${pctx.id}-date` });
  }

  /** A custom grok_pattern runs the grok filter (with the input's ECS mode), as Logstash's input embeds one. */
  async register(): Promise<void> {
    if (this.options.grok_pattern === undefined) return;
    const grok = findPlugin('filter', 'grok');
    if (!grok?.implementation) {
      throw new Error('syslog input: a custom grok_pattern needs the grok filter, which this flowstash does not run yet; remove grok_pattern to use the built-in RFC 3164 parser');
    }
    const module = await grok.implementation.load();
    const field = this.options.syslog_field;
    const grokOptions: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(grok.options)) if (spec.default !== undefined) grokOptions[k] = spec.default;
    Object.assign(grokOptions, { match: { [field]: this.options.grok_pattern }, overwrite: [field], tag_on_failure: [GROK_FAILURE], ecs_compatibility: this.ecs ? 'v1' : 'disabled' });
    this.grok = module.create(grokOptions, { ...this.pctx, id: `${this.pctx.id}-grok` }) as Filter;
    await this.grok.register?.();
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  /** syslog_relay, on one decorated event with its host set. */
  async relay(event: Event): Promise<void> {
    const k = this.keys;
    const field = this.options.syslog_field;
    if (this.ecs) event.set('[event][original]', event.get(field) ?? null);
    if (this.grok) await this.grok.filter(event);
    else this.parseDefault(event, field);
    // Logstash's check (tags.include?(tag_on_failure array)) is never true: the first branch always runs.
    const priority = rubyInteger(event.get(k.priority)) ?? 13;
    event.set(k.priority, priority);
    event.set(k.severity, priority & 7);
    event.set(k.facility, priority >> 3);
    if (!this.ecs && event.includes('timestamp8601')) event.set('timestamp', event.get('timestamp8601')!);
    this.date.filter(event);
    if (this.ecs) event.remove('timestamp');
    if (this.options.use_labels) {
      const facility = this.options.facility_labels?.[priority >> 3];
      if (facility !== undefined && facility !== null) event.set(k.facilityLabel, facility as FieldValue);
      const severity = this.options.severity_labels?.[priority & 7];
      if (severity !== undefined && severity !== null) event.set(k.severityLabel, severity as FieldValue);
    }
  }

  /** The default pattern's captures, set in pattern order like grok (ECS names and ints under ECS). */
  private parseDefault(event: Event, field: string): void {
    const text = event.get(field);
    const m = typeof text === 'string' ? matchSyslogLine(text) : undefined;
    if (!m) {
      this.counters.unparsed++;
      event.tag(GROK_FAILURE);
      return;
    }
    const ecs = this.ecs;
    const int = (s: string): number => Number(s);
    if (ecs) {
      event.set('[log][syslog][priority]', m.priority2 !== undefined ? [int(m.priority), int(m.priority2)] : int(m.priority));
      event.set('timestamp', (m.timestamp ?? m.timestamp8601)!);
      if (m.facility !== undefined) event.set('[log][syslog][facility][code]', int(m.facility));
      event.set('[host][hostname]', m.logsource);
      if (m.program !== undefined) event.set('[process][name]', m.program);
      if (m.pid !== undefined) event.set('[process][pid]', int(m.pid));
    } else {
      event.set('priority', m.priority2 !== undefined ? [m.priority, m.priority2] : m.priority);
      if (m.timestamp !== undefined) event.set('timestamp', m.timestamp);
      if (m.timestamp8601 !== undefined) event.set('timestamp8601', m.timestamp8601);
      if (m.facility !== undefined) event.set('facility', m.facility);
      event.set('logsource', m.logsource);
      if (m.program !== undefined) event.set('program', m.program);
      if (m.pid !== undefined) event.set('pid', m.pid);
    }
    event.set(field, m.message);
  }

  /** decode(): codec → decorate → host → relay → queue; a failure is logged and counted, never thrown. */
  private async decode(ctx: InputContext, ip: string, port: number, data: Buffer): Promise<void> {
    this.counters.messages_received++;
    const events: Event[] = [];
    try {
      ctx.codec.decode(data, { host: ip, port }, (e) => events.push(e));
      for (const e of events) {
        ctx.decorate(e);
        e.set(this.keys.host, ip);
        await this.relay(e);
      }
    } catch (e) {
      this.counters.decode_errors++;
      ctx.log.error('Error decoding data', { data: JSON.stringify(data.toString('latin1')), exception: (e as Error).name, message: (e as Error).message });
      return;
    }
    if (events.length === 0) return;
    this.counters.events += events.length;
    const pending = ctx.push(events);
    if (pending) await pending;
  }

  async run(ctx: InputContext): Promise<void> {
    const o = this.options;
    const address = `${o.host}:${o.port}`;
    const tcp = net.createServer((socket) => void this.tcpReceiver(ctx, socket));
    const sockets = new Set<net.Socket>();
    tcp.on('connection', (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: o.host, port: o.port }, () => resolve());
    });
    const port = (tcp.address() as net.AddressInfo).port;
    ctx.log.info('Starting syslog tcp listener', { address: `${o.host}:${port}` });
    const udp = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');
    let udpChain = Promise.resolve();
    udp.on('message', (msg, rinfo) => {
      udpChain = udpChain.then(() => this.decode(ctx, rinfo.address, rinfo.port, msg));
    });
    udp.on('error', (e) => ctx.log.warn('syslog listener died', { protocol: 'udp', address, exception: e.message }));
    await new Promise<void>((resolve) => udp.bind(port, o.host, resolve));
    ctx.log.info('Starting syslog udp listener', { address: `${o.host}:${port}` });
    this.resolveListening({ address: o.host, port });
    await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
    udp.close();
    await new Promise<void>((resolve) => {
      tcp.close(() => resolve());
      for (const s of sockets) s.end();
    });
    await udpChain;
    await Promise.all([...this.receivers]);
    const c = this.counters;
    ctx.log.info(`syslog input ${address}: ${c.messages_received} messages, ${c.events} events, ${c.unparsed} not RFC 3164 (tagged ${GROK_FAILURE}), ${c.decode_errors} decode errors, ${c.connections} tcp connections`, { ...c });
  }

  private readonly receivers = new Set<Promise<void>>();

  /** One TCP connection: lines (with their "\n"), the first one a PROXY header when proxy_protocol is on. */
  private tcpReceiver(ctx: InputContext, socket: net.Socket): Promise<void> {
    this.counters.connections++;
    let ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    let port = socket.remotePort ?? 0;
    ctx.log.info('new connection', { client: `${ip}:${port}` });
    const proxy = this.options.proxy_protocol ? new ProxyHeaderReader() : undefined;
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    const lines = (data: Buffer, final: boolean): Buffer[] => {
      const out: Buffer[] = [];
      let buf = pending.length > 0 ? Buffer.concat([pending, data]) : data;
      let nl: number;
      while ((nl = buf.indexOf(10)) !== -1) {
        out.push(buf.subarray(0, nl + 1));
        buf = buf.subarray(nl + 1);
      }
      pending = final ? Buffer.alloc(0) : Buffer.from(buf);
      if (final && buf.length > 0) out.push(buf);
      return out;
    };
    const handle = (data: Buffer, final: boolean): void => {
      let bytes: Buffer | undefined = data;
      if (proxy && !proxy.done) {
        try {
          bytes = proxy.push(data);
        } catch (e) {
          ctx.log.error('invalid proxy protocol header label', { hdr: data.toString('latin1').split('\n')[0], message: (e as Error).message });
          socket.destroy();
          return;
        }
        if (proxy.info) {
          ip = proxy.info.sourceIp;
          port = proxy.info.sourcePort;
        }
        if (!bytes) return;
      }
      for (const line of lines(bytes, final)) {
        chain = chain.then(() => this.decode(ctx, ip, port, line));
      }
      socket.pause();
      void chain.then(() => socket.resume());
    };
    const done = new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => handle(d, false));
      socket.on('end', () => handle(Buffer.alloc(0), true));
      socket.on('error', (e) => ctx.log.info('connection error:', { client: `${ip}:${port}`, message: e.message }));
      socket.once('close', () => resolve());
    }).then(() => chain);
    this.receivers.add(done);
    void done.finally(() => this.receivers.delete(done));
    return done;
  }
}

export function create(options: SyslogInputOptions, ctx: PluginContext): Input {
  return new SyslogInput(options, ctx);
}
