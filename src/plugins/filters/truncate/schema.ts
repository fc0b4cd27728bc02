// The truncate filter's options (logstash-filter-truncate 1.0: lib/logstash/filters/truncate.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { list, num, required, str } from '../../schemas/dsl.ts';

export const truncateSchema = defineFilter('truncate', 'Truncate fields longer than a number of bytes', {
  fields: list(str()),
  length_bytes: required(num()),
});

export type TruncateFilterOptions = OptionsFor<typeof truncateSchema>;
