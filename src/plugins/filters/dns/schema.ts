// The dns filter's options (logstash-filter-dns 3.2 `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { any, arr, num, oneOf } from '../../schemas/dsl.ts';

export const dnsSchema = defineFilter('dns', 'Forward or reverse DNS lookups', {
  reverse: arr(),
  resolve: arr(),
  action: oneOf(['append', 'replace'], 'append'),
  /** An address, a list of them, or { address, search, ndots } (Logstash's :array validation keeps a hash). */
  nameserver: any(),
  timeout: num(0.5),
  max_retries: num(2),
  hit_cache_size: num(0),
  hit_cache_ttl: num(60),
  failed_cache_size: num(0),
  failed_cache_ttl: num(5),
  hostsfile: arr(),
  tag_on_timeout: arr(['_dnstimeout']),
});

export type DnsFilterOptions = OptionsFor<typeof dnsSchema>;
