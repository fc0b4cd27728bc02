// What a capture reader yields and tells about its file.
import type { CaptureError } from './errors.ts';

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

/** libpcap's largest accepted record; also what it reports for snaplen 0. */
export const MAX_SNAPLEN = 262144;

export type ByteOrder = 'little' | 'big';

/** Timestamp resolution of an interface: units of base^-exponent seconds. */
export interface TsResolution {
  base: 10 | 2;
  exponent: number;
}

export interface CaptureInterface {
  /** Index among all interfaces of the file (across pcapng sections). */
  id: number;
  /** pcapng section number (0-based); 0 for pcap. */
  section: number;
  linkType: number;
  snaplen: number;
  tsResolution: TsResolution;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffset: number;
  /** if_fcslen, or the pcap linktype FCS bits (bytes), -1 when unknown. */
  fcsLen: number;
  name?: string;
  description?: string;
  hardware?: string;
  os?: string;
  filter?: string;
  /** The if_tsresol byte when the file states one (pcap ns files: 9). */
  tsresolOption?: number;
  /** pcapng Interface Statistics Blocks seen for this interface. */
  statEntries: number;
  /** Packets read so far on this interface. */
  packets: number;
}

export interface SectionInfo {
  byteOrder: ByteOrder;
  versionMajor: number;
  versionMinor: number;
  hardware?: string;
  os?: string;
  application?: string;
  comments: string[];
}

export interface CaptureFileInfo {
  path: string;
  format: 'pcap' | 'pcapng' | 'ipfix';
  /** pcap: the file's; pcapng: the first section's; IPFIX files are big-endian. */
  byteOrder: ByteOrder;
  /** pcap: from the magic. pcapng: 'nano' when any interface is finer than µs. IPFIX: 'sec'. */
  precision: 'sec' | 'micro' | 'nano';
  versionMajor: number;
  versionMinor: number;
  /** pcap header snaplen (0 = not set), or the first pcapng interface's. */
  snaplen: number;
  /** pcap header link type, or the first pcapng interface's (-1 before any IDB is read). */
  linkType: number;
  /** Distinct link types in the order first seen. */
  linkTypes: number[];
  /** Grows while a pcapng file is read. pcap files have exactly one. */
  interfaces: CaptureInterface[];
  /** pcapng sections, in order (empty for pcap). */
  sections: SectionInfo[];
}

export interface CaptureReader extends AsyncIterable<CapturedPacket> {
  readonly fileInfo: CaptureFileInfo;
  /** Non-fatal problems (zero-length frames, caplen above snaplen, ...), in file order. */
  readonly warnings: CaptureError[];
  /** Bytes consumed so far (after iteration: the offset where reading stopped). */
  readonly bytesRead: number;
  /**
   * Calls `visit` for every packet, in order: the fast way to stream a whole file (no promise per
   * packet). The packet object is reused between calls, so copy the fields you keep; its `data`
   * view stays valid. A promise returned by `visit` is awaited before the next packet. Faults
   * are thrown as in iteration; the reader is closed at the end. Like iteration, only once.
   */
  forEachPacket(visit: (pkt: CapturedPacket) => void | Promise<void>): Promise<void>;
  /**
   * Promises that no packet `data` lying in `ab` (the `.buffer` of earlier packets, from a
   * chunk the reader has moved past) is used any more, so the reader may read into it again.
   * Optional: without it every chunk is fresh memory.
   */
  releaseChunk(ab: ArrayBufferLike): void;
  close(): Promise<void>;
}
