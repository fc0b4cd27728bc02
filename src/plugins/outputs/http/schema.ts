// The http output's options (logstash-output-http 5.x).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { any, bool, deprecated, hash, list, num, oneOf, password, path, required, sslClientOptions, str } from '../../schemas/dsl.ts';

export const httpOutputSchema = defineOutput('http', 'Send events to an HTTP endpoint (json, json_batch, form, message)', {
  url: required(str()),
  http_method: required(oneOf(['put', 'post', 'patch', 'delete', 'get', 'head'])),
  headers: hash(),
  content_type: str(),
  format: oneOf(['json', 'json_batch', 'form', 'message'], 'json'),
  mapping: hash(),
  message: str(),
  http_compression: bool(false),
  ignorable_codes: list(num()),
  retryable_codes: list(num(undefined, { description: 'default 429, 500, 502, 503, 504' })),
  retry_failed: bool(true),
  retry_non_idempotent: bool(false),
  automatic_retries: num(1),
  pool_max: num(50),
  pool_max_per_route: num(25),
  keepalive: bool(true),
  connect_timeout: num(10),
  request_timeout: num(60),
  socket_timeout: num(10),
  proxy: any(),
  user: str(),
  password: password(),
  cookies: bool(true),
  follow_redirects: bool(true),
  cacert: deprecated(path(), 'Use `ssl_certificate_authorities` instead.'),
  ...sslClientOptions(),
});

export type HttpOutputOptions = OptionsFor<typeof httpOutputSchema>;
