// Shapes shared by the capture readers/writers, the rewriter, the replayer and the pcap input.

/** One record of a capture file, as read (pcap or pcapng). */
export interface CapturedPacket {
  /** 1-based packet number in the file (what Wireshark and error messages show). */
  number: number;
  /** Seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second (µs files are scaled up). */
  tsNsec: number;
  /** Bytes captured (data.length). */
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** LINKTYPE_* of the interface this packet was captured on. */
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** The captured frame, starting at the link-layer header. */
  data: Buffer;
  /** Byte offset of the record in the file (for error messages). */
  fileOffset: number;
  /** True for records without a timestamp (pcapng Simple Packet Blocks); tsSec/tsNsec are then 0. */
  noTimestamp?: boolean;
}

/** A whole UDP datagram taken out of a capture (after IP reassembly). */
export interface UdpDatagram {
  /** Number of the packet that completed the datagram. */
  packetNumber: number;
  tsSec: number;
  tsNsec: number;
  family: 4 | 6;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
  /** Captured bytes of the frame(s), L2 included (tcpreplay's byte count). */
  wireBytes: number;
}
