// softflowd-style plain IPFIX: 5-tuple flows with sysUpTime-relative times, separate IPv4/ICMP/IPv6
// templates, and an options template announcing the exporter's boot time, sampling and interface name.
import { ipfixField, IpfixExporterSession, type FieldInput, type IpfixSet, type Template } from '../../flow/netflow/encode/index.ts';
import type { SyntheticFlow } from '../flows.ts';
import { packIpfix, exportBatch, type PendingRecord } from '../packing.ts';
import type { ExportBatch, ExporterContext, SynthProfile } from '../types.ts';

const f = ipfixField;
const TIMES_COUNTERS = [
  f('flowStartSysUpTime', 4), f('flowEndSysUpTime', 4), f('octetDeltaCount', 4), f('packetDeltaCount', 4),
  f('ingressInterface', 4), f('egressInterface', 4), f('flowDirection', 1), f('flowEndReason', 1),
];
const V4 = [f('sourceIPv4Address'), f('destinationIPv4Address')];
const V6 = [f('sourceIPv6Address'), f('destinationIPv6Address')];
const PORTS = [f('sourceTransportPort'), f('destinationTransportPort'), f('protocolIdentifier'), f('tcpControlBits', 1), f('ipVersion', 1), f('ipClassOfService', 1)];
const ICMP = [f('icmpTypeCodeIPv4', 2), f('protocolIdentifier'), f('ipVersion', 1), f('ipClassOfService', 1)];
const ICMP6 = [f('icmpTypeCodeIPv6', 2), f('protocolIdentifier'), f('ipVersion', 1), f('ipClassOfService', 1)];

export const SOFTFLOWD_TEMPLATES: readonly Template[] = [
  { id: 1024, fields: [...V4, ...TIMES_COUNTERS, ...PORTS] },
  { id: 1025, fields: [...V4, ...TIMES_COUNTERS, ...ICMP] },
  { id: 2048, fields: [...V6, ...TIMES_COUNTERS, ...PORTS] },
  { id: 2049, fields: [...V6, ...TIMES_COUNTERS, ...ICMP6] },
];
export const SOFTFLOWD_OPTIONS_TEMPLATE: Template = {
  id: 256,
  scopeFieldCount: 1,
  fields: [
    f('meteringProcessId', 4), f('systemInitTimeMilliseconds', 8), f('samplingPacketInterval', 4),
    f('samplingPacketSpace', 4), f('selectorAlgorithm', 2), f('interfaceName', 16),
  ],
};

export const softflowdProfile: SynthProfile = {
  name: 'softflowd',
  description: 'plain IPFIX 5-tuple flows as softflowd exports them (sysUpTime times, options template)',
  protocol: 'ipfix',
  defaultPort: 4739,
  recordsPerDatagram: 25,
  usesTemplates: true,
  createExporter(ctx: ExporterContext) {
    const rng = ctx.rng;
    const session = new IpfixExporterSession(0, 0);
    const bootMs = Math.floor(ctx.startUs / 1000) - rng.int(60_000, 20 * 86_400_000);
    const meteringProcessId = rng.int(1000, 60000);
    const ifName = rng.pick(['eth0', 'ens3', 'enp0s31f6', 'wlan0', 'br0']);
    const uptime = (us: number): number => (Math.floor(us / 1000) - bootMs) >>> 0;

    function recordFor(fl: SyntheticFlow): PendingRecord {
      const icmp = fl.protocol === 1 || fl.protocol === 58;
      const v4 = fl.ipVersion === 4;
      const template = SOFTFLOWD_TEMPLATES[(v4 ? 0 : 2) + (icmp ? 1 : 0)]!;
      const values: Record<string, FieldInput> = {
        [v4 ? 'sourceIPv4Address' : 'sourceIPv6Address']: fl.src,
        [v4 ? 'destinationIPv4Address' : 'destinationIPv6Address']: fl.dst,
        flowStartSysUpTime: uptime(fl.startUs),
        flowEndSysUpTime: uptime(fl.endUs),
        octetDeltaCount: fl.octets >>> 0,
        packetDeltaCount: fl.packets >>> 0,
        ingressInterface: 0,
        egressInterface: 0,
        flowDirection: 0,
        flowEndReason: fl.protocol === 6 && (fl.tcpFlags & 0x01) !== 0 ? 3 : 1,
        protocolIdentifier: fl.protocol,
        ipVersion: fl.ipVersion,
        ipClassOfService: fl.tos,
      };
      if (icmp) values[v4 ? 'icmpTypeCodeIPv4' : 'icmpTypeCodeIPv6'] = fl.icmpTypeCode;
      else {
        values.sourceTransportPort = fl.srcPort;
        values.destinationTransportPort = fl.dstPort;
        values.tcpControlBits = fl.tcpFlags;
      }
      return { template, values };
    }

    return {
      export(flows, nowUs, withTemplates): ExportBatch {
        const pending: PendingRecord[] = [];
        const options: Record<string, FieldInput> = {
          meteringProcessId,
          systemInitTimeMilliseconds: bootMs,
          samplingPacketInterval: 1,
          samplingPacketSpace: 0,
          selectorAlgorithm: 1,
          interfaceName: ifName,
        };
        if (withTemplates) pending.push({ template: SOFTFLOWD_OPTIONS_TEMPLATE, values: options });
        for (const fl of flows) pending.push(recordFor(fl));
        const templateSets: IpfixSet[] = withTemplates
          ? [{ type: 'template', templates: [...SOFTFLOWD_TEMPLATES] }, { type: 'optionsTemplate', templates: [SOFTFLOWD_OPTIONS_TEMPLATE] }]
          : [];
        const exportTime = Math.floor(nowUs / 1e6);
        const packed = packIpfix(templateSets, pending, ctx.maxPayload, (sets) => session.encode(exportTime, sets));
        return exportBatch(packed, pending, ctx.index, 'ipfix');
      },
    };
  },
};
