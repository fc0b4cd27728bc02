// tcpreplay 4.4's end-of-run summary, with its integer arithmetic: every rate is truncated, not
// rounded, and the duration is whole microseconds.

export interface ReplayStats {
  /** Datagrams handed to the socket successfully. */
  packetsSent: number;
  /** Captured bytes (L2 included) of those packets, tcpreplay's byte count. */
  bytesSent: number;
  /** Microseconds from just before the first send to the last send. */
  durationUs: number;
  /** Distinct (src, dst, sport, dport, proto) flows seen in the first pass. */
  flows: number;
  /** Packets sent in the first pass that belong to a flow (every UDP datagram does). */
  flowPackets: number;
  /** Packets sent in the first pass that belong to no flow. */
  nonFlowPackets: number;
  /** Sends that failed (refused, unreachable, too big). */
  failed: number;
  /** Packets sent shorter than captured. */
  truncated: number;
  retriedEnobufs: number;
  retriedEagain: number;
  /** What the statistics block names as the device. */
  device: string;
}

/** `value / durationUs` scaled to `decimals` places and truncated, as tcpreplay's %llu.%0Nllu prints. */
function truncatedRate(numerator: bigint, durationUs: number, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const us = BigInt(Math.max(1, Math.round(durationUs)));
  const scaled = (numerator * scale) / us;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(decimals, '0');
  return `${whole}.${frac}`;
}

export function formatDuration(durationUs: number): string {
  const us = Math.max(0, Math.round(durationUs));
  const sec = Math.floor(us / 1e6);
  const micros = us % 1e6;
  if (sec < 1) return `${sec}.${String(micros).padStart(6, '0')}`;
  return `${sec}.${String(Math.floor(micros / 10_000)).padStart(2, '0')}`;
}

/** The summary lines (each ending in a newline); empty when no byte was sent, as tcpreplay does. */
export function formatReplaySummary(s: ReplayStats): string {
  const lines: string[] = [];
  if (s.bytesSent > 0) {
    const bytes = BigInt(s.bytesSent);
    const perSecond = 1_000_000n;
    const bps = truncatedRate(bytes * perSecond, s.durationUs, 1);
    const mbitsWhole = (bytes * 8n * perSecond) / BigInt(Math.max(1, Math.round(s.durationUs))) >= 1_000_000n;
    const mbps = mbitsWhole
      ? truncatedRate(bytes * 8n, s.durationUs, 2)
      : truncatedRate(bytes * 8n, s.durationUs, 3);
    const pps = truncatedRate(BigInt(s.packetsSent) * perSecond, s.durationUs, 2);
    const fps = truncatedRate(BigInt(s.flows) * perSecond, s.durationUs, 2);
    lines.push(`Actual: ${s.packetsSent} packets (${s.bytesSent} bytes) sent in ${formatDuration(s.durationUs)} seconds`);
    lines.push(`Rated: ${bps} Bps, ${mbps} Mbps, ${pps} pps`);
    lines.push(
      `Flows: ${s.flows} flows, ${fps} fps, ${s.flowPackets} unique flow packets, ${s.nonFlowPackets} unique non-flow packets`,
    );
  }
  lines.push(`Statistics for network device: ${s.device}`);
  lines.push(`\tSuccessful packets:        ${s.packetsSent}`);
  lines.push(`\tFailed packets:            ${s.failed}`);
  lines.push(`\tTruncated packets:         ${s.truncated}`);
  lines.push(`\tRetried packets (ENOBUFS): ${s.retriedEnobufs}`);
  lines.push(`\tRetried packets (EAGAIN):  ${s.retriedEagain}`);
  return lines.map((l) => l + '\n').join('');
}
