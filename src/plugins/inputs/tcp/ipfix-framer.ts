// IPFIX over TCP (RFC 7011 §10.4): a stream of messages, each starting with the 16-byte header whose
// second field is the message length. The framer cuts a connection's byte stream into whole
// messages whatever the segment boundaries; bytes of an unfinished message wait for the next chunk.
// A header that is not IPFIX (version ≠ 10, length < 16) cannot be framed: the stream is unusable.

export const IPFIX_VERSION = 10;
const HEADER_BYTES = 16;

export class IpfixFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpfixFramingError';
  }
}

export class IpfixFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Hands each complete message to `message` (views into the chunk when it holds them whole). */
  push(chunk: Buffer, message: (msg: Buffer) => void): void {
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      data = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let pos = 0;
    while (data.length - pos >= 4) {
      const version = data.readUInt16BE(pos);
      const length = data.readUInt16BE(pos + 2);
      if (version !== IPFIX_VERSION) throw new IpfixFramingError(`not an IPFIX message at stream offset +${pos}: version ${version} (TCP transport carries IPFIX, version 10, only)`);
      if (length < HEADER_BYTES) throw new IpfixFramingError(`IPFIX message length ${length} is shorter than its 16-byte header`);
      if (data.length - pos < length) break;
      message(data.subarray(pos, pos + length));
      pos += length;
    }
    if (pos < data.length) {
      // Keep a copy: the caller may reuse the chunk's memory.
      const rest = Buffer.from(data.subarray(pos));
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
  }
}
