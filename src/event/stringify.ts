// A field value as text, the way Logstash's sprintf and event.to_s print it: strings raw, Ruby
// number formatting, lists joined with "," (nil → ""), hashes as JSON, timestamps ISO.
import { Timestamp } from './timestamp.ts';
import { Float, type FieldValue, rubyFloatToString } from './values.ts';
import { jsonMap } from './json.ts';

export function valueToString(v: FieldValue | undefined): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isInteger(v) ? String(v) : rubyFloatToString(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '';
  }
  if (v === null) return '';
  if (v instanceof Float) return rubyFloatToString(v.value);
  if (v instanceof Timestamp) return v.toString();
  if (Array.isArray(v)) return v.map(valueToString).join(',');
  return jsonMap(v);
}

/** Java's toString of a converted value (what event.to_s shows for a map-valued host): `{k=v, l=[a, b]}`. */
export function javaToString(v: FieldValue | undefined): string {
  if (Array.isArray(v)) return '[' + v.map(javaToString).join(', ') + ']';
  if (v !== null && typeof v === 'object' && !(v instanceof Float) && !(v instanceof Timestamp)) {
    return '{' + Object.keys(v).map((k) => `${k}=${javaToString(v[k])}`).join(', ') + '}';
  }
  return v === null || v === undefined ? 'null' : valueToString(v);
}
