// Why a datagram (or one part of it) could not be read: the byte offset, what was being read and
// what was missing. Thrown inside the decoder only; callers get warnings and counters.

export class SflowTruncatedError extends Error {
  constructor(
    /** What was being read (`flow sample 2 record 1 (raw_packet_header)`). */
    readonly what: string,
    /** Byte offset in the datagram where the read started. */
    readonly offset: number,
    /** Bytes the read needed. */
    readonly needed: number,
    /** Bytes there were. */
    readonly available: number,
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
