// Whole UDP datagrams out of captured frames: link layer → IP (with reassembly) → UDP, optionally
// filtered with a compiled pcap-filter expression. Every packet is accounted for in `stats`.
import { formatIP } from './address.ts';
import { internetChecksum, pseudoHeaderSum } from './checksum.ts';
import { decodeFrame, type DecodedFrame, type PacketFault } from './decode.ts';
import type { PacketFilter } from './filter.ts';
import { DEFAULT_LIMITS, Reassembler, type ReassemblyLimits } from './reassembly.ts';
import type { LinkFrame, UdpDatagram } from './types.ts';

export { decodeFrame, type DecodedFrame } from './decode.ts';

export interface DatagramStats {
  /** Records read from the capture. */
  packets: number;
  /** Packets holding a whole UDP datagram. */
  udpPackets: number;
  /** IP fragments handed to reassembly. */
  fragments: number;
  /** Packets that are not UDP (other IP protocols, ARP, other link-layer payloads). */
  nonUdp: number;
  /** Packets that could not be decoded to a whole datagram (bad headers, cut by the snaplen). */
  malformed: number;
  /** Datagrams rebuilt from fragments. */
  reassembled: number;
  /** Datagrams given up in reassembly (overlap, gap, timeout, flood, oversize). */
  reassemblyFailures: number;
  /** Datagrams (whole or reassembled) the filter rejected. */
  filtered: number;
  /** Datagrams delivered. */
  datagrams: number;
  /** Reassembled datagrams delivered although their UDP checksum does not verify. */
  checksumErrors: number;
}
// Invariants: packets = udpPackets + fragments + nonUdp + malformed;
//             datagrams = udpPackets + reassembled - filtered.

export interface DatagramProblem {
  /** Packet where the problem was detected (for reassembly: the packet that triggered it). */
  packetNumber: number;
  /** Byte offset of that packet's record in the file (-1 after the last packet). */
  fileOffset: number;
  /** Why, in words. */
  message: string;
  /** Which layer, field and frame byte offset (absent for problems of reassembled datagrams, which span packets). */
  fault?: PacketFault;
  /** `file: packet N at byte offset X: message` (the file named by the `source` option). */
  text: string;
}

export interface DatagramExtractorOptions {
  filter?: PacketFilter;
  limits?: Partial<ReassemblyLimits>;
  /** Called for every malformed packet and reassembly failure (also kept in `problems`, capped). */
  onProblem?: (p: DatagramProblem) => void;
  /** File name used in problem texts. */
  source?: string;
}

const MAX_KEPT_PROBLEMS = 1000;

/** Turns captured packets into UDP datagrams, one packet at a time. */
export class DatagramExtractor {
  readonly stats: DatagramStats = {
    packets: 0,
    udpPackets: 0,
    fragments: 0,
    nonUdp: 0,
    malformed: 0,
    reassembled: 0,
    reassemblyFailures: 0,
    filtered: 0,
    datagrams: 0,
    checksumErrors: 0,
  };
  /** The first problems met (at most 1000; `problemCount` counts all). */
  readonly problems: DatagramProblem[] = [];
  problemCount = 0;
  private readonly reassembler: Reassembler;
  private readonly filter: PacketFilter | undefined;
  private current: LinkFrame | null = null;

  constructor(private readonly opts: DatagramExtractorOptions = {}) {
    this.filter = opts.filter;
    this.reassembler = new Reassembler(
      (issue) => {
        this.stats.reassemblyFailures++;
        const last = issue.packets[issue.packets.length - 1] ?? 0;
        const at = this.current;
        const where = at ? '' : ' (at the end of the capture)';
        this.problem(at?.number ?? last, at?.fileOffset ?? -1, `${issue.message}; fragments in packets ${issue.packets.join(', ')}${where}`);
      },
      { ...DEFAULT_LIMITS, ...opts.limits },
    );
  }

  /** The datagram this packet completes, if any. */
  push(pkt: LinkFrame): UdpDatagram | null {
    this.current = pkt;
    const s = this.stats;
    s.packets++;
    const data = pkt.data;
    if (this.reassembler.inFlight > 0) this.reassembler.expire(pkt.tsSec + pkt.tsNsec / 1e9);
    const f = decodeFrame(pkt.linkType, data);
    if (f.ipVersion === 0) {
      if (f.error) {
        s.malformed++;
        this.problem(pkt.number, pkt.fileOffset, f.error, f.fault ?? undefined);
      } else s.nonUdp++;
      return null;
    }
    if (f.isFragment) {
      // Non-UDP fragments are still reassembled only if UDP; others are simply not UDP.
      if (f.protocol !== 17) {
        s.nonUdp++;
        return null;
      }
      s.fragments++;
      const whole = this.reassembler.add(f, data, pkt.number, pkt.tsSec + pkt.tsNsec / 1e9, pkt.caplen < pkt.len);
      if (!whole) return null;
      return this.reassembledDatagram(pkt, whole.first, whole.firstFrame, whole.payload, whole.wireBytes);
    }
    if (f.error) {
      s.malformed++;
      this.problem(pkt.number, pkt.fileOffset, f.error, f.fault ?? undefined);
      return null;
    }
    if (f.protocol !== 17) {
      s.nonUdp++;
      return null;
    }
    const l4 = f.l4Offset;
    if (data.length < f.ipEnd) {
      s.malformed++;
      this.problem(pkt.number, pkt.fileOffset, `UDP datagram cut by the snaplen: IP length ends at byte ${f.ipEnd}, ${data.length} bytes captured`, {
        layer: 'udp', field: 'payload', offset: data.length,
      });
      return null;
    }
    if (f.ipEnd - l4 < 8) {
      s.malformed++;
      this.problem(pkt.number, pkt.fileOffset, `UDP header at offset ${l4}: only ${f.ipEnd - l4} bytes in the IP payload`, { layer: 'udp', field: 'header', offset: l4 });
      return null;
    }
    const udpLen = data.readUInt16BE(l4 + 4);
    if (udpLen < 8 || udpLen > f.ipEnd - l4) {
      s.malformed++;
      this.problem(pkt.number, pkt.fileOffset, `UDP length ${udpLen} does not fit the IP payload of ${f.ipEnd - l4} bytes`, { layer: 'udp', field: 'length', offset: l4 + 4 });
      return null;
    }
    s.udpPackets++;
    if (this.filter && !this.filter(f, data)) {
      s.filtered++;
      return null;
    }
    s.datagrams++;
    return {
      packetNumber: pkt.number,
      tsSec: pkt.tsSec,
      tsNsec: pkt.tsNsec,
      family: f.ipVersion,
      src: formatIP(data, f.srcOffset, f.ipVersion),
      srcPort: f.srcPort,
      dst: formatIP(data, f.dstOffset, f.ipVersion),
      dstPort: f.dstPort,
      payload: data.subarray(l4 + 8, l4 + udpLen),
      wireBytes: pkt.caplen,
    };
  }

  /** End of capture: datagrams still incomplete are reported. */
  finish(): void {
    this.current = null;
    this.reassembler.flush();
  }

  private reassembledDatagram(pkt: LinkFrame, first: DecodedFrame, frame: Buffer, l4: Buffer, wireBytes: number): UdpDatagram | null {
    const s = this.stats;
    const version = first.ipVersion as 4 | 6;
    const udpLen = l4.length >= 8 ? l4.readUInt16BE(4) : 0;
    if (udpLen < 8 || udpLen > l4.length) {
      s.reassemblyFailures++;
      this.problem(pkt.number, pkt.fileOffset, `reassembled UDP datagram: UDP length ${udpLen} does not fit the ${l4.length} reassembled bytes`);
      return null;
    }
    s.reassembled++;
    if (this.filter && !this.filter(first, frame)) {
      s.filtered++;
      return null;
    }
    const check = l4.readUInt16BE(6);
    if (check !== 0) {
      const sum = pseudoHeaderSum(frame, version, first.srcOffset, 17, udpLen);
      if (internetChecksum(l4, 0, udpLen, sum) !== 0) {
        s.checksumErrors++;
        this.problem(pkt.number, pkt.fileOffset, `reassembled UDP datagram has a bad checksum 0x${check.toString(16).padStart(4, '0')} (delivered anyway)`);
      }
    }
    s.datagrams++;
    return {
      packetNumber: pkt.number,
      tsSec: pkt.tsSec,
      tsNsec: pkt.tsNsec,
      family: version,
      src: formatIP(frame, first.srcOffset, version),
      srcPort: l4.readUInt16BE(0),
      dst: formatIP(frame, first.dstOffset, version),
      dstPort: l4.readUInt16BE(2),
      payload: l4.subarray(8, udpLen),
      wireBytes,
    };
  }

  private problem(packetNumber: number, fileOffset: number, message: string, fault?: PacketFault): void {
    const file = this.opts.source ?? 'capture';
    const where = fileOffset >= 0 ? `packet ${packetNumber} at byte offset ${fileOffset}` : `packet ${packetNumber}`;
    const p: DatagramProblem = { packetNumber, fileOffset, message, text: `${file}: ${where}: ${message}` };
    if (fault) p.fault = fault;
    this.problemCount++;
    if (this.problems.length < MAX_KEPT_PROBLEMS) this.problems.push(p);
    this.opts.onProblem?.(p);
  }
}
