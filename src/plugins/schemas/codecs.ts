// Codec schemas (option lists of the current Logstash codecs; netflow as logstash-codec-netflow 4.3).
import type { PluginSchema } from '../types.ts';
import { arr, bool, bytes, hash, num, oneOf, path, required, str } from './dsl.ts';

const codecSchema = (name: string, description: string, options: PluginSchema['options']): PluginSchema => ({
  kind: 'codec',
  name,
  description,
  options,
});

export const CODEC_SCHEMAS: PluginSchema[] = [
  codecSchema('cef', 'ArcSight Common Event Format', { delimiter: str(), reverse_mapping: bool(false), fields: arr([]), vendor: str('Elasticsearch'), product: str('Logstash'), version: str('1.0'), signature: str('Logstash'), name: str('Logstash'), severity: str('6') }),
  codecSchema('es_bulk', 'Elasticsearch bulk API format', { target: str() }),
  codecSchema('fluent', 'Fluentd msgpack', { nanosecond_precision: bool(false), target: str() }),
  codecSchema('msgpack', 'MessagePack', { format: str(), target: str() }),
  codecSchema('collectd', 'collectd binary protocol', { authfile: str(), nan_handling: oneOf(['change_value', 'warn', 'drop'], 'change_value'), nan_tag: str('_collectdNaN'), nan_value: num(0), prune_intervals: bool(true), security_level: oneOf(['None', 'Sign', 'Encrypt'], 'None'), typesdb: arr() }),
];
