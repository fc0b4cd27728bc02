// The iteration order of a java.util.HashMap<String, ?>. Logstash's snmptrap plugin builds the trap
// fields and the `message` hash in HashMaps (SnmpClient.createTrapEvent, doTrap) and iterates them into
// the event and into `trap_event.inspect`, so that order is what Logstash writes. A HashMap iterates
// its buckets in index order (hash spread by `h ^ h >>> 16`, masked by the table size) and each bucket
// in insertion order (resizes split buckets without reordering them). Bins of 8+ colliding keys in a
// table of 64+ buckets become trees in Java; this model keeps insertion order there too.

/** Java's String.hashCode (over UTF-16 code units, 32-bit wrap). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

const spread = (h: number): number => (h ^ (h >>> 16)) >>> 0;

/** HashMap's tableSizeFor: the smallest power of two >= n (1 for n <= 1). */
function tableSizeFor(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * The keys of `new HashMap<>(initialCapacity)` (or `new HashMap<>()` when undefined) after putting
 * `keys` in this order (repeats keep their first position), in the map's iteration order.
 */
export function javaHashMapOrder(keys: readonly string[], initialCapacity?: number): readonly string[] {
  // Traps of one kind repeat the same keys: the order is computed once per key list.
  const memoKey = `${initialCapacity ?? ''}\u0000${keys.join('\u0000')}`;
  const known = MEMO.get(memoKey);
  if (known) return known;
  const order = computeOrder(keys, initialCapacity);
  if (MEMO.size >= MEMO_LIMIT) MEMO.delete(MEMO.keys().next().value!);
  MEMO.set(memoKey, order);
  return order;
}

const MEMO = new Map<string, readonly string[]>();
const MEMO_LIMIT = 4096;

function computeOrder(keys: readonly string[], initialCapacity: number | undefined): string[] {
  let capacity = initialCapacity === undefined ? 16 : tableSizeFor(initialCapacity);
  let threshold = Math.floor(capacity * 0.75);
  const entries: { key: string; hash: number }[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const hash = spread(javaStringHash(key));
    // putVal: a bin that already holds 8 nodes is treeified, which resizes instead below 64 buckets.
    const inBin = entries.filter((e) => (e.hash & (capacity - 1)) === (hash & (capacity - 1))).length;
    entries.push({ key, hash });
    if (inBin >= 8 && capacity < 64) {
      capacity *= 2;
      threshold = Math.floor(capacity * 0.75);
    }
    if (entries.length > threshold) {
      capacity *= 2;
      threshold = Math.floor(capacity * 0.75);
    }
  }
  const mask = capacity - 1;
  return entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => (a.hash & mask) - (b.hash & mask) || a.i - b.i)
    .map((e) => e.key);
}
