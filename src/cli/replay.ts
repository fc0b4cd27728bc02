// `flowstash replay FILE`: tcpreplay's pacing over ordinary UDP sockets, so a collector on this
// same machine receives the capture (no root, no second host). Summary in tcpreplay's format.
// Exit status: 0 done; 1 capture damaged or unreadable (datagrams before the fault were sent);
// 2 bad options; 130 interrupted (the summary still covers what was sent).
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { CaptureError } from '../capture/errors.ts';
import { FilterError } from '../packet/filter.ts';
import { readUdpDatagrams, type UdpDatagramSource } from '../replay/datagram-source.ts';
import { hrClock, Pacer, pacingMode, validatePacing, type PacingOptions } from '../replay/pacer.ts';
import type { ExporterSocketInfo } from '../replay/sender.ts';
import { runReplayLoop, type ReplayLoopResult } from '../replay/run.ts';
import { formatReplaySummary } from '../replay/summary.ts';
import { DatagramSender, parseEndpoint, resolveEndpoint, type Endpoint, type ExporterBinding } from '../replay/sender.ts';
import type { UdpDatagram } from '../packet/types.ts';
import { planningClock, SendThreadError, START_LEAD_NS, ThreadedSender } from '../replay/send-threads.ts';

interface ReplayCliOptions {
  to?: string;
  exporters: ExporterBinding;
  multiplier?: string;
  pps?: string;
  mbps?: string;
  topspeed?: boolean;
  loop?: string;
  limit?: string;
  duration?: string;
  filter?: string;
  quiet?: boolean;
  progress: boolean;
  verbose?: boolean;
  threads: string;
}

function buildCommand(): Command {
  return new Command('flowstash replay')
    .description(
      'Send the UDP datagrams of captures over real sockets on this machine, paced like tcpreplay. ' +
        'Each datagram goes to its captured destination (as rewritten) or to --to; each original exporter ' +
        'gets its own socket, so a local collector still sees separate exporters.',
    )
    .argument('<files...>', 'captures to replay (pcap or pcapng), one after the other in each pass')
    .option('--to <host:port>', 'send every datagram here instead of its captured destination ([v6]:port for IPv6)')
    .addOption(
      new Option('--exporters <mode>', 'source address per exporter: bind (its own address when local), loopback (127.0.0.2, .3, ...), any')
        .choices(['bind', 'loopback', 'any'])
        .default('bind'),
    )
    .option('-x, --multiplier <x>', 'capture timing sped up by this factor (default 1: original timing)')
    .option('-p, --pps <n>', 'fixed packets per second')
    .option('-M, --mbps <n>', 'fixed megabits per second of captured bytes (0 = topspeed)')
    .option('-t, --topspeed', 'as fast as possible')
    .option('-l, --loop <n>', 'passes over the capture (0 = forever)', '1')
    .option('-L, --limit <n>', 'stop after this many datagrams')
    .option('--duration <s>', 'stop after this many seconds')
    .option('--filter <expr>', 'replay only datagrams matching a pcap-filter expression')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--no-progress', 'no progress bar (there is none anyway when stderr is not a terminal)')
    .option('-v, --verbose', 'show which local address each exporter was given')
    .option(
      '--threads <n>',
      'worker threads that send (and wait for due times) while the main thread reads; each exporter ' +
        'belongs to one thread, so its datagrams keep their order. Can help --topspeed when a CPU is free; ' +
        'on a busy machine 0 (read and send on one thread) is faster and keeps time better',
      '0',
    )
    .addHelpText('after', '\nExit status: 0 done, 1 capture damaged or unreadable, 2 bad options, 130 interrupted.\n')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
}

class OptionError extends Error {}

function numberFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new OptionError(`${flag}: not a number: '${v}'`);
  return n;
}

export function toPacing(o: ReplayCliOptions): PacingOptions {
  const p: PacingOptions = {
    multiplier: numberFlag('--multiplier', o.multiplier),
    pps: numberFlag('--pps', o.pps),
    mbps: numberFlag('--mbps', o.mbps),
    topspeed: o.topspeed === true,
    loop: numberFlag('--loop', o.loop),
    limit: numberFlag('--limit', o.limit),
    duration: numberFlag('--duration', o.duration),
  };
  const err = validatePacing(p);
  if (err) throw new OptionError(err);
  return p;
}

/** Counts datagrams once (for the progress bar's total); undefined when a capture cannot be read. */
async function countDatagrams(files: string[], filter: string | undefined): Promise<number | undefined> {
  let n = 0;
  try {
    for (const file of files) for await (const _ of readUdpDatagrams(file, { filter })) n++;
  } catch {
    return n > 0 ? n : undefined;
  }
  return n;
}

export async function run(args: string[]): Promise<number> {
  const cmd = buildCommand();
  let files: string[];
  let o: ReplayCliOptions;
  let pacing: PacingOptions;
  let to: Endpoint | undefined;
  try {
    cmd.parse(args, { from: 'user' });
    files = cmd.args;
    o = cmd.opts<ReplayCliOptions>();
    pacing = toPacing(o);
    if (o.to !== undefined) {
      const ep = parseEndpoint(o.to);
      if (typeof ep === 'string') throw new OptionError(`--to: ${ep}`);
      to = ep;
    }
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`flowstash replay: ${(e as Error).message}\n`);
    return 2;
  }

  const threads = Number(o.threads);
  if (o.threads.trim() === '' || !Number.isInteger(threads) || threads < 0 || threads > 64) {
    process.stderr.write(`flowstash replay: --threads must be a whole number from 0 to 64, got '${o.threads}'\n`);
    return 2;
  }
  const warn = (msg: string): void => {
    if (!o.quiet) process.stderr.write(`flowstash replay: ${msg}\n`);
  };
  const senderOptions = {
    to,
    exporters: o.exporters,
    onWarning: warn,
    onSocket: o.verbose
      ? (s: ExporterSocketInfo) =>
          process.stderr.write(
            `exporter ${s.exporter}:${s.exporterPort} -> sending from ${s.local.host}:${s.local.port} to ${s.destination.host}:${s.destination.port}\n`,
          )
      : undefined,
  };
  try {
    if (senderOptions.to) senderOptions.to = await resolveEndpoint(senderOptions.to);
  } catch (e) {
    process.stderr.write(`flowstash replay: --to ${o.to}: cannot resolve: ${(e as Error).message}\n`);
    return 2;
  }
  const realClock = hrClock();
  let sender: DatagramSender | ThreadedSender;
  if (threads === 0) {
    sender = new DatagramSender(senderOptions);
    await sender.prepare();
  } else {
    try {
      sender = await ThreadedSender.start({ ...senderOptions, threads, originNs: realClock.originNs });
    } catch (e) {
      process.stderr.write(`flowstash replay: cannot start the sending threads: ${(e as Error).message}\n`);
      return 1;
    }
  }

  const showBar = !o.quiet && o.progress && process.stderr.isTTY === true;
  const total = showBar ? await countDatagrams(files, o.filter) : undefined;
  const bar =
    showBar && total !== undefined && total > 0
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'replay |{bar}| {percentage}% | {value}/{total} datagrams | pass {pass} | {eta_formatted} left',
            hideCursor: true,
            clearOnComplete: true,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;

  const ac = new AbortController();
  let threadedSender: ThreadedSender | undefined;
  const onSignal = (): void => {
    ac.abort();
    // Sending threads may be sleeping towards a far due time with the reader waiting on them.
    threadedSender?.abort().catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let current: UdpDatagramSource | undefined;
  const firstSources: UdpDatagramSource[] = [];
  let passNo = 0;
  // With sending threads the main thread only plans: each datagram is handed over with its due time.
  const threaded = sender instanceof ThreadedSender ? sender : undefined;
  threadedSender = threaded;
  const clock = threaded ? planningClock(realClock, pacingMode(pacing) === 'topspeed' ? 0 : START_LEAD_NS) : realClock;
  if (threaded && pacingMode(pacing) !== 'topspeed') threaded.useClock(clock);
  const pacer = new Pacer(pacing, clock);
  const durationNs = pacing.duration !== undefined ? pacing.duration * 1e9 : undefined;
  let deadlineSet = false;
  const sendThreaded = (t: ThreadedSender, dg: UdpDatagram): void | Promise<void> => {
    if (!deadlineSet && durationNs !== undefined) {
      // The threads drop what they would send after --duration (counted from the run's start).
      t.setDeadline(pacer.startedAt + durationNs);
      deadlineSet = true;
    }
    return t.send(dg, pacer.lastDueNs);
  };
  let result: ReplayLoopResult | undefined;
  let failure: Error | undefined;
  bar?.start(total!, 0, { pass: 1 });
  try {
    result = await runReplayLoop(
      {
        pass: () => {
          passNo++;
          bar?.update(0, { pass: passNo });
          const open = (file: string): UdpDatagramSource => {
            current = readUdpDatagrams(file, { filter: o.filter });
            if (passNo === 1) firstSources.push(current);
            return current;
          };
          return files.map((file) => ({
            [Symbol.asyncIterator]: () => open(file)[Symbol.asyncIterator](),
            forEachDatagram: (visit) => open(file).forEachDatagram(visit),
          }));
        },
        skippedPackets: () => current?.stats.nonUdp ?? 0,
      },
      pacer,
      threaded ? (dg) => sendThreaded(threaded, dg) : (dg) => (sender as DatagramSender).send(dg),
      {
        signal: ac.signal,
        // Without threads a sink wait is a socket being opened; with threads it is backpressure.
        sinkWaitsAreSetup: !threaded,
        onProgress: bar ? (n) => bar.update(((n - 1) % total!) + 1) : undefined,
      },
    );
  } catch (e) {
    failure = e as Error;
  } finally {
    bar?.stop();
    try {
      // Interrupted: what is still queued is dropped. A damaged capture: what preceded the fault goes out.
      if (threaded && (result?.ended === 'aborted' || ac.signal.aborted)) await threaded.abort();
      else await sender.close();
    } catch (e) {
      failure ??= e as Error;
    }
    // Only now: sending threads may still be working through their queues until close() returns.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (failure instanceof SendThreadError) {
    process.stderr.write(`flowstash replay: ${failure.message}\n`);
    return 1;
  }
  if (failure && !(failure instanceof CaptureError) && !(failure instanceof FilterError)) throw failure;
  if (failure instanceof FilterError) {
    process.stderr.write(`flowstash replay: --filter: ${failure.message}\n`);
    return 2;
  }

  const c = sender.counters;
  const startNs = result?.startNs ?? pacer.startedAt;
  const endNs = threaded ? Math.max(startNs, threaded.lastSendNs) : (result?.endNs ?? pacer.clock.now());
  if (!o.quiet) {
    process.stdout.write(
      formatReplaySummary({
        packetsSent: c.successful,
        bytesSent: c.successfulBytes,
        durationUs: Math.max(0, endNs - startNs) / 1000,
        flows: result?.flows ?? 0,
        flowPackets: result?.flowPackets ?? 0,
        nonFlowPackets: 0,
        failed: c.failed,
        truncated: 0,
        retriedEnobufs: 0,
        retriedEagain: 0,
        device: describeDevice(to, sender.socketCount),
      }),
    );
    const stats = firstSources
      .map((f) => f.stats)
      .reduce(
        (a, b) => ({
          nonUdp: a.nonUdp + b.nonUdp,
          malformed: a.malformed + b.malformed,
          reassemblyFailures: a.reassemblyFailures + b.reassemblyFailures,
          filtered: a.filtered + b.filtered,
        }),
        { nonUdp: 0, malformed: 0, reassemblyFailures: 0, filtered: 0 },
      );
    if (stats.nonUdp > 0 || stats.malformed > 0 || stats.reassemblyFailures > 0 || stats.filtered > 0) {
      process.stdout.write(
        `Skipped (first pass): ${stats.nonUdp} non-UDP packets, ${stats.malformed} malformed, ` +
          `${stats.reassemblyFailures} unreassembled datagrams, ${stats.filtered} filtered out\n`,
      );
    }
    const codes = Object.entries(c.failedByCode);
    if (codes.length > 0) process.stdout.write(`Failures: ${codes.map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  }
  if (failure) {
    process.stderr.write(`flowstash replay: ${failure.message}\n`);
    return 1;
  }
  return result?.ended === 'aborted' || ac.signal.aborted ? 130 : 0;
}

function describeDevice(to: Endpoint | undefined, sockets: number): string {
  const where = to ? (to.host.includes(':') ? `[${to.host}]:${to.port}` : `${to.host}:${to.port}`) : 'captured destinations';
  return `udp ${where} (${sockets} exporter socket${sockets === 1 ? '' : 's'})`;
}
