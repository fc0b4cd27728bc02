// Event values as Logstash's Jackson writes them: @timestamp as its ISO string, Float as Java's
// Double.toString (`1.0`, `1.0E20`), bigint exact, non-ASCII raw. Hot path of json_lines: one
// string built by concatenation, no intermediate objects.
import { Timestamp } from './timestamp.ts';
import { Float, type FieldMap, type FieldValue, javaDoubleToString } from './values.ts';

export function jsonValue(v: FieldValue | undefined): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (Number.isInteger(v)) return String(v);
      return Number.isFinite(v) ? javaDoubleToString(v) : `"${javaDoubleToString(v)}"`;
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (v === null) return 'null';
  if (v instanceof Float) {
    return Number.isFinite(v.value) ? javaDoubleToString(v.value) : `"${javaDoubleToString(v.value)}"`;
  }
  if (v instanceof Timestamp) return `"${v.toString()}"`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = '[' + jsonValue(v[0]);
    for (let i = 1; i < v.length; i++) s += ',' + jsonValue(v[i]);
    return s + ']';
  }
  return jsonMap(v);
}

const keyCache = new Map<string, string>();

/** Field names repeat on every event: their quoted form is computed once (shared by every JSON writer). */
export function quotedKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (keyCache.size < 50_000) keyCache.set(k, q);
  }
  return q;
}

export function jsonMap(m: FieldMap): string {
  let s = '{';
  let first = true;
  for (const k in m) {
    if (!Object.prototype.hasOwnProperty.call(m, k)) continue;
    s += (first ? '' : ',') + quotedKey(k) + ':' + jsonValue(m[k]);
    first = false;
  }
  return s + '}';
}
