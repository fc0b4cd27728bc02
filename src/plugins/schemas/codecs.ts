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
  codecSchema('plain', 'Text as-is (no delimiter)', { format: str(), charset: str('UTF-8') }),
  codecSchema('line', 'Line-oriented text', { format: str(), charset: str('UTF-8'), delimiter: str('\n') }),
  codecSchema('json', 'One JSON document per event (no delimiter on output)', { charset: str('UTF-8'), target: str() }),
  codecSchema('json_lines', 'Newline-delimited JSON', {
    charset: str('UTF-8'),
    delimiter: str('\n'),
    decode_size_limit_bytes: num(536870912),
    target: str(),
  }),
  codecSchema('rubydebug', 'Ruby-style pretty print (amazing_print)', { metadata: bool(false) }),
  codecSchema('dots', 'One dot per event', {}),
  codecSchema('netflow', 'NetFlow v5/v9 and IPFIX (logstash-codec-netflow 4.3)', {
    versions: arr([5, 9, 10]),
    target: str('netflow'),
    cache_ttl: num(4000),
    cache_save_path: path(),
    include_flowset_id: bool(false),
    ipfix_definitions: path(),
    netflow_definitions: path(),
    pending_data: bool(false, { description: 'flowstash: keep data records that arrive before their template and decode them once it does' }),
    pending_data_bytes: num(4 * 1024 * 1024, { description: 'flowstash: bound of the held data (bytes)' }),
    pending_data_seconds: num(60, { description: 'flowstash: bound of the held data (age in seconds)' }),
    unknown_elements: oneOf(['decode', 'drop_template'], 'decode', { description: 'flowstash: decode unknown elements as ie<ID>, or reject the template like Logstash' }),
    max_templates_per_exporter: num(4096),
    max_fields_per_template: num(1024),
    max_list_depth: num(4),
  }),
  codecSchema('multiline', 'Merge lines into one event', {
    pattern: required(str()),
    what: required(oneOf(['previous', 'next'])),
    negate: bool(false),
    patterns_dir: arr([]),
    charset: str('UTF-8'),
    max_lines: num(500),
    max_bytes: bytes('10 MiB'),
    multiline_tag: str('multiline'),
    auto_flush_interval: num(),
  }),
  codecSchema('edn', 'EDN documents', { target: str() }),
  codecSchema('edn_lines', 'Newline-delimited EDN', { target: str() }),
  codecSchema('graphite', 'Graphite carbon format', {
    exclude_metrics: arr(['%{[^}]+}']),
    fields_are_metrics: bool(false),
    include_metrics: arr(['.*']),
    metrics: hash({}),
    metrics_format: str('*'),
  }),
  codecSchema('sflow', 'sFlow v5 (logstash-codec-sflow)', {
    versions: arr([5]),
    optional_removed_field: arr(['sflow_version', 'header_size', 'ip_header_length', 'ip_dscp', 'ip_ecn', 'ip_total_length', 'ip_identification', 'ip_flags', 'ip_fragment_offset', 'ip_ttl', 'ip_checksum', 'ip_options', 'tcp_header_length', 'tcp_reserved', 'tcp_flags', 'tcp_window_size', 'tcp_checksum', 'tcp_urgent_pointer', 'tcp_options', 'vlan_cfi', 'sequence_number', 'flow_sequence_number', 'vlan_type', 'udp_length', 'udp_checksum']),
    snmp_interface: bool(false),
    snmp_community: str('public'),
    interface_cache_size: num(1000),
    interface_cache_ttl: num(3600),
  }),
  codecSchema('cef', 'ArcSight Common Event Format', { delimiter: str(), reverse_mapping: bool(false), fields: arr([]), vendor: str('Elasticsearch'), product: str('Logstash'), version: str('1.0'), signature: str('Logstash'), name: str('Logstash'), severity: str('6') }),
  codecSchema('es_bulk', 'Elasticsearch bulk API format', { target: str() }),
  codecSchema('fluent', 'Fluentd msgpack', { nanosecond_precision: bool(false), target: str() }),
  codecSchema('msgpack', 'MessagePack', { format: str(), target: str() }),
  codecSchema('collectd', 'collectd binary protocol', { authfile: str(), nan_handling: oneOf(['change_value', 'warn', 'drop'], 'change_value'), nan_tag: str('_collectdNaN'), nan_value: num(0), prune_intervals: bool(true), security_level: oneOf(['None', 'Sign', 'Encrypt'], 'None'), typesdb: arr() }),
];
