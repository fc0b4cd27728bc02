// ElastiFlow 4.0.1 (../shared/configs/elastiflow, conf.d/*.conf — the .disabled files left out) end to
// end: softflowd-style IPFIX and Cisco NetFlow v9 captures made by `flowstash synth` (servers in the
// MaxMind test ranges, clients private) and `flowstash rewrite` (exporters moved to a private range),
// replayed over UDP with `flowstash replay` and sent as IPFIX over TCP, into one collector process
// with the dry-run outputs. Expected values come from ElastiFlow's conf.d, its dictionaries and the
// test databases' JSON sources (see elastiflow-helpers.ts), never from running flowstash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { ROOT } from './helpers.ts';
import { spawnSync } from 'node:child_process';
import { runFlowstash } from './helpers.ts';
import {
  asOf,
  bulkDocs,
  cityOf,
  elastiflowEnv,
  ELASTIFLOW as ELASTIFLOW_DIR,
  get,
  HAVE_ELASTIFLOW,
  isPrivate,
  asFor,
  portName,
  readRecords,
  SERVER_NETS,
  SERVICE,
  startCollector,
  tcpFlagNames,
  TRANSPORT,
  waitFor,
  type BulkDoc,
  type Collector,
  type FlowRecord,
  type Ports,
} from './elastiflow-helpers.ts';

if (!HAVE_ELASTIFLOW) console.warn('e2e/elastiflow: ../shared/configs/elastiflow or ../shared/geoip is absent: the ElastiFlow end-to-end tests are skipped');

interface Capture {
  name: string;
  pcap: string;
  records: { lines: number; flows: FlowRecord[] };
}

async function makeCapture(dir: string, name: string, profile: string, seed: number, flows: number): Promise<Capture> {
  const raw = path.join(dir, `${name}.raw.pcap`);
  const pcap = path.join(dir, `${name}.pcap`);
  const recs = path.join(dir, `${name}.records.jsonl`);
  const s = await runFlowstash(['synth', '--profile', profile, '--flows', String(flows), '--exporters', '2', '--seed', String(seed), '--server-net', SERVER_NETS, '-o', raw, '--records', recs]);
  expect(s.code, s.stderr).toBe(0);
  // exporters 192.0.2.1, .2 → 172.16.9.1, .2 (what a lab capture would carry)
  const r = await runFlowstash(['rewrite', '-i', raw, '-o', pcap, '--srcipmap', '192.0.2.0/24:172.16.9.0/24', '--fixcsum']);
  expect(r.code, r.stderr).toBe(0);
  return { name, pcap, records: readRecords(recs) };
}

/** Every UDP payload of the capture (IPFIX messages), on one TCP connection per exporter. */
async function sendIpfixOverTcp(pcap: string, port: number): Promise<void> {
  const byExporter = new Map<string, Buffer[]>();
  for await (const d of readUdpDatagrams(pcap)) {
    const list = byExporter.get(d.src) ?? [];
    list.push(Buffer.from(d.payload));
    byExporter.set(d.src, list);
  }
  await Promise.all(
    [...byExporter.values()].map(
      (messages) =>
        new Promise<void>((resolve, reject) => {
          const sock = net.connect(port, '127.0.0.1', () => sock.end(Buffer.concat(messages)));
          sock.on('error', reject);
          sock.on('close', () => resolve());
        }),
    ),
  );
}

const key = (src: unknown, dst: unknown, proto: unknown, bytes: unknown): string => `${String(src)}|${String(dst)}|${String(proto)}|${String(bytes)}`;

/** Checks one flow's document against the values worked out by hand. */
function checkFlowDoc(f: FlowRecord, { doc, index }: BulkDoc, host: RegExp): void {
  const where = `${f.protocol} ${f.src}:${f.srcPort} → ${f.dst}:${f.dstPort} proto ${f.proto}`;
  const at = (p: string): unknown => get(doc, p);
  const ts = String(doc['@timestamp']);
  expect(index, where).toBe(`elastiflow-4.0.1-${ts.slice(0, 4)}.${ts.slice(5, 7)}.${ts.slice(8, 10)}`);
  expect(index, where).toBe('elastiflow-4.0.1-2025.01.01'); // synth's default start
  expect(doc['@version']).toBe('4.0.1');
  expect(at('event.dataset'), where).toBe(f.protocol === 'v9' ? 'netflow' : 'ipfix');
  expect(at('host.ip'), where).toMatch(host);
  expect(at('network.iana_number'), where).toBe(f.proto);
  expect(at('network.transport'), where).toBe(TRANSPORT[f.proto]);
  expect(at('network.type'), where).toBe(f.src.includes(':') ? 'ipv6' : 'ipv4');
  // 127.0.0.x is not in user_settings/sampling_interval.yml: fallback 0, counters unscaled
  expect(at('network.bytes'), where).toBe(f.bytes);
  expect(at('network.packets'), where).toBe(f.packets);
  const tags = (doc.tags as string[] | undefined) ?? [];
  for (const t of ['_rubyexception', '_grokparsefailure', '_geoip_lookup_failure', '_dnstimeout', '_cidr_parse_failure']) expect(tags, where).not.toContain(t);

  for (const side of ['source', 'destination'] as const) {
    const ip = side === 'source' ? f.src : f.dst;
    expect(at(`${side}.ip`), where).toBe(ip);
    expect(at(`${side}.domain`), where).toBe(ip); // ELASTIFLOW_RESOLVE_IP2HOST unset → false
    const as = asFor(ip, side);
    expect(at(`${side}.as.organization.name`), `${where} ${side}`).toBe(as.org);
    expect(at(`${side}.as.number`), `${where} ${side}`).toBe(as.number);
    const place = isPrivate(ip) ? null : cityOf(ip);
    if (place) {
      expect(at(`${side}.geo`), `${where} ${side}`).toEqual({ city_name: place.city, country_name: place.country, country_iso_code: place.iso, location: { lat: place.lat, lon: place.lon } });
    } else expect(at(`${side}.geo`), `${where} ${side}`).toBeUndefined();
  }
  expect(at('flow.traffic_locality'), where).toBe(isPrivate(f.src) && isPrivate(f.dst) ? 'private' : 'public');

  if (f.proto === 6) expect(at('flow.tcp_flags'), where).toEqual(tcpFlagNames(f.tcpFlags));
  else expect(at('flow.tcp_flags'), where).toBeUndefined();
  if (f.proto !== 6 && f.proto !== 17) return;

  expect(at('source.port'), where).toBe(f.srcPort);
  expect(at('destination.port'), where).toBe(f.dstPort);
  expect(at('flow.src_port_name'), where).toBe(portName(f.proto, f.srcPort));
  expect(at('flow.dst_port_name'), where).toBe(portName(f.proto, f.dstPort));
  // The service side: the port in the dictionary, the lower one when both are (20_filter_90 "isServer").
  const serverIsDst = f.dstPort <= f.srcPort;
  const [server, client, servicePort] = serverIsDst ? [f.dst, f.src, f.dstPort] : [f.src, f.dst, f.srcPort];
  expect(at('flow.service_port'), where).toBe(String(servicePort));
  expect(at('flow.service_name'), where).toBe(SERVICE[`${f.proto}:${servicePort}`]);
  expect(at('server.ip'), where).toBe(server);
  expect(at('client.ip'), where).toBe(client);
  const serverAs = asFor(server, serverIsDst ? 'destination' : 'source');
  expect(at('server.as.organization.name'), where).toBe(serverAs.org);
  expect(at('client.as.organization.name'), where).toBe(asFor(client, serverIsDst ? 'source' : 'destination').org);
  const place = isPrivate(server) ? null : cityOf(server);
  expect(at('server.geo.city_name'), where).toBe(place?.city);
  expect(at('server.geo.country_iso_code'), where).toBe(place?.iso);
  expect(at('server.geo.location'), where).toBe(place ? `${place.lat},${place.lon}` : undefined);
  expect(at('server.as.number'), where).toBe(serverAs.number === undefined ? undefined : String(serverAs.number));
  // The counters are the source's (in_bytes / octetDeltaCount); server.*/client.* copy the side each one is, as strings.
  expect(at('source.bytes'), where).toBe(f.bytes);
  expect(at('source.packets'), where).toBe(f.packets);
  const copied = (p: string): string | undefined => (at(p) === undefined ? undefined : String(at(p)));
  expect(at('server.bytes'), where).toBe(copied(serverIsDst ? 'destination.bytes' : 'source.bytes'));
  expect(at('client.bytes'), where).toBe(copied(serverIsDst ? 'source.bytes' : 'destination.bytes'));
  expect(at(serverIsDst ? 'client.packets' : 'server.packets'), where).toBe(String(f.packets));
}

function checkCapture(c: Capture, docs: BulkDoc[], host: RegExp): void {
  expect(docs.length, `${c.name}: one document per record of the --records file`).toBe(c.records.lines);
  const byKey = new Map<string, BulkDoc[]>();
  for (const d of docs) {
    const k = key(get(d.doc, 'source.ip'), get(d.doc, 'destination.ip'), get(d.doc, 'network.iana_number'), get(d.doc, 'network.bytes'));
    byKey.set(k, [...(byKey.get(k) ?? []), d]);
  }
  for (const f of c.records.flows) {
    const found = byKey.get(key(f.src, f.dst, f.proto, f.bytes)) ?? [];
    expect(found.length, `${c.name}: a document for ${f.src} → ${f.dst} proto ${f.proto} ${f.bytes} bytes`).toBeGreaterThanOrEqual(1);
    checkFlowDoc(f, found.shift()!, host);
  }
}

// Once with the filters and outputs on the main thread, once on two filter threads (--threads 2).
describe.skipIf(!HAVE_ELASTIFLOW).each([1, 2])('ElastiFlow 4.0.1 conf.d, end to end, --threads %i', (threads) => {
  let dir = '';
  let ports: Ports;
  let collector: Collector | undefined;
  let ipfix: Capture, v9: Capture, ipfixTcp: Capture;

  beforeAll(async () => {
    const e = await elastiflowEnv();
    dir = e.dir;
    ports = e.ports;
    collector = startCollector(e.env, threads > 1 ? ['--threads', String(threads)] : []);
    [ipfix, v9, ipfixTcp] = await Promise.all([
      makeCapture(dir, 'softflowd', 'softflowd', 11, 120),
      makeCapture(dir, 'cisco-v9', 'cisco-v9', 12, 120),
      makeCapture(dir, 'softflowd-tcp', 'softflowd', 13, 120),
    ]);
    await collector.ready;
  }, 180_000);

  afterAll(async () => {
    if (collector) {
      const code = await collector.stop();
      expect(code).toBe(0);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const docsOf = (pred: (d: BulkDoc) => boolean): BulkDoc[] => bulkDocs(collector!.stdout()).filter(pred);
  const dataset = (d: BulkDoc): string => String(get(d.doc, 'event.dataset'));
  const host = (d: BulkDoc): string => String(get(d.doc, 'host.ip'));

  it('the captures have servers in the test databases and private clients', () => {
    for (const c of [ipfix, v9, ipfixTcp]) {
      expect(c.records.flows.length).toBe(120);
      expect(c.records.flows.some((f) => cityOf(f.dst) || cityOf(f.src))).toBe(true);
      expect(c.records.flows.some((f) => asOf(f.dst)?.number === 1221 || asOf(f.src)?.number === 1221)).toBe(true);
      expect(c.records.flows.every((f) => isPrivate(f.src) || isPrivate(f.dst))).toBe(true);
    }
  });

  it('softflowd IPFIX replayed over UDP: one document per record, fields as worked out by hand', async () => {
    const r = await runFlowstash(['replay', '-q', '--exporters', 'loopback', '--to', `127.0.0.1:${ports.ipfixUdp}`, '-t', ipfix.pcap]);
    expect(r.code, r.stderr).toBe(0);
    const mine = (d: BulkDoc): boolean => dataset(d) === 'ipfix' && host(d) !== '127.0.0.1';
    await waitFor(() => docsOf(mine).length >= ipfix.records.lines, 60_000, () => `${docsOf(mine).length}/${ipfix.records.lines} documents`);
    checkCapture(ipfix, docsOf(mine), /^127\.0\.0\.([2-9]|\d\d+)$/);
  }, 90_000);

  it('Cisco NetFlow v9 replayed over UDP: one document per record, fields as worked out by hand', async () => {
    const r = await runFlowstash(['replay', '-q', '--exporters', 'loopback', '--to', `127.0.0.1:${ports.netflow}`, '-t', v9.pcap]);
    expect(r.code, r.stderr).toBe(0);
    const mine = (d: BulkDoc): boolean => dataset(d) === 'netflow';
    await waitFor(() => docsOf(mine).length >= v9.records.lines, 60_000, () => `${docsOf(mine).length}/${v9.records.lines} documents`);
    checkCapture(v9, docsOf(mine), /^127\.0\.0\.([2-9]|\d\d+)$/);
  }, 90_000);

  it('softflowd IPFIX over TCP (tcp input, netflow codec, RFC 7011 framing): one document per record', async () => {
    await sendIpfixOverTcp(ipfixTcp.pcap, ports.ipfixTcp);
    const mine = (d: BulkDoc): boolean => dataset(d) === 'ipfix' && host(d) === '127.0.0.1';
    await waitFor(() => docsOf(mine).length >= ipfixTcp.records.lines, 60_000, () => `${docsOf(mine).length}/${ipfixTcp.records.lines} documents`);
    checkCapture(ipfixTcp, docsOf(mine), /^127\.0\.0\.1$/);
  }, 90_000);

  it('the run logs no ruby exception and no dictionary or database error', () => {
    const err = collector!.stderr();
    expect(err).not.toMatch(/\[ERROR\]/);
    expect(err).not.toMatch(/Ruby exception/i);
  });
});

describe.skipIf(!HAVE_ELASTIFLOW)('ElastiFlow pinned with flowstash verify (test/e2e/fixtures/elastiflow)', () => {
  const FIXTURES = path.join(ROOT, 'test/e2e/fixtures/elastiflow');
  const verify = (env: NodeJS.ProcessEnv): { code: number; out: string } => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/flowstash.mjs'), 'verify', '--no-coverage', '--pipeline.ecs_compatibility', 'disabled', '-f', path.join(ELASTIFLOW_DIR, 'conf.d/*.conf'), FIXTURES],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
    );
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  };
  let env: NodeJS.ProcessEnv;
  let dir = '';
  beforeAll(async () => {
    const e = await elastiflowEnv();
    env = e.env;
    dir = e.dir;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the pinned documents hold', () => {
    const r = verify(env);
    expect(r.out).toMatch(/☑ 1\/1 test cases passed in 1 file \(3 events compared/);
    expect(r.code, r.out).toBe(0);
  }, 120_000);

  it('a change to the pipeline (GeoIP lookups switched off) fails the pin, naming the fields', () => {
    const r = verify({ ...env, ELASTIFLOW_GEOIP_LOOKUP: 'false' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/- \[destination\]\[geo\] +expected \{"city_name":"Linköping"/);
    expect(r.out).toMatch(/☐ 0\/1 test cases passed/);
  }, 120_000);
});
