// IP literals read as Java's InetAddress.getByName reads them (what the geoip filter hands MaxMind's
// reader): dotted-quad IPv4, IPv6 with `::`, an embedded IPv4 tail, `[…]` brackets and a `%scope`;
// an IPv4-mapped IPv6 address becomes its IPv4 address. `text` is Java's getHostAddress(): IPv6 as
// eight lower-case hex groups, uncompressed (`2607:f0d0:1002:51:0:0:0:4`). Host names are not
// resolved (Java would ask DNS): they are reported as invalid.

export interface IpAddress {
  /** 4 or 16. */
  readonly bytes: Uint8Array;
  /** Java's getHostAddress() text. */
  readonly text: string;
}

function parseIpv4Bytes(s: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let idx = at;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || idx - at > 3) return false;
      out[idx++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + (c - 0x30);
      if (part > 255 || ++digits > 3) return false;
    } else return false;
  }
  return idx - at === 4;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Fills 16 bytes from IPv6 text (no brackets, no scope); false when it is not an IPv6 literal. */
function parseIpv6Bytes(s: string, out: Uint8Array): boolean {
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
    if (s.length === 2) return fillIpv6(groups, gap, out);
  } else if (s.startsWith(':')) return false;
  while (i < s.length) {
    let j = i;
    let v = 0;
    while (j < s.length && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < s.length && s.charCodeAt(j) === 0x2e) {
      // An IPv4 tail takes the last two groups.
      const tail = new Uint8Array(4);
      if (!parseIpv4Bytes(s.slice(i), tail, 0)) return false;
      groups.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      i = s.length;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups.push(v);
    if (j === s.length) {
      i = j;
      break;
    }
    if (s.charCodeAt(j) !== 0x3a) return false;
    if (s.charCodeAt(j + 1) === 0x3a) {
      if (gap >= 0) return false;
      gap = groups.length;
      i = j + 2;
      if (i === s.length) break;
    } else {
      i = j + 1;
      if (i === s.length) return false;
    }
  }
  return fillIpv6(groups, gap, out);
}

function fillIpv6(groups: number[], gap: number, out: Uint8Array): boolean {
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const full = gap < 0 ? groups : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
  for (let g = 0; g < 8; g++) {
    out[2 * g] = full[g]! >> 8;
    out[2 * g + 1] = full[g]! & 0xff;
  }
  return true;
}

function ipv4Text(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** The address a literal names, or undefined when the text is not an IP literal. */
export function parseIpLiteral(input: string): IpAddress | undefined {
  let s = input;
  if (s.length >= 2 && s.charCodeAt(0) === 0x5b && s.charCodeAt(s.length - 1) === 0x5d) s = s.slice(1, -1);
  if (s.indexOf(':') === -1) {
    const b = new Uint8Array(4);
    return parseIpv4Bytes(s, b, 0) ? { bytes: b, text: ipv4Text(b) } : undefined;
  }
  let scope = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    scope = s.slice(pct);
    if (scope.length < 2) return undefined;
    s = s.slice(0, pct);
  }
  const b = new Uint8Array(16);
  if (!parseIpv6Bytes(s, b)) return undefined;
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
  if (mapped && b[10] === 0xff && b[11] === 0xff) {
    const v4 = b.slice(12);
    return { bytes: v4, text: ipv4Text(v4) };
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(((b[2 * g]! << 8) | b[2 * g + 1]!).toString(16));
  return { bytes: b, text: groups.join(':') + scope };
}

/** `address/prefix` with the host bits cleared (MaxMind's Network.toString()). */
export function networkText(address: IpAddress, prefixLength: number): string {
  const b = address.bytes.slice();
  for (let bit = prefixLength; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (b.length === 4) return `${ipv4Text(b)}/${prefixLength}`;
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(((b[2 * g]! << 8) | b[2 * g + 1]!).toString(16));
  return `${groups.join(':')}/${prefixLength}`;
}
