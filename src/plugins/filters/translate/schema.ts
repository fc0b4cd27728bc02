// The translate filter's options (logstash-filter-translate 3.5: `source`/`target` with the deprecated
// `field`/`destination`, a dictionary hash or file, exact/regex/fuzzy matching, iterate_on, refresh).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { bool, deprecated, hash, num, oneOf, path, str } from '../../schemas/dsl.ts';

export const translateSchema = defineFilter('translate', 'Replace field contents with values from a dictionary', {
  source: str(),
  field: deprecated(str(), 'Use `source` instead.'),
  // No default: `translation` with ECS disabled, the source field itself in ECS mode (set at create).
  target: str(),
  destination: deprecated(str(), 'Use `target` instead.'),
  dictionary: hash({}),
  dictionary_path: path(),
  refresh_interval: num(300),
  refresh_behaviour: oneOf(['merge', 'replace'], 'merge'),
  exact: bool(true),
  regex: bool(false),
  // No default: true for in-place translation (target == source), false otherwise.
  override: bool(),
  fallback: str(),
  iterate_on: str(),
  yaml_dictionary_code_point_limit: num(),
  yaml_load_strategy: oneOf(['one_shot', 'streaming'], 'one_shot'),
});

export type TranslateOptions = OptionsFor<typeof translateSchema>;
