// What every format's reader shares: iteration once, closing, warnings, recycled chunks.
import type { ByteSource } from './byte-source.ts';
import { CaptureError } from './errors.ts';
import type { CaptureFileInfo, CapturedPacket, CaptureReader } from './types.ts';

export abstract class BaseReader implements CaptureReader {
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

/** Unsigned 32-bit field of a record header (buffered: the caller checked); plain byte reads stay cheap before the JIT warms up. */
export function u32(b: Buffer, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function blankPacket(): CapturedPacket {
  return { number: 0, tsSec: 0, tsNsec: 0, caplen: 0, len: 0, linkType: 0, interfaceId: 0, data: EMPTY, fileOffset: 0 };
}

const EMPTY = Buffer.alloc(0);
