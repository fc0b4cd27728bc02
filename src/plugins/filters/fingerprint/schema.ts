// The fingerprint filter's options (logstash-filter-fingerprint 3.4: lib/logstash/filters/fingerprint.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, oneOf, password, str } from '../../schemas/dsl.ts';

export const FINGERPRINT_METHODS = ['SHA1', 'SHA256', 'SHA384', 'SHA512', 'MD5', 'MURMUR3', 'MURMUR3_128', 'IPV4_NETWORK', 'UUID', 'PUNCTUATION'] as const;

export const fingerprintSchema = defineFilter('fingerprint', 'Fingerprint fields with a hash', {
  source: arr(['message']),
  target: str(),
  key: password(),
  base64encode: bool(false),
  concatenate_sources: bool(false),
  concatenate_all_fields: bool(false),
  method: oneOf(FINGERPRINT_METHODS, 'SHA1'),
});

export type FingerprintFilterOptions = OptionsFor<typeof fingerprintSchema>;
