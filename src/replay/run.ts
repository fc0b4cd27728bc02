// The replay loop: passes over a capture's datagrams, each paced, then sent (or handed to a
// consumer, for the pcap input). Counts what tcpreplay's summary needs.
import type { UdpDatagram } from '../packet/types.ts';
import type { Pacer, PaceVerdict } from './pacer.ts';

/**
 * Where datagrams come from: each call to `pass()` reads the capture(s) once more from the start,
 * one iterable per file (capture timing re-anchors at the first packet of each, as tcpreplay does).
 */
export interface DatagramSource {
  pass(): DatagramFile[];
  /** Packets of the file just read that carried no UDP datagram (skipped); undefined if not known. */
  skippedPackets?(): number;
}

/**
 * One file's datagrams. With `forEachDatagram` (readUdpDatagrams has it) the loop is driven by
 * callbacks, without a promise per datagram; plain iterables are iterated.
 */
export type DatagramFile = AsyncIterable<UdpDatagram> & {
  forEachDatagram?(visit: (dg: UdpDatagram) => void | Promise<void>): Promise<void>;
};

/** Thrown by the visit callback to end a file's reading early (limit, duration, interruption). */
const STOP = Symbol('stop replay');

/** What a pass does with each datagram once it is due; a promise only when it must wait. */
export type DatagramSink = (dg: UdpDatagram) => void | Promise<void>;

export interface ReplayLoopResult {
  /** Datagrams handed to the sink. */
  attempted: number;
  /** Captured bytes (L2 included) of those datagrams. */
  attemptedBytes: number;
  passes: number;
  /** Clock (ns) just before the first datagram, and right after the last one was handed over. */
  startNs: number;
  endNs: number;
  /** First pass: distinct 5-tuple flows and the datagrams in them. */
  flows: number;
  flowPackets: number;
  /** Non-UDP packets skipped, first pass. */
  skipped: number;
  /** Why the loop ended. */
  ended: 'done' | 'limit' | 'duration' | 'aborted';
}

export interface ReplayLoopOptions {
  signal?: AbortSignal;
  /**
   * The sink's waits are setup (opening a socket), not backpressure: the schedule is moved later by
   * their length so that packets after them are not all sent late.
   */
  sinkWaitsAreSetup?: boolean;
  /** Called after each datagram with the running count (progress bars). */
  onProgress?(sent: number): void;
}

export async function runReplayLoop(
  source: DatagramSource,
  pacer: Pacer,
  sink: DatagramSink,
  opts: ReplayLoopOptions = {},
): Promise<ReplayLoopResult> {
  const flows = new FlowCounter();
  const result: ReplayLoopResult = {
    attempted: 0,
    attemptedBytes: 0,
    passes: 0,
    startNs: pacer.start(),
    endNs: 0,
    flows: 0,
    flowPackets: 0,
    skipped: 0,
    ended: 'done',
  };
  const signal = opts.signal;
  const onProgress = opts.onProgress;
  const topspeed = pacer.schedule.mode === 'topspeed';
  const setupExcluded = opts.sinkWaitsAreSetup === true && !topspeed;
  let stopped = false;
  let firstPass = true;
  let inPass = 0;

  const handedOver = (dg: UdpDatagram): void => {
    pacer.sent(dg.wireBytes);
    result.attempted++;
    result.attemptedBytes += dg.wireBytes;
    inPass++;
    // At topspeed the time is read once per file instead (~10^5 datagrams a second).
    if (!topspeed) result.endNs = pacer.clock.now();
    if (firstPass) flows.add(dg);
    if (onProgress) onProgress(result.attempted);
  };
  const afterSetup = (dg: UdpDatagram, sinkStart: number): void => {
    if (setupExcluded) pacer.excludeSetup(pacer.clock.now() - sinkStart);
    handedOver(dg);
  };
  const send = (dg: UdpDatagram, verdict: PaceVerdict): void | Promise<void> => {
    if (verdict === 'stop') throw STOP;
    if (signal?.aborted) {
      result.ended = 'aborted';
      throw STOP;
    }
    const sinkStart = setupExcluded ? pacer.clock.now() : 0;
    const pending = sink(dg);
    if (pending) return pending.then(() => afterSetup(dg, sinkStart));
    handedOver(dg);
  };
  const visit = (dg: UdpDatagram): void | Promise<void> => {
    if (signal?.aborted) {
      result.ended = 'aborted';
      throw STOP;
    }
    const verdict = pacer.pace(dg.tsSec, dg.tsNsec, dg.wireBytes);
    if (typeof verdict !== 'string') return verdict.then((v) => send(dg, v));
    return send(dg, verdict);
  };

  while (!stopped && pacer.morePasses(result.passes)) {
    inPass = 0;
    for (const file of source.pass()) {
      if (stopped) break;
      pacer.startPass();
      const before = result.attempted;
      try {
        if (file.forEachDatagram) await file.forEachDatagram(visit);
        else for await (const dg of file) await visit(dg);
      } catch (e) {
        if (e !== STOP) throw e;
        stopped = true;
      } finally {
        if (topspeed && result.attempted > before) result.endNs = pacer.clock.now();
      }
      if (firstPass) result.skipped += source.skippedPackets?.() ?? 0;
    }
    result.passes++;
    firstPass = false;
    // An empty capture would otherwise loop forever with --loop 0.
    if (inPass === 0) break;
  }
  if (result.ended !== 'aborted') {
    result.ended = pacer.limitReached() ? 'limit' : pacer.durationElapsed() ? 'duration' : 'done';
  }
  if (result.attempted === 0) result.endNs = result.startNs;
  result.flows = flows.count;
  result.flowPackets = flows.packets;
  return result;
}

/** Distinct 5-tuple flows (UDP: addresses and ports), without building a key string per datagram. */
class FlowCounter {
  count = 0;
  packets = 0;
  private readonly bySrc = new Map<string, Map<string, Set<number>>>();

  add(dg: UdpDatagram): void {
    this.packets++;
    let byDst = this.bySrc.get(dg.src);
    if (!byDst) this.bySrc.set(dg.src, (byDst = new Map()));
    let ports = byDst.get(dg.dst);
    if (!ports) byDst.set(dg.dst, (ports = new Set()));
    const pair = dg.srcPort * 65536 + dg.dstPort;
    if (!ports.has(pair)) {
      ports.add(pair);
      this.count++;
    }
  }
}
