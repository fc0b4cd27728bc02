// The useragent filter's options (logstash-filter-useragent 3.3 `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { num, required, str } from '../../schemas/dsl.ts';

export const useragentSchema = defineFilter('useragent', 'Parse user agent strings', {
  source: required(str()),
  target: str(),
  regexes: str(),
  lru_cache_size: num(100000),
  prefix: str(''),
});

export type UseragentFilterOptions = OptionsFor<typeof useragentSchema>;
