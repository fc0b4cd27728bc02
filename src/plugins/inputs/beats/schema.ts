// The beats input's options (logstash-input-beats 6.x).
import { defineInput, type OptionsFor } from '../../define.ts';
import { any, bool, deprecated, num, oneOf, required, sslServerOptions, str } from '../../schemas/dsl.ts';

export const beatsSchema = defineInput('beats', 'Receive events from Elastic Beats (lumberjack v2)', {
  host: str('0.0.0.0'),
  port: required(num()),
  ssl: deprecated(bool(false), 'Use `ssl_enabled` instead.'),
  ssl_verify_mode: deprecated(oneOf(['none', 'peer', 'force_peer'], 'none'), 'Use `ssl_client_authentication` instead.'),
  ssl_peer_metadata: bool(false),
  include_codec_tag: bool(true),
  client_inactivity_timeout: num(60),
  executor_threads: num(),
  event_loop_threads: num(0),
  add_hostname: bool(false),
  enrich: any(),
  ...sslServerOptions(),
});

export type BeatsInputOptions = OptionsFor<typeof beatsSchema>;
