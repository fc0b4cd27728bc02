// The tcp input's options (logstash-input-tcp 6.x/7.x).
import { defineInput, type OptionsFor } from '../../define.ts';
import { arr, bool, deprecated, num, oneOf, path, required, sslServerOptions, str } from '../../schemas/dsl.ts';

export const tcpSchema = defineInput('tcp', 'Read events over a TCP socket (server or client; IPFIX framing for the netflow codec)', {
  host: str('0.0.0.0'),
  port: required(num()),
  mode: oneOf(['server', 'client'], 'server'),
  proxy_protocol: bool(false),
  tcp_keep_alive: bool(false),
  dns_reverse_lookup_enabled: bool(true),
  ssl_enable: deprecated(bool(false), 'Use `ssl_enabled` instead.'),
  ssl_cert: deprecated(path(), 'Use `ssl_certificate` instead.'),
  ssl_verify: deprecated(bool(true), 'Use `ssl_client_authentication` / `ssl_verification_mode` instead.'),
  ssl_extra_chain_certs: arr([]),
  ssl_verification_mode: oneOf(['full', 'none'], 'full'),
  ...sslServerOptions(),
});

export type TcpInputOptions = OptionsFor<typeof tcpSchema>;
