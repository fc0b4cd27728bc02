// The udp input's options (Logstash's `config :name, :validate => …` list).
import { defineInput, type OptionsFor } from '../../define.ts';
import { num, required, str } from '../../schemas/dsl.ts';

export const udpSchema = defineInput('udp', 'Read events over UDP (logstash-input-udp 3.5)', {
  host: str('0.0.0.0'),
  port: required(num()),
  buffer_size: num(65536),
  workers: num(2),
  queue_size: num(2000),
  receive_buffer_bytes: num(),
  source_ip_fieldname: str(),
});

export type UdpInputOptions = OptionsFor<typeof udpSchema>;
