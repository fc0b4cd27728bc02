// The grok filter's options (logstash-filter-grok 4.4: `config :name, :validate => …`).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, hash, num, oneOf, str } from '../../schemas/dsl.ts';

export const grokSchema = defineFilter('grok', 'Parse unstructured text into fields with grok patterns', {
  match: hash({}),
  pattern_definitions: hash({}),
  patterns_dir: arr([]),
  patterns_files_glob: str('*'),
  break_on_match: bool(true),
  keep_empty_captures: bool(false),
  named_captures_only: bool(true),
  overwrite: arr([]),
  tag_on_failure: arr(['_grokparsefailure']),
  tag_on_timeout: str('_groktimeout'),
  timeout_millis: num(30000),
  timeout_scope: oneOf(['pattern', 'event'], 'pattern'),
  target: str(),
});

export type GrokFilterOptions = OptionsFor<typeof grokSchema>;
