// A growable big-endian byte buffer: the encoder's only output primitive.

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 1500) {
    this.buf = Buffer.alloc(initialCapacity);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Unsigned big-endian integer in n ≤ 6 bytes (the caller checked the range). */
  uintN(v: number, n: number): void {
    this.ensure(n);
    this.buf.writeUIntBE(v, this.pos, n);
    this.pos += n;
  }

  /** Two's-complement big-endian integer in n ≤ 6 bytes (the caller checked the range). */
  intN(v: number, n: number): void {
    this.ensure(n);
    this.buf.writeIntBE(v, this.pos, n);
    this.pos += n;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Reserves n bytes to be filled later with patchU16/patchU32; returns their offset. */
  reserve(n: number): number {
    const at = this.pos;
    this.zeros(n);
    return at;
  }

  patchU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, at);
  }

  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
