// The cidr filter's options (logstash-filter-cidr 3.1: address/network arrays, network_path with
// refresh_interval and separator) plus `address_field`, which SOF-ELK's configs use.
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, fieldRef, num, path, str } from '../../schemas/dsl.ts';

export const cidrSchema = defineFilter('cidr', 'Check IP addresses against network blocks', {
  address: arr([]),
  address_field: fieldRef(undefined, { description: 'a field holding one address or an array of them (cidr 3.2)' }),
  network: arr([]),
  network_path: path(),
  refresh_interval: num(600),
  separator: str('\n'),
});

export type CidrOptions = OptionsFor<typeof cidrSchema>;
