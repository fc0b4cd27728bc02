// A Logstash event: ordered fields (insertion order is output order), a separate @metadata map,
// and @timestamp/@version maintained like Logstash's Event.
// The runtime issue owns the full field-reference grammar; this is the shared core every part uses.
import { Timestamp } from './timestamp.ts';
import { type FieldMap, type FieldValue, isFieldMap } from './values.ts';

export class Event {
  /** Top-level fields, including @timestamp and @version, in the order they were set. */
  data: FieldMap;
  metadata: FieldMap;
  cancelled = false;

  /**
   * Builds an event from a plain map. Without @timestamp it gets now(); without @version, "1".
   * The given object is adopted, not copied (hot path: the netflow codec builds it fresh).
   */
  constructor(data: FieldMap = {}, metadata: FieldMap = {}) {
    if (!(data['@timestamp'] instanceof Timestamp)) {
      const rest = data;
      data = { '@timestamp': Timestamp.now() };
      for (const k of Object.keys(rest)) if (k !== '@timestamp') data[k] = rest[k];
    }
    if (data['@version'] === undefined) data['@version'] = '1';
    this.data = data;
    this.metadata = metadata;
  }

  get timestamp(): Timestamp {
    return this.data['@timestamp'] as Timestamp;
  }

  set timestamp(ts: Timestamp) {
    this.data['@timestamp'] = ts;
  }

  /** Reads a field by reference (`name`, `[a][b]`); undefined when absent. */
  get(ref: string): FieldValue | undefined {
    const path = parseFieldPath(ref);
    let cur: FieldValue | undefined = path[0] === '@metadata' ? this.metadata : this.data;
    const start = path[0] === '@metadata' ? 1 : 0;
    for (let i = start; i < path.length; i++) {
      if (cur === undefined || cur === null) return undefined;
      const key = path[i]!;
      if (Array.isArray(cur)) {
        const idx = Number(key);
        if (!Number.isInteger(idx)) return undefined;
        cur = cur[idx < 0 ? cur.length + idx : idx];
      } else if (isFieldMap(cur)) {
        cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
      } else {
        return undefined;
      }
    }
    return cur;
  }

  includes(ref: string): boolean {
    return this.get(ref) !== undefined;
  }

  /** Sets a field by reference, creating intermediate maps. */
  set(ref: string, value: FieldValue): void {
    const path = parseFieldPath(ref);
    let cur: FieldMap | FieldValue[] = path[0] === '@metadata' ? this.metadata : this.data;
    const start = path[0] === '@metadata' ? 1 : 0;
    if (start === 1 && path.length === 1) {
      if (!isFieldMap(value)) throw new Error('Could not set [@metadata] to a non-map value');
      this.metadata = value;
      return;
    }
    for (let i = start; i < path.length - 1; i++) {
      const key = path[i]!;
      const next: FieldValue | undefined = Array.isArray(cur) ? cur[Number(key)] : cur[key];
      if (next === undefined || next === null) {
        const created: FieldMap = {};
        if (Array.isArray(cur)) cur[Number(key)] = created;
        else cur[key] = created;
        cur = created;
      } else if (Array.isArray(next) || isFieldMap(next)) {
        cur = next;
      } else {
        throw new Error(
          `Could not set field '${path[i + 1]}' on object '${String(next)}' to value '${String(value)}'.` +
            'This is probably due to trying to set a field like [foo][bar] = someValue' +
            'when [foo] is not either a map or a string',
        );
      }
    }
    const last = path[path.length - 1]!;
    if (Array.isArray(cur)) cur[Number(last)] = value;
    else cur[last] = value;
  }

  /** Removes a field; returns the removed value. */
  remove(ref: string): FieldValue | undefined {
    const path = parseFieldPath(ref);
    const parentPath = path.slice(0, -1);
    const parent = parentPath.length === 0 ? this.data : this.get(toReference(parentPath));
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = Number(last);
      if (!Number.isInteger(idx) || idx >= parent.length) return undefined;
      return parent.splice(idx, 1)[0];
    }
    if (isFieldMap(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
      const v = parent[last];
      delete parent[last];
      return v;
    }
    return undefined;
  }

  clone(): Event {
    return new Event(deepClone(this.data) as FieldMap, deepClone(this.metadata) as FieldMap);
  }

  /** The event's data without @metadata, as outputs serialise it. */
  toObject(): FieldMap {
    return this.data;
  }
}

export function deepClone(v: FieldValue): FieldValue {
  if (Array.isArray(v)) return v.map(deepClone);
  if (isFieldMap(v)) {
    const out: FieldMap = {};
    for (const k of Object.keys(v)) out[k] = deepClone(v[k]!);
    return out;
  }
  return v;
}

/** `name` → ['name'] (dots are literal); `[a][b]` → ['a','b']. Strict parsing lives in fieldref.ts (runtime). */
export function parseFieldPath(ref: string): string[] {
  if (!ref.startsWith('[')) return [ref];
  const parts: string[] = [];
  const re = /\[([^\[\]]+)\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(ref)) !== null) {
    if (m.index !== consumed) throw new Error(`Invalid FieldReference: \`${ref}\``);
    parts.push(m[1]!);
    consumed = re.lastIndex;
  }
  if (consumed !== ref.length || parts.length === 0) throw new Error(`Invalid FieldReference: \`${ref}\``);
  return parts;
}

export function toReference(path: string[]): string {
  return path.map((p) => `[${p}]`).join('');
}
