// The dissect filter's options (logstash-filter-dissect 1.2: lib/logstash/filters/dissect.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, hash } from '../../schemas/dsl.ts';

export const dissectSchema = defineFilter('dissect', 'Extract fields by delimiters', {
  mapping: hash({}),
  convert_datatype: hash({}),
  tag_on_failure: arr(['_dissectfailure']),
});

export type DissectFilterOptions = OptionsFor<typeof dissectSchema>;
