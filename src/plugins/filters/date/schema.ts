// The date filter's options (Logstash's `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, str } from '../../schemas/dsl.ts';

export const dateSchema = defineFilter('date', 'Parse dates from fields into @timestamp', {
  match: arr([]),
  locale: str(),
  target: str('@timestamp'),
  timezone: str(),
  tag_on_failure: arr(['_dateparsefailure']),
});

export type DateFilterOptions = OptionsFor<typeof dateSchema>;
