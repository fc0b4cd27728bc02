// sFlow v5 as a switch exports it: one flow sample per sampled packet (raw Ethernet header, 802.1Q
// on some ports, IPv4/IPv6 TCP/UDP/ICMP, cut at 128 bytes, plus extended switch data), and now and
// then a counter sample per port (generic interface + Ethernet counters). Packed by size.
import { encodeSflowDatagram, type CounterSampleSpec, type FlowSampleSpec, type SampleSpec } from '../../flow/sflow/encode.ts';
import { buildSampledFrame } from '../../flow/sflow/sampled-frame.ts';
import type { SyntheticFlow } from '../flows.ts';
import type { ExportBatch, ExporterContext, GeneratedRecord, SynthProfile } from '../types.ts';

const SAMPLING_RATES = [256, 512, 1024, 2048, 4096];
/** Flow samples between two rounds of counter samples, per agent. */
const COUNTER_EVERY = 40;
const HEADER_BYTES = 128;

interface PortCounters {
  inOctets: bigint;
  inPackets: number;
  outOctets: bigint;
  outPackets: number;
}

export const sflowProfile: SynthProfile = {
  name: 'sflow',
  description: 'sFlow v5 switch: flow samples with sampled Ethernet/802.1Q/IPv4/IPv6 headers + extended switch data, counter samples',
  protocol: 'sflow',
  defaultPort: 6343,
  recordsPerDatagram: 7,
  usesTemplates: false,
  createExporter(ctx: ExporterContext) {
    const rng = ctx.rng;
    const agent = `192.0.2.${1 + (ctx.index % 199)}`;
    const bootMs = Math.floor(ctx.startUs / 1000) - rng.int(60_000, 30 * 86_400_000);
    const samplingRate = SAMPLING_RATES[rng.int(0, SAMPLING_RATES.length - 1)]!;
    const ports = Math.max(2, ctx.interfaces);
    const vlanOf = (port: number): number => (port % 2 === 0 ? 10 * port : 0);
    const counters: PortCounters[] = Array.from({ length: ports + 1 }, () => ({ inOctets: 0n, inPackets: 0, outOctets: 0n, outPackets: 0 }));
    const pools = new Array<number>(ports + 1).fill(0);
    const flowSeq = new Array<number>(ports + 1).fill(0);
    const counterSeq = new Array<number>(ports + 1).fill(0);
    let datagramSeq = 0;
    let sinceCounters = COUNTER_EVERY;
    const mac = (n: number): string => `00:1c:73:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;

    function flowSample(fl: SyntheticFlow): { sample: FlowSampleSpec; record: GeneratedRecord } {
      const input = 1 + (fl.inputIf % ports);
      const output = 1 + (fl.outputIf % ports);
      const vlan = vlanOf(input);
      const avg = Math.max(fl.ipVersion === 4 ? 28 : 48, Math.floor(fl.octets / Math.max(1, fl.packets)));
      const l4 = fl.protocol === 6 ? 20 : 8;
      const ipHeader = fl.ipVersion === 4 ? 20 : 40;
      const frame = buildSampledFrame(
        {
          srcMac: mac(0x10000 + input * 256 + (fl.index & 0xff)),
          dstMac: mac(0x20000 + output),
          vlan: vlan ? { id: vlan, priority: fl.tos >> 5 } : undefined,
          ipVersion: fl.ipVersion,
          src: fl.src,
          dst: fl.dst,
          protocol: fl.protocol,
          srcPort: fl.srcPort,
          dstPort: fl.dstPort,
          tcpFlags: fl.tcpFlags,
          tos: fl.tos,
          ttl: fl.ipVersion === 4 ? 64 : 64,
          payloadLength: Math.max(0, Math.min(1500 - ipHeader - l4, avg - ipHeader - l4)),
        },
        HEADER_BYTES,
      );
      pools[input]! += samplingRate;
      const c = counters[input]!;
      c.inPackets += samplingRate;
      c.inOctets += BigInt(frame.frameLength * samplingRate);
      const o = counters[output]!;
      o.outPackets += samplingRate;
      o.outOctets += BigInt(frame.frameLength * samplingRate);
      const switchValues = { src_vlan: vlan, src_priority: vlan ? fl.tos >> 5 : 0, dst_vlan: vlanOf(output), dst_priority: 0 };
      const sample: FlowSampleSpec = {
        kind: 'flow',
        sequence: ++flowSeq[input]!,
        sourceIdType: 0,
        sourceIdIndex: input,
        samplingRate,
        samplePool: pools[input]! >>> 0,
        drops: 0,
        input,
        output,
        records: [
          { format: 1, protocol: 1, frameLength: frame.frameLength, stripped: 4, header: frame.header },
          { format: 1001, values: switchValues },
        ],
      };
      const record: GeneratedRecord = {
        exporter: ctx.index,
        protocol: 'sflow',
        templateId: 1,
        options: false,
        values: {
          source_id_index: input, sampling_rate: samplingRate, input_interface: input, output_interface: output,
          frame_length: frame.frameLength, header_size: frame.header.length, src_ip: fl.src, dst_ip: fl.dst, ip_protocol: fl.protocol,
          src_port: fl.srcPort, dst_port: fl.dstPort, ...switchValues,
        },
      };
      return { sample, record };
    }

    function counterSample(port: number): { sample: CounterSampleSpec; record: GeneratedRecord } {
      const c = counters[port]!;
      const generic = {
        interface_index: port, interface_type: 6, interface_speed: 10_000_000_000n, interface_direction: 1, interface_status: 3,
        input_octets: c.inOctets, input_packets: c.inPackets >>> 0, input_multicast_packets: 0, input_broadcast_packets: 0,
        input_discarded_packets: 0, input_errors: 0, input_unknown_protocol_packets: 0,
        output_octets: c.outOctets, output_packets: c.outPackets >>> 0, output_multicast_packets: 0, output_broadcast_packets: 0,
        output_discarded_packets: 0, output_errors: 0, promiscous_mode: 0,
      };
      const sample: CounterSampleSpec = {
        kind: 'counter',
        sequence: ++counterSeq[port]!,
        sourceIdType: 0,
        sourceIdIndex: port,
        records: [{ format: 1, values: generic }, { format: 2, values: {} }],
      };
      const values: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(generic)) values[k] = typeof v === 'bigint' ? v.toString() : v;
      return { sample, record: { exporter: ctx.index, protocol: 'sflow', templateId: 2, options: true, values } };
    }

    return {
      export(flows, nowUs): ExportBatch {
        const out: ExportBatch = [];
        const uptime = (Math.floor(nowUs / 1000) - bootMs) >>> 0;
        let samples: SampleSpec[] = [];
        let records: GeneratedRecord[] = [];
        let size = 28;
        const send = (): void => {
          if (samples.length === 0) return;
          out.push({ payload: encodeSflowDatagram({ agent, subAgentId: 0, sequence: ++datagramSeq, uptimeMs: uptime, samples }), records });
          samples = [];
          records = [];
          size = 28;
        };
        const add = (sample: SampleSpec, record: GeneratedRecord, bytes: number): void => {
          if (size + bytes > ctx.maxPayload) send();
          samples.push(sample);
          records.push(record);
          size += bytes;
        };
        for (const fl of flows) {
          const { sample, record } = flowSample(fl);
          const header = sample.records[0] as { header: Buffer };
          add(sample, record, 8 + 32 + 8 + 16 + Math.ceil(header.header.length / 4) * 4 + 8 + 16);
          if (++sinceCounters >= COUNTER_EVERY) {
            sinceCounters = 0;
            for (let port = 1; port <= ports; port++) {
              const cs = counterSample(port);
              add(cs.sample, cs.record, 8 + 12 + 8 + 88 + 8 + 52);
            }
          }
        }
        send();
        return out;
      },
    };
  },
};
