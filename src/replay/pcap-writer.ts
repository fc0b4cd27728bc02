// Writes pcap (µs or ns, either byte order) and pcapng (one section, one or more interfaces, EPBs).
// Records are packed into a large buffer and written in big chunks.
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureError } from './errors.ts';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PCAPNG_SHB, type ByteOrder, type TsResolution } from './capture-reader.ts';

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
    const caplen = pkt.data.length;
    const len = pkt.len ?? caplen;
    if (this.format === 'pcap') {
      const b = Buffer.allocUnsafe(16 + caplen);
      this.w32(b, 0, pkt.tsSec);
      this.w32(b, 4, this.nano ? pkt.tsNsec : Math.floor(pkt.tsNsec / 1000));
      this.w32(b, 8, caplen);
      this.w32(b, 12, len);
      pkt.data.copy(b, 16);
      return b;
    }
    const ifId = pkt.interfaceId ?? 0;
    const res = this.resolutions[ifId];
    if (!res) throw new RangeError(`interface ${ifId} was not declared (${this.resolutions.length} interface(s))`);
    const units = toUnits(pkt.tsSec, pkt.tsNsec, res);
    const padded = (caplen + 3) & ~3;
    const total = 32 + padded;
    const b = Buffer.alloc(total);
    this.w32(b, 0, 6);
    this.w32(b, 4, total);
    this.w32(b, 8, ifId);
    this.w32(b, 12, Number(units >> 32n));
    this.w32(b, 16, Number(units & 0xffffffffn));
    this.w32(b, 20, caplen);
    this.w32(b, 24, len);
    pkt.data.copy(b, 28);
    this.w32(b, total - 4, total);
    return b;
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

/** Streams records to a file. */
export class CaptureWriter {
  private chunks: Buffer[] = [];
  private pending = 0;
  private closed = false;
  /** Records written so far. */
  packets = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly encoder: CaptureEncoder,
  ) {}

  static async create(path: string, opts: CaptureWriterOptions = {}): Promise<CaptureWriter> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'w');
    } catch (e) {
      throw new CaptureError('write', path, 0, 0, `cannot create: ${(e as Error).message}`);
    }
    const w = new CaptureWriter(fh, path, new CaptureEncoder(opts));
    w.append(w.encoder.header());
    return w;
  }

  /** Queues a record; resolves at once unless a chunk is being flushed. */
  async write(pkt: PacketRecord): Promise<void> {
    this.append(this.encoder.record(pkt));
    this.packets++;
    if (this.pending >= FLUSH_AT) await this.flush();
  }

  /** Queues bytes already encoded as one record. */
  async writeRaw(record: Buffer): Promise<void> {
    this.append(record);
    this.packets++;
    if (this.pending >= FLUSH_AT) await this.flush();
  }

  private append(b: Buffer): void {
    this.chunks.push(b);
    this.pending += b.length;
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.pending);
    this.chunks = [];
    this.pending = 0;
    try {
      await this.fh.write(data);
    } catch (e) {
      throw new CaptureError('write', this.path, 0, this.packets, `write failed: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }
}

/** Whole capture file bytes for a list of records (tests, small tools). */
export function encodeCapture(records: PacketRecord[], opts: CaptureWriterOptions = {}): Buffer {
  const enc = new CaptureEncoder(opts);
  return Buffer.concat([enc.header(), ...records.map((r) => enc.record(r))]);
}

export { buildUdpFrame, type UdpFrameSpec } from './frame-builder.ts';
