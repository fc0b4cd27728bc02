// The json filter's options (logstash-filter-json 3.2: lib/logstash/filters/json.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, fieldRef, required, str } from '../../schemas/dsl.ts';

export const jsonSchema = defineFilter('json', 'Parse a JSON string field', {
  source: required(str()),
  target: fieldRef(),
  skip_on_invalid_json: bool(false),
  tag_on_failure: arr(['_jsonparsefailure']),
});

export type JsonFilterOptions = OptionsFor<typeof jsonSchema>;
