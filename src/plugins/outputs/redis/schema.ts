// The redis output's options (logstash-output-redis 5.x).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { bool, list, num, oneOf, password, str } from '../../schemas/dsl.ts';

export const redisOutputSchema = defineOutput('redis', 'Send events to a Redis list (RPUSH) or channel (PUBLISH)', {
  host: list(str('127.0.0.1')),
  port: num(6379),
  db: num(0),
  password: password(),
  timeout: num(5),
  data_type: oneOf(['list', 'channel']),
  key: str(),
  batch: bool(false),
  batch_events: num(50),
  batch_timeout: num(5),
  congestion_threshold: num(0),
  congestion_interval: num(1),
  reconnect_interval: num(1),
  shuffle_hosts: bool(true),
  ssl: bool(false),
}, 'json');

export type RedisOutputOptions = OptionsFor<typeof redisOutputSchema>;
