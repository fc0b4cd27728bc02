// The elapsed filter's options (logstash-filter-elapsed 4.1: lib/logstash/filters/elapsed.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { bool, num, oneOf, required, str } from '../../schemas/dsl.ts';

export const elapsedSchema = defineFilter('elapsed', 'Time between a start and an end event of the same task', {
  start_tag: required(str()),
  end_tag: required(str()),
  unique_id_field: required(str()),
  timeout: num(1800),
  new_event_on_match: bool(false),
  keep_start_event: oneOf(['first', 'last'], 'first'),
});

export type ElapsedFilterOptions = OptionsFor<typeof elapsedSchema>;
