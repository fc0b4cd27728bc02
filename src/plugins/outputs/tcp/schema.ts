// The tcp output's options (logstash-output-tcp 6.x).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { bool, deprecated, num, oneOf, password, path, required, sslClientOptions, str } from '../../schemas/dsl.ts';

export const tcpOutputSchema = defineOutput('tcp', 'Write events over a TCP socket (client or server)', {
  host: required(str()),
  port: required(num()),
  mode: oneOf(['server', 'client'], 'client'),
  reconnect_interval: num(10),
  ssl_enable: deprecated(bool(false), 'Use `ssl_enabled` instead.'),
  ssl_cert: deprecated(path(), 'Use `ssl_certificate` instead.'),
  ssl_cacert: deprecated(path(), 'Use `ssl_certificate_authorities` instead.'),
  ssl_key_passphrase: password(),
  ssl_client_authentication: oneOf(['none', 'optional', 'required'], 'none'),
  ...sslClientOptions(),
}, 'json');

export type TcpOutputOptions = OptionsFor<typeof tcpOutputSchema>;
