// Datagrams packed back to back in one ArrayBuffer, to hand them to a sending thread in a single
// transfer (no copy, no per-datagram message). Record layout, little-endian:
//   u32 socket key id | u32 captured bytes (L2 included) | f64 due time in ns (NaN = at once) |
//   u32 payload length | payload
const RECORD_HEADER = 20;

export interface Batch {
  data: ArrayBuffer;
  /** Bytes of `data` holding records. */
  length: number;
  count: number;
}

/** Fills batches; `take()` hands over the filled part and starts a fresh buffer. */
export class BatchWriter {
  private buf: Buffer;
  private at = 0;
  private records = 0;
  private readonly spares: ArrayBuffer[] = [];

  constructor(private readonly capacity = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  get count(): number {
    return this.records;
  }

  get bytes(): number {
    return this.at;
  }

  /** A batch's buffer handed back once its records were sent: the next take() reuses it. */
  recycle(data: ArrayBuffer): void {
    if (data.byteLength === this.capacity && this.spares.length < 8) this.spares.push(data);
  }

  /** False when the record does not fit (take() first); a record bigger than the capacity gets its own buffer. */
  fits(payloadLength: number): boolean {
    return this.at + RECORD_HEADER + payloadLength <= this.buf.length;
  }

  add(keyId: number, wireBytes: number, dueNs: number | undefined, payload: Buffer): void {
    if (!this.fits(payload.length)) {
      if (this.records > 0) throw new Error('BatchWriter.add: batch full, take() it first');
      this.buf = Buffer.allocUnsafeSlow(RECORD_HEADER + payload.length);
    }
    const b = this.buf;
    let o = this.at;
    b.writeUInt32LE(keyId, o);
    b.writeUInt32LE(wireBytes, o + 4);
    b.writeDoubleLE(dueNs ?? NaN, o + 8);
    b.writeUInt32LE(payload.length, o + 16);
    o += RECORD_HEADER;
    payload.copy(b, o);
    this.at = o + payload.length;
    this.records++;
  }

  /**
   * The filled records: `data` is this writer's own ArrayBuffer (transfer it, no copy), the records
   * fill its first `length` bytes. The writer starts over on a fresh buffer.
   */
  take(): Batch {
    const out: Batch = { data: this.buf.buffer as ArrayBuffer, length: this.at, count: this.records };
    const spare = this.spares.pop();
    this.buf = spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(this.capacity);
    this.at = 0;
    this.records = 0;
    return out;
  }
}

/** One record as read back; `payload` is a view into the batch (no copy). */
export interface BatchRecord {
  keyId: number;
  wireBytes: number;
  /** NaN when the datagram goes at once. */
  dueNs: number;
  payload: Buffer;
}

/**
 * Reads the records of a batch in order. The same record object is reused for every call of
 * `next()`, so the hot loop allocates only the payload view.
 */
export class BatchReader {
  private readonly buf: Buffer;
  private at = 0;
  private readonly record: BatchRecord = { keyId: 0, wireBytes: 0, dueNs: NaN, payload: Buffer.alloc(0) };

  constructor(data: ArrayBuffer, length = data.byteLength) {
    this.buf = Buffer.from(data, 0, length);
  }

  next(): BatchRecord | undefined {
    const b = this.buf;
    const o = this.at;
    if (o + RECORD_HEADER > b.length) {
      if (o !== b.length) throw new Error(`batch: ${b.length - o} stray bytes at offset ${o}`);
      return undefined;
    }
    const len = b.readUInt32LE(o + 16);
    if (o + RECORD_HEADER + len > b.length) throw new Error(`batch: record at offset ${o} claims ${len} payload bytes, ${b.length - o - RECORD_HEADER} left`);
    const r = this.record;
    r.keyId = b.readUInt32LE(o);
    r.wireBytes = b.readUInt32LE(o + 4);
    r.dueNs = b.readDoubleLE(o + 8);
    r.payload = b.subarray(o + RECORD_HEADER, o + RECORD_HEADER + len);
    this.at = o + RECORD_HEADER + len;
    return r;
  }
}
