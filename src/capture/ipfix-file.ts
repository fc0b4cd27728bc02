// RFC 5655 IPFIX files: a plain sequence of IPFIX messages, each framed by its header's length
// field. No file header, no magic: a file is recognised by its first message looking like IPFIX.
import type { ByteSource } from './byte-source.ts';
import { BaseReader, blankPacket } from './base-reader.ts';
import { MAX_SNAPLEN, type CaptureFileInfo, type CapturedPacket } from './types.ts';

export const IPFIX_VERSION = 10;
export const IPFIX_HEADER_LEN = 16;
const SET_HEADER_LEN = 4;

/**
 * Why the 16-byte message header at `o` cannot start a message (wrong version, length shorter
 * than the header), or null when it can. The caller has checked that 16 bytes are present.
 */
export function ipfixHeaderProblem(buf: Buffer, o: number): string | null {
  const version = buf.readUInt16BE(o);
  if (version !== IPFIX_VERSION) return `version ${version} is not IPFIX (${IPFIX_VERSION})`;
  const len = buf.readUInt16BE(o + 2);
  if (len < IPFIX_HEADER_LEN) return `message length ${len} is shorter than its header`;
  return null;
}

/**
 * True when the bytes at `o` (`available` of them) look like the start of an IPFIX file: a valid
 * message header and, for the part of the message present, Sets whose lengths tile the message.
 */
export function looksLikeIpfixMessage(buf: Buffer, o: number, available: number): boolean {
  if (available < IPFIX_HEADER_LEN || ipfixHeaderProblem(buf, o) !== null) return false;
  const len = buf.readUInt16BE(o + 2);
  const end = o + Math.min(len, available);
  let p = o + IPFIX_HEADER_LEN;
  while (p + SET_HEADER_LEN <= end) {
    const setLen = buf.readUInt16BE(p + 2);
    if (setLen < SET_HEADER_LEN || p - o + setLen > len) return false;
    p += setLen;
  }
  return true;
}

export interface IpfixFileMessages {
  messages: Buffer[];
  /** Bytes after the last whole message (a cut or damaged file), with the reason. */
  trailing?: { offset: number; bytes: number; reason: string };
}

/** Splits a whole IPFIX file held in memory into its messages (views into `buf`). */
export function splitIpfixFile(buf: Buffer): IpfixFileMessages {
  const messages: Buffer[] = [];
  let o = 0;
  while (o < buf.length) {
    const rest = buf.length - o;
    if (rest < IPFIX_HEADER_LEN) return { messages, trailing: { offset: o, bytes: rest, reason: 'shorter than an IPFIX message header' } };
    const problem = ipfixHeaderProblem(buf, o);
    if (problem) return { messages, trailing: { offset: o, bytes: rest, reason: problem } };
    const len = buf.readUInt16BE(o + 2);
    if (len > rest) return { messages, trailing: { offset: o, bytes: rest, reason: `message of ${len} bytes is cut after ${rest}` } };
    messages.push(buf.subarray(o, o + len));
    o += len;
  }
  return { messages };
}

/**
 * Link type of the packets of an IPFIX file: each is a bare IPFIX message. No LINKTYPE exists
 * for that (Wireshark uses its internal encapsulation WTAP_ENCAP_RAW_IPFIX = 128), so this value
 * lies outside the 16-bit LINKTYPE space and can never be confused with a pcap link type.
 */
export const LINKTYPE_IPFIX_MESSAGE = 0x10000 + 128;

/**
 * RFC 5655 file: every IPFIX message is a packet whose time is the message's export time
 * (whole seconds) and whose captured and original lengths are the message length.
 */
export class IpfixFileReader extends BaseReader {
  readonly fileInfo: CaptureFileInfo;

  constructor(src: ByteSource, path: string) {
    super(src, path);
    this.fileInfo = {
      path,
      format: 'ipfix',
      byteOrder: 'big',
      precision: 'sec',
      versionMajor: 0,
      versionMinor: 0,
      snaplen: 0,
      linkType: LINKTYPE_IPFIX_MESSAGE,
      linkTypes: [LINKTYPE_IPFIX_MESSAGE],
      interfaces: [
        {
          id: 0,
          section: 0,
          linkType: LINKTYPE_IPFIX_MESSAGE,
          snaplen: MAX_SNAPLEN,
          tsResolution: { base: 10, exponent: 0 },
          tsOffset: 0,
          fcsLen: -1,
          tsresolOption: 0,
          statEntries: 0,
          packets: 0,
        },
      ],
      sections: [],
    };
  }

  protected async *records(): AsyncGenerator<CapturedPacket> {
    const s = this.src;
    for (;;) {
      if (s.available < IPFIX_HEADER_LEN && !(await s.ensure(IPFIX_HEADER_LEN))) {
        if (s.available === 0) return;
        throw this.fail(
          'truncated',
          s.offset,
          this.number + 1,
          `file ends inside the header of IPFIX message ${this.number + 1} (${s.available} of ${IPFIX_HEADER_LEN} bytes)`,
        );
      }
      const problem = ipfixHeaderProblem(s.buf, s.pos);
      if (problem) throw this.fail('bad-block', s.offset, this.number + 1, `IPFIX message ${this.number + 1} has an invalid header: ${problem}`);
      const len = s.buf.readUInt16BE(s.pos + 2);
      if (s.available < len && !(await s.ensure(len))) {
        throw this.fail(
          'truncated',
          s.offset,
          this.number + 1,
          `file ends inside IPFIX message ${this.number + 1}: ${s.available} of its ${len} bytes present`,
        );
      }
      const p = s.pos;
      const pkt = blankPacket();
      pkt.number = ++this.number;
      pkt.tsSec = s.buf.readUInt32BE(p + 4);
      pkt.caplen = len;
      pkt.len = len;
      pkt.linkType = LINKTYPE_IPFIX_MESSAGE;
      pkt.data = s.buf.subarray(p, p + len);
      pkt.fileOffset = s.offset;
      s.skip(len);
      this.fileInfo.interfaces[0]!.packets++;
      yield pkt;
    }
  }
}
