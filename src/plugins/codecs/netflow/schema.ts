// The netflow codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { arr, bool, num, oneOf, path, str } from '../../schemas/dsl.ts';

export const netflowSchema = defineCodec('netflow', 'NetFlow v5/v9 and IPFIX (logstash-codec-netflow 4.3)', {
  versions: arr([5, 9, 10]),
  target: str('netflow'),
  cache_ttl: num(4000),
  cache_save_path: path(),
  include_flowset_id: bool(false),
  ipfix_definitions: path(),
  netflow_definitions: path(),
  pending_data: bool(false, { description: 'flowstash: keep data records that arrive before their template and decode them once it does' }),
  pending_data_bytes: num(4 * 1024 * 1024, { description: 'flowstash: bound of the held data (bytes)' }),
  pending_data_seconds: num(60, { description: 'flowstash: bound of the held data (age in seconds)' }),
  unknown_elements: oneOf(['decode', 'drop_template'], 'decode', { description: 'flowstash: decode unknown elements as ie<ID>, or reject the template like Logstash' }),
  max_templates_per_exporter: num(4096),
  max_fields_per_template: num(1024),
  max_list_depth: num(4),
});

export type NetflowCodecOptions = OptionsFor<typeof netflowSchema>;
