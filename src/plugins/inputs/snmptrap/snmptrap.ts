// The snmptrap input (logstash-integration-snmp 4.x, snmptrap.rb over snmp4j 3.x): SNMP messages on
// UDP (and TCP with supported_transports), v1 and v2c. Each message of an enabled version whose
// community is listed (an empty list accepts all) becomes one event (trap-event.ts), whatever its PDU
// type, as the plugin's CommandResponder sees every request PDU; RESPONSE and REPORT PDUs go to
// snmp4j's pending-request table and are dropped. Informs are NOT answered: the plugin registers a
// plain CommandResponder (Snmp.addCommandResponder + listen), and in that path snmp4j 3.x only fires
// the PDU to the responders (Snmp.processPdu); the automatic inform response exists only in snmp4j's
// NotificationDispatcher, which the plugin does not use. So an inform sender retries, and each
// retransmission is another event, as in Logstash.
// SNMPv3 is not implemented: a config enabling it is refused at -t and at start.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Event } from '../../../event/event.ts';
import type { CheckContext, CheckResult, Input, InputContext, PluginContext } from '../../types.ts';
import { InputCannotRunError, ListenError, listenOn, serveUntilAborted } from '../input-errors.ts';
import { berElementLength, decodeSnmpMessage, PDU_TYPE, SnmpDecodeError, type MalformedKind, type SnmpMessage } from './ber.ts';
import { addBuiltinModules, MibFileError, MibManager } from './mib.ts';
import { DEFAULT_MIB_MODULES } from './mib-table.ts';
import { communityString, trapEvent } from './trap-event.ts';
import { SUPPORTED_TRANSPORTS, SUPPORTED_VERSIONS, type SnmptrapInputOptions } from './schema.ts';

/** snmp4j's default maximum inbound message size (TCP framing refuses larger messages). */
const MAX_MESSAGE_SIZE = 65535;

export class SnmptrapConfigError extends InputCannotRunError {
  override readonly name = 'SnmptrapConfigError';
}

type DropKind = MalformedKind | 'not_snmp' | 'too_large' | 'unsupported_version' | 'unknown_community' | 'unmatched_response' | 'event_error';

export interface SnmptrapCounters {
  messages: number;
  events: number;
  dropped: Partial<Record<DropKind, number>>;
  tcp_connections: number;
}

/** The option problems Logstash reports (config validation, common.rb validate_*), plus SNMPv3. */
export function optionErrors(o: SnmptrapInputOptions): string[] {
  const errors: string[] = [];
  const transports = (o.supported_transports as unknown[]).map(String);
  const versions = (o.supported_versions as unknown[]).map(String);
  const badT = transports.filter((t) => !(SUPPORTED_TRANSPORTS as readonly string[]).includes(t));
  if (transports.length === 0) errors.push('supported_transports: Setting requires at least one value ("tcp", "udp")');
  else if (badT.length > 0) errors.push(`supported_transports: Expected one of ["tcp", "udp"], got ${JSON.stringify(badT)}`);
  const badV = versions.filter((v) => !(SUPPORTED_VERSIONS as readonly string[]).includes(v));
  if (versions.length === 0) errors.push('supported_versions: Setting requires at least one value ("1", "2c", "3")');
  else if (badV.length > 0) errors.push(`supported_versions: Expected one of ["1", "2c", "3"], got ${JSON.stringify(badV)}`);
  if (versions.includes('3')) {
    errors.push('supported_versions => "3": SNMPv3 (USM security_name/auth/priv) is not implemented by flowstash; only "1" and "2c" traps can be received');
  }
  if (o.oid_mapping_format === 'default') {
    if (o.oid_root_skip > 0 && o.oid_path_length > 0) errors.push('Use either `oid_root_skip` or `oid_path_length`');
  } else if (o.oid_root_skip > 0 || o.oid_path_length > 0) {
    errors.push('The `oid_root_skip` and `oid_path_length` requires setting `oid_mapping_format` to `default`');
  }
  if (o.oid_root_skip < 0) errors.push('oidRootSkip must be positive number');
  if (o.oid_path_length < 0) errors.push('oidPathLength must be positive number');
  if (o.mib_paths !== undefined && o.yamlmibdir !== undefined) errors.push('Both `mib_paths` and its deprecated alias `yamlmibdir` are set; use only `mib_paths`');
  return errors;
}

/** `-t`: the option errors above. */
export function check(options: SnmptrapInputOptions, ctx: CheckContext): CheckResult {
  return { errors: optionErrors(options).map((e) => `input snmptrap at ${ctx.where}: ${e}`) };
}

/** Java's InetAddress.getHostAddress: IPv4 as is (also when mapped into IPv6), IPv6 as 8 uncompressed hex groups. */
export function javaHostAddress(ip: string): string {
  if (!net.isIPv6(ip)) return ip;
  const [addr, scope] = ip.split('%') as [string, string | undefined];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return mapped[1]!;
  let groups: string[];
  let head = addr;
  let tail: string[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    tail = [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
    head = addr.slice(0, -v4[1]!.length).replace(/:$/, '') || '';
    if (head.endsWith(':')) head += ':';
  }
  if (head.includes('::')) {
    const [l, r] = head.split('::') as [string, string];
    const left = l ? l.split(':') : [];
    const right = r ? r.split(':') : [];
    groups = [...left, ...Array<string>(8 - left.length - right.length - tail.length).fill('0'), ...right, ...tail];
  } else groups = [...(head ? head.split(':') : []), ...tail];
  const text = groups.map((g) => parseInt(g, 16).toString(16)).join(':');
  return scope === undefined ? text : `${text}%${scope}`;
}

export class SnmptrapInput implements Input {
  readonly counters: SnmptrapCounters = { messages: 0, events: 0, dropped: {}, tcp_connections: 0 };
  readonly listening: Promise<{ udp?: number; tcp?: number }>;
  private resolveListening!: (ports: { udp?: number; tcp?: number }) => void;
  private readonly ecs: boolean;
  private readonly communities: Set<string>;
  private readonly versions: Set<number>;
  private readonly logged = new Set<string>();
  private mib!: MibManager;

  constructor(
    private readonly options: SnmptrapInputOptions,
    private readonly pctx: PluginContext,
  ) {
    this.ecs = pctx.ecsCompatibility !== 'disabled';
    this.communities = new Set((options.community as unknown[]).map(String));
    const versions = (options.supported_versions as unknown[]).map(String);
    this.versions = new Set(versions.map((v) => (v === '1' ? 0 : v === '2c' ? 1 : 3)));
    this.listening = new Promise((r) => (this.resolveListening = r));
  }

  register(): void {
    const errors = optionErrors(this.options);
    if (errors.length > 0) throw new SnmptrapConfigError(`snmptrap input ${this.pctx.where}: ${errors.join('; ')}`);
    const o = this.options;
    const log = this.pctx.log;
    const mib = new MibManager(o.oid_mapping_format, o.oid_root_skip, o.oid_path_length);
    const mibPaths = (o.mib_paths as string[] | undefined) ?? (o.yamlmibdir !== undefined ? [o.yamlmibdir] : undefined);
    try {
      if (mibPaths && mibPaths.length > 0) {
        log.info('Loading user-provided MIB files', { path: mibPaths });
        for (const p of mibPaths) mib.addPath(String(p));
      }
    } catch (e) {
      if (e instanceof MibFileError) throw new SnmptrapConfigError(`snmptrap input ${this.pctx.where}: ${e.message}`);
      throw e;
    }
    if (o.use_provided_mibs) {
      // Logstash loads every IETF MIB of libsmi 0.5.0 here; flowstash has only its built-in modules.
      log.warn(`use_provided_mibs: flowstash resolves names from its built-in modules only (${DEFAULT_MIB_MODULES.join(', ')}), not every IETF MIB Logstash bundles`);
      addBuiltinModules(mib, DEFAULT_MIB_MODULES);
    } else if (!mibPaths) {
      log.info(`Using default MIB paths [${DEFAULT_MIB_MODULES.map((m) => `${m}.dic`).join(', ')}] (flowstash built-in names)`);
      addBuiltinModules(mib, DEFAULT_MIB_MODULES);
    }
    for (const w of mib.warnings) log.warn(w);
    if (this.ecs && o.target === undefined) {
      log.info(
        'ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)',
      );
    }
    this.mib = mib;
  }

  async run(ctx: InputContext): Promise<void> {
    if (!this.mib) this.register();
    const { host, port } = this.options;
    const transports = new Set((this.options.supported_transports as unknown[]).map(String));
    const ports: { udp?: number; tcp?: number } = {};
    let udp: dgram.Socket | undefined;
    let tcp: net.Server | undefined;
    const sockets = new Set<net.Socket>();
    if (transports.has('udp')) {
      udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        udp!.once('error', (e: NodeJS.ErrnoException) => reject(new ListenError('SNMP trap receiver (udp)', host, port, e)));
        udp!.bind(port, host, () => resolve());
      });
      udp.on('error', (e) => ctx.log.warn('SNMP trap UDP socket error', { error: e.message }));
      udp.on('message', (msg, rinfo) => this.receiveSafely(msg, rinfo.address, ctx));
      ports.udp = udp.address().port;
    }
    if (transports.has('tcp')) {
      tcp = net.createServer((socket) => this.serveTcp(socket, ctx, sockets));
      try {
        await listenOn(tcp, host, port, 'SNMP trap receiver (tcp)');
      } catch (e) {
        udp?.close();
        throw e;
      }
      const a = tcp.address();
      ports.tcp = a && typeof a === 'object' ? a.port : port;
    }
    const versionNames = [...this.versions].sort().map((v) => (v === 0 ? '1' : v === 1 ? '2c' : '3'));
    ctx.log.info(`SNMP trap receiver started on host: ${host}, port: ${ports.udp ?? ports.tcp ?? port}, transports: [${[...transports].join(', ')}], versions: [${versionNames.join(', ')}].`);
    this.resolveListening(ports);
    await Promise.all([
      udp
        ? new Promise<void>((resolve) => {
            const stop = (): void => void udp!.close(() => resolve());
            if (ctx.signal.aborted) stop();
            else ctx.signal.addEventListener('abort', stop, { once: true });
          })
        : undefined,
      tcp ? serveUntilAborted(tcp, ctx.signal, () => sockets.forEach((s) => void s.destroy())) : undefined,
    ]);
  }

  /** TCP framing as snmp4j's DefaultTcpTransportMapping: each message is one BER SEQUENCE, read by its length. */
  private serveTcp(socket: net.Socket, ctx: InputContext, sockets: Set<net.Socket>): void {
    this.counters.tcp_connections++;
    sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    const peer = socket.remoteAddress ?? '';
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length === 0) return;
        let length: number | undefined;
        try {
          if (buffered[0] !== 0x30) throw new SnmpDecodeError('unexpected_tag', `TCP stream does not start an SNMP message (byte 0x${buffered[0]!.toString(16)})`, 0);
          length = berElementLength(buffered);
        } catch (e) {
          this.drop(e instanceof SnmpDecodeError ? e.kind : 'not_snmp', peer, (e as Error).message, ctx);
          socket.destroy();
          return;
        }
        if (length === undefined) return;
        if (length > MAX_MESSAGE_SIZE) {
          this.drop('too_large', peer, `SNMP message of ${length} bytes exceeds the maximum inbound message size ${MAX_MESSAGE_SIZE}`, ctx);
          socket.destroy();
          return;
        }
        if (buffered.length < length) return;
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        this.receiveSafely(message, peer, ctx);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  }

  /** receive() from a socket callback: a failure to queue (shutdown) is logged, never an unhandled rejection. */
  private receiveSafely(data: Buffer, peer: string, ctx: InputContext): void {
    this.receive(data, peer, ctx).catch((e: unknown) => ctx.log.error('SNMP trap not queued', { exception: (e as Error).message }));
  }

  /**
   * One SNMP message from `peer` (nothing is sent back, not even to an inform: see the header).
   * Every message ends counted exactly once: as an event or under one dropped_* kind.
   */
  async receive(data: Buffer, peer: string, ctx: InputContext): Promise<void> {
    this.counters.messages++;
    const ip = javaHostAddress(peer);
    let decoded: ReturnType<typeof decodeSnmpMessage>;
    try {
      decoded = decodeSnmpMessage(data);
    } catch (e) {
      if (e instanceof SnmpDecodeError) this.drop(e.kind, ip, e.message, ctx);
      else this.drop('event_error', ip, `cannot decode: ${(e as Error).message}`, ctx);
      return;
    }
    if (!this.versions.has(decoded.version) || decoded.pdu === undefined) {
      this.drop('unsupported_version', ip, `SNMP message version ${decoded.version} (${versionName(decoded.version)}) is not enabled by supported_versions`, ctx);
      return;
    }
    const msg = decoded as SnmpMessage;
    if (msg.pdu.type === PDU_TYPE.RESPONSE || msg.pdu.type === PDU_TYPE.REPORT) {
      this.drop('unmatched_response', ip, `Received response that cannot be matched to any outstanding request, requestID=${msg.pdu.requestId}`, ctx);
      return;
    }
    const community = communityString(msg.community);
    if (this.communities.size > 0 && !this.communities.has(community)) {
      this.count('unknown_community');
      ctx.log.debug(`Received trap message with unknown community: '${community}'. Skipping`);
      return;
    }
    let event: Event;
    try {
      event = trapEvent(msg, ip, { mib: this.mib, mapOidValues: this.options.oid_map_field_values, ecs: this.ecs, target: this.options.target });
    } catch (e) {
      // consume_trap_message's rescue: the trap is logged and skipped, the input keeps running.
      this.count('event_error');
      ctx.log.error('Failed to create event', { exception: (e as Error).message });
      return;
    }
    ctx.decorate(event);
    this.counters.events++;
    await ctx.push([event]);
  }

  private count(kind: DropKind): void {
    this.counters.dropped[kind] = (this.counters.dropped[kind] ?? 0) + 1;
  }

  /** Counted always; logged once per kind (a flood of one fault is one line, the counters keep the total). */
  private drop(kind: DropKind, peer: string, detail: string, ctx: InputContext): void {
    this.count(kind);
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    ctx.log.warn(`Dropped SNMP message from ${peer} (${kind}): ${detail}; further ${kind} messages are counted, not logged`);
  }

  stats(): Record<string, number> {
    const out: Record<string, number> = { messages: this.counters.messages, events: this.counters.events };
    if ((this.options.supported_transports as unknown[]).map(String).includes('tcp')) out['tcp_connections'] = this.counters.tcp_connections;
    for (const [k, v] of Object.entries(this.counters.dropped)) out[`dropped_${k}`] = v;
    return out;
  }
}

const versionName = (v: number): string => (v === 0 ? 'SNMPv1' : v === 1 ? 'SNMPv2c' : v === 3 ? 'SNMPv3' : 'unknown');

export function create(options: SnmptrapInputOptions, ctx: PluginContext): Input {
  return new SnmptrapInput(options, ctx);
}
