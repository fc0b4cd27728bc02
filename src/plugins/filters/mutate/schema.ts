// The mutate filter's options (Logstash's `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, hash, str } from '../../schemas/dsl.ts';

export const mutateSchema = defineFilter('mutate', 'Rename, remove, replace and modify fields', {
  convert: hash(),
  copy: hash(),
  gsub: arr(),
  join: hash(),
  lowercase: arr(),
  uppercase: arr(),
  capitalize: arr(),
  merge: hash(),
  coerce: hash(),
  rename: hash(),
  replace: hash(),
  split: hash(),
  strip: arr(),
  update: hash(),
  tag_on_failure: str('_mutate_error'),
});

export type MutateFilterOptions = OptionsFor<typeof mutateSchema>;
