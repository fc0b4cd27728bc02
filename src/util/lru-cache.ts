// A least-recently-used cache with an optional time to live, as lru_redux's LruRedux::TTL::Cache
// (what Logstash's dns and useragent filters use): reading a live entry makes it the most recent;
// an expired entry reads as absent; when full, the least recently used entry makes room.
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  /** `ttlMs` 0 or less: entries never expire. `now` is injectable for tests. */
  constructor(
    readonly capacity: number,
    private readonly ttlMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (hit === undefined) return undefined;
    if (this.ttlMs > 0 && hit.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, { value, expires: this.ttlMs > 0 ? this.now() + this.ttlMs : Infinity });
  }

  get size(): number {
    return this.map.size;
  }
}
