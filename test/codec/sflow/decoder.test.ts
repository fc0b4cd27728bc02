// The sflow decoder on crafted datagrams: the Logstash codec's quirks where it decodes (names,
// string values, collisions, record 1011, short headers), and flowstash's bounded re-read where the
// codec drops the datagram or raises (truncation, string padding misalignment, address types).
import { describe, expect, it } from 'vitest';
import { SflowDecoder } from '../../../src/flow/sflow/index.ts';
import { encodeSflowDatagram, type DatagramSpec, type FlowSampleSpec, type SampleSpec } from '../../../src/flow/sflow/encode.ts';
import { buildSampledFrame } from '../../../src/flow/sflow/sampled-frame.ts';
import { ip6Text } from '../../../src/flow/sflow/text.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import type { FieldMap } from '../../../src/event/values.ts';

const TS = new Timestamp(1767225600, 125_000_000);

function decoder(options: ConstructorParameters<typeof SflowDecoder>[0] = {}): { d: SflowDecoder; logs: string[] } {
  const logs: string[] = [];
  const d = new SflowDecoder(options, { now: () => TS, log: (level, message) => logs.push(`${level}: ${message}`) });
  return { d, logs };
}

function datagram(samples: SampleSpec[], agent = '10.0.0.1'): Buffer {
  const spec: DatagramSpec = { agent, subAgentId: 2, sequence: 77, uptimeMs: 5000, samples };
  return encodeSflowDatagram(spec);
}

function flow(records: FlowSampleSpec['records'], extra: Partial<FlowSampleSpec> = {}): FlowSampleSpec {
  return { kind: 'flow', sequence: 9, sourceIdType: 0, sourceIdIndex: 7, samplingRate: 100, samplePool: 1000, drops: 1, input: 7, output: 8, records, ...extra };
}

const TCP_FRAME = buildSampledFrame({
  srcMac: '00:50:56:aa:00:01', dstMac: '00:50:56:bb:00:02', vlan: { id: 42, priority: 3 }, ipVersion: 4, src: '10.1.2.3', dst: '192.0.2.9',
  protocol: 6, srcPort: 40000, dstPort: 443, tcpFlags: 0x18, tos: 0, ttl: 64, payloadLength: 200,
});

describe('sflow decoder: the codec’s events', () => {
  it('one flow sample: fields in the codec’s order, all strings but frame_length_times_sampling_rate', () => {
    const { d, logs } = decoder();
    const events = d.decode(datagram([flow([{ format: 1, protocol: 1, frameLength: TCP_FRAME.frameLength, stripped: 4, header: TCP_FRAME.header }])]));
    expect(logs).toEqual([]);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(Object.keys(e)).toEqual([
      '@timestamp', '@version', 'agent_ip', 'ip_version', 'sub_agent_id', 'uptime_in_ms', 'source_id_type', 'source_id_index',
      'sampling_rate', 'sample_pool', 'drops', 'input_interface', 'output_interface', 'protocol', 'frame_length', 'stripped',
      'eth_dst', 'eth_src', 'eth_type', 'vlan_priority', 'vlan_id', 'ip_protocol', 'src_ip', 'dst_ip', 'src_port', 'dst_port',
      'frame_length_times_sampling_rate', 'sflow_type',
    ]);
    expect(e).toMatchObject({
      agent_ip: '10.0.0.1', ip_version: '4', sub_agent_id: '2', eth_type: '33024', vlan_priority: '3', vlan_id: '42', ip_protocol: '6',
      src_ip: '10.1.2.3', dst_ip: '192.0.2.9', src_port: '40000', dst_port: '443', frame_length: String(TCP_FRAME.frameLength),
      frame_length_times_sampling_rate: TCP_FRAME.frameLength * 100, sflow_type: 'flow_sample',
    });
    expect(e['@timestamp']).toBe(TS);
  });

  it('optional_removed_field => [] shows the fields the default list hides, in wire order', () => {
    const { d } = decoder({ optional_removed_field: [] });
    const [e] = d.decode(datagram([flow([{ format: 1, protocol: 1, frameLength: 100, stripped: 4, header: TCP_FRAME.header }])]));
    const keys = Object.keys(e!);
    expect(keys.slice(0, 9)).toEqual(['@timestamp', '@version', 'agent_ip', 'sflow_version', 'ip_version', 'sub_agent_id', 'sequence_number', 'uptime_in_ms', 'flow_sequence_number']);
    expect(e).toMatchObject({ sflow_version: '5', sequence_number: '77', flow_sequence_number: '9', header_size: String(TCP_FRAME.header.length), vlan_cfi: '0', vlan_type: '2048', ip_ttl: '64', tcp_is_push: '1', tcp_is_ack: '1', tcp_is_syn: '0', tcp_header_length: '5' });
  });

  it('ElastiFlow’s optional_removed_field list: its fields are gone, the rest keep the codec’s order', () => {
    const elastiflow = ['flow_sequence_number', 'header_size', 'ip_checksum', 'ip_fragment_offset', 'ip_header_length', 'ip_identification', 'ip_total_length', 'padded', 'sample_pool', 'sample_seq_number', 'sequence_number', 'sflow_version', 'size_header', 'stripped', 'tcp_ack_number', 'tcp_checksum', 'tcp_header_length', 'tcp_reserved', 'tcp_seq_number', 'udp_checksum', 'udp_length', 'uptime_in_ms'];
    const { d } = decoder({ optional_removed_field: elastiflow });
    const [e] = d.decode(datagram([flow([{ format: 1, protocol: 1, frameLength: 100, stripped: 4, header: TCP_FRAME.header }])]));
    expect(Object.keys(e!).slice(0, 12)).toEqual([
      '@timestamp', '@version', 'agent_ip', 'ip_version', 'sub_agent_id', 'source_id_type', 'source_id_index', 'sampling_rate', 'drops',
      'input_interface', 'output_interface', 'protocol',
    ]);
    // fields the default list removes and ElastiFlow's does not
    expect(e).toMatchObject({ ip_dscp: '0', ip_ecn: '0', ip_flags: '2', ip_ttl: '64', vlan_cfi: '0', vlan_type: '2048', tcp_is_ack: '1', tcp_window_size: '64240' });
    for (const k of elastiflow) expect(e).not.toHaveProperty(k);
  });

  it('record 1011 is an unknown record (the codec lists 1012 twice); 1012 decodes as VLAN tunnel', () => {
    const { d, logs } = decoder();
    const [e] = d.decode(datagram([flow([
      { enterprise: 0, format: 1011, data: Buffer.from([0, 0, 0, 24]) },
      { format: 1012, values: { layers_count: [100, 200] } },
    ])]));
    expect(logs).toEqual(['warn: Unknown sample_flow record: entreprise 0, format 1011']);
    expect(e).toMatchObject({ layers_count: '2' });
    expect(e).not.toHaveProperty('mpls_fec_addr_prefix_length');
    expect(d.stats()).toMatchObject({ unknown_flow_records: 1, records_extended_vlan_tunnel: 1 });
  });

  it('collisions: later records overwrite, keeping the first key position; next hops are never shown', () => {
    const { d } = decoder();
    const [e] = d.decode(datagram([flow([
      { format: 1, protocol: 1, frameLength: 100, stripped: 4, header: TCP_FRAME.header },
      { format: 1002, values: { ip_version: 0, 'ip_version.address': '2001:db8::1', src_mask_len: 48, dst_mask_len: 64 } },
      { format: 2100, values: { protocol: 17, local_ip: '10.9.9.9', remote_ip: '10.8.8.8', local_port: 53, remote_port: 5353 } },
      { format: 1005, values: { direction: 1, url: '/x', host: 'example.org' } },
    ])]));
    const keys = Object.keys(e!);
    expect(keys.indexOf('ip_version')).toBe(3);
    expect(e!['ip_version']).toBe('2');
    expect(e!['protocol']).toBe('17');
    expect(keys.indexOf('protocol')).toBeLessThan(keys.indexOf('frame_length'));
    expect(e!['host']).toBe('example.org');
    expect(JSON.stringify(e)).not.toContain('2001:db8::1');
  });

  it('a TCP header cut short shows ports "0" (the codec’s defaults)', () => {
    const { d } = decoder();
    const cut = TCP_FRAME.header.subarray(0, 18 + 20 + 10);
    const [e] = d.decode(datagram([flow([{ format: 1, protocol: 1, frameLength: 100, stripped: 4, header: cut }])]));
    expect(e).toMatchObject({ src_ip: '10.1.2.3', src_port: '0', dst_port: '0' });
  });

  it('expanded samples: 32-bit source id and interface format/value fields', () => {
    const { d } = decoder();
    const events = d.decode(datagram([
      flow([], { expanded: true, sourceIdType: 2, sourceIdIndex: 0x1234567, inputFormat: 0, input: 5, outputFormat: 1, output: 3 }),
      { kind: 'counter', expanded: true, sequence: 4, sourceIdType: 0, sourceIdIndex: 0x2000000, records: [{ format: 1005, values: { name: 'Ethernet12' } }] },
    ]));
    expect(events.map((e) => e['sflow_type'])).toEqual(['expanded_flow_sample', 'expanded_counter_sample']);
    expect(events[0]).toMatchObject({ source_id_type: '2', source_id_index: String(0x1234567), input_interface_format: '0', input_interface_value: '5', output_interface_format: '1', output_interface_value: '3' });
    expect(events[0]).not.toHaveProperty('frame_length_times_sampling_rate');
    expect(events[1]).toMatchObject({ sample_seq_number: '4', source_id_index: String(0x2000000), name: 'Ethernet12' });
  });

  it('counter samples: one event per known record; unknown records warn and make none', () => {
    const { d, logs } = decoder();
    const events = d.decode(datagram([{ kind: 'counter', sequence: 1, sourceIdType: 0, sourceIdIndex: 3, records: [
      { format: 2003, values: { load_one: 0.25, load_five: 1.5, load_fifteen: 0.1, cpu_num: 8 } },
      { enterprise: 4413, format: 5, data: Buffer.alloc(12) },
      { format: 2000, values: { hostname: 'sw01', uuid: Buffer.alloc(16, 1), machine_type: 3, os_name: 2, os_release: '6.1.0-18' } },
      { format: 7, values: { dot3adAggPortActorSystemID: '00:1c:73:aa:bb:01', dot3adAggPortActorAdminState: 61 } },
      { format: 1, values: { input_octets: 18446744073709551615n } },
    ] }]));
    expect(logs).toEqual(['warn: Unknown counter_flow record: entreprise 4413, format 5']);
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ load_one: '0.25', load_five: '1.5', load_fifteen: '0.10000000149011612', cpu_num: '8', sflow_type: 'counter_sample' });
    expect(events[1]).toMatchObject({ hostname: 'sw01', machine_type: '3', os_release: '6.1.0-18' });
    expect(events[1]).not.toHaveProperty('uuid');
    expect(events[2]).toMatchObject({ dot3adAggPortActorSystemID: '00:1c:73:aa:bb:01', dot3adAggPortActorAdminState: '61' });
    expect(events[3]).toMatchObject({ input_octets: '18446744073709551615' });
  });

  it('a tunnel record’s nested header is Ruby Hash#inspect text', () => {
    const { d } = decoder();
    const [e] = d.decode(datagram([flow([{ format: 1023, values: { header: { ip_packet_length: 1500, ip_protocol: 6, src_ip: '10.0.0.1', dst_ip: '10.0.0.2', src_port: 1, dst_port: 2, tcp_flags: 16, ip_type: 0 } } }])]));
    expect(e!['header']).toBe('{:ip_packet_length=>1500, :ip_protocol=>6, :src_ip=>"10.0.0.1", :dst_ip=>"10.0.0.2", :src_port=>1, :dst_port=>2, :tcp_flags=>16, :ip_type=>0}');
  });

  it('versions: other versions are ignored with the codec’s warning', () => {
    const { d, logs } = decoder();
    const buf = datagram([flow([])]);
    buf.writeUInt32BE(4, 0);
    expect(d.decode(buf)).toEqual([]);
    expect(logs).toEqual(['warn: Ignoring Sflow version v4']);
    expect(d.stats()).toMatchObject({ datagrams: 1, datagrams_ignored_version: 1 });
  });

  it('IPv6 text is Ruby IPAddr#to_s', () => {
    const t = (s: string): string => {
      const b = Buffer.alloc(16);
      s.split(':').forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
      return ip6Text(b, 0);
    };
    expect(t('0:0:0:0:0:ffff:c000:209')).toBe('::ffff:192.0.2.9');
    expect(t('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(t('0:0:0:0:0:0:a:b')).toBe('::0.10.0.11');
    expect(t('0:0:0:0:0:0:0:0')).toBe('::');
    expect(t('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(t('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(t('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
    expect(t('2001:0:1:2:3:4:5:0')).toBe('2001:0:1:2:3:4:5:0');
  });
});

describe('sflow decoder: where the codec drops or raises, flowstash decodes what is there and warns', () => {
  it('a truncated datagram: the codec drops it all; flowstash keeps the whole samples', () => {
    const { d, logs } = decoder();
    const full = datagram([flow([{ format: 1001, values: { src_vlan: 10 } }]), flow([{ format: 1001, values: { src_vlan: 20 } }])]);
    const events = d.decode(full.subarray(0, full.length - 6));
    // BinData's words: a read with some bytes left is "data truncated", with none "End of file reached"
    expect(logs[0]).toBe('warn: Invalid sflow packet received (data truncated)');
    expect(logs.length).toBeGreaterThan(1);
    expect(events.map((e) => e['src_vlan'])).toEqual(['10']);
    expect(d.stats()).toMatchObject({ datagrams_malformed: 1, datagrams_recovered: 1, truncated_samples: 1, events: 1 });
    const atBoundary = decoder();
    expect(atBoundary.d.decode(full.subarray(0, full.length - 8))).toHaveLength(1);
    expect(atBoundary.logs[0]).toBe('warn: Invalid sflow packet received (End of file reached)');
  });

  it('string padding: a 4n+1 string misaligns the codec’s read — the next record is read as 0:0, warned and lost', () => {
    const { d, logs } = decoder();
    const events = d.decode(datagram([{ kind: 'counter', sequence: 1, sourceIdType: 0, sourceIdIndex: 3, records: [
      { format: 1005, values: { name: 'eth05' } },
      { format: 1001, values: { five_sec_cpu_percent: 5 } },
    ] }]));
    // "eth05" is followed by 1 byte of padding instead of 3: the processor record's tag is read from
    // the 2 padding bytes and its first 2, its length from the rest; that skip runs past the end.
    expect(logs).toEqual(['warn: Unknown counter_flow record: entreprise 0, format 0']);
    expect(events.map((e) => e['name'] ?? e['five_sec_cpu_percent'])).toEqual(['eth05']);
  });

  it('string padding: when the misaligned read fails, flowstash re-reads by the XDR rule', () => {
    const { d, logs } = decoder();
    const events = d.decode(datagram([
      { kind: 'counter', sequence: 1, sourceIdType: 0, sourceIdIndex: 3, records: [{ format: 1005, values: { name: 'eth05' } }, { format: 1001, values: { five_sec_cpu_percent: 5 } }] },
      { kind: 'counter', sequence: 2, sourceIdType: 0, sourceIdIndex: 4, records: [{ format: 1005, values: { name: 'eth6' } }] },
    ]));
    expect(logs[0]).toBe('warn: Invalid sflow packet received (End of file reached)');
    expect(events.map((e) => e['name'] ?? e['five_sec_cpu_percent'])).toEqual(['eth05', '5', 'eth6']);
  });

  it('string padding: 4n and 4n+2 strings read the same both ways (no warning)', () => {
    const { d, logs } = decoder();
    const events = d.decode(datagram([flow([{ format: 1004, values: { source_charset: 106, source_user: 'alice1', destination_charset: 106, destination_user: 'bob!' } }, { format: 1001, values: { src_vlan: 5 } }])]));
    expect(logs).toEqual([]);
    expect(events[0]).toMatchObject({ source_user: 'alice1', destination_user: 'bob!', src_vlan: '5' });
  });

  it('a 4n+3 string as the very last field: the codec’s over-long skip still fits, its event is kept', () => {
    const { d, logs } = decoder();
    const buf = datagram([{ kind: 'counter', sequence: 1, sourceIdType: 0, sourceIdIndex: 3, records: [{ format: 1005, values: { name: 'abc' } }] }]);
    // the codec skips 3 bytes after "abc" where XDR padded 1: give it the 2 bytes it over-reads
    const events = d.decode(Buffer.concat([buf, Buffer.alloc(2)]));
    expect(logs).toEqual([]);
    expect(events[0]).toMatchObject({ name: 'abc' });
  });

  it('an unknown agent address type raises in the codec; flowstash warns, counts, never throws', () => {
    const { d, logs } = decoder();
    const buf = datagram([flow([])]);
    buf.writeUInt32BE(3, 4);
    expect(d.decode(buf)).toEqual([]);
    expect(logs[0]).toMatch(/^warn: Invalid sflow packet received \(selection '3' does not exist in :choices\)/);
    expect(d.stats()).toMatchObject({ datagrams_malformed: 1 });
  });

  it('agent address type 0 (sFlow’s "unknown", no address bytes): decoded without agent_ip', () => {
    const { d, logs } = decoder();
    const v4 = datagram([flow([{ format: 1001, values: { src_vlan: 3 } }])]);
    const buf = Buffer.concat([v4.subarray(0, 4), Buffer.from([0, 0, 0, 0]), v4.subarray(12)]);
    const events = d.decode(buf);
    expect(logs[0]).toMatch(/selection '0' does not exist/);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('agent_ip');
    expect(events[0]).toMatchObject({ ip_version: '0', src_vlan: '3' });
  });

  it('a known record’s length is ignored as the codec ignores it; an unknown one is skipped by a seek', () => {
    const lengthAt = 28 + 8 + 32 + 24 + 4; // datagram header, sample tag/length, sample fields, record 1, record 2 tag
    const known = datagram([flow([{ format: 1001, values: { src_vlan: 3 } }, { format: 1001, values: { src_vlan: 4 } }])]);
    known.writeUInt32BE(0xffff, lengthAt);
    const a = decoder();
    expect(a.d.decode(known).map((e) => e['src_vlan'])).toEqual(['4']);
    expect(a.logs).toEqual([]);
    // The last record skipped past the datagram's end: nothing is read after it, the codec decodes it.
    const records: FlowSampleSpec['records'] = [{ format: 1001, values: { src_vlan: 3 } }, { enterprise: 9, format: 9, data: Buffer.alloc(8) }];
    const last = datagram([flow(records)]);
    last.writeUInt32BE(0xffff, lengthAt);
    const b = decoder();
    expect(b.d.decode(last).map((e) => e['src_vlan'])).toEqual(['3']);
    expect(b.logs).toEqual(['warn: Unknown sample_flow record: entreprise 9, format 9']);
    // With a sample after it, the codec's next read is past the end: it drops the datagram; the
    // bounded read keeps the first sample's records before the bad one, and the second sample.
    const more = datagram([flow(records), flow([{ format: 1001, values: { src_vlan: 7 } }])]);
    more.writeUInt32BE(0xffff, lengthAt);
    const c = decoder();
    const events: FieldMap[] = c.d.decode(more);
    expect(c.logs[0]).toBe('warn: Invalid sflow packet received (End of file reached)');
    expect(events.map((e) => e['src_vlan'])).toEqual(['3', '7']);
    expect(c.d.stats()).toMatchObject({ truncated_records: 1, datagrams_malformed: 1, datagrams_recovered: 1 });
  });

});
