// RFC 5655 IPFIX files: a plain sequence of IPFIX messages, each framed by its header's length.

export interface IpfixFileMessages {
  messages: Buffer[];
  /** Bytes after the last whole message (a cut file), with the reason. */
  trailing?: { offset: number; bytes: number; reason: string };
}

export function splitIpfixFile(buf: Buffer): IpfixFileMessages {
  const messages: Buffer[] = [];
  let o = 0;
  while (o < buf.length) {
    if (buf.length - o < 16) return { messages, trailing: { offset: o, bytes: buf.length - o, reason: 'shorter than an IPFIX message header' } };
    const version = buf.readUInt16BE(o);
    const len = buf.readUInt16BE(o + 2);
    if (version !== 10) return { messages, trailing: { offset: o, bytes: buf.length - o, reason: `version ${version} is not IPFIX (10)` } };
    if (len < 16) return { messages, trailing: { offset: o, bytes: buf.length - o, reason: `message length ${len} is shorter than its header` } };
    if (o + len > buf.length) return { messages, trailing: { offset: o, bytes: buf.length - o, reason: `message of ${len} bytes is cut after ${buf.length - o}` } };
    messages.push(buf.subarray(o, o + len));
    o += len;
  }
  return { messages };
}
