// What `to_s` and `inspect` give for event values inside JRuby, which the fingerprint filter hashes:
// strings raw (inspect: quoted and escaped), nil "" (inspect "nil"), Ruby number formatting, arrays
// `["a", 1]`, hashes `{"k"=>"v"}` (Ruby 3.1 style, as JRuby 9.4 prints them). Timestamps print as
// Logstash 8's Timestamp#to_s (java.time.Instant: no fraction for whole seconds, else 3, 6 or 9
// digits); the filter refines that to three decimals for whole seconds, which reaches its OpenSSL
// digests but not its murmur hashes (spec/filters/fingerprint_spec.rb "Timestamps" pins both).
import { instantText, rubyInspect } from '../../../event/ruby-inspect.ts';
import { valueToString } from '../../../event/stringify.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { type FieldValue, isFieldMap } from '../../../event/values.ts';

/** Ruby's to_s; `refined` applies the filter's three-decimal timestamp refinement. */
export function rubyToS(v: FieldValue | undefined, refined = false): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Timestamp) return instantText(v, refined ? 3 : 0);
  if (Array.isArray(v) || isFieldMap(v)) return rubyInspect(v);
  return valueToString(v);
}
