// Event values as JSON text for the Ruby side and back. JSON has no Timestamp, no 1.0-vs-1 in
// JavaScript and no NaN: Timestamps travel as {"\u0000t": [seconds, nanos]}, floats with a fraction
// or `.0` (Ruby's JSON reads them as Float, flowstash's parser as Float), non-finite floats as
// {"\u0000f": "NaN"}. The tags cannot collide with a field: Logstash field names never hold NUL
// in practice, and a hash of exactly that one key is the only thing read as a tag.
import { quotedKey } from '../../../event/json.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';

const TIMESTAMP_TAG = '\u0000t';
const FLOAT_TAG = '\u0000f';

function floatText(x: number): string {
  if (!Number.isFinite(x)) return `{"\\u0000f":"${Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity'}"}`;
  const s = String(x);
  return /[.e]/.test(s) ? s : s + '.0';
}

/** Writes values; `nested` is set when a tagged value other than the top-level @timestamp was written. */
export class WireWriter {
  nested = false;

  /** An event's fields: a top-level @timestamp is the one Timestamp Ruby converts without a walk. */
  event(data: FieldMap): string {
    let s = '{';
    let first = true;
    for (const k in data) {
      if (!Object.prototype.hasOwnProperty.call(data, k)) continue;
      const v = data[k];
      const text = k === '@timestamp' && v instanceof Timestamp ? `{"\\u0000t":[${v.seconds},${v.nanos}]}` : this.value(v);
      s += (first ? '' : ',') + quotedKey(k) + ':' + text;
      first = false;
    }
    return s + '}';
  }

  value(v: FieldValue | undefined): string {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        if (Number.isInteger(v)) return String(v);
        if (!Number.isFinite(v)) this.nested = true;
        return floatText(v);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return 'null';
    }
    if (v === null) return 'null';
    if (v instanceof Float) {
      if (!Number.isFinite(v.value)) this.nested = true;
      return floatText(v.value);
    }
    if (v instanceof Timestamp) {
      this.nested = true;
      return `{"\\u0000t":[${v.seconds},${v.nanos}]}`;
    }
    if (Array.isArray(v)) {
      let s = '[';
      for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + this.value(v[i]);
      return s + ']';
    }
    return this.map(v);
  }

  map(m: FieldMap): string {
    let s = '{';
    let first = true;
    for (const k in m) {
      if (!Object.prototype.hasOwnProperty.call(m, k)) continue;
      s += (first ? '' : ',') + quotedKey(k) + ':' + this.value(m[k]);
      first = false;
    }
    return s + '}';
  }
}

/** Turns the tagged objects of a parsed reply back into Timestamps and floats (in place for maps). */
export function fromWire(v: FieldValue): FieldValue {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromWire(v[i]!);
    return v;
  }
  if (!isFieldMap(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const ts = v[TIMESTAMP_TAG];
    if (Array.isArray(ts)) return new Timestamp(Number(ts[0]), Number(ts[1]));
    const f = v[FLOAT_TAG];
    if (typeof f === 'string') return new Float(Number(f));
  }
  for (const k of keys) v[k] = fromWire(v[k]!);
  return v;
}
