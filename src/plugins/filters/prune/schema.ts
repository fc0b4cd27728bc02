// The prune filter's options (logstash-filter-prune 3.0: lib/logstash/filters/prune.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, hash } from '../../schemas/dsl.ts';

export const pruneSchema = defineFilter('prune', 'Remove fields by name or value lists', {
  interpolate: bool(false),
  whitelist_names: arr([]),
  blacklist_names: arr(['%\\{[^}]+\\}']),
  whitelist_values: hash({}),
  blacklist_values: hash({}),
});

export type PruneFilterOptions = OptionsFor<typeof pruneSchema>;
