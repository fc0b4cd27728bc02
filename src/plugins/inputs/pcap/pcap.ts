// flowstash's `pcap` input: every UDP datagram of a capture straight into the codec, with the
// original exporter as the source (`host` / `[host][ip]` like the udp input) — no network at all.
// As fast as possible unless pacing options are given; finished when the capture has been read.
import type { Input, InputContext, PluginContext, ResolvedOptions } from '../../types.ts';
import { readUdpDatagrams, type UdpDatagramSource } from '../../../replay/datagram-source.ts';
import { hrClock, Pacer, type PacingOptions } from '../../../replay/pacer.ts';
import { pacingFromOptions } from '../../../replay/options.ts';
import { runReplayLoop } from '../../../replay/run.ts';
import { DatagramDecoder, parseEcs, sourceIpField } from '../udp/udp-events.ts';
import { InputCannotRunError } from '../input-errors.ts';

export interface PcapInputCounters {
  packets: number;
  datagrams: number;
  events: number;
  non_udp: number;
  malformed: number;
  filtered: number;
  reassembly_failures: number;
  decode_failures: number;
  passes: number;
}

export class PcapInput implements Input {
  readonly path: string;
  readonly filter: string | undefined;
  readonly pacing: PacingOptions;
  private readonly field: string;
  private decoder: DatagramDecoder | undefined;
  private datagrams = 0;
  private passes = 0;
  private firstSource: UdpDatagramSource | undefined;

  constructor(options: ResolvedOptions) {
    const path = options['path'];
    if (typeof path !== 'string' || path === '') throw new Error('pcap input: `path` is required (a pcap or pcapng file)');
    this.path = path;
    this.filter = typeof options['filter'] === 'string' && options['filter'] !== '' ? options['filter'] : undefined;
    this.pacing = pacingFromOptions(options, 'pcap input: ');
    const sourceIpFieldname = typeof options['source_ip_fieldname'] === 'string' ? options['source_ip_fieldname'] : undefined;
    this.field = sourceIpField(parseEcs(options['ecs_compatibility']), sourceIpFieldname);
  }

  counters(): PcapInputCounters {
    const s = this.firstSource?.stats;
    const d = this.decoder?.counters;
    return {
      packets: s?.packets ?? 0,
      datagrams: this.datagrams,
      events: d?.events ?? 0,
      non_udp: s?.nonUdp ?? 0,
      malformed: s?.malformed ?? 0,
      filtered: s?.filtered ?? 0,
      reassembly_failures: s?.reassemblyFailures ?? 0,
      decode_failures: d?.decodeFailures ?? 0,
      passes: this.passes,
    };
  }

  stats(): Record<string, number> {
    return { ...this.counters() };
  }

  async run(ctx: InputContext): Promise<void> {
    const decoder = new DatagramDecoder(ctx, this.field, 'pcap');
    this.decoder = decoder;
    let current: UdpDatagramSource | undefined;
    let problemsLogged = 0;
    const pass = (): UdpDatagramSource => {
      current = readUdpDatagrams(this.path, {
        filter: this.filter,
        onProblem: (p) => {
          // The first few are shown; all are counted (malformed / reassembly_failures).
          if (problemsLogged++ < 10) {
            ctx.log.warn(`pcap input: ${this.path}: packet ${p.packetNumber} at byte offset ${p.fileOffset}: ${p.message}`);
          }
        },
      });
      this.firstSource ??= current;
      return current;
    };
    const pacer = new Pacer(this.pacing, hrClock());
    try {
      const result = await runReplayLoop(
        { pass: () => [pass()], skippedPackets: () => current?.stats.nonUdp ?? 0 },
        pacer,
        (dg) => {
          this.datagrams++;
          const events = decoder.decode(dg.payload, dg.src, dg.srcPort);
          if (events.length > 0) return ctx.push(events);
        },
        { signal: ctx.signal },
      );
      this.passes = result.passes;
    } catch (e) {
      // A capture that cannot be read at all (missing, a directory, not a capture) ends the run with exit 1.
      throw new PcapInputError(this.path, e as Error);
    } finally {
      if (current) for (const w of current.warnings) ctx.log.warn(`pcap input: ${w.message}`);
      const c = this.counters();
      ctx.log.info(
        `pcap input ${this.path}: ${c.packets} packets, ${c.datagrams} UDP datagrams, ${c.events} events, ` +
          `${c.non_udp} non-UDP skipped, ${c.malformed} malformed, ${c.reassembly_failures} reassembly failures, ` +
          `${c.decode_failures} decode failures`,
        { ...c },
      );
    }
  }
}

/** The capture could not be read: one line with the path and the reason, and the process exits 1. */
export class PcapInputError extends InputCannotRunError {
  override readonly name = 'PcapInputError';
  constructor(path: string, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a capture file' : code === 'EACCES' ? 'permission denied' : cause.message;
    // The capture reader's own errors already name the file and the byte offset.
    super(cause.message.startsWith(path) ? `pcap input: ${cause.message}` : `pcap input: cannot read ${path}: ${why}`);
  }
}

export function create(options: ResolvedOptions, _ctx: PluginContext): Input {
  return new PcapInput(options);
}
