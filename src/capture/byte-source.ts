// A forward-only window over a file (or an in-memory buffer), read in chunks so memory stays
// constant. Parsers ask for `n` bytes at the cursor with `ensure(n)` and read `buf` directly.
// The next chunk is read ahead while the current one is parsed. Chunks are reused only when the
// consumer hands one back with `recycle` (a packet sliced from `buf` stays valid until then): fresh
// 1 MiB buffers cost page faults on every read and unmapping at exit, a large share of a short run.
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureError } from './errors.ts';

const CHUNK_SIZE = 1 << 20;
/** Room before each chunk for the unread tail of the previous one (one pcap record fits). */
const HEADROOM = (1 << 18) + 64;
const CHUNK_BYTES = HEADROOM + CHUNK_SIZE;
/** Recycled chunks kept for reuse (the consumer lags the reader by a write or two). */
const POOL_MAX = 4;

interface Chunk {
  buf: Buffer;
  /** Bytes read into buf[HEADROOM, HEADROOM + got). */
  got: number;
}

export class ByteSource {
  /** Current chunk; valid bytes are buf[pos, end). */
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  private ahead: Promise<Chunk> | null = null;
  /** The buffer `ahead` is reading into. */
  private aheadBuf: ArrayBufferLike | null = null;
  /** Chunks handed back by the consumer, free to read into. */
  private readonly pool: Buffer[] = [];

  private constructor(
    private readonly readInto: (target: Buffer, at: number, length: number) => Promise<number>,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** Throws the fs error when the file cannot be opened; CaptureError('open') when it is not a regular file or a read fails. */
  static async fromFile(path: string): Promise<ByteSource> {
    const fh: FileHandle = await open(path, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new CaptureError('open', path, 0, 0, 'cannot read: it is a directory, not a capture file');
    }
    let offset = 0;
    return new ByteSource(
      async (target, at, length) => {
        try {
          const n = (await fh.read(target, at, length, null)).bytesRead;
          offset += n;
          return n;
        } catch (e) {
          throw new CaptureError('open', path, offset, 0, `cannot read: ${(e as Error).message}`);
        }
      },
      () => fh.close(),
    );
  }

  static fromBuffer(data: Buffer): ByteSource {
    let consumed = 0;
    return new ByteSource(
      async (target, at, length) => {
        const n = Math.min(length, data.length - consumed);
        data.copy(target, at, consumed, consumed + n);
        consumed += n;
        return n;
      },
      async () => {},
    );
  }

  /** File offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.end - this.pos;
  }

  /**
   * Hands back a chunk (an ArrayBuffer of an earlier `buf`) whose bytes nobody will look at
   * again: later reads may overwrite it. Anything else (the current or read-ahead chunk, a
   * joined buffer, a foreign one) is ignored.
   */
  recycle(ab: ArrayBufferLike): void {
    if (ab.byteLength !== CHUNK_BYTES || ab === this.buf.buffer || ab === this.aheadBuf || this.pool.length >= POOL_MAX) return;
    for (const b of this.pool) if (b.buffer === ab) return;
    this.pool.push(Buffer.from(ab));
  }

  private async readChunk(): Promise<Chunk> {
    const buf = this.pool.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.aheadBuf = buf.buffer;
    let got = 0;
    while (got < CHUNK_SIZE) {
      const n = await this.readInto(buf, HEADROOM + got, CHUNK_SIZE - got);
      if (n === 0) break;
      got += n;
    }
    return { buf, got };
  }

  /** Makes at least `n` bytes available at the cursor; false when the file ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.end - this.pos < n) {
      if (this.eof) return false;
      const chunk = await (this.ahead ?? this.readChunk());
      this.ahead = null;
      this.aheadBuf = null;
      const rest = this.end - this.pos;
      const restOffset = this.base + this.pos;
      if (rest <= HEADROOM) {
        this.buf.copy(chunk.buf, HEADROOM - rest, this.pos, this.end);
        this.buf = chunk.buf;
        this.pos = HEADROOM - rest;
        this.end = HEADROOM + chunk.got;
      } else {
        const joined = Buffer.allocUnsafe(rest + chunk.got);
        this.buf.copy(joined, 0, this.pos, this.end);
        chunk.buf.copy(joined, rest, HEADROOM, HEADROOM + chunk.got);
        this.buf = joined;
        this.pos = 0;
        this.end = rest + chunk.got;
      }
      this.base = restOffset - this.pos;
      if (chunk.got < CHUNK_SIZE) this.eof = true;
      else {
        const ahead = this.readChunk();
        ahead.catch(() => undefined); // the error surfaces when the chunk is awaited
        this.ahead = ahead;
      }
    }
    return true;
  }

  skip(n: number): void {
    this.pos += n;
  }

  async close(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead) await ahead.catch(() => undefined);
    await this.onClose();
  }
}
