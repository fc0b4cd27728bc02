// MurmurHash3 as the murmurhash3 gem computes it for logstash-filter-fingerprint:
//   x86_32 (V32.str_hash / int64_hash: the 8 little-endian bytes of the integer) → an unsigned integer;
//   x64_128 (V128.str_digest / int32_hash / int64_hash) → 16 bytes: h1 then h2, each little-endian.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const n = data.length;
  const blocks = n >>> 2;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = n & 3;
  if (rest > 0) {
    let k = 0;
    for (let i = rest - 1; i >= 0; i--) k ^= data[tail + i]! << (i * 8);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const M64 = (1n << 64n) - 1n;
const K1 = 0x87c37b91114253d5n;
const K2 = 0x4cf5ad432745937fn;
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  k ^= k >> 33n;
  return k;
}

export function murmur3x64_128(data: Uint8Array, seed = 0): Buffer {
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  const n = data.length;
  const blocks = n >>> 4;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < blocks; i++) {
    let k1 = view.getBigUint64(i * 16, true);
    let k2 = view.getBigUint64(i * 16 + 8, true);
    k1 = (k1 * K1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * K2) & M64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & M64;
    h1 = (h1 * 5n + 0x52dce729n) & M64;
    k2 = (k2 * K2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * K1) & M64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & M64;
    h2 = (h2 * 5n + 0x38495ab5n) & M64;
  }
  const tail = blocks * 16;
  let k1 = 0n;
  let k2 = 0n;
  const rest = n & 15;
  for (let i = rest - 1; i >= 8; i--) k2 ^= BigInt(data[tail + i]!) << BigInt((i - 8) * 8);
  if (rest > 8) {
    k2 = (k2 * K2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * K1) & M64;
    h2 ^= k2;
  }
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 ^= BigInt(data[tail + i]!) << BigInt(i * 8);
  if (rest > 0) {
    k1 = (k1 * K1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * K2) & M64;
    h1 ^= k1;
  }
  h1 ^= BigInt(n);
  h2 ^= BigInt(n);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(h1, 0);
  out.writeBigUInt64LE(h2, 8);
  return out;
}

/** The little-endian two's-complement bytes of an integer (4 or 8 of them). */
export function intBytes(value: bigint, width: 4 | 8): Uint8Array {
  const out = Buffer.alloc(width);
  if (width === 4) out.writeInt32LE(Number(value));
  else out.writeBigUInt64LE(BigInt.asUintN(64, value));
  return out;
}
