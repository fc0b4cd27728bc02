// RFC 5655 IPFIX files: a plain sequence of IPFIX messages, each framed by its header's length
// field. No file header, no magic: a file is recognised by its first message looking like IPFIX.

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
