// A MaxMind DB file opened for lookups (the `maxmind` package's reader, loaded with this module):
// its kind from the metadata's database_type, and the tree walk that gives a record and the
// network's prefix length. Decoded records are cached by their offset in the file, at most
// `cacheSize` of them and never evicted — as the CHMCache Logstash's filter gives MaxMind's reader.
import { readFile } from 'node:fs/promises';
import { Reader } from 'maxmind';
import type { IpAddress } from './address.ts';
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
  resolveDataPointer(pointer: number): unknown;
}

export interface DatabaseHit {
  /** Where the record sits (stable per record: a cache key). */
  pointer: number;
  record: unknown;
  prefixLength: number;
}

export class GeoDatabase {
  private constructor(
    readonly path: string,
    readonly databaseType: string,
    readonly kind: DatabaseKind,
    readonly ipVersion: number,
    private readonly walker: TreeWalker,
  ) {}

  /** Opens and checks a database; errors carry Logstash's messages ("… not found in the path", "… invalid or corrupted."). */
  static async open(path: string, cacheSize: number): Promise<GeoDatabase> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new GeoipConfigurationError(`The database provided was not found in the path: ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let reader: Reader<never>;
    try {
      reader = new Reader<never>(bytes, { cache: new FillOnceCache<unknown>(Math.max(0, cacheSize)) });
    } catch (e) {
      throw new GeoipConfigurationError(`The database provided is invalid or corrupted. (${path}: ${(e as Error).message})`);
    }
    const { databaseType, ipVersion, nodeCount } = reader.metadata;
    if (typeof databaseType !== 'string' || (ipVersion !== 4 && ipVersion !== 6) || !Number.isInteger(nodeCount)) {
      throw new GeoipConfigurationError(`The database provided is invalid or corrupted. (${path}: no MaxMind DB metadata)`);
    }
    return new GeoDatabase(path, databaseType, databaseKind(databaseType), ipVersion, reader as unknown as TreeWalker);
  }

  /** The record for an address, or undefined when the database has none (MaxMind's AddressNotFoundException). */
  find(address: IpAddress): { pointer: number; prefixLength: number } | undefined {
    // An IPv4-only database cannot answer for IPv6 (MaxMind's reader refuses the lookup).
    if (address.bytes.length === 16 && this.ipVersion === 4) return undefined;
    const [pointer, prefixLength] = this.walker.findAddressInTree(address.text.replace(/%.*$/, ''));
    return pointer === null ? undefined : { pointer, prefixLength };
  }

  /** Decodes the record a pointer names (cached by the reader's decoder). */
  record(pointer: number): unknown {
    return this.walker.resolveDataPointer(pointer);
  }
}
