// Ruby's IPAddr.new(text).mask(bits).to_s for the fingerprint filter's IPV4_NETWORK method: an IPv4
// or IPv6 address with all but its first `bits` bits cleared, printed as IPAddr prints it (IPv6
// compressed). A text that is not an address throws IPAddr's "invalid address" error.
import { isIPv4, isIPv6 } from 'node:net';

export class InvalidAddressError extends Error {
  constructor(text: string) {
    super(`invalid address: ${text}`);
    this.name = 'IPAddr::InvalidAddressError';
  }
}

function v6Words(text: string): number[] {
  let t = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    t = t.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - tl.length).fill('0');
  return [...h, ...fill, ...tl].map((x) => Number.parseInt(x, 16));
}

/** IPAddr#to_s for IPv6: the longest run of zero words (two or more) becomes `::`. */
function v6Text(words: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function maskAddress(text: string, bits: number): string {
  if (isIPv4(text)) {
    if (bits < 0 || bits > 32) throw new InvalidAddressError(`invalid length`);
    const n = text.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
    const masked = bits === 0 ? 0n : n & (((1n << 32n) - 1n) ^ ((1n << BigInt(32 - bits)) - 1n));
    return [24n, 16n, 8n, 0n].map((s) => String((masked >> s) & 255n)).join('.');
  }
  if (isIPv6(text)) {
    if (bits < 0 || bits > 128) throw new InvalidAddressError(`invalid length`);
    const words = v6Words(text);
    const n = words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
    const all = (1n << 128n) - 1n;
    const masked = n & (all ^ ((1n << BigInt(128 - bits)) - 1n));
    return v6Text(Array.from({ length: 8 }, (_, i) => Number((masked >> BigInt((7 - i) * 16)) & 0xffffn)));
  }
  throw new InvalidAddressError(text);
}
