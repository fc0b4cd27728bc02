// Every `ruby` block of ../shared/configs/real, run with its own options (as the config declares
// them) on an event that reaches it; the expected fields come from reading each block's Ruby code.
// A block without a case here fails the test, so a new block in the corpus cannot go unchecked.
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, REAL_CONFIGS, REAL_CONFIG_ENV, SHARED } from '../../../../test/config/shared.ts';
import { context, recorder } from '../../../../test/plugins/text-filters/kit.ts';
import { loadPipelineConfig } from '../../../config/pipeline-config.ts';
import type { PluginNode, Statement } from '../../../config/ast.ts';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue } from '../../../event/values.ts';
import { RubyFilter } from './ruby.ts';
import type { RubyFilterOptions } from './schema.ts';
import { sharedRubyVm } from './vm.ts';

const SOF_ELK_SCRIPTS = path.join(SHARED, 'configs/sof-elk/supporting-scripts');

interface Case {
  data?: FieldMap;
  metadata?: FieldMap;
  /** Field reference → expected value (undefined: absent). */
  expect: Record<string, FieldValue | undefined>;
  /** Extra check on the output event. */
  also?: (e: Event) => void;
}

const sum = (a: string, b: string, srcFrom: string, dstFrom: string, kind: 'bytes' | 'packets', ns: string): Case => ({
  data: { [ns]: { [a]: 1000, [b]: 234 } },
  expect: {
    [`[network][${kind}]`]: 1234,
    [`[source][${kind}]`]: srcFrom === a ? 1000 : 234,
    [`[destination][${kind}]`]: dstFrom === a ? 1000 : 234,
  },
});
const sampled = (kind: 'bytes' | 'packets'): Case => ({
  data: { network: { [kind]: 10 }, source: { [kind]: 4 }, destination: { [kind]: 6 }, flow: { sampling_interval: 100 } },
  expect: { [`[network][${kind}]`]: 1000, [`[source][${kind}]`]: 400, [`[destination][${kind}]`]: 600 },
});
const csvTags = (from: string, to: string): Case => ({
  metadata: { [from.replace('[@metadata][', '').replace(']', '')]: 'Spam,Bot Net,' },
  // "Spam,Bot Net,": three fields, the empty last one nil (CSV).
  expect: { [to]: ['Spam', 'Bot Net', null] },
});
const ifname = (field: 'input' | 'output'): Case => ({
  // "101020003": type 1, slot "01", port "02", virt "0003" → Eth1/2.3
  data: { flow: { [`${field}_snmp`]: 101020003 } },
  expect: { [`[flow][${field}_ifname]`]: 'Eth1/2.3' },
});

// Keyed by `file:line` of the `ruby {` of each block.
const CASES: Record<string, Case> = {
  'elastiflow_20_filter_10_begin.conf:49': { expect: { '[agent][hostname]': hostname() } },
  'elastiflow_20_filter_20_netflow.conf:84': { data: { event: { start: 1700000000123, end: 1700000005123 } }, expect: { '[event][duration]': 5000 } },
  'elastiflow_20_filter_20_netflow.conf:403': sum('initiatorOctets', 'responderOctets', 'responderOctets', 'initiatorOctets', 'bytes', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:411': sum('initiatorOctets', 'responderOctets', 'initiatorOctets', 'responderOctets', 'bytes', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:455': sum('cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'cisco_avc_server_bytes', 'cisco_avc_client_bytes', 'bytes', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:463': sum('cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'bytes', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:540': sum('initiatorPackets', 'responderPackets', 'responderPackets', 'initiatorPackets', 'packets', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:548': sum('initiatorPackets', 'responderPackets', 'initiatorPackets', 'responderPackets', 'packets', 'netflow'),
  'elastiflow_20_filter_20_netflow.conf:809': { data: { network: { bytes: '12' }, flow: { sampling_interval: 10 } }, expect: { '[network][bytes]': 120 } },
  'elastiflow_20_filter_20_netflow.conf:814': { data: { network: { packets: 3 }, flow: { sampling_interval: '1000' } }, expect: { '[network][packets]': 3000 } },
  'elastiflow_20_filter_30_ipfix.conf:343': sum('octetDeltaCount', 'reverseOctetDeltaCount', 'octetDeltaCount', 'reverseOctetDeltaCount', 'bytes', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:368': sum('initiatorOctets', 'responderOctets', 'responderOctets', 'initiatorOctets', 'bytes', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:376': sum('initiatorOctets', 'responderOctets', 'initiatorOctets', 'responderOctets', 'bytes', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:420': sum('cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'cisco_avc_server_bytes', 'cisco_avc_client_bytes', 'bytes', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:428': sum('cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'cisco_avc_client_bytes', 'cisco_avc_server_bytes', 'bytes', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:483': sum('packetDeltaCount', 'reversePacketDeltaCount', 'packetDeltaCount', 'reversePacketDeltaCount', 'packets', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:508': sum('initiatorPackets', 'responderPackets', 'responderPackets', 'initiatorPackets', 'packets', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:516': sum('initiatorPackets', 'responderPackets', 'initiatorPackets', 'responderPackets', 'packets', 'ipfix'),
  'elastiflow_20_filter_30_ipfix.conf:585': sampled('bytes'),
  'elastiflow_20_filter_30_ipfix.conf:594': sampled('packets'),
  // 1+2*1+4*0+8*1+16*1+32*0+64*0+128*1 = 155; a missing field is nil.to_i = 0.
  'elastiflow_20_filter_40_sflow.conf:142': {
    data: { tcp_is_fin: 1, tcp_is_syn: '1', tcp_is_push: 1, tcp_is_ack: 1, tcp_is_cwr: 1, tcp_is_reset: 0 },
    expect: { '[flow][tcp_flags]': 155 },
  },
  'elastiflow_20_filter_90_post_process.conf:249': csvTags('[@metadata][dst_rep_label]', '[flow][dst_rep_tags]'),
  'elastiflow_20_filter_90_post_process.conf:370': csvTags('[@metadata][src_rep_label]', '[flow][src_rep_tags]'),
  // src and dst: "a,b" << "," << "c" → [a, b, c]
  'elastiflow_20_filter_90_post_process.conf:387': { metadata: { src_rep_label: 'a,b', dst_rep_label: 'c' }, expect: { '[flow][rep_tags]': ['a', 'b', 'c'] } },
  'elastiflow_20_filter_90_post_process.conf:566': csvTags('[@metadata][dst_rep_label]', '[flow][server_rep_tags]'),
  'elastiflow_20_filter_90_post_process.conf:599': csvTags('[@metadata][src_rep_label]', '[flow][client_rep_tags]'),
  'elastiflow_20_filter_90_post_process.conf:665': csvTags('[@metadata][src_rep_label]', '[flow][server_rep_tags]'),
  'elastiflow_20_filter_90_post_process.conf:698': csvTags('[@metadata][dst_rep_label]', '[flow][client_rep_tags]'),
  // 27 = FIN(1) SYN(2) PSH(8) ACK(16), pushed in bit order.
  'elastiflow_20_filter_90_post_process.conf:738': { data: { flow: { tcp_flags: 27 } }, expect: { '[flow][tcp_flags]': ['FIN', 'SYN', 'PSH', 'ACK'] } },
  'elastiflow_20_filter_90_post_process.conf:783': ifname('input'),
  'elastiflow_20_filter_90_post_process.conf:821': {
    // type 5 → 'AE' + port + '.' + virt: "510070012" → port "07" → "7", virt "0012" → "12"
    data: { flow: { output_snmp: '510070012' } },
    expect: { '[flow][output_ifname]': 'AE7.12' },
  },
  'elastiflow_20_filter_90_post_process.conf:860': { data: { source: { mac: '00:1a:2b:3c:4d:5e' } }, expect: { '[metadata][src_oui_key]': '00:1a:2b' } },
  'elastiflow_20_filter_90_post_process.conf:871': { data: { destination: { mac: 'f0:9f:c2:00:00:01' } }, expect: { '[metadata][dst_oui_key]': 'f0:9f:c2' } },
  'ls_spec_nyc_collision.conf:37': { data: { on_street_name: 'BROADWAY', cross_street_name: 'AVENUE A' }, expect: { intersection: 'AVENUE A--BROADWAY' } },
  'ls_spec_nyc_collision.conf:73': { data: { number_of_persons_killed: 1, number_of_persons_injured: 3 }, expect: { number_persons_impacted: 4 } },
  'pfelk_49-cleanup.conf:32': {
    data: { pf: { tcp: { sequence_number: '1000:1460' } } },
    expect: { '[pf][tcp][sequence_number]': 1000, '[pf][tcp][sequence_number_range_end]': 1460 },
  },
  'sofelk_1000-preprocess-all.conf:23': {
    expect: {},
    also: (e) => {
      const v = e.get('[@metadata][ingest_start]');
      expect(v).toBeInstanceOf(Float);
      expect(Math.abs((v as Float).value - Date.now() / 1000)).toBeLessThan(600);
    },
  },
  // Integer / Integer is integer division in Ruby; the field name is the literal dotted key.
  'sofelk_2050-netflow.conf:158': {
    data: { source: { bytes: 1000 }, raw: { avg_in_packet_size: 300 } },
    expect: { 'source.packets': 3, '[source][packets]': undefined, tags: ['calculated_source_packets'] },
  },
  'sofelk_2050-netflow.conf:164': {
    data: { destination: { bytes: 1000 }, raw: { avg_out_packet_size: new Float(400) } },
    expect: { 'destination.packets': new Float(2.5), tags: ['calculated_destination_packets'] },
  },
  'sofelk_2050-netflow.conf:211': { data: { netflow: { flow_duration_microseconds: 2_500_000 } }, expect: { 'netflow.flow_duration': 2 } },
  'sofelk_2050-netflow.conf:215': { data: { netflow: { flow_duration_milliseconds: '4999' } }, expect: { 'netflow.flow_duration': 4 } },
  // Timestamp - Timestamp is a Float of seconds (JRuby's Timestamp delegates `-` to its Time).
  'sofelk_2050-netflow.conf:256': {
    data: { netflow: { flow_start: new Timestamp(1700000000, 250_000_000), flow_end: new Timestamp(1700000002, 750_000_000) } },
    expect: { 'netflow.flow_duration': new Float(2.5), tags: ['calculated_duration'] },
  },
  // tcp_flags_expand.rb on "[netflow][tcp_flags_str]" (str), then remove_field of the source.
  'sofelk_2050-netflow.conf:271': {
    data: { netflow: { tcp_flags_str: '.E.AP.S.' } },
    expect: {
      '[network][tcp_flags]': ['ece', 'ack', 'psh', 'syn'],
      '[netflow][tcp_control_bits]': 90,
      '[network][tcp_flags_hex]': '0x5A',
      '[netflow][tcp_flags_str]': undefined,
    },
  },
  'sofelk_2050-netflow.conf:280': {
    data: { netflow: { tcp_control_bits: 2 } },
    expect: { '[network][tcp_flags]': ['syn'], '[netflow][tcp_control_bits]': 2, '[network][tcp_flags_hex]': '0x02' },
  },
  'sofelk_6018-cisco_asa.conf:34': {
    data: { network: { tcp_flags: ['RST', 'ACK'] } },
    expect: { '[network][tcp_flags]': ['ack', 'rst'], '[netflow][tcp_control_bits]': 20, '[network][tcp_flags_hex]': '0x14' },
  },
  'sofelk_8051-postprocess-ip_addresses.conf:674': {
    data: { related: { ip: ['10.0.0.1', '10.0.0.2', '10.0.0.1'] } },
    expect: { 'related.ip': ['10.0.0.1', '10.0.0.2'], '[related][ip]': undefined },
  },
};

function rubyNodes(statements: Statement[], out: PluginNode[] = []): PluginNode[] {
  for (const s of statements) {
    if (s.type === 'plugin') {
      if (s.name === 'ruby') out.push(s);
    } else {
      s.clauses.forEach((c) => rubyNodes(c.body, out));
      if (s.elseBody) rubyNodes(s.elseBody, out);
    }
  }
  return out;
}

interface Block {
  key: string;
  options: RubyFilterOptions;
  where: string;
}

async function realBlocks(): Promise<Block[]> {
  const blocks: Block[] = [];
  const { readdirSync } = await import('node:fs');
  for (const name of readdirSync(REAL_CONFIGS).filter((f) => f.endsWith('.conf')).sort()) {
    const file = path.join(REAL_CONFIGS, name);
    const config = await loadPipelineConfig({ paths: [file], env: REAL_CONFIG_ENV });
    for (const node of rubyNodes(config.filters)) {
      const options = { ...config.plugin(node).options } as Record<string, unknown>;
      // SOF-ELK installs its scripts under /usr/local/sof-elk; the corpus keeps them beside the configs.
      if (typeof options['path'] === 'string') options['path'] = path.join(SOF_ELK_SCRIPTS, path.basename(options['path']));
      blocks.push({ key: `${name}:${node.loc.line}`, options: options as RubyFilterOptions, where: `${file}:${node.loc.line}:${node.loc.column}` });
    }
  }
  return blocks;
}

describe.skipIf(!HAVE_SHARED)('every ruby block of the real configs', () => {
  let blocks: Block[] = [];
  beforeAll(async () => {
    blocks = await realBlocks();
    await sharedRubyVm();
  }, 180_000);

  it('has a case for each block, and each case names a block', () => {
    expect(blocks.map((b) => b.key).sort()).toEqual(Object.keys(CASES).sort());
  });

  it('runs each block with its config options and gives the fields its code computes', async () => {
    for (const block of blocks) {
      const c = CASES[block.key]!;
      const log = recorder();
      const filter = new RubyFilter(block.options, { ...context('v8', log), where: block.where, id: block.key });
      await filter.register();
      const out = (await Promise.all([filter.filter(new Event(c.data ?? {}, c.metadata ?? {}))])).flat();
      expect(out, block.key).toHaveLength(1);
      const e = out[0]!;
      expect(log.lines.filter((l) => l.level === 'error'), block.key).toEqual([]);
      for (const [ref, want] of Object.entries(c.expect)) expect(e.get(ref), `${block.key} ${ref}`).toEqual(want);
      if (!('tags' in c.expect)) expect(e.get('tags'), block.key).toBeUndefined();
      c.also?.(e);
      filter.close();
    }
  }, 180_000);
});
