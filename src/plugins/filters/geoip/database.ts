// A MaxMind DB file opened for lookups: the `maxmind` package's reader (loaded with this module)
// parses the metadata — the kind comes from its database_type — and walks the search tree to the
// record and the network's prefix length; the record itself is read by a projector that decodes
// only the keys the filter writes. Callers cache what they build per record (by its offset).
import { readFile } from 'node:fs/promises';
import { Reader } from 'maxmind';
import type { IpAddress } from './address.ts';
import { compileProjection, RecordProjector, type Decoded, type Projection } from './projection.ts';
import { databaseKind, GeoipConfigurationError, type DatabaseKind } from './fields.ts';

/** A bounded map that stops adding when full (CHMCache: "no eviction policy so far"). */
export class FillOnceCache<V> {
  private readonly map = new Map<number, V>();
  constructor(readonly capacity: number) {}
  get(key: number): V | undefined {
    return this.map.get(key);
  }
  set(key: number, value: V): void {
    if (this.map.size < this.capacity) this.map.set(key, value);
  }
  get size(): number {
    return this.map.size;
  }
}

/** The parts of mmdb-lib's reader used here (the tree walk is not in its typings). */
interface TreeWalker {
  findAddressInTree(ip: string): [pointer: number | null, prefixLength: number];
}

const NAMES = { names: { en: true } } as const;
const CITY: Projection = {
  city: NAMES,
  continent: { code: true, ...NAMES },
  country: { iso_code: true, ...NAMES },
  location: { latitude: true, longitude: true, metro_code: true, time_zone: true },
  postal: { code: true },
  subdivisions: { iso_code: true, ...NAMES },
};
const ANONYMITY = { is_anonymous: true, is_anonymous_vpn: true, is_hosting_provider: true, is_public_proxy: true, is_residential_proxy: true, is_tor_exit_node: true } as const;
const AS = { autonomous_system_number: true, autonomous_system_organization: true } as const;
/** What each kind's fields read (record.ts). */
const PROJECTIONS: Record<DatabaseKind, Projection> = {
  City: CITY,
  Country: { country: { iso_code: true, ...NAMES }, continent: NAMES },
  ASN: AS,
  ISP: { ...AS, isp: true, organization: true },
  Domain: { domain: true },
  'Anonymous-IP': ANONYMITY,
  Enterprise: { ...CITY, traits: { ...AS, ...ANONYMITY } },
  Unknown: {},
};

export class GeoDatabase {
  private constructor(
    readonly path: string,
    readonly databaseType: string,
    readonly kind: DatabaseKind,
    readonly ipVersion: number,
    private readonly walker: TreeWalker,
    private readonly projector: RecordProjector,
    private readonly nodeCount: number,
    private readonly searchTreeSize: number,
  ) {}

  /** Opens and checks a database; errors carry Logstash's messages ("… not found in the path", "… invalid or corrupted."). */
  static async open(path: string): Promise<GeoDatabase> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new GeoipConfigurationError(`The database provided was not found in the path: ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let reader: Reader<never>;
    try {
      reader = new Reader<never>(bytes);
    } catch (e) {
      throw new GeoipConfigurationError(`The database provided is invalid or corrupted. (${path}: ${(e as Error).message})`);
    }
    const { databaseType, ipVersion, nodeCount, searchTreeSize } = reader.metadata;
    if (typeof databaseType !== 'string' || (ipVersion !== 4 && ipVersion !== 6) || !Number.isInteger(nodeCount)) {
      throw new GeoipConfigurationError(`The database provided is invalid or corrupted. (${path}: no MaxMind DB metadata)`);
    }
    const kind = databaseKind(databaseType);
    const projector = new RecordProjector(bytes, searchTreeSize + 16, compileProjection(PROJECTIONS[kind]));
    return new GeoDatabase(path, databaseType, kind, ipVersion, reader as unknown as TreeWalker, projector, nodeCount, searchTreeSize);
  }

  /** The record for an address, or undefined when the database has none (MaxMind's AddressNotFoundException). */
  find(address: IpAddress): { pointer: number; prefixLength: number } | undefined {
    // An IPv4-only database cannot answer for IPv6 (MaxMind's reader refuses the lookup).
    if (address.bytes.length === 16 && this.ipVersion === 4) return undefined;
    const [pointer, prefixLength] = this.walker.findAddressInTree(address.text.replace(/%.*$/, ''));
    return pointer === null ? undefined : { pointer, prefixLength };
  }

  /** The parts of the record the filter reads (MaxMind DB spec: file offset = pointer − node count + tree size). */
  record(pointer: number): Decoded {
    return this.projector.record(pointer - this.nodeCount + this.searchTreeSize);
  }
}
