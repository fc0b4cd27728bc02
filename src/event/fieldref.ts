// Logstash's strict FieldReference grammar: a bare name is one literal top-level key (dots and all);
// `[a][b]` is a path; `[[a][b]]` equals `[a][b]`; anything else (`a[b]`, `[a]b`, `[]`, `[a`, `a]`)
// is rejected with Logstash's message. Parsed paths are cached: references repeat per event.

export class FieldReferenceError extends Error {
  constructor(readonly reference: string) {
    super(`Invalid FieldReference: \`${reference}\``);
    this.name = 'FieldReferenceError';
  }
}

const cache = new Map<string, readonly string[]>();
const CACHE_LIMIT = 10_000;

/** The path of a field reference; throws FieldReferenceError for an invalid one. */
export function parseFieldReference(ref: string): readonly string[] {
  const hit = cache.get(ref);
  if (hit !== undefined) return hit;
  const path = Object.freeze(tokenize(ref));
  // Dynamic references (sprintf'd names) could grow the cache without bound.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(ref, path);
  return path;
}

function tokenize(ref: string): string[] {
  if (ref.indexOf('[') === -1 && ref.indexOf(']') === -1) return [ref];
  const tokens: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c === 0x5b /* [ */) {
      if (i !== start) throw new FieldReferenceError(ref);
      depth++;
      start = i + 1;
    } else if (c === 0x5d /* ] */) {
      if (depth === 0) throw new FieldReferenceError(ref);
      if (i === start) {
        // `]]` closes an outer group ([[a][b]]); `[]` is an empty name.
        if (ref.charCodeAt(i - 1) !== 0x5d) throw new FieldReferenceError(ref);
      } else {
        tokens.push(ref.slice(start, i));
      }
      depth--;
      start = i + 1;
    }
  }
  if (depth !== 0 || start !== ref.length || tokens.length === 0) throw new FieldReferenceError(ref);
  return tokens;
}

/** `['a','b']` → `[a][b]`. */
export function toReference(path: readonly string[]): string {
  let s = '';
  for (const p of path) s += `[${p}]`;
  return s;
}

/** True when the reference parses. */
export function isValidFieldReference(ref: string): boolean {
  try {
    parseFieldReference(ref);
    return true;
  } catch {
    return false;
  }
}
