// The redis input's options (logstash-input-redis 3.x).
import { defineInput, type OptionsFor } from '../../define.ts';
import { bool, hash, num, oneOf, password, required, str } from '../../schemas/dsl.ts';

export const redisInputSchema = defineInput('redis', 'Read events from a Redis list (BLPOP), channel (SUBSCRIBE) or pattern (PSUBSCRIBE)', {
  host: str('127.0.0.1'),
  port: num(6379),
  path: str(),
  db: num(0),
  password: password(),
  timeout: num(5),
  data_type: required(oneOf(['list', 'channel', 'pattern_channel'])),
  key: required(str()),
  batch_count: num(125),
  threads: num(1),
  command_map: hash({}),
  ssl: bool(false),
}, 'json');

export type RedisInputOptions = OptionsFor<typeof redisInputSchema>;
