// A capture file's UDP datagrams: capture/ reads the records, packet/ turns them into datagrams
// (reassembly, filter). The one place the two leaves meet, for replay, the pcap input, fuzz and bench.
import { openCapture } from '../capture/open.ts';
import { type CaptureFileInfo, type CaptureReader } from '../capture/types.ts';
import { CaptureError } from '../capture/errors.ts';
import { DatagramExtractor, type DatagramProblem, type DatagramStats } from '../packet/datagrams.ts';
import { compileFilterResolving } from '../packet/filter.ts';
import type { ReassemblyLimits } from '../packet/reassembly.ts';
import type { UdpDatagram } from '../packet/types.ts';

export interface ReadUdpDatagramsOptions {
  /** pcap-filter expression (udp, host, net, port, portrange, vlan, and/or/not ...). */
  filter?: string;
  limits?: Partial<ReassemblyLimits>;
  onProblem?: (p: DatagramProblem) => void;
}

/** An iterable of datagrams that also exposes what happened while reading. */
export interface UdpDatagramSource extends AsyncIterable<UdpDatagram> {
  readonly stats: DatagramStats;
  readonly problems: DatagramProblem[];
  /** Set once iteration has opened the file. */
  readonly fileInfo: CaptureFileInfo | null;
  /** Non-fatal capture-file warnings (zero-length frames, caplen > snaplen, ...). */
  readonly warnings: CaptureError[];
  /**
   * Calls `visit` for every datagram, in order, without a promise per datagram (the replay's hot
   * path); a promise returned by `visit` is awaited before the next one, a throw ends the reading.
   * The datagram's payload is a view into the reader's chunk: it stays valid (chunks are not reused).
   * Like iteration: faults are thrown after every datagram before them was visited; only once.
   */
  forEachDatagram(visit: (dg: UdpDatagram) => void | Promise<void>): Promise<void>;
}

/**
 * Reads every UDP datagram of a capture (fragments reassembled). Iteration throws a CaptureError
 * (or FilterError for a bad filter) — after yielding every datagram readable before a fault.
 */
export function readUdpDatagrams(path: string, options: ReadUdpDatagramsOptions = {}): UdpDatagramSource {
  let extractor: DatagramExtractor | null = null;
  let fileInfo: CaptureFileInfo | null = null;
  let warnings: CaptureError[] = [];
  const emptyStats = new DatagramExtractor().stats;
  const start = async (): Promise<{ ex: DatagramExtractor; reader: CaptureReader }> => {
    const filter = options.filter !== undefined ? await compileFilterResolving(options.filter) : undefined;
    const ex = new DatagramExtractor({ filter, limits: options.limits, onProblem: options.onProblem, source: path });
    extractor = ex;
    const reader = await openCapture(path);
    if (reader.fileInfo.format === 'ipfix') {
      await reader.close();
      throw new CaptureError(
        'bad-header',
        path,
        0,
        0,
        'an RFC 5655 IPFIX file holds bare IPFIX messages without IP/UDP headers, so it has no UDP datagrams to read (only capture files with IP/UDP packets can be replayed or fed to the pcap input)',
      );
    }
    fileInfo = reader.fileInfo;
    warnings = reader.warnings;
    return { ex, reader };
  };
  return {
    get stats() {
      return extractor?.stats ?? emptyStats;
    },
    get problems() {
      return extractor?.problems ?? [];
    },
    get fileInfo() {
      return fileInfo;
    },
    get warnings() {
      return warnings;
    },
    async *[Symbol.asyncIterator]() {
      const { ex, reader } = await start();
      try {
        for await (const pkt of reader) {
          const d = ex.push(pkt);
          if (d) yield d;
        }
      } finally {
        ex.finish();
        await reader.close();
      }
    },
    async forEachDatagram(visit) {
      const { ex, reader } = await start();
      try {
        await reader.forEachPacket((pkt) => {
          const d = ex.push(pkt);
          return d ? visit(d) : undefined;
        });
      } finally {
        ex.finish();
        await reader.close();
      }
    },
  };
}
