// Output plugin schemas (option lists of the current Logstash plugins).
import type { PluginSchema } from '../types.ts';
import { any, arr, bool, deprecated, hash, kafkaSecurityOptions, num, oneOf, password, path, required, sslClientOptions, str, uri } from './dsl.ts';

const output = (name: string, description: string, options: PluginSchema['options'], defaultCodec = 'plain'): PluginSchema => ({
  kind: 'output',
  name,
  description,
  options,
  defaultCodec,
});

export const OUTPUT_SCHEMAS: PluginSchema[] = [
  output('kafka', 'Write events to a Kafka topic', {
    topic_id: required(str()),
    bootstrap_servers: str('localhost:9092'),
    acks: oneOf(['0', '1', 'all'], '1'),
    batch_size: num(16384),
    buffer_memory: num(33554432),
    client_id: str(),
    compression_type: oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'], 'none'),
    connections_max_idle_ms: num(540000),
    key_serializer: str('org.apache.kafka.common.serialization.StringSerializer'),
    value_serializer: str('org.apache.kafka.common.serialization.StringSerializer'),
    linger_ms: num(0),
    max_request_size: num(1048576),
    message_key: str(),
    message_headers: hash({}),
    metadata_max_age_ms: num(300000),
    partitioner: str(),
    receive_buffer_bytes: num(32768),
    reconnect_backoff_ms: num(50),
    request_timeout_ms: num(40000),
    retries: num(),
    retry_backoff_ms: num(100),
    send_buffer_bytes: num(131072),
    ...kafkaSecurityOptions(),
  }),
];
