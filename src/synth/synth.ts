// Generates exporter traffic: flows arrive (Poisson) over time, each exporter batches the flows that
// ended and sends a datagram when it is full or its export interval elapses, re-sending templates
// periodically. Output: timestamped Ethernet/IP/UDP frames and the records they carry.
import { buildUdpFrame } from '../packet/frame-builder.ts';
import { FlowModel, type SyntheticFlow } from './flows.ts';
import { Prng } from './prng.ts';
import { findProfile, PROFILES } from './profiles/index.ts';
import type { ServerNet } from './server-net.ts';
import type { GeneratedRecord, ProfileExporter, SynthProfile } from './types.ts';

export interface SynthOptions {
  profile: string;
  /** Flow records to generate (an upper bound when `durationSec` ends first). */
  flows: number;
  exporters?: number;
  /** Flows per second over all exporters (default: flows / duration, else 100). */
  rate?: number;
  durationSec?: number;
  seed?: number;
  /** Exporter and collector over IPv6 (2001:db8::1… → 2001:db8::200). */
  ipv6?: boolean;
  /** Some flows have IPv6 addresses (default: yes, except v5). */
  ipv6Flows?: boolean;
  /** Capture start, Unix µs (default 2025-01-01T00:00:00Z, so output is reproducible). */
  startUs?: number;
  dst?: string;
  dstPort?: number;
  /** Largest UDP payload (default 1400). */
  maxPayload?: number;
  /** Re-send templates every this many datagrams per exporter (default 20) … */
  templatePackets?: number;
  /** … or after this many seconds (default 30), whichever comes first. */
  templateSeconds?: number;
  /** An exporter sends what it has once its oldest pending flow is this old (default 1 s). */
  exportIntervalSec?: number;
  /** Servers are drawn from these networks (per family; default 198.51.100.0/24, 203.0.113.0/24, 2001:db8:ffff::/64). */
  serverNets?: readonly ServerNet[];
}

export interface SynthPacket {
  tsSec: number;
  tsNsec: number;
  exporter: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
  frame: Buffer;
  /** The records in this datagram, in wire order. */
  records: GeneratedRecord[];
}

export interface SynthResult {
  profile: SynthProfile;
  packets: SynthPacket[];
  /** Flow records generated (excluding options data). */
  flowCount: number;
  templateDatagrams: number;
}

export const DEFAULT_START_US = Date.UTC(2025, 0, 1) * 1000;

export function profileNames(): string[] {
  return PROFILES.map((p) => p.name);
}

export function exporterAddress(i: number, ipv6: boolean): string {
  return ipv6 ? `2001:db8::${(i + 1).toString(16)}` : `192.0.2.${1 + (i % 199)}`;
}

function checkPositive(name: string, v: number | undefined, integer: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
}

/** Draws flow end times and exporters, request/reply pairs on the same exporter, sorted by end time. */
function drawFlows(opts: Required<Pick<SynthOptions, 'flows' | 'exporters'>> & SynthOptions, rng: Prng, startUs: number, ipv6Flows: boolean): SyntheticFlow[] {
  const model = new FlowModel(rng.fork(), { exporters: opts.exporters, ipv6Flows, interfaces: 4, serverNets: opts.serverNets });
  const rate = opts.rate ?? (opts.durationSec ? opts.flows / opts.durationSec : 100);
  const limitUs = opts.durationSec !== undefined ? startUs + opts.durationSec * 1e6 : Infinity;
  const meanGapUs = (2 * 1e6) / rate; // a request and its reply per arrival
  const flows: SyntheticFlow[] = [];
  let t = startUs;
  while (flows.length < opts.flows) {
    t += rng.exponential(meanGapUs);
    if (t >= limitUs) break;
    const endUs = Math.floor(t);
    const exporter = rng.int(0, opts.exporters - 1);
    const req = model.request(0, exporter, endUs);
    flows.push(req);
    if (flows.length < opts.flows) {
      const rep = model.reply(req, 0);
      if (rep.endUs < limitUs) flows.push(rep);
    }
  }
  flows.sort((a, b) => a.endUs - b.endUs);
  flows.forEach((f, i) => (f.index = i));
  return flows;
}

export function synthesize(options: SynthOptions): SynthResult {
  const profile = findProfile(options.profile);
  if (!profile) throw new RangeError(`unknown profile '${options.profile}' (known: ${profileNames().join(', ')})`);
  checkPositive('flows', options.flows, true);
  checkPositive('exporters', options.exporters, true);
  checkPositive('rate', options.rate, false);
  checkPositive('duration', options.durationSec, false);
  if (options.maxPayload !== undefined && (options.maxPayload < 200 || options.maxPayload > 65000)) {
    throw new RangeError(`max payload must be within 200…65000 bytes, got ${options.maxPayload}`);
  }
  const exporters = options.exporters ?? 1;
  const rng = new Prng(options.seed ?? 1);
  const startUs = options.startUs ?? DEFAULT_START_US;
  const ipv6 = options.ipv6 ?? false;
  const ipv6Flows = options.ipv6Flows ?? profile.protocol !== 'v5';
  const dst = options.dst ?? (ipv6 ? '2001:db8::200' : '192.0.2.200');
  const dstPort = options.dstPort ?? profile.defaultPort;
  const maxPayload = options.maxPayload ?? (profile.protocol === 'v5' ? 24 + 30 * 48 : 1400);
  const templatePackets = options.templatePackets ?? 20;
  const templateUs = (options.templateSeconds ?? 30) * 1e6;
  const intervalUs = (options.exportIntervalSec ?? 1) * 1e6;

  const flows = drawFlows({ ...options, exporters, flows: options.flows }, rng, startUs, ipv6Flows);

  interface ExporterState {
    exporter: ProfileExporter;
    pending: SyntheticFlow[];
    sinceTemplates: number;
    lastTemplatesUs: number;
    ipId: number;
    srcPort: number;
  }
  const states: ExporterState[] = [];
  for (let i = 0; i < exporters; i++) {
    const exRng = rng.fork();
    states.push({
      exporter: profile.createExporter({ index: i, rng: exRng, startUs, maxPayload, interfaces: 4 }),
      pending: [],
      sinceTemplates: 0,
      lastTemplatesUs: -Infinity,
      ipId: exRng.int(0, 65535),
      srcPort: exRng.int(49152, 65535),
    });
  }

  const packets: SynthPacket[] = [];
  let templateDatagrams = 0;
  const flush = (i: number, nowUs: number): void => {
    const st = states[i]!;
    const withTemplates =
      profile.usesTemplates && (st.sinceTemplates >= templatePackets || nowUs - st.lastTemplatesUs >= templateUs);
    const batch = st.exporter.export(st.pending, nowUs, withTemplates);
    st.pending = [];
    if (withTemplates) {
      st.sinceTemplates = 0;
      st.lastTemplatesUs = nowUs;
      templateDatagrams++;
    }
    const src = exporterAddress(i, ipv6);
    let ts = nowUs;
    batch.forEach(({ payload, records }, d) => {
      st.sinceTemplates++;
      st.ipId = (st.ipId + 1) & 0xffff;
      const frame = buildUdpFrame({ src, dst, srcPort: st.srcPort, dstPort, payload, ipId: st.ipId, srcMac: `02:00:00:00:01:${(i & 0xff).toString(16).padStart(2, '0')}` });
      if (d > 0) ts += 20; // back-to-back datagrams of one export, 20 µs apart
      packets.push({ tsSec: Math.floor(ts / 1e6), tsNsec: (ts % 1e6) * 1000, exporter: i, src, srcPort: st.srcPort, dst, dstPort, payload, frame, records });
    });
  };

  // Exporters with pending flows, in order of their export deadline (oldest flow + interval). Flows
  // arrive in time order, so deadlines are assigned in order too and a FIFO queue keeps them sorted.
  // Entries whose exporter has since been flushed (it filled a datagram) are stale and skipped.
  const waiting: { exporter: number; deadline: number }[] = [];
  let head = 0;
  const isCurrent = (e: { exporter: number; deadline: number }): boolean => {
    const oldest = states[e.exporter]!.pending[0];
    return oldest !== undefined && oldest.endUs + intervalUs === e.deadline;
  };
  const batchLimit = profile.recordsPerDatagram;
  for (const fl of flows) {
    while (head < waiting.length) {
      const e = waiting[head]!;
      if (!isCurrent(e)) {
        head++;
        continue;
      }
      if (e.deadline > fl.endUs) break;
      head++;
      flush(e.exporter, e.deadline);
    }
    const st = states[fl.exporter]!;
    if (st.pending.length === 0) waiting.push({ exporter: fl.exporter, deadline: fl.endUs + intervalUs });
    st.pending.push(fl);
    if (st.pending.length >= batchLimit) flush(fl.exporter, fl.endUs); // a full datagram goes out at once
  }
  for (let k = head; k < waiting.length; k++) {
    const e = waiting[k]!;
    if (isCurrent(e)) flush(e.exporter, e.deadline);
  }
  for (let i = 0; i < exporters; i++) {
    if (states[i]!.lastTemplatesUs === -Infinity && profile.usesTemplates) flush(i, startUs + intervalUs);
  }
  packets.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
  return { profile, packets, flowCount: flows.length, templateDatagrams };
}

