// The netflow codec's options (Logstash's `config :name, :validate => …` list); the defaults are the
// flow decoder's own (src/flow/netflow/options.ts), so each value is written once.
import { defineCodec, type OptionsFor } from '../../define.ts';
import { arr, bool, num, oneOf, path, str } from '../../schemas/dsl.ts';
import { NETFLOW_DEFAULTS as D, type NetflowOptions } from '../../../flow/netflow/options.ts';

export const netflowSchema = defineCodec('netflow', 'NetFlow v5/v9 and IPFIX (logstash-codec-netflow 4.3)', {
  versions: arr(D.versions),
  target: str(D.target),
  cache_ttl: num(D.cache_ttl),
  cache_save_path: path(),
  include_flowset_id: bool(D.include_flowset_id),
  ipfix_definitions: path(),
  netflow_definitions: path(),
  pending_data: bool(D.pending_data, { description: 'flowstash: keep data records that arrive before their template and decode them once it does' }),
  pending_data_bytes: num(D.pending_data_bytes, { description: 'flowstash: bound of the held data (bytes)' }),
  pending_data_seconds: num(D.pending_data_seconds, { description: 'flowstash: bound of the held data (age in seconds)' }),
  unknown_elements: oneOf(['decode', 'drop_template'], D.unknown_elements, { description: 'flowstash: decode unknown elements as ie<ID>, or reject the template like Logstash' }),
  max_templates_per_exporter: num(D.max_templates_per_exporter),
  max_fields_per_template: num(D.max_fields_per_template),
  max_list_depth: num(D.max_list_depth),
});

export type NetflowCodecOptions = OptionsFor<typeof netflowSchema>;

type Holds<T extends true> = T;
/** Every decoder option has its schema entry: a missing or misspelt one fails to compile. */
export type SchemaCoversDecoderOptions = Holds<keyof NetflowOptions extends keyof NetflowCodecOptions ? true : false>;
