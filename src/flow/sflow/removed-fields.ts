// The field names the Logstash sflow codec never sets: a fixed list plus its `optional_removed_field`.

/** Fields the codec never sets, whatever `optional_removed_field` says. */
export const ALWAYS_REMOVED: readonly string[] = [
  'record_length', 'record_count', 'record_entreprise', 'record_format', 'sample_entreprise', 'sample_format', 'sample_length',
  'sample_count', 'sample_header', 'data', 'storage',
];

/** The codec's default `optional_removed_field`. */
export const DEFAULT_OPTIONAL_REMOVED: readonly string[] = [
  'sflow_version', 'header_size', 'ip_header_length', 'ip_dscp', 'ip_ecn', 'ip_total_length', 'ip_identification', 'ip_flags',
  'ip_fragment_offset', 'ip_ttl', 'ip_checksum', 'ip_options', 'tcp_seq_number', 'tcp_ack_number', 'tcp_header_length', 'tcp_reserved',
  'tcp_is_nonce', 'tcp_is_cwr', 'tcp_is_ecn_echo', 'tcp_is_urgent', 'tcp_is_ack', 'tcp_is_push', 'tcp_is_reset', 'tcp_is_syn',
  'tcp_is_fin', 'tcp_window_size', 'tcp_checksum', 'tcp_urgent_pointer', 'tcp_options', 'vlan_cfi', 'sequence_number',
  'flow_sequence_number', 'vlan_type', 'udp_length', 'udp_checksum',
];
