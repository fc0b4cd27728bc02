// The beats input's options (logstash-input-beats 6.x).
import { defineInput, type OptionsFor } from '../../define.ts';
import { any, arr, bool, deprecated, num, oneOf, password, path, required, str } from '../../schemas/dsl.ts';

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
  // The ssl_* server options (spelled out so they are typed).
  ssl_enabled: bool(false),
  ssl_certificate: path(),
  ssl_key: path(),
  ssl_key_passphrase: password(),
  ssl_certificate_authorities: arr([]),
  ssl_client_authentication: oneOf(['none', 'optional', 'required'], 'none'),
  ssl_cipher_suites: arr(),
  ssl_supported_protocols: arr([]),
  ssl_handshake_timeout: num(10000),
});

export type BeatsInputOptions = OptionsFor<typeof beatsSchema>;
