// The http input's options (logstash-input-http 3.x/4.x).
import { defineInput, type OptionsFor } from '../../define.ts';
import { bool, deprecated, hash, num, oneOf, password, path, sslServerOptions, str } from '../../schemas/dsl.ts';

export const httpInputSchema = defineInput('http', 'Receive events over HTTP(S) (codec by content type, basic auth)', {
  host: str('0.0.0.0'),
  port: num(8080),
  user: str(),
  password: password(),
  threads: num(),
  max_pending_requests: num(200),
  max_content_length: num(104857600),
  response_headers: hash({ 'Content-Type': 'text/plain' }),
  response_code: oneOf(['200', '201', '202', '204'], '200'),
  additional_codecs: hash({ 'application/json': 'json' }),
  remote_host_target_field: str(),
  request_headers_target_field: str(),
  ssl: deprecated(bool(false), 'Use `ssl_enabled` instead.'),
  keystore: deprecated(path(), 'Use `ssl_keystore_path` instead.'),
  keystore_password: deprecated(password(), 'Use `ssl_keystore_password` instead.'),
  ssl_keystore_path: path(),
  ssl_keystore_password: password(),
  ssl_keystore_type: str(),
  ssl_truststore_path: path(),
  ssl_truststore_password: password(),
  ssl_verify_mode: deprecated(oneOf(['none', 'peer', 'force_peer'], 'none'), 'Use `ssl_client_authentication` instead.'),
  ...sslServerOptions(),
});

export type HttpInputOptions = OptionsFor<typeof httpInputSchema>;
