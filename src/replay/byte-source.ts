// A forward-only window over a file (or an in-memory buffer), read in chunks so memory stays
// constant. Parsers ask for `n` bytes at the cursor with `ensure(n)` and read `buf` directly.
// Chunks are never reused: a packet sliced from `buf` stays valid after later reads.
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK_SIZE = 1 << 20;

export class ByteSource {
  /** Current chunk; valid bytes are buf[pos, end). */
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;

  private constructor(
    private readonly readInto: (target: Buffer, at: number, length: number) => Promise<number>,
    private readonly onClose: () => Promise<void>,
  ) {}

  static async fromFile(path: string): Promise<ByteSource> {
    const fh: FileHandle = await open(path, 'r');
    return new ByteSource(
      async (target, at, length) => (await fh.read(target, at, length, null)).bytesRead,
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

  /** Makes at least `n` bytes available at the cursor; false when the file ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.end - this.pos < n) {
      if (this.eof) return false;
      const rest = this.end - this.pos;
      const size = Math.max(CHUNK_SIZE, n);
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, this.pos, this.end);
      this.base += this.pos;
      this.buf = next;
      this.pos = 0;
      this.end = rest;
      while (this.end < size) {
        const got = await this.readInto(next, this.end, size - this.end);
        if (got === 0) {
          this.eof = true;
          break;
        }
        this.end += got;
      }
    }
    return true;
  }

  skip(n: number): void {
    this.pos += n;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
