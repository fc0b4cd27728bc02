// Streaming reader for pcap (µs/ns, both byte orders), pcapng (sections, several interfaces,
// if_tsresol/if_tsoffset, EPB/SPB/PB; other blocks skipped) and RFC 5655 IPFIX files (each
// message one packet, as Wireshark's wiretap reads them). Memory stays constant: the file is
// read in chunks. Iterating yields every readable packet; a fatal fault (file cut mid-record,
// corrupt block length, absurd caplen) is thrown as a CaptureError after everything before it
// was yielded. Non-fatal problems are collected in `warnings`.
import { ByteSource } from './byte-source.ts';
import { CaptureError } from './errors.ts';
import { IPFIX_HEADER_LEN, ipfixHeaderProblem, looksLikeIpfixMessage } from './ipfix-file.ts';
import type { CapturedPacket } from './types.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** libpcap's largest accepted record; also what it reports for snaplen 0. */
export const MAX_SNAPLEN = 262144;
/** Larger pcapng blocks are treated as corrupt (Wireshark's limit is 16 MiB of packet data). */
const MAX_BLOCK = 32 * 1024 * 1024;
/**
 * Link type of the packets of an IPFIX file: each is a bare IPFIX message. No LINKTYPE exists
 * for that (Wireshark uses its internal encapsulation WTAP_ENCAP_RAW_IPFIX = 128), so this value
 * lies outside the 16-bit LINKTYPE space and can never be confused with a pcap link type.
 */
export const LINKTYPE_IPFIX_MESSAGE = 0x10000 + 128;

export type ByteOrder = 'little' | 'big';

/** Timestamp resolution of an interface: units of base^-exponent seconds. */
export interface TsResolution {
  base: 10 | 2;
  exponent: number;
}

export interface CaptureInterface {
  /** Index among all interfaces of the file (across pcapng sections). */
  id: number;
  /** pcapng section number (0-based); 0 for pcap. */
  section: number;
  linkType: number;
  snaplen: number;
  tsResolution: TsResolution;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffset: number;
  /** if_fcslen, or the pcap linktype FCS bits (bytes), -1 when unknown. */
  fcsLen: number;
  name?: string;
  description?: string;
  hardware?: string;
  os?: string;
  filter?: string;
  /** The if_tsresol byte when the file states one (pcap ns files: 9). */
  tsresolOption?: number;
  /** pcapng Interface Statistics Blocks seen for this interface. */
  statEntries: number;
  /** Packets read so far on this interface. */
  packets: number;
}

export interface SectionInfo {
  byteOrder: ByteOrder;
  versionMajor: number;
  versionMinor: number;
  hardware?: string;
  os?: string;
  application?: string;
  comments: string[];
}

export interface CaptureFileInfo {
  path: string;
  format: 'pcap' | 'pcapng' | 'ipfix';
  /** pcap: the file's; pcapng: the first section's; IPFIX files are big-endian. */
  byteOrder: ByteOrder;
  /** pcap: from the magic. pcapng: 'nano' when any interface is finer than µs. IPFIX: 'sec'. */
  precision: 'sec' | 'micro' | 'nano';
  versionMajor: number;
  versionMinor: number;
  /** pcap header snaplen (0 = not set), or the first pcapng interface's. */
  snaplen: number;
  /** pcap header link type, or the first pcapng interface's (-1 before any IDB is read). */
  linkType: number;
  /** Distinct link types in the order first seen. */
  linkTypes: number[];
  /** Grows while a pcapng file is read. pcap files have exactly one. */
  interfaces: CaptureInterface[];
  /** pcapng sections, in order (empty for pcap). */
  sections: SectionInfo[];
}

export interface CaptureReader extends AsyncIterable<CapturedPacket> {
  readonly fileInfo: CaptureFileInfo;
  /** Non-fatal problems (zero-length frames, caplen above snaplen, ...), in file order. */
  readonly warnings: CaptureError[];
  /** Bytes consumed so far (after iteration: the offset where reading stopped). */
  readonly bytesRead: number;
  /**
   * Calls `visit` for every packet, in order: the fast way to stream a whole file (no promise per
   * packet). The packet object is reused between calls, so copy the fields you keep; its `data`
   * view stays valid. A promise returned by `visit` is awaited before the next packet. Faults
   * are thrown as in iteration; the reader is closed at the end. Like iteration, only once.
   */
  forEachPacket(visit: (pkt: CapturedPacket) => void | Promise<void>): Promise<void>;
  /**
   * Promises that no packet `data` lying in `ab` (the `.buffer` of earlier packets, from a
   * chunk the reader has moved past) is used any more, so the reader may read into it again.
   * Optional: without it every chunk is fresh memory.
   */
  releaseChunk(ab: ArrayBufferLike): void;
  close(): Promise<void>;
}

/** Opens a capture file; throws CaptureError('open' | 'bad-magic' | 'bad-header' | 'truncated'). */
export async function openCapture(path: string): Promise<CaptureReader> {
  let src: ByteSource;
  try {
    src = await ByteSource.fromFile(path);
  } catch (e) {
    throw new CaptureError('open', path, 0, 0, `cannot open: ${(e as Error).message}`);
  }
  try {
    return await startReader(src, path);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** The same reader over bytes already in memory (`name` is used in messages). */
export async function openCaptureBuffer(data: Buffer, name: string): Promise<CaptureReader> {
  return startReader(ByteSource.fromBuffer(data), name);
}

/** Reads a whole capture into memory: the packets before any fatal fault, and that fault. */
export async function readAllPackets(
  reader: CaptureReader,
): Promise<{ packets: CapturedPacket[]; error: CaptureError | null }> {
  const packets: CapturedPacket[] = [];
  try {
    for await (const p of reader) packets.push(p);
    return { packets, error: null };
  } catch (e) {
    if (e instanceof CaptureError) return { packets, error: e };
    throw e;
  } finally {
    await reader.close();
  }
}

async function startReader(src: ByteSource, path: string): Promise<CaptureReader> {
  if (!(await src.ensure(4))) {
    throw new CaptureError('bad-magic', path, 0, 0, `not a capture file: only ${src.available} bytes long`);
  }
  const magicBE = src.buf.readUInt32BE(src.pos);
  const magicLE = src.buf.readUInt32LE(src.pos);
  if (magicBE === PCAPNG_SHB) return new PcapngReader(src, path);
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS]) {
    if (magicBE === m || magicLE === m) {
      const reader = new PcapReader(src, path, magicBE === m ? 'big' : 'little', m === PCAP_MAGIC_NS);
      await reader.readHeader();
      return reader;
    }
  }
  // IPFIX files have no magic: accept the file when its first message is plausible IPFIX.
  let notIpfix = '';
  if (src.buf.readUInt16BE(src.pos) === 10) {
    await src.ensure(Math.max(IPFIX_HEADER_LEN, src.buf.readUInt16BE(src.pos + 2)));
    if (looksLikeIpfixMessage(src.buf, src.pos, src.available)) return new IpfixFileReader(src, path);
    notIpfix = ': its first IPFIX message header or Set lengths are invalid';
  }
  throw new CaptureError(
    'bad-magic',
    path,
    0,
    0,
    `not a pcap or pcapng file (magic 0x${magicBE.toString(16).padStart(8, '0')}), nor an RFC 5655 IPFIX file${notIpfix}`,
  );
}

abstract class BaseReader implements CaptureReader {
  readonly warnings: CaptureError[] = [];
  abstract readonly fileInfo: CaptureFileInfo;
  protected number = 0;
  private closed = false;
  private started = false;

  constructor(
    protected readonly src: ByteSource,
    protected readonly path: string,
  ) {}

  get bytesRead(): number {
    return this.src.offset;
  }

  releaseChunk(ab: ArrayBufferLike): void {
    this.src.recycle(ab);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.src.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CapturedPacket> {
    this.begin();
    try {
      yield* this.records();
    } finally {
      await this.close();
    }
  }

  async forEachPacket(visit: (pkt: CapturedPacket) => void | Promise<void>): Promise<void> {
    for await (const pkt of this) {
      const pending = visit(pkt);
      if (pending) await pending;
    }
  }

  /** Marks the reader as iterated (it reads forward only). */
  protected begin(): void {
    if (this.started) throw new Error(`${this.path}: a capture reader can be iterated only once`);
    this.started = true;
  }

  protected abstract records(): AsyncGenerator<CapturedPacket>;

  protected fail(kind: CaptureError['kind'], offset: number, packet: number, reason: string): CaptureError {
    return new CaptureError(kind, this.path, offset, packet, reason);
  }

  protected warn(kind: CaptureError['kind'], offset: number, packet: number, reason: string): void {
    this.warnings.push(new CaptureError(kind, this.path, offset, packet, reason));
  }

  protected noteLinkType(info: CaptureFileInfo, linkType: number): void {
    if (!info.linkTypes.includes(linkType)) info.linkTypes.push(linkType);
  }
}

class PcapReader extends BaseReader {
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

/**
 * RFC 5655 file: every IPFIX message is a packet whose time is the message's export time
 * (whole seconds) and whose captured and original lengths are the message length.
 */
class IpfixFileReader extends BaseReader {
  readonly fileInfo: CaptureFileInfo;

  constructor(src: ByteSource, path: string) {
    super(src, path);
    this.fileInfo = {
      path,
      format: 'ipfix',
      byteOrder: 'big',
      precision: 'sec',
      versionMajor: 0,
      versionMinor: 0,
      snaplen: 0,
      linkType: LINKTYPE_IPFIX_MESSAGE,
      linkTypes: [LINKTYPE_IPFIX_MESSAGE],
      interfaces: [
        {
          id: 0,
          section: 0,
          linkType: LINKTYPE_IPFIX_MESSAGE,
          snaplen: MAX_SNAPLEN,
          tsResolution: { base: 10, exponent: 0 },
          tsOffset: 0,
          fcsLen: -1,
          tsresolOption: 0,
          statEntries: 0,
          packets: 0,
        },
      ],
      sections: [],
    };
  }

  protected async *records(): AsyncGenerator<CapturedPacket> {
    const s = this.src;
    for (;;) {
      if (s.available < IPFIX_HEADER_LEN && !(await s.ensure(IPFIX_HEADER_LEN))) {
        if (s.available === 0) return;
        throw this.fail(
          'truncated',
          s.offset,
          this.number + 1,
          `file ends inside the header of IPFIX message ${this.number + 1} (${s.available} of ${IPFIX_HEADER_LEN} bytes)`,
        );
      }
      const problem = ipfixHeaderProblem(s.buf, s.pos);
      if (problem) throw this.fail('bad-block', s.offset, this.number + 1, `IPFIX message ${this.number + 1} has an invalid header: ${problem}`);
      const len = s.buf.readUInt16BE(s.pos + 2);
      if (s.available < len && !(await s.ensure(len))) {
        throw this.fail(
          'truncated',
          s.offset,
          this.number + 1,
          `file ends inside IPFIX message ${this.number + 1}: ${s.available} of its ${len} bytes present`,
        );
      }
      const p = s.pos;
      const pkt = blankPacket();
      pkt.number = ++this.number;
      pkt.tsSec = s.buf.readUInt32BE(p + 4);
      pkt.caplen = len;
      pkt.len = len;
      pkt.linkType = LINKTYPE_IPFIX_MESSAGE;
      pkt.data = s.buf.subarray(p, p + len);
      pkt.fileOffset = s.offset;
      s.skip(len);
      this.fileInfo.interfaces[0]!.packets++;
      yield pkt;
    }
  }
}

/** Unsigned 32-bit field of a record header (buffered: the caller checked); plain byte reads stay cheap before the JIT warms up. */
function u32(b: Buffer, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function blankPacket(): CapturedPacket {
  return { number: 0, tsSec: 0, tsNsec: 0, caplen: 0, len: 0, linkType: 0, interfaceId: 0, data: EMPTY, fileOffset: 0 };
}

const EMPTY = Buffer.alloc(0);

class PcapngReader extends BaseReader {
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
