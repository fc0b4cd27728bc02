// The replay loop: passes over a capture's datagrams, each paced, then sent (or handed to a
// consumer, for the pcap input). Counts what tcpreplay's summary needs.
import type { UdpDatagram } from '../packet/types.ts';
import type { Pacer } from './pacer.ts';

/**
 * Where datagrams come from: each call to `pass()` reads the capture(s) once more from the start,
 * one iterable per file (capture timing re-anchors at the first packet of each, as tcpreplay does).
 */
export interface DatagramSource {
  pass(): AsyncIterable<UdpDatagram>[];
  /** Packets of the file just read that carried no UDP datagram (skipped); undefined if not known. */
  skippedPackets?(): number;
}

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
  const flowKeys = new Set<string>();
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
  const setupExcluded = opts.sinkWaitsAreSetup === true && pacer.schedule.mode !== 'topspeed';
  let stopped = false;
  while (!stopped && pacer.morePasses(result.passes)) {
    const firstPass = result.passes === 0;
    let inPass = 0;
    for (const file of source.pass()) {
      if (stopped) break;
      pacer.startPass();
      for await (const dg of file) {
        if (signal?.aborted) {
          result.ended = 'aborted';
          stopped = true;
          break;
        }
        let verdict = pacer.pace(dg.tsSec, dg.tsNsec, dg.wireBytes);
        if (typeof verdict !== 'string') verdict = await verdict;
        if (verdict === 'stop') {
          stopped = true;
          break;
        }
        if (signal?.aborted) {
          result.ended = 'aborted';
          stopped = true;
          break;
        }
        const sinkStart = setupExcluded ? pacer.clock.now() : 0;
        const pending = sink(dg);
        if (pending) {
          await pending;
          if (setupExcluded) pacer.excludeSetup(pacer.clock.now() - sinkStart);
        }
        pacer.sent(dg.wireBytes);
        result.endNs = pacer.clock.now();
        result.attempted++;
        result.attemptedBytes += dg.wireBytes;
        inPass++;
        if (firstPass) {
          flowKeys.add(`${dg.src}|${dg.dst}|${dg.srcPort}|${dg.dstPort}`);
          result.flowPackets++;
        }
        opts.onProgress?.(result.attempted);
      }
      if (firstPass) result.skipped += source.skippedPackets?.() ?? 0;
    }
    result.passes++;
    // An empty capture would otherwise loop forever with --loop 0.
    if (inPass === 0) break;
  }
  if (result.ended !== 'aborted') {
    result.ended = pacer.limitReached() ? 'limit' : pacer.durationElapsed() ? 'duration' : 'done';
  }
  if (result.attempted === 0) result.endNs = result.startNs;
  result.flows = flowKeys.size;
  return result;
}
