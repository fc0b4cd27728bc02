// The functions compiled per field path (field-getter.ts, field-setter.ts) kept by path, bounded.
const CACHE_LIMIT = 10_000;

/** make(path) once per path (a full cache starts over: references made per event stay bounded). */
export function perPath<F>(cache: Map<string, F>, path: readonly string[], make: (path: readonly string[]) => F): F {
  // (Not toReference: ['a', 'b'] and ['a][b'] would share `[a][b]`.)
  const key = JSON.stringify(path);
  let f = cache.get(key);
  if (f === undefined) {
    f = make(path);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, f);
  }
  return f;
}
