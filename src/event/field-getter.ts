// A reader for one field reference, compiled to its own JavaScript function. Event.getPath walks
// any path with one shared loop, whose property loads see every key of every pipeline and go
// megamorphic; a function per path gives each load its own inline cache, and the maps of one
// pipeline's events mostly share a few shapes. Same answers as getPath: own fields only, list
// indices and anything unusual left to getPath itself.
import type { Event } from './event.ts';
import { Float, type FieldValue } from './values.ts';
import { Timestamp } from './timestamp.ts';
import { perPath } from './per-path-cache.ts';

export type FieldGetter = (event: Event) => FieldValue | undefined;

const getters = new Map<string, FieldGetter>();

/** getPath(path) as a function of the event; `path` is a parsed reference (parseFieldReference). */
export function compileFieldGetter(path: readonly string[]): FieldGetter {
  return perPath(getters, path, build);
}

function build(path: readonly string[]): FieldGetter {
  // `__proto__` is the one inherited key that is not a function: getPath's own-property check decides.
  if (path.length === 0 || path.includes('__proto__')) return (event) => event.getPath(path);
  const metadata = path[0] === '@metadata';
  const keys = metadata ? path.slice(1) : path;
  let body = `let c = e.${metadata ? 'metadata' : 'data'}, n;\n`;
  keys.forEach((k, i) => {
    // The root is always a map; deeper values may be anything.
    if (i > 0) body += 'if (typeof c !== "object" || c === null) return undefined;\nif (Array.isArray(c)) return e.getPath(P);\n';
    body += `n = c[${JSON.stringify(k)}];\nif (n === undefined) return undefined;\n`;
    body += `if (typeof n === "function"${i > 0 ? ' || c instanceof Float || c instanceof Timestamp' : ''}) return undefined;\nc = n;\n`;
  });
  body += 'return c;';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one function (one inline cache per load) per path
  const factory = new Function('P', 'Float', 'Timestamp', `return function getField(e) {\n${body}\n};`) as (
    p: readonly string[],
    f: typeof Float,
    t: typeof Timestamp,
  ) => FieldGetter;
  return factory(path, Float, Timestamp);
}
