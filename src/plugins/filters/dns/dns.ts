// The dns filter (logstash-filter-dns 3.2): `resolve` fields hold names replaced by / appended with
// their first address, `reverse` fields hold addresses given their first name; hosts files first
// (the `hostsfile` ones, then the system's), then DNS when a nameserver is configured (or, with
// neither option, the system's resolver). Outcomes per field, in order, as dns.rb:
// - missing field: WARN, next field;  several values or not a string: WARN, stop;
// - reverse of something that is not an address: DEBUG, stop;
// - no answer: DEBUG, stop (failed cache);  timeout after max_retries: DEBUG, tag_on_timeout, stop;
// - other resolver errors: ERROR, stop.
// filter_matched only when every field went through. Lookups that need the network return a
// promise: the worker hands the batch's other events on meanwhile, so a slow resolver stalls only
// the events that wait on it.
import { domainToASCII, domainToUnicode } from 'node:url';
import { isIPv4, isIPv6 } from 'node:net';
import type { Event } from '../../../event/event.ts';
import type { FieldValue } from '../../../event/values.ts';
import { LruCache } from '../../../util/lru-cache.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { HostsFile } from './hosts.ts';
import { DnsClient, DnsConfigurationError, DnsTimeout, nameserverConfig, type NameserverConfig } from './resolver.ts';
import type { DnsFilterOptions } from './schema.ts';

const SYSTEM_HOSTS = '/etc/hosts';

type Kind = 'resolve' | 'reverse';
interface Step {
  kind: Kind;
  field: string;
}

/** What one field's lookup came to. */
type Lookup = { value: string } | { timeout: true } | { none: true } | { error: string; message: string };

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Resolv::AddressRegex: a dotted quad without leading zeros, or an IPv6 address without a zone. */
function isAddress(s: string): boolean {
  return isIPv4(s) || (isIPv6(s) && !s.includes('%'));
}

export class DnsFilter extends FilterBase<DnsFilterOptions> {
  private readonly steps: Step[];
  private readonly hosts: HostsFile[];
  private nameserver?: NameserverConfig;
  private readonly hasNameserver: boolean;
  private readonly useDns: boolean;
  private client?: DnsClient;
  private readonly hitCache?: LruCache<string, string>;
  private readonly failedCache?: LruCache<string, true>;
  private readonly tagOnTimeout: string[];
  readonly lookups = { answered: 0, cached: 0, none: 0, timeouts: 0, errors: 0, skipped: 0 };

  constructor(options: DnsFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.steps = [...list(options.resolve).map((field) => ({ kind: 'resolve' as const, field })), ...list(options.reverse).map((field) => ({ kind: 'reverse' as const, field }))];
    const userHosts = list(options.hostsfile);
    this.hosts = [...userHosts, SYSTEM_HOSTS].map((p) => new HostsFile(p));
    const ns = options.nameserver;
    this.hasNameserver = ns !== undefined && ns !== null && !(Array.isArray(ns) && ns.length === 0);
    // dns.rb: with neither option, the system hosts file and resolv.conf; with only hostsfile, no DNS.
    this.useDns = this.hasNameserver || ((ns === undefined || ns === null) && (options.hostsfile === undefined || options.hostsfile === null));
    if (options.hit_cache_size > 0) this.hitCache = new LruCache(options.hit_cache_size, options.hit_cache_ttl * 1000);
    if (options.failed_cache_size > 0) this.failedCache = new LruCache(options.failed_cache_size, options.failed_cache_ttl * 1000);
    this.tagOnTimeout = list(options.tag_on_timeout);
  }

  register(): void {
    if (this.hasNameserver) this.nameserver = nameserverConfig(this.options.nameserver);
    if (this.useDns && this.steps.length > 0) this.client = new DnsClient(this.nameserver, this.options.timeout * 1000);
  }

  filter(event: Event): Event[] | Promise<Event[]> {
    return this.from(event, 0);
  }

  /** Runs the steps from `i`, synchronously while answers come from caches or hosts files. */
  private from(event: Event, i: number): Event[] | Promise<Event[]> {
    for (; i < this.steps.length; i++) {
      const next = this.step(event, this.steps[i]!);
      if (next instanceof Promise) {
        const at = i;
        return next.then((go) => (go ? this.from(event, at + 1) : [event]));
      }
      if (!next) return [event];
    }
    this.filterMatched(event);
    return [event];
  }

  /** One field: true to go on with the next one. */
  private step(event: Event, { kind, field }: Step): boolean | Promise<boolean> {
    let raw = event.get(field);
    if (raw === undefined || raw === null) {
      this.log.warn(kind === 'resolve' ? 'DNS filter could not resolve missing field' : 'DNS filter could not perform reverse lookup on missing field', { field });
      return true;
    }
    let isArray = false;
    if (Array.isArray(raw)) {
      isArray = true;
      if (raw.length > 1) {
        this.lookups.skipped++;
        this.log.warn(`DNS: skipping ${kind}, can't deal with multiple values`, { field, value: raw });
        return false;
      }
      raw = raw[0];
    }
    if (typeof raw !== 'string') {
      this.lookups.skipped++;
      this.log.warn(`DNS: skipping ${kind}, can't deal with non-string values`, { field, value: raw === undefined ? null : raw });
      return false;
    }
    const key = raw;
    if (kind === 'reverse' && !isAddress(key)) {
      this.lookups.skipped++;
      this.log.debug('DNS: not an address', { field, value: event.get(field) });
      return false;
    }
    if (this.failedCache?.has(key)) return false;
    const hit = this.hitCache?.get(key);
    if (hit !== undefined) {
      this.lookups.cached++;
      this.apply(event, field, isArray, hit);
      return true;
    }
    const outcome = this.lookupWithRetries(kind, key);
    const settle = (result: Lookup): boolean => this.settle(event, field, kind, key, isArray, result);
    return outcome instanceof Promise ? outcome.then(settle) : settle(outcome);
  }

  private settle(event: Event, field: string, kind: Kind, key: string, isArray: boolean, result: Lookup): boolean {
    const what = kind === 'resolve' ? 'hostname' : 'address';
    if ('value' in result) {
      this.lookups.answered++;
      this.hitCache?.set(key, result.value);
      this.apply(event, field, isArray, result.value);
      return true;
    }
    if ('none' in result) {
      this.lookups.none++;
      this.failedCache?.set(key, true);
      this.log.debug(`DNS: couldn't resolve the ${what}.`, { field, value: key });
      return false;
    }
    if ('timeout' in result) {
      this.lookups.timeouts++;
      this.failedCache?.set(key, true);
      this.log.debug(kind === 'resolve' ? 'DNS: timeout on resolving the hostname.' : 'DNS: timeout on resolving address.', { field, value: key });
      for (const tag of this.tagOnTimeout) event.tag(tag);
      this.counters.failures++;
      return false;
    }
    this.lookups.errors++;
    this.log.error(result.error, { field, value: key, message: result.message });
    return false;
  }

  /** dns.rb retriable_request: a timeout is retried max_retries times. */
  private lookupWithRetries(kind: Kind, key: string, tries = 0): Lookup | Promise<Lookup> {
    const once = this.lookupOnce(kind, key);
    if (!(once instanceof Promise)) return once;
    return once.then((r) => ('timeout' in r && tries < this.options.max_retries ? this.lookupWithRetries(kind, key, tries + 1) : r));
  }

  private lookupOnce(kind: Kind, key: string): Lookup | Promise<Lookup> {
    let query = key;
    if (kind === 'resolve' && /[^\x00-\x7f]/.test(key)) {
      // Java's IDN.toASCII for non-ASCII names.
      query = domainToASCII(key);
      if (query === '') return { error: 'DNS: Unable to parse address.', message: `not a valid international domain name: ${key}` };
    }
    for (const hosts of this.hosts) {
      const answer = kind === 'resolve' ? hosts.address(query) : hosts.name(query);
      if (answer !== undefined) return { value: kind === 'reverse' ? this.unicode(answer) : answer };
    }
    if (!this.client) return { none: true };
    const pending = kind === 'resolve' ? this.client.address(query) : this.client.name(query);
    return pending.then(
      (v): Lookup => (v === undefined ? { none: true } : { value: kind === 'reverse' ? this.unicode(v) : v }),
      (e: unknown): Lookup => (e instanceof DnsTimeout ? { timeout: true } : { error: 'DNS: Unexpected Error.', message: (e as Error).message }),
    );
  }

  /** Java's IDN.toUnicode on a name that carries punycode labels. */
  private unicode(name: string): string {
    return /(^|\.)xn--/i.test(name) ? domainToUnicode(name) || name : name;
  }

  private apply(event: Event, field: string, isArray: boolean, value: string): void {
    if (this.options.action === 'replace') event.set(field, isArray ? [value] : value);
    else if (!isArray) event.set(field, [event.get(field)!, value]);
    else {
      const arr = event.get(field) as FieldValue[];
      arr.push(value);
      event.set(field, arr);
    }
  }

  close(): void {
    this.client?.cancel();
  }

  stats(): Record<string, number> {
    return { ...this.counters, ...this.lookups, queries: this.client?.queries ?? 0 };
  }
}

export function create(options: DnsFilterOptions, ctx: PluginContext): Filter {
  return new DnsFilter(options, ctx);
}

/** `-t`: the nameserver setting as Logstash's register checks it. */
export function check(options: DnsFilterOptions, ctx: CheckContext): CheckResult {
  const ns = options.nameserver;
  if (ns === undefined || ns === null || (Array.isArray(ns) && ns.length === 0)) return { errors: [] };
  try {
    nameserverConfig(ns);
    return { errors: [] };
  } catch (e) {
    if (!(e instanceof DnsConfigurationError)) throw e;
    return { errors: [`filter dns at ${ctx.where}: ${e.message}`] };
  }
}
