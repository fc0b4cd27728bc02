// The de_dot filter's options (logstash-filter-de_dot 1.1: lib/logstash/filters/de_dot.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, str } from '../../schemas/dsl.ts';

export const deDotSchema = defineFilter('de_dot', 'Replace dots in field names', {
  separator: str('_'),
  nested: bool(false),
  recursive: bool(false),
  fields: arr(),
});

export type DeDotFilterOptions = OptionsFor<typeof deDotSchema>;
