// libpcap files: a 24-byte header (magic gives byte order and µs/ns), then 16-byte record headers.
// Read by PcapReader, written by PcapEncoder.
import type { ByteSource } from './byte-source.ts';
import { BaseReader, blankPacket, u32 } from './base-reader.ts';
import { MAX_SNAPLEN, type ByteOrder, type CaptureFileInfo, type CapturedPacket } from './types.ts';
import { writeU16, writeU32 } from './byte-order.ts';
import type { CaptureWriterOptions, FormatEncoder, PacketRecord } from './writer.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

export class PcapReader extends BaseReader {
  readonly fileInfo: CaptureFileInfo;
  private readonly le: boolean;
  private readonly nano: boolean;

  constructor(src: ByteSource, path: string, order: ByteOrder, nano: boolean) {
    super(src, path);
    this.le = order === 'little';
    this.nano = nano;
    this.fileInfo = {
      path,
      format: 'pcap',
      byteOrder: order,
      precision: nano ? 'nano' : 'micro',
      versionMajor: 0,
      versionMinor: 0,
      snaplen: 0,
      linkType: 0,
      linkTypes: [],
      interfaces: [],
      sections: [],
    };
  }

  async readHeader(): Promise<void> {
    const s = this.src;
    if (!(await s.ensure(24))) {
      throw this.fail('truncated', 0, 0, `pcap file header cut short: ${s.available} of 24 bytes`);
    }
    const b = s.buf;
    const p = s.pos;
    const info = this.fileInfo;
    info.versionMajor = this.le ? b.readUInt16LE(p + 4) : b.readUInt16BE(p + 4);
    info.versionMinor = this.le ? b.readUInt16LE(p + 6) : b.readUInt16BE(p + 6);
    info.snaplen = this.le ? b.readUInt32LE(p + 16) : b.readUInt32BE(p + 16);
    const rawLink = this.le ? b.readUInt32LE(p + 20) : b.readUInt32BE(p + 20);
    info.linkType = rawLink & 0xffff;
    info.linkTypes.push(info.linkType);
    const fcsLen = rawLink & 0x04000000 ? ((rawLink >>> 28) & 0xf) * 2 : -1;
    if (info.versionMajor !== 2) {
      throw this.fail('bad-header', 0, 0, `unsupported pcap version ${info.versionMajor}.${info.versionMinor}`);
    }
    info.interfaces.push({
      id: 0,
      section: 0,
      linkType: info.linkType,
      snaplen: info.snaplen,
      tsResolution: { base: 10, exponent: this.nano ? 9 : 6 },
      tsOffset: 0,
      fcsLen,
      tsresolOption: this.nano ? 9 : undefined,
      statEntries: 0,
      packets: 0,
    });
    s.skip(24);
  }

  protected async *records(): AsyncGenerator<CapturedPacket> {
    for (;;) {
      const pkt = blankPacket();
      const need = this.parseBuffered(pkt);
      if (need === 0) yield pkt;
      else if (!(await this.refill(need))) return;
    }
  }

  override async forEachPacket(visit: (pkt: CapturedPacket) => void | Promise<void>): Promise<void> {
    this.begin();
    try {
      const pkt = blankPacket();
      for (;;) {
        const need = this.parseBuffered(pkt);
        if (need !== 0) {
          if (!(await this.refill(need))) return;
          continue;
        }
        const pending = visit(pkt);
        if (pending) await pending;
      }
    } finally {
      await this.close();
    }
  }

  /**
   * Parses the record at the cursor into `pkt` when all of it is buffered and returns 0;
   * otherwise returns how many bytes must be buffered at the cursor first.
   */
  private parseBuffered(pkt: CapturedPacket): number {
    const s = this.src;
    if (s.available < 16) return 16;
    const b = s.buf;
    const p = s.pos;
    const le = this.le;
    const caplen = u32(b, p + 8, le);
    const snaplen = this.fileInfo.snaplen;
    const limit = snaplen > MAX_SNAPLEN ? snaplen : MAX_SNAPLEN;
    const number = this.number + 1;
    if (caplen > limit) {
      throw this.fail(
        'caplen-too-large',
        s.offset,
        number,
        `captured length ${caplen} exceeds ${snaplen > MAX_SNAPLEN ? 'the snaplen' : 'the maximum'} of ${limit} bytes (corrupt record header?)`,
      );
    }
    if (s.available < 16 + caplen) return 16 + caplen;
    const offset = s.offset;
    this.number = number;
    if (snaplen !== 0 && caplen > snaplen) {
      this.warn('caplen-too-large', offset, number, `captured length ${caplen} exceeds the file's snaplen ${snaplen}`);
    }
    if (caplen === 0) this.warn('zero-length', offset, number, 'record has no captured bytes');
    pkt.number = number;
    pkt.tsSec = u32(b, p, le);
    pkt.tsNsec = u32(b, p + 4, le) * (this.nano ? 1 : 1000);
    pkt.caplen = caplen;
    pkt.len = u32(b, p + 12, le);
    pkt.linkType = this.fileInfo.linkType;
    // Buffer.from(arrayBuffer, …) makes the view with less checking than subarray (hot: every packet).
    pkt.data = Buffer.from(b.buffer, b.byteOffset + p + 16, caplen);
    pkt.fileOffset = offset;
    s.skip(16 + caplen);
    this.fileInfo.interfaces[0]!.packets++;
    return 0;
  }

  /** Buffers `need` bytes at the cursor; false at a clean end of file, a CaptureError if cut short. */
  private async refill(need: number): Promise<boolean> {
    const s = this.src;
    if (await s.ensure(need)) return true;
    if (need === 16) {
      if (s.available === 0) return false;
      throw this.fail('truncated', s.offset, this.number + 1, `file ends inside a record header (${s.available} of 16 bytes)`);
    }
    throw this.fail(
      'truncated',
      s.offset,
      this.number + 1,
      `file ends inside the record: ${s.available - 16} of ${need - 16} captured bytes present`,
    );
  }
}

export class PcapEncoder implements FormatEncoder {
  private readonly nano: boolean;

  constructor(
    private readonly opts: CaptureWriterOptions,
    private readonly le: boolean,
  ) {
    this.nano = opts.precision === 'nano';
  }

  header(): Buffer {
    const b = Buffer.alloc(24);
    writeU32(b, 0, this.nano ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    writeU16(b, 4, 2, this.le);
    writeU16(b, 6, 4, this.le);
    writeU32(b, 16, this.opts.snaplen ?? 65535, this.le);
    writeU32(b, 20, this.opts.linkType ?? 1, this.le);
    return b;
  }

  recordSize(pkt: PacketRecord): number {
    return 16 + pkt.data.length;
  }

  recordInto(pkt: PacketRecord, b: Buffer, at: number): void {
    const caplen = pkt.data.length;
    const le = this.le;
    writeU32(b, at, pkt.tsSec, le);
    writeU32(b, at + 4, this.nano ? pkt.tsNsec : Math.floor(pkt.tsNsec / 1000), le);
    writeU32(b, at + 8, caplen, le);
    writeU32(b, at + 12, pkt.len ?? caplen, le);
    b.set(pkt.data, at + 16);
  }
}
