// The bytes filter's options (logstash-filter-bytes 1.0: lib/logstash/filters/bytes.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, str } from '../../schemas/dsl.ts';

export const bytesSchema = defineFilter('bytes', 'Parse storage sizes such as "123 MB" into bytes', {
  source: str('message'),
  target: str(),
  prefix_system: str('binary'),
  digit_group_separator: str(' '),
  decimal_separator: str('.'),
  tag_on_failure: arr(['_bytesparsefailure']),
});

export type BytesFilterOptions = OptionsFor<typeof bytesSchema>;
