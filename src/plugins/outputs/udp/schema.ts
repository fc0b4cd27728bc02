// The udp output's options (logstash-output-udp 3.x).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { num, required, str } from '../../schemas/dsl.ts';

export const udpOutputSchema = defineOutput('udp', 'Send events over UDP (one datagram per event)', {
  host: required(str()),
  port: required(num()),
  retry_count: num(0),
  retry_backoff_ms: num(10),
}, 'json');

export type UdpOutputOptions = OptionsFor<typeof udpOutputSchema>;
