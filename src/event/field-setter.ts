// Writers for one field reference, compiled to their own JavaScript functions (as field-getter.ts
// does for reads): Event.setPath, addValue and removePath walk any path with one shared loop, whose
// property loads and stores see every key of every pipeline and go megamorphic; a function per path
// gives each access its own inline cache. Same effects as those methods: anything unusual on the
// way (a list, a value that is not a map) is handed to them, from the start of the path.
import type { Event } from './event.ts';
import { Float, type FieldValue } from './values.ts';
import { Timestamp } from './timestamp.ts';
import { perPath } from './per-path-cache.ts';

/** event.setPath(path, value). */
export type FieldSetter = (event: Event, value: FieldValue) => void;
/** event.addValue(path, value). */
export type FieldAdder = (event: Event, value: FieldValue) => void;
/** event.removePath(path). */
export type FieldRemover = (event: Event) => FieldValue | undefined;

/**
 * Paths the generated code covers: the reserved fields' checks (tags' strings, @timestamp's type,
 * the @metadata map itself) stay in setPath/addValue, and so does `__proto__`.
 */
function compilable(path: readonly string[]): boolean {
  if (path.length === 0 || path[0] === 'tags' || path.includes('__proto__')) return false;
  return path.length > 1 || (path[0] !== '@metadata' && path[0] !== '@timestamp');
}

/**
 * The walk to the parent map, creating missing (or nil) maps on the way as setIn's descend does.
 * Leaves `c` at the parent; returns to the generic `fallback` on a list or a value that is not a map.
 */
function walkToParent(keys: readonly string[], fallback: string): string {
  let body = '';
  for (let i = 0; i < keys.length - 1; i++) {
    // A function is Object.prototype's (field values never are): no own field, as with ownField.
    body += `n = c[${JSON.stringify(keys[i])}];\n`;
    body += 'if (n === undefined || n === null || typeof n === "function") {\n';
    body += `  n = {};\n  c[${JSON.stringify(keys[i])}] = n;\n`;
    body += `} else if (typeof n !== "object" || Array.isArray(n) || n instanceof Float || n instanceof Timestamp) return ${fallback};\n`;
    body += 'c = n;\n';
  }
  return body;
}

function build<F>(name: string, path: readonly string[], lastStep: (key: string) => string, fallback: string): F {
  const metadata = path[0] === '@metadata';
  const keys = metadata ? path.slice(1) : path;
  let body = `let c = e.${metadata ? 'metadata' : 'data'}, n;\n`;
  body += walkToParent(keys, fallback);
  body += lastStep(JSON.stringify(keys[keys.length - 1]));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one function (one inline cache per access) per path
  const factory = new Function('P', 'Float', 'Timestamp', `return function ${name}(e, v) {\n${body}\n};`) as (
    p: readonly string[],
    f: typeof Float,
    t: typeof Timestamp,
  ) => F;
  return factory(path, Float, Timestamp);
}

const setters = new Map<string, FieldSetter>();
const adders = new Map<string, FieldAdder>();
const removers = new Map<string, FieldRemover>();
/** setPath(path, value) as a function of the event; `path` is a parsed reference (parseFieldReference). */
export function compileFieldSetter(path: readonly string[]): FieldSetter {
  return perPath(setters, path, buildSetter);
}

/** addValue(path, value) as a function of the event: set when absent, else appended (a single value becoming a list). */
export function compileFieldAdder(path: readonly string[]): FieldAdder {
  return perPath(adders, path, buildAdder);
}

/** removePath(path) as a function of the event: the removed value, undefined when there was none. */
export function compileFieldRemover(path: readonly string[]): FieldRemover {
  return perPath(removers, path, buildRemover);
}

function buildSetter(path: readonly string[]): FieldSetter {
  if (!compilable(path)) {
    return (event, value) => event.setPath(path, value);
  }
  return build<FieldSetter>('setField', path, (key) => `c[${key}] = v;`, 'e.setPath(P, v)');
}

function buildAdder(path: readonly string[]): FieldAdder {
  if (!compilable(path)) {
    return (event, value) => event.addValue(path, value);
  }
  return build<FieldAdder>(
    'addField',
    path,
    (key) =>
      `n = c[${key}];\n` +
      `if (n === undefined || typeof n === "function") c[${key}] = v;\n` +
      'else if (Array.isArray(n)) n.push(v);\n' +
      `else c[${key}] = [n, v];`,
    'e.addValue(P, v)',
  );
}

const hasOwn = Object.prototype.hasOwnProperty;

function buildRemover(path: readonly string[]): FieldRemover {
  // A top-level field is removed by rebuilding the map (removePath); lists are spliced there.
  const metadata = path[0] === '@metadata';
  if (path.length < 2 || path.includes('__proto__')) return (event) => event.removePath(path);
  const keys = metadata ? path.slice(1) : path;
  let body = `let c = e.${metadata ? 'metadata' : 'data'}, n;\n`;
  for (let i = 0; i < keys.length - 1; i++) {
    // walk()'s steps: own fields only; not into scalars, nil, Floats or Timestamps.
    body += `n = c[${JSON.stringify(keys[i])}];\n`;
    body += 'if (n === undefined || n === null || typeof n !== "object") return undefined;\n';
    body += 'if (Array.isArray(n)) return e.removePath(P);\n';
    body += 'if (n instanceof Float || n instanceof Timestamp) return undefined;\n';
    body += 'c = n;\n';
  }
  const last = JSON.stringify(keys[keys.length - 1]);
  body += `if (!H.call(c, ${last})) return undefined;\nn = c[${last}];\ndelete c[${last}];\nreturn n;`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one function (one inline cache per access) per path
  const factory = new Function('P', 'Float', 'Timestamp', 'H', `return function removeField(e) {\n${body}\n};`) as (
    p: readonly string[],
    f: typeof Float,
    t: typeof Timestamp,
    h: typeof hasOwn,
  ) => FieldRemover;
  return factory(path, Float, Timestamp, hasOwn);
}
