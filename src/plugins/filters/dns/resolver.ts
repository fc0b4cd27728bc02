// DNS queries as Ruby's Resolv::DNS makes them for Logstash's dns filter, sent with Node's c-ares
// resolver (dns.promises.Resolver: per-resolver servers with ports, timeout, cancel; no extra
// dependency): search-domain candidates from `search`/`ndots` (Resolv::DNS::Config
// generate_candidates, which c-ares' plain queries do not apply), A before AAAA (AAAA only when the
// host has a global IPv6 address, Resolv's use_ipv6?), the first answer wins. NXDOMAIN moves to the
// next candidate; an empty answer ends the search; no answer in `timeout` is a DnsTimeout; any
// other response code is a DnsResolveError. Queries in flight are bounded and identical ones shared.
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';

export class DnsTimeout extends Error {
  constructor(what: string) {
    super(`DNS resolv timeout: ${what}`);
    this.name = 'DnsTimeout';
  }
}

export class DnsResolveError extends Error {
  constructor(
    what: string,
    readonly code: string,
  ) {
    super(`DNS error ${code} for ${what}`);
    this.name = 'DnsResolveError';
  }
}

export class DnsConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnsConfigurationError';
  }
}

export interface NameserverConfig {
  /** `ip` or `ip:port` / `[ipv6]:port` (a flowstash extension: Logstash's resolver always uses port 53). */
  servers: string[];
  search: string[];
  ndots: number;
}

function inspect(v: unknown): string {
  return JSON.stringify(v);
}

/** Logstash's normalised_nameserver: a hash { address, search, ndots }, or addresses alone; its messages. */
export function nameserverConfig(option: unknown): NameserverConfig {
  const given: Record<string, unknown> =
    option !== null && typeof option === 'object' && !Array.isArray(option) ? { ...(option as Record<string, unknown>) } : { address: option };
  const address = given['address'];
  delete given['address'];
  if (address === undefined || address === null) throw new DnsConfigurationError(`DNS Filter: \`nameserver\` hash must include \`address\` (got \`${inspect(option)}\`)`);
  const servers = (Array.isArray(address) ? address : [address]).map(String);
  if (servers.length === 0) throw new DnsConfigurationError(`DNS Filter: \`nameserver\` addresses, when specified, cannot be empty (got \`${inspect(option)}\`)`);
  const searchRaw = given['search'] ?? [];
  delete given['search'];
  const search = (Array.isArray(searchRaw) ? searchRaw : [searchRaw]).map(String);
  if (search.length > 6) throw new DnsConfigurationError(`DNS Filter: A maximum of 6 \`search\` domains are accepted (got \`${inspect(option)}\`)`);
  const ndotsRaw = given['ndots'] ?? 1;
  delete given['ndots'];
  const ndots = typeof ndotsRaw === 'number' ? ndotsRaw : /^[+-]?\d+$/.test(String(ndotsRaw).trim()) ? Number(String(ndotsRaw).trim()) : NaN;
  if (!Number.isInteger(ndots)) throw new DnsConfigurationError(`invalid value for Integer(): ${inspect(ndotsRaw)}`);
  if (ndots <= 0) throw new DnsConfigurationError(`DNS Filter: \`ndots\` must be positive (got \`${inspect(option)}\`)`);
  if (Object.keys(given).length > 0) throw new DnsConfigurationError(`Unknown \`nameserver\` argument(s): ${inspect(given)}`);
  for (const s of servers) {
    if (!isIPv4(s) && !isIPv6(s) && !/^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):\d+$/.test(s)) {
      throw new DnsConfigurationError(`DNS Filter: nameserver address \`${s}\` is not an IP address (or ip:port)`);
    }
  }
  return { servers, search, ndots };
}

/** search/domain/ndots of /etc/resolv.conf (what Resolv::DNS reads when no nameserver is given). */
export function systemResolverConfig(file = '/etc/resolv.conf'): Omit<NameserverConfig, 'servers'> {
  let search: string[] = [];
  let ndots = 1;
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [key, ...args] = line.replace(/[#;].*/, '').trim().split(/\s+/);
      if (key === 'search' || key === 'domain') search = args;
      else if (key === 'options') for (const o of args) if (o.startsWith('ndots:')) ndots = Number(o.slice(6)) || 1;
    }
  } catch {
    // No resolv.conf: no search domains.
  }
  return { search, ndots };
}

/** Resolv::DNS::Config#generate_candidates. */
export function candidates(name: string, search: readonly string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const out = dots >= ndots ? [name] : [];
  for (const domain of search) out.push(`${name}.${domain}`);
  if (!out.includes(name)) out.push(name);
  return out;
}

/** The in-addr.arpa / ip6.arpa name of an address. */
export function ptrName(address: string): string {
  if (isIPv4(address)) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let h = groups(head);
  let t = groups(tail);
  // An IPv4 tail (::ffff:1.2.3.4) is two groups.
  const v4 = (list: string[]): string[] => list.flatMap((g) => (g.includes('.') ? ((b) => [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)])(g.split('.').map(Number)) : [g]));
  h = v4(h);
  t = v4(t);
  const full = address.includes('::') ? [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const nibbles = full.map((g) => g.padStart(4, '0')).join('').toLowerCase().split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

function hostHasGlobalIpv6(): boolean {
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((a) => a.family === 'IPv6' && !a.internal && !/^fe[89ab]/i.test(a.address)),
  );
}

/** A counting gate: at most `limit` holders at once, the rest wait in order. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

type Answer = { kind: 'found'; value: string } | { kind: 'nxdomain' } | { kind: 'empty' };

export class DnsClient {
  private readonly resolver: Resolver;
  private readonly gate: Gate;
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private readonly search: readonly string[];
  private readonly ndots: number;
  private readonly useIpv6: boolean;
  /** Queries sent (each try of each candidate and type). */
  queries = 0;

  constructor(config: NameserverConfig | undefined, timeoutMs: number, maxInFlight = 64) {
    this.resolver = new Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
    if (config) this.resolver.setServers(config.servers);
    const { search, ndots } = config ?? systemResolverConfig();
    this.search = search;
    this.ndots = ndots;
    this.useIpv6 = hostHasGlobalIpv6();
    this.gate = new Gate(maxInFlight);
  }

  /** The first address of a name (A, then AAAA), undefined when there is none. */
  address(name: string): Promise<string | undefined> {
    return this.shared(`a:${name}`, async () => {
      const found = await this.firstAnswer(name, 'A');
      if (found !== undefined || !this.useIpv6) return found;
      return this.firstAnswer(name, 'AAAA');
    });
  }

  /** The first PTR name of an address, undefined when there is none. */
  name(address: string): Promise<string | undefined> {
    return this.shared(`ptr:${address}`, async () => {
      const answer = await this.query(address, 'PTR');
      return answer.kind === 'found' ? answer.value : undefined;
    });
  }

  cancel(): void {
    this.resolver.cancel();
  }

  private shared(key: string, work: () => Promise<string | undefined>): Promise<string | undefined> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.gate.run(work).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async firstAnswer(name: string, type: 'A' | 'AAAA'): Promise<string | undefined> {
    for (const candidate of candidates(name, this.search, this.ndots)) {
      const answer = await this.query(candidate, type);
      if (answer.kind === 'found') return answer.value;
      if (answer.kind === 'empty') return undefined;
    }
    return undefined;
  }

  private async query(what: string, type: 'A' | 'AAAA' | 'PTR'): Promise<Answer> {
    this.queries++;
    try {
      // PTR through resolvePtr: c-ares' reverse() reports a timeout as ENOTFOUND.
      const records = type === 'A' ? await this.resolver.resolve4(what) : type === 'AAAA' ? await this.resolver.resolve6(what) : await this.resolver.resolvePtr(ptrName(what));
      return records.length > 0 ? { kind: 'found', value: records[0]! } : { kind: 'empty' };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      switch (code) {
        case 'ENOTFOUND':
          return { kind: 'nxdomain' };
        case 'ENODATA':
          return { kind: 'empty' };
        // Ruby's resolver sends from an unconnected socket: a refused port looks like no answer.
        case 'ETIMEOUT':
        case 'ECONNREFUSED':
          throw new DnsTimeout(what);
        default:
          throw new DnsResolveError(what, code);
      }
    }
  }
}
