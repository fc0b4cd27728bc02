// IP addresses and networks as Ruby's IPAddr (ipaddr 1.2, what logstash-filter-cidr uses) reads
// them: `addr`, `addr/len` or `addr/mask`, IPv6 in `[…]` and with a `%zone`; an address with a
// prefix is masked to its network; IPv4 octets with a leading zero are refused ("zero-filled number
// in IPv4 address is ambiguous"); nothing is trimmed. include? needs the same family (an IPv4
// network never contains an IPv6 address, IPv4-mapped or not) and the whole range inside.

export interface IpRange {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

/** Why IPAddr.new refused a text (its InvalidAddressError / InvalidPrefixError / AddressFamilyError message). */
export class InvalidIpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidIpError';
  }
}

const IPV4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

function ipv4Value(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = m[i]!;
    if (octet.length > 1 && octet.startsWith('0')) throw new InvalidIpError(`zero-filled number in IPv4 address is ambiguous: ${text}`);
    const n = Number(octet);
    if (n > 255) throw new InvalidIpError(`invalid address: ${text}`);
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function ipv6Value(text: string): bigint | undefined {
  let head = text;
  let tail4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > 0) {
    tail4 = ipv4Value(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const groupsWanted = 8;
  const parts = head.split('::');
  if (parts.length > 2) return undefined;
  const split = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const left = split(parts[0]!);
  const right = parts.length === 2 ? split(parts[1]!) : [];
  if (!left || !right) return undefined;
  const count = left.length + right.length;
  if (parts.length === 1 ? count !== groupsWanted : count > groupsWanted - 1) return undefined;
  const groups = [...left, ...Array<string>(groupsWanted - count).fill('0'), ...right];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4;
  return value;
}

function maskOf(family: 4 | 6, length: number): bigint {
  const bits = family === 4 ? 32 : 128;
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - length)) - 1n);
}

/** IPAddr.new(text) as a range; throws InvalidIpError with IPAddr's reason. */
export function parseIpRange(input: string): IpRange {
  if (input.length === 0) throw new InvalidIpError('address family must be specified');
  const slash = input.indexOf('/');
  let prefix = slash < 0 ? input : input.slice(0, slash);
  const lengthText = slash < 0 ? undefined : input.slice(slash + 1);
  let family: 4 | 6 | undefined;
  let value: bigint | undefined;
  const bracket = /^\[(.*)\]$/.exec(prefix);
  if (bracket) prefix = bracket[1]!;
  if (!bracket) value = ipv4Value(prefix);
  if (value !== undefined) family = 4;
  else {
    const zone = /^(.*)%\w+$/.exec(prefix);
    value = ipv6Value(zone ? zone[1]! : prefix);
    if (value !== undefined) family = 6;
  }
  if (family === undefined || value === undefined) throw new InvalidIpError(`invalid address: ${input}`);
  const bits = family === 4 ? 32 : 128;
  let length = bits;
  if (lengthText !== undefined) {
    if (/^\d+$/.test(lengthText)) length = Number(lengthText);
    else {
      const mask = family === 4 ? ipv4Value(lengthText) : ipv6Value(lengthText);
      if (mask === undefined) throw new InvalidIpError(`invalid prefix: ${lengthText}`);
      const binary = mask.toString(2).padStart(bits, '0');
      if (binary.includes('01')) throw new InvalidIpError(`invalid mask ${lengthText}`);
      length = binary.indexOf('0') < 0 ? bits : binary.indexOf('0');
    }
    if (length > bits) throw new InvalidIpError('invalid length');
  }
  const mask = maskOf(family, length);
  const first = value & mask;
  return { family, first, last: first | (((1n << BigInt(bits)) - 1n) ^ mask) };
}

/** IPAddr#include?: same family and `inner` wholly inside `outer`. */
export function rangeIncludes(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}
