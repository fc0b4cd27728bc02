// The pcap input's options (Logstash's `config :name, :validate => …` list).
import { defineInput, type OptionsFor } from '../../define.ts';
import { bool, num, required, str } from '../../schemas/dsl.ts';

export const pcapSchema = defineInput('pcap', "flowstash: read UDP datagrams from a pcap/pcapng capture, paced like tcpreplay", {
  path: required(str()),
  filter: str(undefined, { description: 'capture filter expression (as `flowstash replay --filter`)' }),
  source_ip_fieldname: str(),
  // No speed option means as fast as possible; multiplier 1 would mean capture timing.
  multiplier: num(undefined, { description: 'replay at N times the capture speed' }),
  pps: num(undefined, { description: 'packets per second' }),
  mbps: num(undefined, { description: 'megabits per second' }),
  topspeed: bool(false),
  loop: num(1),
  limit: num(undefined, { description: 'stop after this many packets' }),
  duration: num(undefined, { description: 'stop after this many seconds' }),
});

export type PcapInputOptions = OptionsFor<typeof pcapSchema>;
