// What `to_s` and `inspect` give for event values inside JRuby, which the fingerprint filter hashes:
// strings raw (inspect: quoted and escaped), nil "" (inspect "nil"), Ruby number formatting, arrays
// `["a", 1]`, hashes `{"k"=>"v"}` (Ruby 3.1 style, as JRuby 9.4 prints them). Timestamps print as
// Logstash 8's Timestamp#to_s (java.time.Instant: no fraction for whole seconds, else 3, 6 or 9
// digits); the filter refines that to three decimals for whole seconds, which reaches its OpenSSL
// digests but not its murmur hashes (spec/filters/fingerprint_spec.rb "Timestamps" pins both).
import { rubyInspectString } from '../../../event/ruby-inspect.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { type FieldValue, isFieldMap } from '../../../event/values.ts';

/** java.time.Instant#toString; `minimumDecimals` 3 gives the filter's refined form. */
export function instantText(ts: Timestamp, minimumDecimals: 0 | 3 = 0): string {
  const seconds = new Date(ts.seconds * 1000).toISOString().slice(0, 19);
  const n = ts.nanos;
  const digits = n === 0 ? minimumDecimals : n % 1_000_000 === 0 ? 3 : n % 1000 === 0 ? 6 : 9;
  return digits === 0 ? `${seconds}Z` : `${seconds}.${String(n).padStart(9, '0').slice(0, digits)}Z`;
}

/** Ruby's to_s; `refined` applies the filter's three-decimal timestamp refinement. */
export function rubyToS(v: FieldValue | undefined, refined = false): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Timestamp) return instantText(v, refined ? 3 : 0);
  if (Array.isArray(v) || isFieldMap(v)) return rubyInspect(v);
  return valueToString(v);
}

export function rubyInspect(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return rubyInspectString(v);
  if (Array.isArray(v)) return '[' + v.map(rubyInspect).join(', ') + ']';
  if (isFieldMap(v)) return '{' + Object.keys(v).map((k) => `${rubyInspectString(k)}=>${rubyInspect(v[k])}`).join(', ') + '}';
  if (v instanceof Timestamp) return instantText(v);
  return valueToString(v);
}
