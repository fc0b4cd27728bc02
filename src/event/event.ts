// A Logstash event: ordered fields (insertion order is output order), a separate @metadata map,
// and @timestamp/@version maintained like Logstash's Event. Field references follow Logstash's
// strict grammar (fieldref.ts); the reserved fields (@timestamp, tags) are type-checked like
// Logstash checks them, with its messages.
import { Timestamp } from './timestamp.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap, rubyClassName, setOwn } from './values.ts';
import { parseIso8601 } from './datetime-pattern.ts';
import { UTC } from './timezone.ts';
import { parseFieldReference, toReference as pathToReference } from './fieldref.ts';
import { javaToString, valueToString } from './stringify.ts';
import { compileFieldSetter, type FieldSetter } from './field-setter.ts';
import { compileFieldGetter, type FieldGetter } from './field-getter.ts';

/** Thrown when a set cannot be made (scalar in the path, bad tags, non-Timestamp @timestamp). */
export class FieldSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSetError';
  }
}

export class Event {
  /** Top-level fields, including @timestamp and @version, in the order they were set. */
  data: FieldMap;
  metadata: FieldMap;
  cancelled = false;
  /** The event's place in its worker batch: outputs get a batch in this order even when filters waited on I/O. */
  seq = 0;

  /**
   * Builds an event from a plain map. Without @timestamp it gets now(); without @version, "1".
   * The given object is adopted, not copied (hot path: the netflow codec builds it fresh).
   */
  constructor(data: FieldMap = {}, metadata: FieldMap = {}) {
    const hasTimestamp = data['@timestamp'] instanceof Timestamp;
    if (!hasTimestamp || data['@version'] === undefined) {
      // Rebuild so @timestamp and @version lead, as in Logstash's output.
      const rest = data;
      data = { '@timestamp': hasTimestamp ? rest['@timestamp']! : Timestamp.now(), '@version': rest['@version'] ?? '1' };
      for (const k of Object.keys(rest)) if (k !== '@timestamp' && k !== '@version') setOwn(data, k, rest[k]!);
    }
    this.data = data;
    this.metadata = metadata;
  }

  /**
   * An event from decoded data (json codecs), checked like Logstash's Event(Map): a string
   * @timestamp is parsed (unparseable → `_timestampparsefailure`, original kept in `_@timestamp`),
   * a map in tags moves to `_tags` with `_tagsparsefailure`; `@metadata` becomes the metadata.
   */
  static fromParsed(map: FieldMap): Event {
    const data: FieldMap = {};
    let metadata: FieldMap = {};
    const failures: string[] = [];
    const rawTs = map['@timestamp'];
    if (rawTs !== undefined) {
      const ts = rawTs instanceof Timestamp ? rawTs : typeof rawTs === 'string' ? parseIso8601(rawTs, UTC, true) : undefined;
      if (ts) data['@timestamp'] = ts;
      else {
        data['@timestamp'] = Timestamp.now();
        failures.push('_timestampparsefailure');
      }
    }
    for (const k of Object.keys(map)) {
      const v = map[k]!;
      if (k === '@timestamp') {
        if (failures.includes('_timestampparsefailure')) setOwn(data, '_@timestamp', v);
      } else if (k === '@metadata' && isFieldMap(v)) {
        metadata = v;
      } else if (k === 'tags' && !(typeof v === 'string' || (Array.isArray(v) && v.every((t) => typeof t === 'string')))) {
        setOwn(data, '_tags', v);
        failures.push('_tagsparsefailure');
      } else {
        setOwn(data, k, v);
      }
    }
    const event = new Event(data, metadata);
    for (const f of failures) event.tag(f);
    return event;
  }

  get timestamp(): Timestamp {
    return this.data['@timestamp'] as Timestamp;
  }

  set timestamp(ts: Timestamp) {
    this.data['@timestamp'] = ts;
  }

  /** Reads a field by reference (`name`, `[a][b]`, `[list][-1]`); undefined when absent. */
  get(ref: string): FieldValue | undefined {
    const known = getters.get(ref);
    if (typeof known === 'function') return known(this);
    const path = parseFieldReference(ref);
    countUse(getters, ref, path, known, compileFieldGetter);
    return this.getPath(path);
  }

  /** get() with the reference already parsed (parseFieldReference's path): for callers that read the same field per event. */
  getPath(path: readonly string[]): FieldValue | undefined {
    return walk(this, path, path.length);
  }

  includes(ref: string): boolean {
    return this.includesPath(parseFieldReference(ref));
  }

  /** includes() with the reference already parsed. */
  includesPath(path: readonly string[]): boolean {
    if (path.length === 1 && path[0] === '@metadata') return true;
    return walk(this, path, path.length) !== undefined;
  }

  /** Sets a field by reference, creating intermediate maps; throws FieldSetError like Logstash. */
  set(ref: string, value: FieldValue): void {
    const known = setters.get(ref);
    if (typeof known === 'function') {
      known(this, value);
      return;
    }
    const path = parseFieldReference(ref);
    countUse(setters, ref, path, known, compileFieldSetter);
    this.setPath(path, value);
  }

  /** set() with the reference already parsed. */
  setPath(path: readonly string[], value: FieldValue): void {
    const head = path[0]!;
    if (head === '@metadata') {
      if (path.length === 1) {
        if (!isFieldMap(value)) throw new FieldSetError(`wrong argument type ${rubyClassName(value)} (expected Hash)`);
        this.metadata = value;
        return;
      }
      setIn(this.metadata, path, 1, value);
      return;
    }
    if (head === '@timestamp' && path.length === 1 && !(value instanceof Timestamp)) {
      throw new FieldSetError(`wrong argument type ${rubyClassName(value)} (expected LogStash::Timestamp)`);
    }
    if (head === 'tags') checkTags(path, value);
    setIn(this.data, path, 0, value);
  }

  /** Removes a field; returns the removed value. */
  remove(ref: string): FieldValue | undefined {
    return this.removePath(parseFieldReference(ref));
  }

  /** remove() with the reference already parsed. */
  removePath(path: readonly string[]): FieldValue | undefined {
    if (path.length === 1 && path[0] === '@metadata') {
      const old = this.metadata;
      this.metadata = {};
      return old;
    }
    let parent: FieldValue | undefined;
    if (path.length === 1) {
      const data = this.data;
      const v = ownField(data, path[0]!);
      if (v === undefined) return undefined;
      this.data = withoutKey(data, path[0]!);
      return v;
    } else parent = walk(this, path, path.length - 1);
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = listIndex(last, parent.length);
      if (idx === undefined) return undefined;
      return parent.splice(idx, 1)[0];
    }
    if (typeof parent !== 'object' || parent === null) return undefined;
    // The own-key test first: most removals miss; a Float or Timestamp has own keys too.
    if (hasOwn.call(parent, last) && !(parent instanceof Float) && !(parent instanceof Timestamp)) {
      const v = (parent as FieldMap)[last]!;
      delete parent[last];
      return v;
    }
    return undefined;
  }

  /**
   * One add_field value (filters/base.rb): set when the field is absent, else appended, a single
   * existing value (nil too) becoming a list. The reserved fields take set()'s checks.
   */
  addValue(path: readonly string[], value: FieldValue): void {
    const head = path[0]!;
    if (head !== 'tags' && (path.length > 1 || (head !== '@metadata' && head !== '@timestamp'))) {
      // One walk: to the parent map, where the value is read and stored.
      const parent = path.length === 1 ? this.data : walk(this, path, path.length - 1);
      if (isFieldMap(parent)) {
        const last = path[path.length - 1]!;
        const existing = ownField(parent, last);
        if (existing === undefined) setOwn(parent, last, value);
        else if (Array.isArray(existing)) existing.push(value);
        else setOwn(parent, last, [existing, value]);
        return;
      }
      // No parent, so no field: set() creates the parents.
      if (parent === undefined) {
        this.setPath(path, value);
        return;
      }
    }
    const existing = this.getPath(path);
    if (existing === undefined) this.setPath(path, value);
    else {
      const list: FieldValue[] = Array.isArray(existing) ? existing : [existing];
      list.push(value);
      this.setPath(path, list);
    }
  }

  /** Adds a tag unless present (Logstash's event.tag). */
  tag(name: string): void {
    const tags = this.data['tags'];
    if (tags === undefined || tags === null) this.data['tags'] = [name];
    else if (Array.isArray(tags)) {
      if (!tags.includes(name)) tags.push(name);
    } else if (tags !== name) this.data['tags'] = [tags, name];
  }

  clone(): Event {
    return new Event(deepClone(this.data) as FieldMap, deepClone(this.metadata) as FieldMap);
  }

  /** The event's data without @metadata, as outputs serialise it. */
  toObject(): FieldMap {
    return this.data;
  }

  /** Logstash's event.to_s: `<@timestamp> <host> <message>`, missing parts left as `%{host}`. */
  toString(): string {
    const host = this.data['host'];
    const message = this.data['message'];
    const ts = this.data['@timestamp'];
    return (
      `${ts === undefined || ts === null ? '%{@timestamp}' : valueToString(ts)} ` +
      `${host === undefined || host === null ? '%{host}' : javaToString(host)} ` +
      `${message === undefined || message === null ? '%{message}' : javaToString(message)}`
    );
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * get()'s and set()'s references: how often each was used, then (from the USES_BEFORE_COMPILING-th
 * use on) its compiled getter or setter. Plugins use the same few references per event; a
 * reference made per event (sprintf'd names) is not worth a compiled function.
 */
const getters = new Map<string, FieldGetter | number>();
const setters = new Map<string, FieldSetter | number>();
const USES_BEFORE_COMPILING = 8;
const COMPILED_LIMIT = 10_000;

/** One more use of `ref` (`seen` uses so far): counted, or from the USES_BEFORE_COMPILING-th use on, compiled. */
function countUse<F>(table: Map<string, F | number>, ref: string, path: readonly string[], seen: number | undefined, compile: (path: readonly string[]) => F): void {
  const n = (seen ?? 0) + 1;
  if (table.size >= COMPILED_LIMIT) table.clear();
  table.set(ref, n >= USES_BEFORE_COMPILING ? compile(path) : n);
}

/**
 * map[key] when it is the map's own field, in one lookup: field values are never functions, so a
 * function is Object.prototype's; `__proto__` is the one inherited non-function.
 */
function ownField(map: FieldMap, key: string): FieldValue | undefined {
  const v: FieldValue | undefined = map[key];
  if (v === undefined || typeof v === 'function') return undefined;
  if (key === '__proto__' && !hasOwn.call(map, key)) return undefined;
  return v;
}

/**
 * A copy of the map without `key`, in the same order. The top level is rebuilt rather than given a
 * `delete`: V8 turns an object that loses a property other than its last into a hash table (all
 * its properties copied), and every field added later grows that table.
 */
function withoutKey(map: FieldMap, key: string): FieldMap {
  const out: FieldMap = {};
  for (const k in map) if (k !== key && hasOwn.call(map, k)) setOwn(out, k, map[k]!);
  return out;
}

/** The value at the first `end` keys of the path (get's walk; remove's walk to the parent). */
function walk(event: Event, path: readonly string[], end: number): FieldValue | undefined {
  let cur: FieldValue | undefined;
  let i = 0;
  if (path[0] === '@metadata') {
    cur = event.metadata;
    i = 1;
  } else {
    cur = event.data;
  }
  for (; i < end; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    const key = path[i]!;
    if (Array.isArray(cur)) {
      const idx = listIndex(key, cur.length);
      cur = idx === undefined ? undefined : cur[idx];
    } else {
      const next = ownField(cur as FieldMap, key);
      // Checked on a hit only (most steps miss): a Float or Timestamp has properties, not fields.
      if (next === undefined || cur instanceof Float || cur instanceof Timestamp) return undefined;
      cur = next;
    }
  }
  return cur;
}

function listIndex(key: string, length: number): number | undefined {
  if (!/^-?\d+$/.test(key)) return undefined;
  let idx = Number(key);
  if (idx < 0) idx += length;
  return idx >= 0 && idx < length ? idx : undefined;
}

function typeConflict(key: string, on: FieldValue, value: FieldValue): FieldSetError {
  return new FieldSetError(
    `Could not set field '${key}' on object '${valueToString(on)}' to value '${valueToString(value)}'.` +
      'This is probably due to trying to set a field like [foo][bar] = someValue' +
      'when [foo] is not either a map or a string',
  );
}

function setIn(root: FieldMap, path: readonly string[], from: number, value: FieldValue): void {
  let cur: FieldMap | FieldValue[] = root;
  for (let i = from; i < path.length; i++) {
    const key = path[i]!;
    const isLast = i === path.length - 1;
    if (Array.isArray(cur)) {
      if (!/^-?\d+$/.test(key)) throw typeConflict(key, cur, value);
      let idx = Number(key);
      if (idx < 0) idx += cur.length;
      if (idx < 0) throw typeConflict(key, cur, value);
      while (cur.length < idx) cur.push(null);
      if (isLast) {
        cur[idx] = value;
        return;
      }
      cur = descend(cur, idx, path[i + 1]!, value);
    } else {
      if (isLast) {
        setOwn(cur, key, value);
        return;
      }
      cur = descend(cur, key, path[i + 1]!, value);
    }
  }
}

function descend(
  container: FieldMap | FieldValue[],
  key: string | number,
  nextKey: string,
  value: FieldValue,
): FieldMap | FieldValue[] {
  // Own properties only: `[constructor][x]` must not find Object.prototype.constructor.
  const next = typeof key === 'number' ? (container as FieldValue[])[key] : ownField(container as FieldMap, key);
  if (next === undefined || next === null) {
    const created: FieldMap = {};
    if (typeof key === 'string') setOwn(container as FieldMap, key, created);
    else (container as FieldValue[])[key] = created;
    return created;
  }
  if (Array.isArray(next) || isFieldMap(next)) return next;
  throw typeConflict(nextKey, next, value);
}

function checkTags(path: readonly string[], value: FieldValue): void {
  const ok =
    path.length === 1
      ? typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      : path.length === 2 && /^-?\d+$/.test(path[1]!) && typeof value === 'string';
  if (!ok) {
    throw new FieldSetError(
      `Could not set the reserved tags field '${pathToReference(path)}' to value '${valueToString(value)}'. ` +
        'The tags field only accepts string or array of string.',
    );
  }
}

export function deepClone(v: FieldValue): FieldValue {
  if (Array.isArray(v)) return v.map(deepClone);
  if (isFieldMap(v)) {
    const out: FieldMap = {};
    for (const k of Object.keys(v)) setOwn(out, k, deepClone(v[k]!));
    return out;
  }
  return v;
}

/**
 * `name` → ['name'] (dots are literal); `[a][b]` → ['a','b']; invalid references throw
 * `Invalid FieldReference: \`…\``.
 */
export function parseFieldPath(ref: string): string[] {
  return [...parseFieldReference(ref)];
}

export function toReference(path: string[]): string {
  return pathToReference(path);
}
