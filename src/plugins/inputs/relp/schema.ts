// The relp input's options (logstash-input-relp 3.0).
import { defineInput, type OptionsFor } from '../../define.ts';
import { bool, num, password, path, required, str } from '../../schemas/dsl.ts';

export const relpSchema = defineInput('relp', 'Read RELP events over TCP', {
  host: str('0.0.0.0'),
  port: required(num()),
  ssl_enable: bool(false),
  ssl_cacert: path(),
  ssl_cert: path(),
  ssl_key: path(),
  ssl_key_passphrase: password(),
  ssl_verify: bool(true),
});

export type RelpInputOptions = OptionsFor<typeof relpSchema>;
