// IPFIX over TCP (RFC 7011 §10.4): a stream of messages, each starting with the 16-byte header whose
// second field is the message length. The framer cuts a connection's byte stream into whole
// messages whatever the segment boundaries; bytes of an unfinished message wait for the next chunk.
// A header that is not IPFIX (version ≠ 10, length < 16) cannot be framed: the stream is unusable.
// Messages lying whole in a chunk are handed on as views of it; only a message split across chunks
// is copied, once, into a buffer of its announced length (never the whole chunk).

export const IPFIX_VERSION = 10;
const HEADER_BYTES = 16;
/** Version and length: enough of the header to know a message's size. */
const LENGTH_BYTES = 4;

export class IpfixFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpfixFramingError';
  }
}

/** The message length announced at `pos`, checked; `offset` names the place in the stream's chunk for the message. */
function messageLength(data: Buffer, pos: number, offset: number): number {
  const version = (data[pos]! << 8) | data[pos + 1]!;
  const length = (data[pos + 2]! << 8) | data[pos + 3]!;
  if (version !== IPFIX_VERSION) throw new IpfixFramingError(`not an IPFIX message at stream offset +${offset}: version ${version} (TCP transport carries IPFIX, version 10, only)`);
  if (length < HEADER_BYTES) throw new IpfixFramingError(`IPFIX message length ${length} is shorter than its 16-byte header`);
  return length;
}

export class IpfixFramer {
  /** The unfinished message: its first bytes (fewer than 4 while its length is unknown) … */
  private partial: Buffer | undefined;
  /** … and how many of them have arrived. */
  private filled = 0;

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.filled;
  }

  /** Hands each complete message to `message` (views into the chunk when it holds them whole). */
  push(chunk: Buffer, message: (msg: Buffer) => void): void {
    let pos = 0;
    if (this.partial !== undefined) {
      pos = this.complete(chunk, message);
      if (this.partial !== undefined) return;
    }
    const end = chunk.length;
    while (end - pos >= LENGTH_BYTES) {
      const length = messageLength(chunk, pos, pos);
      if (end - pos < length) break;
      message(chunk.subarray(pos, pos + length));
      pos += length;
    }
    if (pos < end) this.keep(chunk, pos);
  }

  /** Starts an unfinished message from chunk[pos…]: a copy, since the caller may reuse the chunk's memory. */
  private keep(chunk: Buffer, pos: number): void {
    const have = chunk.length - pos;
    const size = have >= LENGTH_BYTES ? messageLength(chunk, pos, pos) : LENGTH_BYTES;
    this.partial = Buffer.allocUnsafe(size);
    chunk.copy(this.partial, 0, pos);
    this.filled = have;
  }

  /** Adds the head of `chunk` to the unfinished message; hands it on when whole. Returns the bytes of chunk used. */
  private complete(chunk: Buffer, message: (msg: Buffer) => void): number {
    let used = 0;
    let partial = this.partial!;
    if (this.filled < LENGTH_BYTES) {
      // The length field itself was split: read it first, then grow to the message's size.
      used = Math.min(LENGTH_BYTES - this.filled, chunk.length);
      chunk.copy(partial, this.filled, 0, used);
      this.filled += used;
      if (this.filled < LENGTH_BYTES) return used;
      const length = messageLength(partial, 0, 0);
      const grown = Buffer.allocUnsafe(length);
      partial.copy(grown, 0, 0, LENGTH_BYTES);
      this.partial = partial = grown;
    }
    const take = Math.min(partial.length - this.filled, chunk.length - used);
    chunk.copy(partial, this.filled, used, used + take);
    this.filled += take;
    used += take;
    if (this.filled === partial.length) {
      this.partial = undefined;
      this.filled = 0;
      message(partial);
    }
    return used;
  }
}
