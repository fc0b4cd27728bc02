// Writes pcap (µs or ns, either byte order) and pcapng (one section, one or more interfaces, EPBs).
// Records are packed into a large buffer and written in big chunks.
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureError } from './errors.ts';
import { PCAPNG_SHB } from './pcapng.ts';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap.ts';
import { type ByteOrder, type TsResolution } from './types.ts';

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

/** Encodes a capture in memory, record by record. */
export class CaptureEncoder {
  readonly format: 'pcap' | 'pcapng';
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly resolutions: TsResolution[];

  constructor(private readonly opts: CaptureWriterOptions = {}) {
    this.format = opts.format ?? 'pcap';
    this.le = (opts.byteOrder ?? (NATIVE_LE ? 'little' : 'big')) === 'little';
    this.nano = opts.precision === 'nano';
    const defaultRes: TsResolution = { base: 10, exponent: this.nano ? 9 : 6 };
    this.resolutions = (opts.interfaces ?? [{ linkType: opts.linkType ?? 1 }]).map((i) => i.tsResolution ?? defaultRes);
  }

  /** File header: pcap header, or SHB + IDBs. */
  header(): Buffer {
    if (this.format === 'pcap') {
      const b = Buffer.alloc(24);
      this.w32(b, 0, this.nano ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
      this.w16(b, 4, 2);
      this.w16(b, 6, 4);
      this.w32(b, 16, this.opts.snaplen ?? 65535);
      this.w32(b, 20, this.opts.linkType ?? 1);
      return b;
    }
    const parts: Buffer[] = [];
    const shbOpts: Buffer[] = [];
    if (this.opts.application) shbOpts.push(this.option(4, Buffer.from(this.opts.application, 'utf8')));
    const shbBody = Buffer.alloc(16);
    this.w32(shbBody, 0, 0x1a2b3c4d);
    this.w16(shbBody, 4, 1);
    this.w16(shbBody, 6, 0);
    shbBody.writeInt32LE(-1, 8);
    shbBody.writeInt32LE(-1, 12);
    parts.push(this.block(PCAPNG_SHB, [shbBody, ...this.endOptions(shbOpts)]));
    const ifaces = this.opts.interfaces ?? [{ linkType: this.opts.linkType ?? 1, snaplen: this.opts.snaplen }];
    ifaces.forEach((iface, i) => {
      const body = Buffer.alloc(8);
      this.w16(body, 0, iface.linkType);
      this.w32(body, 4, iface.snaplen ?? this.opts.snaplen ?? 0);
      const opts: Buffer[] = [];
      if (iface.name) opts.push(this.option(2, Buffer.from(iface.name, 'utf8')));
      const res = this.resolutions[i]!;
      if (!(res.base === 10 && res.exponent === 6)) {
        opts.push(this.option(9, Buffer.from([res.base === 2 ? 0x80 | res.exponent : res.exponent])));
      }
      parts.push(this.block(1, [body, ...this.endOptions(opts)]));
    });
    return Buffer.concat(parts);
  }

  /** Bytes of one record. */
  record(pkt: PacketRecord): Buffer {
    const b = Buffer.allocUnsafe(this.recordSize(pkt));
    this.recordInto(pkt, b, 0);
    return b;
  }

  /** Size in bytes of the record for `pkt`. */
  recordSize(pkt: PacketRecord): number {
    return this.format === 'pcap' ? 16 + pkt.data.length : 32 + ((pkt.data.length + 3) & ~3);
  }

  /** Encodes the record for `pkt` into target[at, at + recordSize(pkt)). */
  recordInto(pkt: PacketRecord, b: Buffer, at: number): void {
    const caplen = pkt.data.length;
    const len = pkt.len ?? caplen;
    if (this.format === 'pcap') {
      this.w32(b, at, pkt.tsSec);
      this.w32(b, at + 4, this.nano ? pkt.tsNsec : Math.floor(pkt.tsNsec / 1000));
      this.w32(b, at + 8, caplen);
      this.w32(b, at + 12, len);
      b.set(pkt.data, at + 16);
      return;
    }
    const ifId = pkt.interfaceId ?? 0;
    const res = this.resolutions[ifId];
    if (!res) throw new RangeError(`interface ${ifId} was not declared (${this.resolutions.length} interface(s))`);
    const units = toUnits(pkt.tsSec, pkt.tsNsec, res);
    const padded = (caplen + 3) & ~3;
    const total = 32 + padded;
    this.w32(b, at, 6);
    this.w32(b, at + 4, total);
    this.w32(b, at + 8, ifId);
    this.w32(b, at + 12, Number(units >> 32n));
    this.w32(b, at + 16, Number(units & 0xffffffffn));
    this.w32(b, at + 20, caplen);
    this.w32(b, at + 24, len);
    b.set(pkt.data, at + 28);
    b.fill(0, at + 28 + caplen, at + 28 + padded);
    this.w32(b, at + total - 4, total);
  }

  private w16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }

  private w32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private option(code: number, value: Buffer): Buffer {
    const b = Buffer.alloc(4 + ((value.length + 3) & ~3));
    this.w16(b, 0, code);
    this.w16(b, 2, value.length);
    value.copy(b, 4);
    return b;
  }

  private endOptions(opts: Buffer[]): Buffer[] {
    return opts.length === 0 ? [] : [...opts, Buffer.alloc(4)];
  }

  private block(type: number, body: Buffer[]): Buffer {
    const bodyLen = body.reduce((n, x) => n + x.length, 0);
    const total = 12 + bodyLen;
    const head = Buffer.alloc(8);
    this.w32(head, 0, type);
    this.w32(head, 4, total);
    const tail = Buffer.alloc(4);
    this.w32(tail, 0, total);
    return Buffer.concat([head, ...body, tail]);
  }
}

function toUnits(sec: number, nsec: number, res: TsResolution): bigint {
  const perSec = res.base === 10 ? 10n ** BigInt(res.exponent) : 1n << BigInt(res.exponent);
  return BigInt(sec) * perSec + (BigInt(nsec) * perSec) / 1_000_000_000n;
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

