// ElastiFlow end to end: the environment its conf.d expects (paths, ports on 127.0.0.1, GeoIP files
// under the names it opens), a collector process, and the values a document must hold for a record —
// written out by hand from ElastiFlow's conf.d, its dictionaries and the MaxMind test databases.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { freePort, ROOT, SHARED } from './helpers.ts';

export const ELASTIFLOW = path.join(SHARED, 'configs/elastiflow');
export const GEOIP = path.join(SHARED, 'geoip');
export const HAVE_ELASTIFLOW = existsSync(path.join(ELASTIFLOW, 'conf.d')) && existsSync(path.join(GEOIP, 'GeoLite2-City-Test.mmdb'));

/** Servers drawn from these (`synth --server-net`): ranges of the MaxMind test databases. */
export const SERVER_NETS = '81.2.69.142/31,89.160.20.112/28,1.128.0.0/11';

export interface Ports {
  netflow: number;
  ipfixUdp: number;
  ipfixTcp: number;
  sflow: number;
}

/** ElastiFlow's variables: the shared tree, GeoLite2-City/ASN.mmdb symlinked to the test databases in a temp dir. */
export async function elastiflowEnv(extra: Record<string, string> = {}): Promise<{ env: NodeJS.ProcessEnv; ports: Ports; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'elastiflow-'));
  const geo = path.join(dir, 'geo');
  mkdirSync(geo);
  symlinkSync(path.join(GEOIP, 'GeoLite2-City-Test.mmdb'), path.join(geo, 'GeoLite2-City.mmdb'));
  symlinkSync(path.join(GEOIP, 'GeoLite2-ASN-Test.mmdb'), path.join(geo, 'GeoLite2-ASN.mmdb'));
  const ports: Ports = { netflow: await freePort(), ipfixUdp: await freePort(), ipfixTcp: 0, sflow: await freePort() };
  ports.ipfixTcp = ports.ipfixUdp; // ElastiFlow listens for IPFIX on one port number, tcp and udp
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ELASTIFLOW_DICT_PATH: path.join(ELASTIFLOW, 'dictionaries'),
    ELASTIFLOW_USER_SETTINGS_PATH: path.join(ELASTIFLOW, 'user_settings'),
    ELASTIFLOW_DEFINITION_PATH: path.join(ELASTIFLOW, 'definitions'),
    ELASTIFLOW_TEMPLATE_PATH: path.join(ELASTIFLOW, 'templates'),
    ELASTIFLOW_GEOIP_DB_PATH: geo,
    ELASTIFLOW_NETFLOW_IPV4_HOST: '127.0.0.1',
    ELASTIFLOW_NETFLOW_IPV4_PORT: String(ports.netflow),
    ELASTIFLOW_IPFIX_UDP_IPV4_HOST: '127.0.0.1',
    ELASTIFLOW_IPFIX_UDP_IPV4_PORT: String(ports.ipfixUdp),
    ELASTIFLOW_IPFIX_TCP_IPV4_HOST: '127.0.0.1',
    ELASTIFLOW_IPFIX_TCP_IPV4_PORT: String(ports.ipfixTcp),
    ELASTIFLOW_SFLOW_IPV4_HOST: '127.0.0.1',
    ELASTIFLOW_SFLOW_IPV4_PORT: String(ports.sflow),
    ELASTIFLOW_NETFLOW_UDP_WORKERS: '1',
    ELASTIFLOW_IPFIX_UDP_WORKERS: '1',
    ELASTIFLOW_SFLOW_UDP_WORKERS: '1',
    ...extra,
  };
  return { env, ports, dir };
}

export interface Collector {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once every input listens (the last "listener started" of the 4 inputs). */
  ready: Promise<void>;
  /** SIGINT, then the exit code. */
  stop(): Promise<number>;
}

/** `flowstash --pipeline.ecs_compatibility disabled --dry-run -f conf.d/*.conf` (the .disabled files are not matched). */
export function startCollector(env: NodeJS.ProcessEnv, extraArgs: string[] = []): Collector {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/flowstash.mjs'), '--pipeline.ecs_compatibility', 'disabled', '--dry-run', ...extraArgs, '-f', path.join(ELASTIFLOW, 'conf.d/*.conf')],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const listening = (err.match(/UDP listener started|Starting tcp input listener/g) ?? []).length;
      if (listening >= 4) resolve();
    });
    void exited.then((code) => reject(new Error(`flowstash exited (${code}) before listening:\n${err.slice(-4000)}`)));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    ready,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

export interface BulkDoc {
  index: string;
  doc: Record<string, unknown>;
}

/** The dry-run bulk body on stdout: an action line, then the document. */
export function bulkDocs(stdout: string): BulkDoc[] {
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  const docs: BulkDoc[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const action = JSON.parse(lines[i]!) as { index?: { _index: string } };
    if (!action.index) throw new Error(`not a bulk index action: ${lines[i]}`);
    docs.push({ index: action.index._index, doc: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return docs;
}

export async function waitFor(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function get(doc: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
}

/** A flow record of `synth --records`, whatever its protocol's field names. */
export interface FlowRecord {
  protocol: 'ipfix' | 'v9';
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  tcpFlags: number;
  bytes: number;
  packets: number;
}

interface RecordLine {
  protocol: string;
  options: boolean;
  values: Record<string, string | number>;
}

export function readRecords(file: string): { lines: number; flows: FlowRecord[] } {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RecordLine);
  const flows = lines
    .filter((l) => !l.options)
    .map((l): FlowRecord => {
      const v = l.values;
      if (l.protocol === 'ipfix') {
        return {
          protocol: 'ipfix',
          src: String(v.sourceIPv4Address ?? v.sourceIPv6Address),
          dst: String(v.destinationIPv4Address ?? v.destinationIPv6Address),
          srcPort: Number(v.sourceTransportPort ?? 0),
          dstPort: Number(v.destinationTransportPort ?? 0),
          proto: Number(v.protocolIdentifier),
          tcpFlags: Number(v.tcpControlBits ?? 0),
          bytes: Number(v.octetDeltaCount),
          packets: Number(v.packetDeltaCount),
        };
      }
      return {
        protocol: 'v9',
        src: String(v.ipv4_src_addr ?? v.ipv6_src_addr),
        dst: String(v.ipv4_dst_addr ?? v.ipv6_dst_addr),
        srcPort: Number(v.l4_src_port ?? 0),
        dstPort: Number(v.l4_dst_port ?? 0),
        proto: Number(v.protocol),
        tcpFlags: Number(v.tcp_flags ?? 0),
        bytes: Number(v.in_bytes),
        packets: Number(v.in_pkts),
      };
    });
  return { lines: lines.length, flows };
}

// ---- expected values, by hand ----

/** iana_protocol_numbers.yml for the protocols synth draws. */
export const TRANSPORT: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp' };

/** iana_service_names.yml entries of the services synth draws (lines 32, 34, 75, 363, 2971, 5992, 6054, 6299). */
export const SERVICE: Record<string, string> = {
  '6:22': 'ssh (TCP/22)',
  '6:25': 'smtp (TCP/25)',
  '6:80': 'http (TCP/80)',
  '6:443': 'https (TCP/443)',
  '6:3306': 'mysql (TCP/3306)',
  '17:53': 'dns (UDP/53)',
  '17:123': 'ntp (UDP/123)',
  '17:443': 'https (UDP/443)',
};

let serviceNames: Record<string, string> | undefined;
/** A port's name as ElastiFlow's translate gives it: the dictionary entry, else `transport/port`. */
export function portName(proto: number, port: number): string {
  serviceNames ??= parseYaml(readFileSync(path.join(ELASTIFLOW, 'dictionaries/iana_service_names.yml'), 'utf8')) as Record<string, string>;
  return serviceNames[`${proto}:${port}`] ?? `${TRANSPORT[proto]}/${port}`;
}

/** The ruby filter of 20_filter_90 (bits 1…128 in that order); 0 → "none". */
export function tcpFlagNames(flags: number): string[] | 'none' {
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'].filter((_, i) => (flags & (1 << i)) !== 0);
  return names.length ? names : 'none';
}

/** 20_filter_90's private list (cidr), as far as synth's addresses go: 10/8, 172.16/12, 192.168/16, documentation ranges, 2001:db8::/32. */
export function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|127\.)/.test(ip) || /^2001:db8:/i.test(ip);
}

export interface Place {
  city: string;
  country: string;
  iso: string;
  lat: number;
  lon: number;
}
const LONDON: Place = { city: 'London', country: 'United Kingdom', iso: 'GB', lat: 51.5142, lon: -0.0931 };
const LINKOPING: Place = { city: 'Linköping', country: 'Sweden', iso: 'SE', lat: 58.4167, lon: 15.6167 };

/** GeoLite2-City-Test.json: 81.2.69.142/31 London; 89.160.20.112/28 Linköping; 1.128.0.0/11 is not in it. */
export function cityOf(ip: string): Place | null {
  if (ip === '81.2.69.142' || ip === '81.2.69.143') return LONDON;
  const [a, b, c, d] = ip.split('.').map(Number);
  if (a === 89 && b === 160 && c === 20 && d! >= 112 && d! < 128) return LINKOPING;
  return null;
}

/** GeoLite2-ASN-Test.json: 89.160.20.112/29 and /29 → AS29518 Bredband2 AB; 1.128.0.0/11 → AS1221 Telstra Pty Ltd; 81.2.69.142 is not in it. */
export function asOf(ip: string): { number: number; org: string } | null {
  const [a, b, c, d] = ip.split('.').map(Number);
  if (a === 89 && b === 160 && c === 20 && d! >= 112 && d! < 128) return { number: 29518, org: 'Bredband2 AB' };
  if (a === 1 && b! >= 128 && b! < 160) return { number: 1221, org: 'Telstra Pty Ltd' };
  return null;
}

/**
 * [side][as] per 20_filter_90: "private" for the private list; else the ASN database's org and number;
 * "public" when that lookup fails. For the source, the City lookup's `_geoip_lookup_failure` tag is not
 * removed before the ASN lookup tests for it (the destination branch has the `else { remove_tag }`, the
 * source branch does not), so a source that is not in the City database is "public" with no number
 * even when the ASN database has it — ElastiFlow 4.0.1 behaves so under Logstash too.
 */
export function asFor(ip: string, side: 'source' | 'destination'): { org: string; number?: number } {
  if (isPrivate(ip)) return { org: 'private' };
  if (side === 'source' && !cityOf(ip)) return { org: 'public' };
  const as = asOf(ip);
  return as ? { org: as.org, number: as.number } : { org: 'public' };
}
