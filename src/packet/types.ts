// What packet decoding takes in (a link-layer frame with its capture position) and gives out.

/**
 * A captured link-layer frame and where it was found. Capture readers yield these fields (their
 * CapturedPacket has them all), so packet/ needs no import of capture/.
 */
export interface LinkFrame {
  /** 1-based packet number in the file. */
  number: number;
  tsSec: number;
  tsNsec: number;
  /** Bytes captured (data.length). */
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** LINKTYPE_* of the frame. */
  linkType: number;
  /** The frame, starting at the link-layer header. */
  data: Buffer;
  /** Byte offset of the record in its file (for problem texts). */
  fileOffset: number;
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
