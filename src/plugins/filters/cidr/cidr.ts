// The cidr filter (logstash-filter-cidr 3.1): every `address` (sprintf'd per event) and the values
// of `address_field` (one address or an array) are checked against every network (`network`,
// sprintf'd and split on commas, or the `network_path` file split on `separator` and re-read every
// `refresh_interval` seconds); the first address inside a network runs filter_matched. An address
// or network IPAddr cannot read is logged ("Invalid IP address, skipping") and skipped: the event
// goes on. Networks without `%{}` are read once, at start, and a bad one is reported then.
import { readFile } from 'node:fs/promises';
import { fieldPath, type PathOf } from '../../../event/compiled-ref.ts';
import type { Event } from '../../../event/event.ts';
import type { FieldValue } from '../../../event/values.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import { FileRefresher } from '../../../util/file-refresh.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { InvalidIpError, parseIpRange, type IpRange } from './ip-range.ts';
import { NetworkList } from './network-list.ts';
import type { CidrOptions } from './schema.ts';

export class CidrConfigurationError extends Error {
  constructor(message: string) {
    super(`Cannot register filter cidr plugin. The error reported is: ${message}`);
    this.name = 'CidrConfigurationError';
  }
}

const INVALID_FILE = 'The file containing the network list is invalid, please check the separator character or permissions for the file.';

export interface NetworkEntry {
  text: string;
  /** 1-based position in the file (the line when the separator is a newline). */
  index: number;
  range?: IpRange;
  error?: string;
}

/** The network_path file split like Ruby's String#split(separator) (trailing empty pieces dropped). */
export function splitNetworkFile(content: string, separator: string): NetworkEntry[] {
  const pieces = separator === ' ' ? content.trim().split(/\s+/) : content.split(separator);
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map((text, i) => {
    try {
      return { text, index: i + 1, range: parseIpRange(text) };
    } catch (e) {
      return { text, index: i + 1, error: (e as Error).message };
    }
  });
}

export class CidrFilter extends FilterBase<CidrOptions> {
  private readonly addresses: Interpolator[];
  private readonly addressTemplates: string[];
  /** address_field parsed once (an invalid reference fails on each event, as event.get does). */
  private readonly addressField: PathOf | undefined;
  private readonly networkTemplates: Interpolator[] | undefined;
  private staticNetworks = new NetworkList([]);
  private refresher: FileRefresher | undefined;
  private fileLoaded = false;
  private invalidAddresses = 0;
  private invalidNetworks = 0;

  constructor(options: CidrOptions, ctx: PluginContext) {
    super(options, ctx);
    if (options.network_path !== undefined && options.network.length > 0) {
      throw new CidrConfigurationError("The configuration options 'network' and 'network_path' are mutually exclusive");
    }
    this.addressTemplates = options.address.map(String);
    this.addresses = this.addressTemplates.map((a) => compileSprintf(a));
    this.addressField = options.address_field === undefined ? undefined : fieldPath(options.address_field);
    const networks = options.network.map(String);
    if (networks.some((n) => n.includes('%{'))) this.networkTemplates = networks.map((n) => compileSprintf(n));
    else this.staticNetworks = new NetworkList(this.parseNetworks(networks.flatMap((n) => n.split(',')).map((n) => n.trim())));
  }

  async register(): Promise<void> {
    const path = this.options.network_path;
    if (path === undefined) return;
    await this.loadFile(true);
    this.refresher = new FileRefresher({
      path,
      intervalSeconds: this.options.refresh_interval,
      onlyWhenModified: false,
      reload: () => this.loadFile(false),
      onError: () => this.log.error('Error while opening/parsing the file'),
    });
    this.refresher.start();
  }

  filter(event: Event): Event {
    const networks = this.networkTemplates ? undefined : this.staticNetworks;
    if (networks) {
      if (this.anyAddressInside(event, networks)) this.filterMatched(event);
      return event;
    }
    // Networks sprintf'd per event: read only when the event has an address (as Logstash does).
    const addresses = this.eventAddresses(event);
    if (addresses.length === 0) return event;
    const perEvent = new NetworkList(this.parseNetworks(this.networkTemplates!.flatMap((t) => t(event).split(',')).map((n) => n.trim())));
    if (addresses.some((a) => perEvent.includesRange(a))) this.filterMatched(event);
    return event;
  }

  close(): void {
    this.refresher?.stop();
  }

  stats(): Record<string, number> {
    return { ...super.stats(), invalid_addresses: this.invalidAddresses, invalid_networks: this.invalidNetworks, networks: this.staticNetworks.length };
  }

  /** Reads network_path; at start a missing or empty file stops the pipeline, later the old list stays. */
  async loadFile(atStart: boolean): Promise<void> {
    const path = this.options.network_path!;
    let entries: NetworkEntry[];
    try {
      entries = splitNetworkFile(await readFile(path, 'utf8'), this.options.separator);
    } catch (e) {
      if (atStart || !this.fileLoaded) throw new CidrConfigurationError(INVALID_FILE);
      throw e;
    }
    if (entries.length === 0) {
      if (atStart) throw new CidrConfigurationError(INVALID_FILE);
      return;
    }
    for (const bad of entries.filter((n) => n.error !== undefined)) {
      this.invalidNetworks++;
      this.log.warn('Invalid IP network, skipping', { network: bad.text, path: `${path}:${bad.index}` });
    }
    this.staticNetworks = new NetworkList(entries.flatMap((n) => (n.range ? [n.range] : [])));
    this.fileLoaded = true;
  }

  /**
   * Whether any of the event's addresses is in a network. Every address is read (an invalid one is
   * warned about) before the answer counts, as Logstash reads them all before matching.
   */
  private anyAddressInside(event: Event, networks: NetworkList): boolean {
    // eachAddress()'s walk, spelled out: a visitor closure would be allocated on every event.
    let inside = false;
    for (let i = 0; i < this.addresses.length; i++) {
      if (this.addressInside(this.addresses[i]!(event), this.addressTemplates[i]!, networks)) inside = true;
    }
    if (this.addressField === undefined) return inside;
    const field = this.options.address_field!;
    const value = event.getPath(this.addressField(event));
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (this.addressInside(addressText(value[i]), field, networks)) inside = true;
    } else if (value !== undefined && value !== null && this.addressInside(addressText(value), field, networks)) inside = true;
    return inside;
  }

  private addressInside(text: string, from: string, networks: NetworkList): boolean {
    const plain = networks.includesText(text);
    if (plain !== undefined) return plain;
    const range = this.readAddress(text, from);
    return range !== undefined && networks.includesRange(range);
  }

  private eventAddresses(event: Event): IpRange[] {
    const out: IpRange[] = [];
    this.eachAddress(event, (text, from) => {
      const range = this.readAddress(text, from);
      if (range) out.push(range);
    });
    return out;
  }

  /** The sprintf'd `address` texts, then the `address_field` values, with the setting each came from. */
  private eachAddress(event: Event, visit: (text: string, from: string) => void): void {
    for (let i = 0; i < this.addresses.length; i++) visit(this.addresses[i]!(event), this.addressTemplates[i]!);
    if (this.addressField === undefined) return;
    const field = this.options.address_field!;
    const value = event.getPath(this.addressField(event));
    for (const item of Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) visit(addressText(item), field);
  }

  /** The address as IPAddr reads it, or undefined (warned and counted) when IPAddr refuses it. */
  private readAddress(text: string, from: string): IpRange | undefined {
    try {
      return parseIpRange(text);
    } catch (e) {
      if (!(e instanceof InvalidIpError)) throw e;
      this.invalidAddresses++;
      this.log.warn('Invalid IP address, skipping', { address: from, value: text });
      return undefined;
    }
  }

  private parseNetworks(texts: string[]): IpRange[] {
    const out: IpRange[] = [];
    for (const text of texts) {
      try {
        out.push(parseIpRange(text));
      } catch (e) {
        if (!(e instanceof InvalidIpError)) throw e;
        this.invalidNetworks++;
        this.log.warn('Invalid IP network, skipping', { network: text });
      }
    }
    return out;
  }
}

/** An address_field value as the text IPAddr is given (to_s). */
function addressText(item: FieldValue | undefined): string {
  return typeof item === 'string' ? item : String(item);
}

export function create(options: CidrOptions, ctx: PluginContext): Filter {
  return new CidrFilter(options, ctx);
}

/** `-t`: network with network_path, and a network file that is empty (error) or has entries IPAddr refuses (file:line, warned). */
export async function check(options: CidrOptions, ctx: CheckContext): Promise<CheckResult> {
  const where = `filter cidr at ${ctx.where}`;
  const errors: string[] = [];
  if (options.network_path !== undefined && options.network.length > 0) {
    errors.push(`${where}: The configuration options 'network' and 'network_path' are mutually exclusive`);
  }
  for (const n of options.network.map(String)) {
    if (n.includes('%{')) continue;
    for (const piece of n.split(',')) {
      try {
        parseIpRange(piece.trim());
      } catch (e) {
        ctx.log.warn(`${where}: network ${JSON.stringify(piece.trim())} is not an IP network (${(e as Error).message}): Logstash skips it with "Invalid IP network, skipping" on every event`);
      }
    }
  }
  const path = options.network_path;
  if (path !== undefined) {
    let content: string | undefined;
    try {
      content = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(`${where}: network_path ${path} cannot be read: ${(e as Error).message}`);
    }
    if (content !== undefined) {
      const entries = splitNetworkFile(content, options.separator);
      if (entries.length === 0) errors.push(`${where}: network_path ${path}: ${INVALID_FILE}`);
      const newline = options.separator === '\n';
      for (const bad of entries.filter((n) => n.error !== undefined)) {
        ctx.log.warn(`${where}: ${path}:${bad.index}${newline ? '' : ` (entry ${bad.index})`}: ${JSON.stringify(bad.text)} is not an IP network (${bad.error}): Logstash skips it with "Invalid IP network, skipping" on every event`);
      }
      if (entries.length > 0 && entries.every((n) => n.error !== undefined)) errors.push(`${where}: network_path ${path}: no entry is an IP network`);
    }
  }
  return { errors };
}
