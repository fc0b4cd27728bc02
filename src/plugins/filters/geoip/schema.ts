// The geoip filter's options (logstash-filter-geoip 7.3/8.0 `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, num, oneOf, path, required, str } from '../../schemas/dsl.ts';

export const geoipSchema = defineFilter('geoip', 'Add geographical information about an IP address', {
  source: required(str()),
  target: str(),
  database: path(),
  default_database_type: oneOf(['City', 'ASN'], 'City'),
  fields: arr(),
  cache_size: num(1000),
  tag_on_failure: arr(['_geoip_lookup_failure']),
});

export type GeoipFilterOptions = OptionsFor<typeof geoipSchema>;
