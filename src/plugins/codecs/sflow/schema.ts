// The sflow codec's options (logstash-codec-sflow 2.1.3's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { arr, bool, num, oneOf, str } from '../../schemas/dsl.ts';
import { DEFAULT_OPTIONAL_REMOVED } from '../../../flow/sflow/removed-fields.ts';

export const sflowSchema = defineCodec('sflow', 'sFlow v5 (logstash-codec-sflow 2.1.3)', {
  versions: arr([5]),
  optional_removed_field: arr([...DEFAULT_OPTIONAL_REMOVED]),
  snmp_interface: bool(false, { description: 'not emulated: interface descriptions by SNMP are never added (a warning says so when true)' }),
  snmp_community: str('public'),
  interface_cache_size: num(1000),
  interface_cache_ttl: num(3600),
  malformed_datagrams: oneOf(['decode', 'drop'], 'decode', {
    description: 'flowstash: where the Logstash codec drops a whole datagram (a read past its end), decode its whole samples and records by their lengths and warn, or drop it like Logstash',
  }),
});

export type SflowCodecOptions = OptionsFor<typeof sflowSchema>;
