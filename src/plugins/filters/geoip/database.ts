// A MaxMind DB file opened for lookups: the `maxmind` package's reader (loaded with this module)
// parses and checks the metadata — the kind comes from its database_type; the search tree is walked
// here on the address bytes (the reader's walk takes text and parses it again), and the record is
// read by a projector that decodes only the keys the filter writes. Callers cache what they build
// per record (by its offset).
import { readFile } from 'node:fs/promises';
import { Reader } from 'maxmind';
import type { IpAddress } from './address.ts';
import { compileProjection, RecordProjector, type Decoded, type Projection } from './projection.ts';
import { databaseKind, GeoipConfigurationError, type DatabaseKind } from './fields.ts';

/** A bounded map that stops adding when full (CHMCache: "no eviction policy so far"). */
export class FillOnceCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    if (this.map.size < this.capacity) this.map.set(key, value);
  }
  get size(): number {
    return this.map.size;
  }
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
    private readonly tree: Buffer,
    private readonly recordSize: number,
    private readonly projector: RecordProjector,
    private readonly nodeCount: number,
    private readonly searchTreeSize: number,
  ) {
    let node = 0;
    if (ipVersion === 6) for (let i = 0; i < 96 && node < nodeCount; i++) node = this.child(node, 0);
    this.ipv4Start = node;
  }

  private readonly ipv4Start: number;

  /** A node's left (0) or right (1) record (MaxMind DB spec: 24, 28 or 32-bit records). */
  private child(node: number, bit: number): number {
    const db = this.tree;
    switch (this.recordSize) {
      case 24: {
        const o = node * 6 + bit * 3;
        return (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!;
      }
      case 28: {
        const o = node * 7;
        const middle = db[o + 3]!;
        return bit === 0
          ? ((middle & 0xf0) << 20) | (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!
          : ((middle & 0x0f) << 24) | (db[o + 4]! << 16) | (db[o + 5]! << 8) | db[o + 6]!;
      }
      default:
        return db.readUInt32BE(node * 8 + bit * 4);
    }
  }

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
    const { databaseType, ipVersion, nodeCount, searchTreeSize, recordSize } = reader.metadata;
    if (typeof databaseType !== 'string' || (ipVersion !== 4 && ipVersion !== 6) || !Number.isInteger(nodeCount) || searchTreeSize + 16 > bytes.length) {
      throw new GeoipConfigurationError(`The database provided is invalid or corrupted. (${path}: no MaxMind DB metadata)`);
    }
    const kind = databaseKind(databaseType);
    const projector = new RecordProjector(bytes, searchTreeSize + 16, compileProjection(PROJECTIONS[kind]));
    return new GeoDatabase(path, databaseType, kind, ipVersion, bytes, recordSize, projector, nodeCount, searchTreeSize);
  }

  /** The record for an address, or undefined when the database has none (MaxMind's AddressNotFoundException). */
  find(address: IpAddress): { pointer: number; prefixLength: number } | undefined {
    // An IPv4-only database cannot answer for IPv6 (MaxMind's reader refuses the lookup).
    if (address.bytes.length === 16 && this.ipVersion === 4) return undefined;
    const bytes = address.bytes;
    const bits = bytes.length * 8;
    const nodeCount = this.nodeCount;
    let node = bytes.length === 4 ? this.ipv4Start : 0;
    let depth = 0;
    for (; depth < bits && node < nodeCount; depth++) node = this.child(node, (bytes[depth >> 3]! >> (7 - (depth & 7))) & 1);
    // A record equal to the node count means "no data"; above it, a data pointer.
    return node > nodeCount ? { pointer: node, prefixLength: depth } : undefined;
  }

  /** The parts of the record the filter reads (MaxMind DB spec: file offset = pointer − node count + tree size). */
  record(pointer: number): Decoded {
    return this.projector.record(pointer - this.nodeCount + this.searchTreeSize);
  }
}
