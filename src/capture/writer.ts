// Writes captures: the format's encoder (pcap.ts: µs or ns, either byte order; pcapng.ts: one section,
// one or more interfaces, EPBs) behind one writer that packs records into large chunks.
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureError } from './errors.ts';
import { PcapngEncoder } from './pcapng.ts';
import { PcapEncoder } from './pcap.ts';
import type { ByteOrder, TsResolution } from './types.ts';

export interface WriterInterface {
  linkType: number;
  snaplen?: number;
  /** Default: µs (10^-6). */
  tsResolution?: TsResolution;
  name?: string;
}

export interface CaptureWriterOptions {
  format?: 'pcap' | 'pcapng';
  /** pcap: timestamp precision of the file (default 'micro'). pcapng: default resolution of interfaces. */
  precision?: 'micro' | 'nano';
  /** pcap: the file's link type (default 1, Ethernet). pcapng: used when `interfaces` is absent. */
  linkType?: number;
  /** Default 65535 for pcap (tcprewrite's), 0 (unlimited) for pcapng. */
  snaplen?: number;
  byteOrder?: ByteOrder;
  /** pcapng only: interfaces, written as IDBs at the start. */
  interfaces?: WriterInterface[];
  /** pcapng only: shb_userappl. */
  application?: string;
}

/** What a record needs; CapturedPacket fits. */
export interface PacketRecord {
  tsSec: number;
  tsNsec: number;
  data: Buffer;
  /** Original length; defaults to data.length. */
  len?: number;
  /** pcapng interface index (default 0). */
  interfaceId?: number;
}

const FLUSH_AT = 1 << 20;
const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One capture format's encoding: the file header and the records. */
export interface FormatEncoder {
  /** File header (pcap header, or pcapng SHB + IDBs). */
  header(): Buffer;
  /** Size in bytes of the record for `pkt`. */
  recordSize(pkt: PacketRecord): number;
  /** Encodes the record for `pkt` into b[at, at + recordSize(pkt)). */
  recordInto(pkt: PacketRecord, b: Buffer, at: number): void;
}

/** Encodes a capture in memory, record by record, in the format the options ask for. */
export class CaptureEncoder {
  readonly format: 'pcap' | 'pcapng';
  private readonly encoder: FormatEncoder;

  constructor(opts: CaptureWriterOptions = {}) {
    this.format = opts.format ?? 'pcap';
    const le = (opts.byteOrder ?? (NATIVE_LE ? 'little' : 'big')) === 'little';
    this.encoder = this.format === 'pcap' ? new PcapEncoder(opts, le) : new PcapngEncoder(opts, le);
  }

  header(): Buffer {
    return this.encoder.header();
  }

  /** Bytes of one record. */
  record(pkt: PacketRecord): Buffer {
    const b = Buffer.allocUnsafe(this.encoder.recordSize(pkt));
    this.encoder.recordInto(pkt, b, 0);
    return b;
  }

  recordSize(pkt: PacketRecord): number {
    return this.encoder.recordSize(pkt);
  }

  recordInto(pkt: PacketRecord, b: Buffer, at: number): void {
    this.encoder.recordInto(pkt, b, at);
  }
}

/**
 * Streams records to a file. Records are packed into 1 MiB chunks; records that already lie in
 * memory in the output format (`queueEncoded`) are written from where they are, without a copy.
 * Writes are issued as chunks fill and overlap with the caller's work.
 */
export class CaptureWriter {
  private buf = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  /** Start of buf's bytes not yet sealed. */
  private sealStart = 0;
  /** Pieces ready to be written, in file order. */
  private sealed: Buffer[] = [];
  /** A run of adjacent encoded records lying in someone else's memory. */
  private run: { ab: ArrayBufferLike; start: number; end: number } | null = null;
  private pendingBytes = 0;
  private inflight: Promise<void> | null = null;
  private closed = false;
  /** Records written so far. */
  packets = 0;

  private started = 0;
  private done = 0;
  private fh: FileHandle | null = null;
  /** The file being opened (`createOpening`); the first write waits for it. */
  private opening: Promise<FileHandle> | null;

  private constructor(
    fh: FileHandle | Promise<FileHandle>,
    readonly path: string,
    readonly encoder: CaptureEncoder,
  ) {
    if (fh instanceof Promise) {
      this.opening = fh;
      fh.catch(() => undefined); // reported by the first write or close
    } else {
      this.fh = fh;
      this.opening = null;
    }
  }

  static async create(path: string, opts: CaptureWriterOptions = {}): Promise<CaptureWriter> {
    const w = CaptureWriter.createOpening(path, opts);
    await w.handle();
    return w;
  }

  /**
   * A writer whose file is still being opened: records queue in memory meanwhile (creating or
   * truncating a large file can take tens of milliseconds). An open failure surfaces as
   * CaptureError('write', "cannot create: ...") from the first write, flush or close.
   */
  static createOpening(path: string, opts: CaptureWriterOptions = {}): CaptureWriter {
    const w = new CaptureWriter(open(path, 'w'), path, new CaptureEncoder(opts));
    w.appendBytes(w.encoder.header());
    return w;
  }

  /** Writes started so far; each takes everything queued before it. */
  get flushesStarted(): number {
    return this.started;
  }

  /** Writes finished, in order: memory queued while `flushesStarted` was n is free once this exceeds n. */
  get flushesDone(): number {
    return this.done;
  }

  private async handle(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    try {
      this.fh = await this.opening!;
    } catch (e) {
      throw new CaptureError('write', this.path, 0, 0, `cannot create: ${(e as Error).message}`);
    }
    this.opening = null;
    return this.fh;
  }

  /** Queues a record; resolves at once unless a full chunk is being written. */
  async write(pkt: PacketRecord): Promise<void> {
    if (this.queue(pkt)) await this.flushSealed();
  }

  /**
   * Queues a record without awaiting; returns true when about a chunk is pending and
   * `flushSealed()` should be awaited before queueing more (keeps memory bounded on hot paths).
   */
  queue(pkt: PacketRecord): boolean {
    this.endRun();
    const size = this.encoder.recordSize(pkt);
    this.reserve(size);
    this.encoder.recordInto(pkt, this.buf, this.used);
    this.used += size;
    this.pendingBytes += size;
    this.packets++;
    return this.pendingBytes >= FLUSH_AT;
  }

  /**
   * Queues one record already encoded in this writer's format, written from where it lies (the
   * memory must stay unchanged until written). Adjacent records are written as one run.
   */
  queueEncoded(record: Buffer): boolean {
    return this.queueEncodedAt(record.buffer, record.byteOffset, record.length);
  }

  /** `queueEncoded` for the record in ab[byteOffset, byteOffset + length), without a view object. */
  queueEncodedAt(ab: ArrayBufferLike, byteOffset: number, length: number): boolean {
    this.sealCopied();
    const r = this.run;
    if (r && r.ab === ab && r.end === byteOffset) r.end += length;
    else {
      this.endRun();
      this.run = { ab, start: byteOffset, end: byteOffset + length };
    }
    this.pendingBytes += length;
    this.packets++;
    return this.pendingBytes >= FLUSH_AT;
  }

  /** Queues bytes already encoded as one record. */
  async writeRaw(record: Buffer): Promise<void> {
    this.appendBytes(record);
    this.packets++;
    if (this.pendingBytes >= FLUSH_AT) await this.flushSealed();
  }

  private appendBytes(b: Buffer): void {
    this.endRun();
    this.reserve(b.length);
    b.copy(this.buf, this.used);
    this.used += b.length;
    this.pendingBytes += b.length;
  }

  private reserve(size: number): void {
    if (this.used + size <= this.buf.length) return;
    this.sealCopied();
    this.buf = Buffer.allocUnsafe(Math.max(FLUSH_AT, size));
    this.used = 0;
    this.sealStart = 0;
  }

  private sealCopied(): void {
    if (this.used > this.sealStart) {
      this.sealed.push(this.buf.subarray(this.sealStart, this.used));
      this.sealStart = this.used;
    }
  }

  private endRun(): void {
    const r = this.run;
    if (!r) return;
    this.sealed.push(Buffer.from(r.ab, r.start, r.end - r.start));
    this.run = null;
  }

  /** Starts writing everything queued (after the previous write has finished). */
  async flushSealed(): Promise<void> {
    await this.settle();
    const fh = this.fh ?? (await this.handle());
    this.sealCopied();
    this.endRun();
    const chunks = this.sealed;
    if (chunks.length === 0) return;
    this.sealed = [];
    this.pendingBytes = 0;
    this.started++;
    const writing = fh.writev(chunks).then(() => {
      this.done++;
    });
    writing.catch(() => undefined); // reported by the next settle()
    this.inflight = writing;
  }

  /** Waits for the write in progress; a failure becomes a CaptureError. */
  private async settle(): Promise<void> {
    const inflight = this.inflight;
    if (!inflight) return;
    this.inflight = null;
    try {
      await inflight;
    } catch (e) {
      throw new CaptureError('write', this.path, 0, this.packets, `write failed: ${(e as Error).message}`);
    }
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    await this.flushSealed();
    await this.settle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      // A file that never opened has nothing to close (flush reported why).
      const fh = this.fh ?? (await this.opening?.catch(() => null));
      if (fh) await fh.close();
    }
  }
}

/** Whole capture file bytes for a list of records (tests, small tools). */
export function encodeCapture(records: PacketRecord[], opts: CaptureWriterOptions = {}): Buffer {
  const enc = new CaptureEncoder(opts);
  return Buffer.concat([enc.header(), ...records.map((r) => enc.record(r))]);
}

