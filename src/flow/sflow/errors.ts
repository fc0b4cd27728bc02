// Why a datagram (or one part of it) could not be read: the byte offset, what was being read and
// what was missing. Thrown inside the decoder only; callers get warnings and counters.

/**
 * What BinData's reader says for a read that fails (IO::Read#read): nothing left in the stream
 * gives EOFError `End of file reached`; fewer bytes than asked (or an exhausted buffer) gives
 * IOError `data truncated`. Both are rescued by the codec and name its warning.
 */
export type LogstashReadFailure = 'End of file reached' | 'data truncated';

export class SflowTruncatedError extends Error {
  constructor(
    /** What was being read (`flow sample 2 record 1 (raw_packet_header)`). */
    readonly what: string,
    /** Byte offset in the datagram where the failing read started. */
    readonly offset: number,
    /** Bytes the read needed. */
    readonly needed: number,
    /** Bytes there were. */
    readonly available: number,
    /** The codec's message for this failure. */
    readonly logstashText: LogstashReadFailure = available > 0 ? 'data truncated' : 'End of file reached',
  ) {
    super(`${what} at byte ${offset} needs ${needed} bytes, ${Math.max(0, available)} left`);
    this.name = 'SflowTruncatedError';
  }
}

/** An address type other than 1 (IPv4) or 2 (IPv6): its length is unknown, nothing after it can be read. */
export class SflowAddressTypeError extends Error {
  constructor(
    readonly what: string,
    readonly offset: number,
    readonly addressType: number,
  ) {
    super(`${what} at byte ${offset} has address type ${addressType} (known: 1 IPv4, 2 IPv6)`);
    this.name = 'SflowAddressTypeError';
  }
}

/**
 * The failure of a read of `n` bytes at `p`, as BinData reports it: `dataEnd` is the datagram's
 * end; `bufEnd` the end of an enclosing BinData::Buffer (a raw packet header record), if any;
 * `bytewise` for values read a byte at a time (bit fields, byte arrays).
 */
export function readFailure(what: string, p: number, n: number, dataEnd: number, bufEnd = Infinity, bytewise = false): SflowTruncatedError {
  const limit = Math.min(dataEnd, bufEnd);
  if (bytewise) {
    const q = Math.max(p, limit);
    // One byte at q: an exhausted buffer reads "" (truncated); past the data, nil (end of file).
    return new SflowTruncatedError(what, q, 1, 0, q >= bufEnd ? 'data truncated' : 'End of file reached');
  }
  if (bufEnd - p <= 0) return new SflowTruncatedError(what, p, n, 0, 'data truncated');
  return new SflowTruncatedError(what, p, n, dataEnd - p, p >= dataEnd ? 'End of file reached' : 'data truncated');
}
