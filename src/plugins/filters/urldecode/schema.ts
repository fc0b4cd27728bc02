// The urldecode filter's options (logstash-filter-urldecode 3.0: lib/logstash/filters/urldecode.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, str } from '../../schemas/dsl.ts';

export const urldecodeSchema = defineFilter('urldecode', 'Decode URL-encoded fields', {
  field: str('message'),
  all_fields: bool(false),
  tag_on_failure: arr(['_urldecodefailure']),
  charset: str('UTF-8'),
});

export type UrldecodeFilterOptions = OptionsFor<typeof urldecodeSchema>;
