// The kv filter's options (logstash-filter-kv 4.7: lib/logstash/filters/kv.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, hash, list, num, oneOf, str } from '../../schemas/dsl.ts';

const TRANSFORMS = ['lowercase', 'uppercase', 'capitalize'] as const;

export const kvSchema = defineFilter('kv', 'Parse key=value pairs', {
  source: str('message'),
  target: str(),
  field_split: str(' '),
  field_split_pattern: str(),
  value_split: str('='),
  value_split_pattern: str(),
  include_brackets: bool(true),
  include_keys: arr([]),
  exclude_keys: arr([]),
  default_keys: hash({}),
  allow_duplicate_values: bool(true),
  allow_empty_values: bool(false),
  prefix: str(''),
  recursive: bool(false),
  remove_char_key: str(),
  remove_char_value: str(),
  trim_key: str(),
  trim_value: str(),
  transform_key: oneOf(TRANSFORMS),
  transform_value: oneOf(TRANSFORMS),
  whitespace: oneOf(['lenient', 'strict'], 'lenient'),
  tag_on_failure: list(str('_kv_filter_error')),
  tag_on_timeout: list(str('_kv_filter_timeout')),
  timeout_millis: num(30000),
});

export type KvFilterOptions = OptionsFor<typeof kvSchema>;
