// The sFlow v5 structures the Logstash codec knows, as field layouts in wire order with the names
// its BinData classes give them (so the names are the event's field names). One table drives the
// decoder, the encoder and the record counters.

/** One wire field. Arrays are never emitted by the codec; only their count fields are. */
export type FieldOp =
  | { t: 'u32' | 'u64' | 'u8' | 'f32' | 'mac' | 'ip4' | 'ip6' | 'str'; name: string }
  | { t: 'skip'; bytes: number }
  /** uint32 address type then an IPv4/IPv6 address, which the codec never emits (field `storage`). */
  | { t: 'addr'; name: string }
  /** uint32 count then count uint32s. */
  | { t: 'u32list'; name: string }
  /** Gateway AS path: count, then per segment a type, a count and that many uint32s. */
  | { t: 'aspaths'; name: string }
  /** Host adapters: count, then per adapter an ifIndex, a MAC count and 8-byte MACs. */
  | { t: 'adapters'; name: string }
  | { t: 'uuid' }
  /** A nested record rendered as Ruby Hash#inspect text. */
  | { t: 'nested'; name: string; layout: readonly FieldOp[] };

export interface RecordLayout {
  format: number;
  /** The BinData class name's snake case (what the counters call the record). */
  kind: string;
  fields: readonly FieldOp[];
}

const u32 = (name: string): FieldOp => ({ t: 'u32', name });
const u64 = (name: string): FieldOp => ({ t: 'u64', name });
const u8 = (name: string): FieldOp => ({ t: 'u8', name });
const f32 = (name: string): FieldOp => ({ t: 'f32', name });
const mac = (name: string): FieldOp => ({ t: 'mac', name });
const ip4 = (name: string): FieldOp => ({ t: 'ip4', name });
const ip6 = (name: string): FieldOp => ({ t: 'ip6', name });
const str = (name: string): FieldOp => ({ t: 'str', name });
const addr = (name: string): FieldOp => ({ t: 'addr', name });
const u32list = (name: string): FieldOp => ({ t: 'u32list', name });
const skip = (bytes: number): FieldOp => ({ t: 'skip', bytes });
const u32s = (...names: string[]): FieldOp[] => names.map(u32);

const ETHERNET_FRAME_DATA: readonly FieldOp[] = [u32('packet_length'), mac('src_mac'), skip(2), mac('dst_mac'), skip(2), u32('eth_type')];
const IP4_DATA: readonly FieldOp[] = [
  u32('ip_packet_length'), u32('ip_protocol'), ip4('src_ip'), ip4('dst_ip'), ...u32s('src_port', 'dst_port', 'tcp_flags', 'ip_type'),
];
const IP6_DATA: readonly FieldOp[] = [
  u32('ip_packet_length'), u32('ip_next_header'), ip6('src_ip'), ip6('dst_ip'), ...u32s('src_port', 'dst_port', 'tcp_flags', 'ip_priority'),
];

/** Format 1 (raw packet header) is decoded by packet-header.ts; its layout here is the record's fixed part. */
export const RAW_PACKET_HEADER_FORMAT = 1;

export const FLOW_RECORDS: readonly RecordLayout[] = [
  { format: 2, kind: 'ethernet_frame_data', fields: ETHERNET_FRAME_DATA },
  { format: 3, kind: 'ip4_data', fields: IP4_DATA },
  { format: 4, kind: 'ip6_data', fields: IP6_DATA },
  { format: 1001, kind: 'extended_switch_data', fields: u32s('src_vlan', 'src_priority', 'dst_vlan', 'dst_priority') },
  { format: 1002, kind: 'extended_router_data', fields: [addr('ip_version'), u32('src_mask_len'), u32('dst_mask_len')] },
  {
    format: 1003,
    kind: 'extended_gateway_data',
    fields: [
      addr('ip_version'), ...u32s('as_number_of_router', 'as_number_of_source', 'as_number_of_source_peer'),
      { t: 'aspaths', name: 'dest_as_path_count' }, u32list('communities_count'), u32('local_pref'),
    ],
  },
  { format: 1004, kind: 'extended_user_data', fields: [u32('source_charset'), str('source_user'), u32('destination_charset'), str('destination_user')] },
  { format: 1005, kind: 'extended_url_data', fields: [u32('direction'), str('url'), str('host')] },
  { format: 1006, kind: 'extended_mpls_data', fields: [addr('ip_version'), u32list('in_label_stack_count'), u32list('out_label_stack_count')] },
  { format: 1007, kind: 'extended_nat_data', fields: [addr('src_ip_version'), addr('dst_ip_version')] },
  { format: 1008, kind: 'extended_mpls_tunnel', fields: [str('tunnel_name'), u32('tunnel_id'), u32('tunnel_cos_value')] },
  { format: 1009, kind: 'extended_mpls_vc', fields: [str('vc_instance_name'), u32('vll_vc_id'), u32('vc_label_cos_value')] },
  { format: 1010, kind: 'extended_mpls_ftn', fields: [str('mpls_ftn_descr'), u32('mpls_ftn_mask')] },
  // 1011 (MPLS LDP FEC) is missing on purpose: the codec lists its class under 1012 too, so only the
  // VLAN tunnel is ever decoded and 1011 is an unknown record.
  { format: 1012, kind: 'extended_vlan_tunnel', fields: [u32list('layers_count')] },
  { format: 1021, kind: 'extended_l2_tunnel_egress', fields: [{ t: 'nested', name: 'header', layout: ETHERNET_FRAME_DATA }] },
  { format: 1022, kind: 'extended_l2_tunnel_ingress', fields: [{ t: 'nested', name: 'header', layout: ETHERNET_FRAME_DATA }] },
  { format: 1023, kind: 'extended_ipv4_tunnel_egress', fields: [{ t: 'nested', name: 'header', layout: IP4_DATA }] },
  { format: 1024, kind: 'extended_ipv4_tunnel_ingress', fields: [{ t: 'nested', name: 'header', layout: IP4_DATA }] },
  { format: 1025, kind: 'extended_ipv6_tunnel_egress', fields: [{ t: 'nested', name: 'header', layout: IP6_DATA }] },
  { format: 1026, kind: 'extended_ipv6_tunnel_ingress', fields: [{ t: 'nested', name: 'header', layout: IP6_DATA }] },
  { format: 1027, kind: 'extended_decapsulate_egress', fields: [u32('inner_header_offset')] },
  { format: 1028, kind: 'extended_decapsulate_ingress', fields: [u32('inner_header_offset')] },
  { format: 1029, kind: 'extended_vni_egress', fields: [u32('vni')] },
  { format: 1030, kind: 'extended_vni_ingress', fields: [u32('vni')] },
  { format: 2100, kind: 'extended_socket_ipv4', fields: [u32('protocol'), ip4('local_ip'), ip4('remote_ip'), u32('local_port'), u32('remote_port')] },
  { format: 2101, kind: 'extended_socket_ipv6', fields: [u32('protocol'), ip6('local_ip'), ip6('remote_ip'), u32('local_port'), u32('remote_port')] },
];

export const COUNTER_RECORDS: readonly RecordLayout[] = [
  {
    format: 1,
    kind: 'generic_interface',
    fields: [
      u32('interface_index'), u32('interface_type'), u64('interface_speed'), u32('interface_direction'), u32('interface_status'),
      u64('input_octets'), ...u32s('input_packets', 'input_multicast_packets', 'input_broadcast_packets', 'input_discarded_packets', 'input_errors', 'input_unknown_protocol_packets'),
      u64('output_octets'), ...u32s('output_packets', 'output_multicast_packets', 'output_broadcast_packets', 'output_discarded_packets', 'output_errors', 'promiscous_mode'),
    ],
  },
  {
    format: 2,
    kind: 'ethernet_interfaces',
    fields: u32s(
      'dot3StatsAlignmentErrors', 'dot3StatsFCSErrors', 'dot3StatsSingleCollisionFrames', 'dot3StatsMultipleCollisionFrames',
      'dot3StatsSQETestErrors', 'dot3StatsDeferredTransmissions', 'dot3StatsLateCollisions', 'dot3StatsExcessiveCollisions',
      'dot3StatsInternalMacTransmitErrors', 'dot3StatsCarrierSenseErrors', 'dot3StatsFrameTooLongs', 'dot3StatsInternalMacReceiveErrors',
      'dot3StatsSymbolErrors',
    ),
  },
  {
    format: 3,
    kind: 'token_ring',
    fields: u32s(
      'dot5StatsLineErrors', 'dot5StatsBurstErrors', 'dot5StatsACErrors', 'dot5StatsAbortTransErrors', 'dot5StatsInternalErrors',
      'dot5StatsLostFrameErrors', 'dot5StatsReceiveCongestions', 'dot5StatsFrameCopiedErrors', 'dot5StatsTokenErrors',
      'dot5StatsSoftErrors', 'dot5StatsHardErrors', 'dot5StatsSignalLoss', 'dot5StatsTransmitBeacons', 'dot5StatsRecoverys',
      'dot5StatsLobeWires', 'dot5StatsRemoves', 'dot5StatsSingles', 'dot5StatsFreqErrors',
    ),
  },
  {
    format: 4,
    kind: 'hundred_base_vg',
    fields: [
      u32('dot12InHighPriorityFrames'), u64('dot12InHighPriorityOctets'), u32('dot12InNormPriorityFrames'), u64('dot12InNormPriorityOctets'),
      ...u32s('dot12InIPMErrors', 'dot12InOversizeFrameErrors', 'dot12InDataErrors', 'dot12InNullAddressedFrames', 'dot12OutHighPriorityFrames'),
      u64('dot12OutHighPriorityOctets'), u32('dot12TransitionIntoTrainings'),
      u64('dot12HCInHighPriorityOctets'), u64('dot12HCInNormPriorityOctets'), u64('dot12HCOutHighPriorityOctets'),
    ],
  },
  { format: 5, kind: 'vlan', fields: [u32('vlan_id'), u64('octets'), ...u32s('ucastPkts', 'multicastPkts', 'broadcastPkts', 'discards')] },
  {
    format: 6,
    kind: 'ieee80211_counters',
    fields: u32s(
      'dot11_transmitted_fragments', 'dot11_multicast_transmitted_frames', 'dot11_failures', 'dot11_retries', 'dot11_multiple_retries',
      'dot11_duplicate_frames', 'dot11_rts_successes', 'dot11_rts_failures', 'dot11_ack_failures', 'dot11_received_fragments',
      'dot11_multicast_received_frames', 'dot11_fcs_errors', 'dot11_transmitted_frames', 'dot11_wep_undecryptables',
      'dot11_qos_discarded_fragments', 'dot11_associated_stations', 'dot11_qos_cf_polls_eceived', 'dot11_qos_cf_polls_unused',
      'dot11_qos_cf_polls_unusable', 'dot11_qos_cf_polls_lost',
    ),
  },
  {
    format: 7,
    kind: 'lag_port_stats',
    fields: [
      mac('dot3adAggPortActorSystemID'), skip(2), mac('dot3adAggPortPartnerOperSystemID'), skip(2), u32('dot3adAggPortAttachedAggID'),
      u8('dot3adAggPortActorAdminState'), u8('dot3adAggPortActorOperState'), u8('dot3adAggPortPartnerAdminState'), u8('dot3adAggPortPartnerOperState'),
      ...u32s(
        'dot3adAggPortStatsLACPDUsRx', 'dot3adAggPortStatsMarkerPDUsRx', 'dot3adAggPortStatsMarkerResponsePDUsRx', 'dot3adAggPortStatsUnknownRx',
        'dot3adAggPortStatsIllegalRx', 'dot3adAggPortStatsLACPDUsTx', 'dot3adAggPortStatsMarkerPDUsTx', 'dot3adAggPortStatsMarkerResponsePDUsTx',
      ),
    ],
  },
  {
    format: 1001,
    kind: 'processor_information',
    fields: [...u32s('five_sec_cpu_percent', 'one_min_cpu_percent', 'five_min_cpu_percent'), u64('total_memory'), u64('free_memory')],
  },
  { format: 1002, kind: 'radio_utilization', fields: u32s('radio_elapsed_time_ms', 'radio_on_channel_time_ms', 'radio_on_channel_busy_time_ms') },
  { format: 1004, kind: 'of_port', fields: [u64('datapath_id'), u32('port_no')] },
  { format: 1005, kind: 'port_name', fields: [str('name')] },
  { format: 2000, kind: 'host_descr', fields: [str('hostname'), { t: 'uuid' }, u32('machine_type'), u32('os_name'), str('os_release')] },
  { format: 2001, kind: 'host_adapters', fields: [{ t: 'adapters', name: 'adapters_count' }] },
  { format: 2002, kind: 'host_parent', fields: u32s('container_type', 'container_index') },
  {
    format: 2003,
    kind: 'host_cpu',
    fields: [
      f32('load_one'), f32('load_five'), f32('load_fifteen'),
      ...u32s(
        'proc_run', 'proc_total', 'cpu_num', 'cpu_speed', 'uptime', 'cpu_user', 'cpu_nice', 'cpu_system', 'cpu_idle', 'cpu_wio',
        'cpu_intr', 'cpu_sintr', 'interrupts', 'contexts', 'cpu_steal', 'cpu_guest', 'cpu_guest_nice',
      ),
    ],
  },
  {
    format: 2004,
    kind: 'host_memory',
    fields: [
      ...['mem_total', 'mem_free', 'mem_shared', 'mem_buffers', 'mem_cached', 'swap_total', 'swap_free'].map(u64),
      ...u32s('page_in', 'page_out', 'swap_in', 'swap_out'),
    ],
  },
  {
    format: 2005,
    kind: 'host_disk_io',
    fields: [
      u64('disk_total'), u64('disk_free'), u32('part_max_used_percent'), u32('reads'), u64('bytes_read'), u32('read_time'),
      u32('writes'), u64('bytes_written'), u32('write_time'),
    ],
  },
  {
    format: 2006,
    kind: 'host_net_io',
    fields: [u64('bytes_in'), ...u32s('pkts_in', 'errs_in', 'drops_in'), u64('bytes_out'), ...u32s('packets_out', 'errs_out', 'drops_out')],
  },
  {
    format: 2007,
    kind: 'mib2_ip_group',
    fields: u32s(
      'ip_forwarding', 'ip_default_ttl', 'ip_in_receives', 'ip_in_hdr_errors', 'ip_in_addr_errors', 'ip_forw_datagrams',
      'ip_in_unknown_protos', 'ip_in_discards', 'ip_in_delivers', 'ip_out_requests', 'ip_out_discards', 'ip_out_no_routes',
      'ip_reasm_timeout', 'ip_reasm_reqds', 'ip_reasm_oks', 'ip_reasm_fails', 'ip_frag_oks', 'ip_frag_fails', 'ip_frag_creates',
    ),
  },
  {
    format: 2008,
    kind: 'mib2_icmp_group',
    fields: u32s(
      'icmp_in_msgs', 'icmp_in_errors', 'icmp_in_dest_unreachs', 'icmp_in_time_excds', 'icmp_in_param_probs', 'icmp_in_src_quenchs',
      'icmp_in_redirects', 'icmp_in_echos', 'icmp_in_echo_reps', 'icmp_in_timestamps', 'icmp_in_addr_masks', 'icmp_in_addr_mask_reps',
      'icmp_out_msgs', 'icmp_out_errors', 'icmp_out_dest_unreachs', 'icmp_out_time_excds', 'icmp_out_param_probs',
      'icmp_out_src_quenchs', 'icmp_out_redirects', 'icmp_out_echos', 'icmp_out_echo_reps', 'icmp_out_timestamps',
      'icmp_out_timestamp_reps', 'icmp_out_addr_masks', 'icmp_out_addr_mask_reps',
    ),
  },
  {
    format: 2009,
    kind: 'mib2_tcp_group',
    fields: u32s(
      'tcp_rto_algorithm', 'tcp_rto_min', 'tcp_rto_max', 'tcp_max_conn', 'tcp_active_opens', 'tcp_passive_opens', 'tcp_attempt_fails',
      'tcp_estab_resets', 'tcp_curr_estab', 'tcp_in_segs', 'tcp_out_segs', 'tcp_retrans_segs', 'tcp_in_errs', 'tcp_out_rsts',
      'tcp_in_csum_errs',
    ),
  },
  {
    format: 2010,
    kind: 'mib2_udp_group',
    fields: u32s('udp_in_datagrams', 'udp_no_ports', 'udp_in_errors', 'udp_out_datagrams', 'udp_rcvbuf_errors', 'udp_sndbuf_errors', 'udp_in_csum_errors'),
  },
  { format: 2100, kind: 'virt_node', fields: [u32('mhz'), u32('cpus'), u64('memory'), u64('memory_free'), u32('num_domains')] },
  { format: 2101, kind: 'virt_cpu', fields: u32s('state', 'cpu_time', 'nr_virt_cpu') },
  { format: 2102, kind: 'virt_memory', fields: [u64('memory'), u64('max_memory')] },
  {
    format: 2103,
    kind: 'virt_disk_io',
    fields: [u64('capacity'), u64('allocation'), u64('physical'), u32('rd_req'), u64('rd_bytes'), u32('wr_req'), u64('wr_bytes'), u32('errs')],
  },
  {
    format: 2104,
    kind: 'virt_net_io',
    fields: [u64('rx_bytes'), ...u32s('rx_packets', 'rx_errs', 'rx_drop'), u64('tx_bytes'), ...u32s('tx_packets', 'tx_errs', 'tx_drop')],
  },
  {
    format: 2201,
    kind: 'http_counters',
    fields: u32s(
      'method_option_count', 'method_get_count', 'method_head_count', 'method_post_count', 'method_put_count', 'method_delete_count',
      'method_trace_count', 'method_connect_count', 'method_other_count', 'status_1XX_count', 'status_2XX_count', 'status_3XX_count',
      'status_4XX_count', 'status_5XX_count', 'status_other_count',
    ),
  },
  { format: 2207, kind: 'ovs_dp_stats', fields: u32s('ovs_dp_hits', 'ovs_dp_misses', 'ovs_dp_lost', 'ovs_dp_mask_hits', 'ovs_dp_flows', 'ovs_dp_masks') },
];

export const FLOW_RECORD_BY_FORMAT: ReadonlyMap<number, RecordLayout> = new Map(FLOW_RECORDS.map((r) => [r.format, r]));
export const COUNTER_RECORD_BY_FORMAT: ReadonlyMap<number, RecordLayout> = new Map(COUNTER_RECORDS.map((r) => [r.format, r]));

/** Sample formats (enterprise 0). */
export const SAMPLE = { FLOW: 1, COUNTER: 2, EXPANDED_FLOW: 3, EXPANDED_COUNTER: 4 } as const;
