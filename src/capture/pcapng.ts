// pcapng files. PcapngReader: sections, several interfaces, if_tsresol/if_tsoffset, EPB/SPB/PB; other
// blocks skipped. PcapngEncoder: one section, one or more interfaces, EPBs.
import type { ByteSource } from './byte-source.ts';
import { BaseReader, blankPacket, u32 } from './base-reader.ts';
import { MAX_SNAPLEN, type CaptureFileInfo, type CaptureInterface, type CapturedPacket, type SectionInfo, type TsResolution } from './types.ts';
import { writeU16, writeU32 } from './byte-order.ts';
import type { CaptureWriterOptions, FormatEncoder, PacketRecord } from './writer.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Larger pcapng blocks are treated as corrupt (Wireshark's limit is 16 MiB of packet data). */
const MAX_BLOCK = 32 * 1024 * 1024;

export class PcapngReader extends BaseReader {
  readonly fileInfo: CaptureFileInfo;
  private le = true;
  private section = -1;
  /** Interfaces of the current section (pcapng ids restart per section). */
  private sectionIfaces: CaptureInterface[] = [];

  constructor(src: ByteSource, path: string) {
    super(src, path);
    this.fileInfo = {
      path,
      format: 'pcapng',
      byteOrder: 'little',
      precision: 'micro',
      versionMajor: 1,
      versionMinor: 0,
      snaplen: 0,
      linkType: -1,
      linkTypes: [],
      interfaces: [],
      sections: [],
    };
  }

  protected async *records(): AsyncGenerator<CapturedPacket> {
    const s = this.src;
    for (;;) {
      if (s.available < 12 && !(await s.ensure(12))) {
        if (s.available === 0) return;
        throw this.fail('truncated', s.offset, 0, `file ends inside a block header (${s.available} bytes left)`);
      }
      const offset = s.offset;
      let b = s.buf;
      let p = s.pos;
      const typeBE = b.readUInt32BE(p);
      if (typeBE === PCAPNG_SHB) {
        const bom = b.readUInt32BE(p + 8);
        if (bom === PCAPNG_BOM) this.le = false;
        else if (bom === 0x4d3c2b1a) this.le = true;
        else {
          throw this.fail('bad-header', offset, 0, `section header block with invalid byte-order magic 0x${bom.toString(16)}`);
        }
      } else if (this.section < 0) {
        throw this.fail('bad-header', offset, 0, 'pcapng file does not start with a section header block');
      }
      const le = this.le;
      const type = le ? b.readUInt32LE(p) : typeBE;
      const blockLen = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
      const kind = blockName(type);
      if (blockLen < 12 || blockLen % 4 !== 0 || blockLen > MAX_BLOCK) {
        throw this.fail(
          'bad-block',
          offset,
          this.packetNumberFor(type),
          `${kind} has an invalid total length ${blockLen} (must be a multiple of 4, at least 12)`,
        );
      }
      if (s.available < blockLen && !(await s.ensure(blockLen))) {
        throw this.fail(
          'truncated',
          offset,
          this.packetNumberFor(type),
          `file ends inside a ${kind}: ${s.available} of ${blockLen} bytes present`,
        );
      }
      b = s.buf;
      p = s.pos;
      const trailer = le ? b.readUInt32LE(p + blockLen - 4) : b.readUInt32BE(p + blockLen - 4);
      if (trailer !== blockLen) {
        throw this.fail(
          'bad-block',
          offset,
          this.packetNumberFor(type),
          `${kind} length fields disagree (${blockLen} at the start, ${trailer} at the end)`,
        );
      }
      const body = b.subarray(p + 8, p + blockLen - 4);
      s.skip(blockLen);
      switch (type) {
        case PCAPNG_SHB:
          this.readSectionHeader(body, offset);
          break;
        case 1:
          this.readInterface(body, offset);
          break;
        case 6:
        case 3:
        case 2: {
          const pkt = this.readPacket(type, body, offset);
          if (pkt) yield pkt;
          break;
        }
        case 5:
          if (body.length >= 4) {
            const iface = this.sectionIfaces[this.u32(body, 0)];
            if (iface) iface.statEntries++;
          }
          break;
        default:
          break; // NRB, DSB, custom and unknown blocks are skipped
      }
    }
  }

  private packetNumberFor(type: number): number {
    return type === 6 || type === 3 || type === 2 ? this.number + 1 : 0;
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }

  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }

  private readSectionHeader(body: Buffer, offset: number): void {
    if (body.length < 16) throw this.fail('bad-block', offset, 0, `section header block body is ${body.length} bytes, needs 16`);
    this.section++;
    this.sectionIfaces = [];
    const sec: SectionInfo = {
      byteOrder: this.le ? 'little' : 'big',
      versionMajor: this.u16(body, 4),
      versionMinor: this.u16(body, 6),
      comments: [],
    };
    if (sec.versionMajor !== 1) {
      throw this.fail('bad-header', offset, 0, `unsupported pcapng version ${sec.versionMajor}.${sec.versionMinor}`);
    }
    this.forEachOption(body, 16, offset, (code, v) => {
      if (code === 1) sec.comments.push(v.toString('utf8'));
      else if (code === 2) sec.hardware = v.toString('utf8');
      else if (code === 3) sec.os = v.toString('utf8');
      else if (code === 4) sec.application = v.toString('utf8');
    });
    if (this.fileInfo.sections.length === 0) {
      this.fileInfo.byteOrder = sec.byteOrder;
      this.fileInfo.versionMajor = sec.versionMajor;
      this.fileInfo.versionMinor = sec.versionMinor;
    }
    this.fileInfo.sections.push(sec);
  }

  private readInterface(body: Buffer, offset: number): void {
    if (body.length < 8) throw this.fail('bad-block', offset, 0, `interface description block body is ${body.length} bytes, needs 8`);
    const info = this.fileInfo;
    const iface: CaptureInterface = {
      id: info.interfaces.length,
      section: this.section,
      linkType: this.u16(body, 0),
      snaplen: this.u32(body, 4),
      tsResolution: { base: 10, exponent: 6 },
      tsOffset: 0,
      fcsLen: -1,
      statEntries: 0,
      packets: 0,
    };
    this.forEachOption(body, 8, offset, (code, v) => {
      switch (code) {
        case 2:
          iface.name = v.toString('utf8');
          break;
        case 3:
          iface.description = v.toString('utf8');
          break;
        case 15:
          iface.hardware = v.toString('utf8');
          break;
        case 9:
          if (v.length >= 1) {
            const r = v[0]!;
            iface.tsresolOption = r;
            iface.tsResolution = r & 0x80 ? { base: 2, exponent: r & 0x7f } : { base: 10, exponent: r };
          }
          break;
        case 11:
          if (v.length >= 1) iface.filter = v.subarray(1).toString('utf8');
          break;
        case 12:
          iface.os = v.toString('utf8');
          break;
        case 13:
          if (v.length >= 1) iface.fcsLen = v[0]!;
          break;
        case 14:
          if (v.length >= 8) {
            const hi = this.le ? v.readInt32LE(4) : v.readInt32BE(0);
            const lo = this.le ? v.readUInt32LE(0) : v.readUInt32BE(4);
            iface.tsOffset = hi * 4294967296 + lo;
          }
          break;
        default:
          break;
      }
    });
    const { base, exponent } = iface.tsResolution;
    if ((base === 10 && exponent > 19) || (base === 2 && exponent > 63)) {
      this.warn('bad-header', offset, 0, `interface ${iface.id} has an unusable if_tsresol (${base}^-${exponent}); using microseconds`);
      iface.tsResolution = { base: 10, exponent: 6 };
    }
    if ((iface.tsResolution.base === 10 && iface.tsResolution.exponent > 6) || (iface.tsResolution.base === 2 && iface.tsResolution.exponent > 20)) {
      info.precision = 'nano';
    }
    if (info.interfaces.length === 0) {
      info.linkType = iface.linkType;
      info.snaplen = iface.snaplen;
    }
    this.noteLinkType(info, iface.linkType);
    info.interfaces.push(iface);
    this.sectionIfaces.push(iface);
  }

  private readPacket(type: number, body: Buffer, offset: number): CapturedPacket | null {
    const number = this.number + 1;
    let iface: CaptureInterface | undefined;
    let caplen: number;
    let len: number;
    let dataStart: number;
    let tsHigh = 0;
    let tsLow = 0;
    let hasTs = true;
    if (type === 3) {
      iface = this.sectionIfaces[0];
      if (body.length < 4) throw this.fail('bad-block', offset, number, `simple packet block body is ${body.length} bytes, needs 4`);
      len = this.u32(body, 0);
      dataStart = 4;
      caplen = Math.min(len, body.length - 4);
      if (iface && iface.snaplen !== 0) caplen = Math.min(caplen, iface.snaplen);
      hasTs = false;
    } else {
      const need = 20;
      if (body.length < need) throw this.fail('bad-block', offset, number, `${blockName(type)} body is ${body.length} bytes, needs ${need}`);
      const ifId = type === 6 ? this.u32(body, 0) : this.u16(body, 0);
      iface = this.sectionIfaces[ifId];
      if (!iface) {
        throw this.fail(
          'bad-interface',
          offset,
          number,
          `packet refers to interface ${ifId}, but the section describes ${this.sectionIfaces.length} interface(s)`,
        );
      }
      tsHigh = this.u32(body, 4);
      tsLow = this.u32(body, 8);
      caplen = this.u32(body, 12);
      len = this.u32(body, 16);
      dataStart = 20;
      if (caplen > body.length - 20) {
        throw this.fail(
          'bad-block',
          offset,
          number,
          `captured length ${caplen} is larger than the block's ${body.length - 20} data bytes`,
        );
      }
    }
    if (!iface) {
      throw this.fail('bad-interface', offset, number, 'simple packet block before any interface description block');
    }
    this.number = number;
    if (iface.snaplen !== 0 && caplen > iface.snaplen) {
      this.warn('caplen-too-large', offset, number, `captured length ${caplen} exceeds interface ${iface.id}'s snaplen ${iface.snaplen}`);
    }
    if (caplen === 0) this.warn('zero-length', offset, number, 'record has no captured bytes');
    iface.packets++;
    let tsSec = 0;
    let tsNsec = 0;
    if (hasTs) {
      [tsSec, tsNsec] = splitTimestamp(tsHigh, tsLow, iface.tsResolution);
      tsSec += iface.tsOffset;
    }
    const pkt: CapturedPacket = {
      number,
      tsSec,
      tsNsec,
      caplen,
      len,
      linkType: iface.linkType,
      interfaceId: iface.id,
      data: body.subarray(dataStart, dataStart + caplen),
      fileOffset: offset,
    };
    if (!hasTs) pkt.noTimestamp = true;
    return pkt;
  }

  private forEachOption(body: Buffer, start: number, offset: number, visit: (code: number, value: Buffer) => void): void {
    let o = start;
    while (o + 4 <= body.length) {
      const code = this.u16(body, o);
      const len = this.u16(body, o + 2);
      if (code === 0) return;
      if (o + 4 + len > body.length) {
        this.warn('bad-block', offset, 0, `option ${code} runs past the end of its block; remaining options ignored`);
        return;
      }
      visit(code, body.subarray(o + 4, o + 4 + len));
      o += 4 + ((len + 3) & ~3);
    }
  }
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Splits a 64-bit count of resolution units into seconds and nanoseconds (exactly). */
export function splitTimestamp(high: number, low: number, res: TsResolution): [number, number] {
  if (res.base === 10 && res.exponent <= 9 && high < 0x200000) {
    const units = high * 4294967296 + low; // < 2^53: exact
    const perSec = POW10[res.exponent]!;
    const sec = Math.floor(units / perSec);
    return [sec, (units - sec * perSec) * POW10[9 - res.exponent]!];
  }
  const units = (BigInt(high) << 32n) | BigInt(low);
  const perSec = res.base === 10 ? 10n ** BigInt(res.exponent) : 1n << BigInt(res.exponent);
  const sec = units / perSec;
  const frac = units - sec * perSec;
  return [Number(sec), Number((frac * 1_000_000_000n) / perSec)];
}

function blockName(type: number): string {
  switch (type) {
    case PCAPNG_SHB:
      return 'section header block';
    case 1:
      return 'interface description block';
    case 2:
      return 'packet block';
    case 3:
      return 'simple packet block';
    case 4:
      return 'name resolution block';
    case 5:
      return 'interface statistics block';
    case 6:
      return 'enhanced packet block';
    default:
      return `block of type 0x${type.toString(16)}`;
  }
}

export class PcapngEncoder implements FormatEncoder {
  private readonly resolutions: TsResolution[];

  constructor(
    private readonly opts: CaptureWriterOptions,
    private readonly le: boolean,
  ) {
    const defaultRes: TsResolution = { base: 10, exponent: opts.precision === 'nano' ? 9 : 6 };
    this.resolutions = (opts.interfaces ?? [{ linkType: opts.linkType ?? 1 }]).map((i) => i.tsResolution ?? defaultRes);
  }

  header(): Buffer {
    const parts: Buffer[] = [];
    const shbOpts: Buffer[] = [];
    if (this.opts.application) shbOpts.push(this.option(4, Buffer.from(this.opts.application, 'utf8')));
    const shbBody = Buffer.alloc(16);
    writeU32(shbBody, 0, PCAPNG_BOM, this.le);
    writeU16(shbBody, 4, 1, this.le);
    writeU16(shbBody, 6, 0, this.le);
    shbBody.writeInt32LE(-1, 8);
    shbBody.writeInt32LE(-1, 12);
    parts.push(this.block(PCAPNG_SHB, [shbBody, ...endOptions(shbOpts)]));
    const ifaces = this.opts.interfaces ?? [{ linkType: this.opts.linkType ?? 1, snaplen: this.opts.snaplen }];
    ifaces.forEach((iface, i) => {
      const body = Buffer.alloc(8);
      writeU16(body, 0, iface.linkType, this.le);
      writeU32(body, 4, iface.snaplen ?? this.opts.snaplen ?? 0, this.le);
      const opts: Buffer[] = [];
      if (iface.name) opts.push(this.option(2, Buffer.from(iface.name, 'utf8')));
      const res = this.resolutions[i]!;
      if (!(res.base === 10 && res.exponent === 6)) {
        opts.push(this.option(9, Buffer.from([res.base === 2 ? 0x80 | res.exponent : res.exponent])));
      }
      parts.push(this.block(1, [body, ...endOptions(opts)]));
    });
    return Buffer.concat(parts);
  }

  recordSize(pkt: PacketRecord): number {
    return 32 + ((pkt.data.length + 3) & ~3);
  }

  /** An Enhanced Packet Block. */
  recordInto(pkt: PacketRecord, b: Buffer, at: number): void {
    const caplen = pkt.data.length;
    const ifId = pkt.interfaceId ?? 0;
    const res = this.resolutions[ifId];
    if (!res) throw new RangeError(`interface ${ifId} was not declared (${this.resolutions.length} interface(s))`);
    const units = toUnits(pkt.tsSec, pkt.tsNsec, res);
    const padded = (caplen + 3) & ~3;
    const total = 32 + padded;
    const le = this.le;
    writeU32(b, at, 6, le);
    writeU32(b, at + 4, total, le);
    writeU32(b, at + 8, ifId, le);
    writeU32(b, at + 12, Number(units >> 32n), le);
    writeU32(b, at + 16, Number(units & 0xffffffffn), le);
    writeU32(b, at + 20, caplen, le);
    writeU32(b, at + 24, pkt.len ?? caplen, le);
    b.set(pkt.data, at + 28);
    b.fill(0, at + 28 + caplen, at + 28 + padded);
    writeU32(b, at + total - 4, total, le);
  }

  private option(code: number, value: Buffer): Buffer {
    const b = Buffer.alloc(4 + ((value.length + 3) & ~3));
    writeU16(b, 0, code, this.le);
    writeU16(b, 2, value.length, this.le);
    value.copy(b, 4);
    return b;
  }

  private block(type: number, body: Buffer[]): Buffer {
    const total = 12 + body.reduce((n, x) => n + x.length, 0);
    const head = Buffer.alloc(8);
    writeU32(head, 0, type, this.le);
    writeU32(head, 4, total, this.le);
    const tail = Buffer.alloc(4);
    writeU32(tail, 0, total, this.le);
    return Buffer.concat([head, ...body, tail]);
  }
}

function endOptions(opts: Buffer[]): Buffer[] {
  return opts.length === 0 ? [] : [...opts, Buffer.alloc(4)];
}

/** Timestamp in units of the interface's resolution (EPB timestamps are 64-bit unit counts). */
function toUnits(sec: number, nsec: number, res: TsResolution): bigint {
  const perSec = res.base === 10 ? 10n ** BigInt(res.exponent) : 1n << BigInt(res.exponent);
  return BigInt(sec) * perSec + (BigInt(nsec) * perSec) / 1_000_000_000n;
}
