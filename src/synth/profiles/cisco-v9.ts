// Cisco IOS-style NetFlow v9: IPv4/IPv6 flow templates with sampler id, an options template for the
// random sampler (scope: system) and one naming the interfaces (scope: interface).
import { V9ExporterSession, v9Field, type FieldInput, type Template, type V9FlowSet } from '../../flow/netflow/encode/index.ts';
import type { SyntheticFlow } from '../flows.ts';
import { packV9, exportBatch, type PendingRecord } from '../packing.ts';
import type { ExportBatch, ExporterContext, SynthProfile } from '../types.ts';

const v = v9Field;
const COMMON = [
  v(1, 4), v(2, 4), v(4, 1), v(5, 1), v(6, 1), v(7, 2), v(11, 2), v(10, 2), v(14, 2), v(16, 2), v(17, 2),
  v(21, 4), v(22, 4), v(61, 1), v(48, 1),
];
export const CISCO_V9_TEMPLATES: readonly Template[] = [
  { id: 256, fields: [v(8, 4), v(12, 4), v(9, 1), v(13, 1), v(15, 4), ...COMMON] },
  { id: 257, fields: [v(27, 16), v(28, 16), v(29, 1), v(30, 1), v(62, 16), ...COMMON] },
];
/** Scope fields carry v9 scope types (1 system, 2 interface), so their types are given explicitly. */
export const CISCO_V9_SAMPLER_OPTIONS: Template = {
  id: 258,
  scopeFieldCount: 1,
  fields: [{ id: 1, length: 4, type: 'unsigned32', name: 'scope_system' }, v(48, 1), v(49, 1), v(50, 4)],
};
export const CISCO_V9_INTERFACE_OPTIONS: Template = {
  id: 259,
  scopeFieldCount: 1,
  fields: [{ id: 2, length: 4, type: 'unsigned32', name: 'scope_interface' }, v(10, 4), v(82, 16), v(83, 32)],
};

const IF_NAMES = ['Gi0/0/0', 'Gi0/0/1', 'Gi0/0/2', 'Te0/1/0', 'Te0/1/1', 'Po1', 'Vl100', 'Vl200'];

export const ciscoV9Profile: SynthProfile = {
  name: 'cisco-v9',
  description: 'Cisco NetFlow v9 with sampler and interface-name options templates',
  protocol: 'v9',
  defaultPort: 2055,
  recordsPerDatagram: 24,
  usesTemplates: true,
  createExporter(ctx: ExporterContext) {
    const rng = ctx.rng;
    const sourceId = rng.int(0, 255);
    const session = new V9ExporterSession(sourceId, rng.u32());
    const bootMs = Math.floor(ctx.startUs / 1000) - rng.int(60_000, 40 * 86_400_000);
    const systemId = rng.u32();
    const samplerInterval = rng.pick([1, 100, 1000]);
    const uptime = (us: number): number => (Math.floor(us / 1000) - bootMs) >>> 0;

    function recordFor(fl: SyntheticFlow): PendingRecord {
      const v4 = fl.ipVersion === 4;
      const values: Record<string, FieldInput> = {
        in_bytes: fl.octets >>> 0,
        in_pkts: fl.packets >>> 0,
        protocol: fl.protocol,
        src_tos: fl.tos,
        tcp_flags: fl.tcpFlags,
        l4_src_port: fl.srcPort,
        l4_dst_port: fl.protocol === 1 || fl.protocol === 58 ? fl.icmpTypeCode : fl.dstPort,
        input_snmp: fl.inputIf,
        output_snmp: fl.outputIf,
        src_as: fl.reply ? rng.int(64512, 65534) : 0,
        dst_as: fl.reply ? 0 : rng.int(64512, 65534),
        last_switched: uptime(fl.endUs),
        first_switched: uptime(fl.startUs),
        direction: 0,
        flow_sampler_id: 1,
      };
      const t = CISCO_V9_TEMPLATES[v4 ? 0 : 1]!;
      for (const fld of t.fields.slice(0, 5)) {
        const name = fld.name!;
        if (fld.id === 8 || fld.id === 27) values[name] = fl.src;
        else if (fld.id === 12 || fld.id === 28) values[name] = fl.dst;
        else if (fld.id === 15) values[name] = `192.0.2.${250 + (fl.outputIf % 4)}`;
        else if (fld.id === 62) values[name] = '2001:db8:0:ffff::1';
        else values[name] = v4 ? rng.int(8, 32) : rng.int(32, 128);
      }
      return { template: t, values };
    }

    return {
      export(flows, nowUs, withTemplates): ExportBatch {
        const pending: PendingRecord[] = [];
        if (withTemplates) {
          pending.push({
            template: CISCO_V9_SAMPLER_OPTIONS,
            values: { scope_system: systemId, flow_sampler_id: 1, flow_sampler_mode: 2, flow_sampler_random_interval: samplerInterval },
          });
          for (let i = 1; i <= ctx.interfaces; i++) {
            pending.push({
              template: CISCO_V9_INTERFACE_OPTIONS,
              values: { scope_interface: i, input_snmp: i, if_name: IF_NAMES[(i - 1) % IF_NAMES.length]!, if_desc: `uplink-${i} to core` },
            });
          }
        }
        for (const fl of flows) pending.push(recordFor(fl));
        const templateSets: V9FlowSet[] = withTemplates
          ? [
              { type: 'template', templates: [...CISCO_V9_TEMPLATES] },
              { type: 'optionsTemplate', templates: [CISCO_V9_SAMPLER_OPTIONS, CISCO_V9_INTERFACE_OPTIONS] },
            ]
          : [];
        const unixSeconds = Math.floor(nowUs / 1e6);
        const packed = packV9(templateSets, pending, ctx.maxPayload, (sets) => session.encode(uptime(nowUs), unixSeconds, sets));
        return exportBatch(packed, pending, ctx.index, 'v9');
      },
    };
  },
};
