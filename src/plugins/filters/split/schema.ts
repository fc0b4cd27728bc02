// The split filter's options (logstash-filter-split 3.1: lib/logstash/filters/split.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { str } from '../../schemas/dsl.ts';

export const splitSchema = defineFilter('split', 'Split a multi-line or array field into several events', {
  field: str('message'),
  target: str(),
  terminator: str('\n'),
});

export type SplitFilterOptions = OptionsFor<typeof splitSchema>;
