// RELP frames (rsyslog's Reliable Event Logging Protocol): `TXNR SP COMMAND SP DATALEN [SP DATA] LF`,
// DATALEN counting the bytes of DATA. A reader fed TCP chunks in any split yields whole frames; a
// malformed header is a RelpFrameError naming the field and the byte offset in the connection.

export interface RelpFrame {
  txnr: number;
  command: string;
  data: Buffer;
}

export class RelpFrameError extends Error {
  constructor(
    readonly field: 'txnr' | 'command' | 'datalen' | 'trailer',
    readonly offset: number,
    why: string,
  ) {
    super(`RELP frame: bad ${field} at byte ${offset} of the connection: ${why}`);
    this.name = 'RelpFrameError';
  }
}

/** Longest header field accepted (txnr ≤ 999999999, a command name, datalen ≤ 999999999). */
const MAX_FIELD = 32;
/** Largest DATA accepted (librelp's default maximum is 128 KiB; rsyslog raises it for big messages). */
export const MAX_DATALEN = 16 * 1024 * 1024;

export class RelpFrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the connection consumed before `buffer` (for error offsets). */
  private consumed = 0;

  push(chunk: Buffer): RelpFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: RelpFrame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  /** Bytes of an incomplete frame still held (lost if the client goes away now: never acknowledged). */
  get pending(): number {
    return this.buffer.length;
  }

  private field(from: number, name: RelpFrameError['field']): { text: string; end: number } | undefined {
    const space = this.buffer.indexOf(0x20, from);
    const limit = Math.min(this.buffer.length, from + MAX_FIELD + 1);
    if (space < 0 || space >= limit) {
      if (this.buffer.length - from > MAX_FIELD) throw new RelpFrameError(name, this.consumed + from, `no space within ${MAX_FIELD} bytes`);
      return undefined;
    }
    return { text: this.buffer.toString('latin1', from, space), end: space + 1 };
  }

  private next(): RelpFrame | undefined {
    // Logstash's reader strips the LF that ends the previous frame while reading the next txnr.
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0a || this.buffer[start] === 0x0d)) start++;
    const txnr = this.field(start, 'txnr');
    if (!txnr) return this.keepFrom(start);
    if (!/^[0-9]{1,9}$/.test(txnr.text)) throw new RelpFrameError('txnr', this.consumed + start, `'${txnr.text}' is not a number`);
    const command = this.field(txnr.end, 'command');
    if (!command) return this.keepFrom(start);
    if (!/^[a-z]{1,32}$/.test(command.text)) throw new RelpFrameError('command', this.consumed + txnr.end, `'${command.text}' is not a command name`);
    // DATALEN 0 is followed by the trailer, not a space.
    let datalen: number;
    let dataStart: number;
    if (this.buffer.length <= command.end) return this.keepFrom(start);
    if (this.buffer[command.end] === 0x30) {
      datalen = 0;
      dataStart = command.end + 1;
    } else {
      const len = this.field(command.end, 'datalen');
      if (!len) return this.keepFrom(start);
      if (!/^[1-9][0-9]{0,8}$/.test(len.text)) throw new RelpFrameError('datalen', this.consumed + command.end, `'${len.text}' is not a length`);
      datalen = Number(len.text);
      if (datalen > MAX_DATALEN) throw new RelpFrameError('datalen', this.consumed + command.end, `${datalen} bytes is more than the ${MAX_DATALEN} accepted`);
      dataStart = len.end;
    }
    if (this.buffer.length < dataStart + datalen + 1) return this.keepFrom(start);
    const trailer = this.buffer[dataStart + datalen];
    if (trailer !== 0x0a) throw new RelpFrameError('trailer', this.consumed + dataStart + datalen, `expected LF after ${datalen} data bytes`);
    const frame: RelpFrame = { txnr: Number(txnr.text), command: command.text, data: Buffer.from(this.buffer.subarray(dataStart, dataStart + datalen)) };
    this.consumed += dataStart + datalen + 1;
    this.buffer = this.buffer.subarray(dataStart + datalen + 1);
    return frame;
  }

  private keepFrom(start: number): undefined {
    if (start > 0) {
      this.consumed += start;
      this.buffer = this.buffer.subarray(start);
    }
    return undefined;
  }
}

/** A frame as Logstash's RelpServer writes it: fields joined by spaces, stripped, then LF. */
export function relpFrame(txnr: number, command: string, message = ''): Buffer {
  return Buffer.from(`${[String(txnr), command, String(Buffer.byteLength(message)), message].join(' ').trim()}\n`);
}
