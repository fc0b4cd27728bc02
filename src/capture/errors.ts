// Typed errors for capture files: what went wrong, in which file, at which packet and byte offset.

export type CaptureErrorKind =
  | 'open' // the file cannot be opened or read
  | 'bad-magic' // not a pcap, pcapng or RFC 5655 IPFIX file
  | 'bad-header' // file header present but invalid
  | 'truncated' // the file ends inside a header, record or block
  | 'caplen-too-large' // record caplen above the file's snaplen (or above any sane limit)
  | 'bad-block' // pcapng block length corrupt or inconsistent
  | 'bad-interface' // pcapng packet naming an interface not described by an IDB
  | 'zero-length' // record with no captured bytes
  | 'write'; // writing a capture failed

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    readonly kind: CaptureErrorKind,
    /** File the problem is in. */
    readonly file: string,
    /** Byte offset in the file where the faulty header, record or block starts. */
    readonly offset: number,
    /** 1-based number of the packet concerned (0 when the fault is not in a packet record). */
    readonly packetNumber: number,
    /** Why, in words. */
    readonly reason: string,
  ) {
    super(CaptureError.format(file, offset, packetNumber, reason));
  }

  static format(file: string, offset: number, packetNumber: number, reason: string): string {
    const where = packetNumber > 0 ? `packet ${packetNumber} at byte offset ${offset}` : `byte offset ${offset}`;
    return `${file}: ${where}: ${reason}`;
  }
}

export function isCaptureError(e: unknown): e is CaptureError {
  return e instanceof CaptureError;
}
