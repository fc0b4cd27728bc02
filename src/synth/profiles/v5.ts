// NetFlow v5: fixed records, 30 per packet at most, flow sequence = flows exported before.
import { encodeV5Packet, V5_HEADER_LENGTH, V5_MAX_RECORDS, V5_RECORD_LENGTH, type FieldInput, type V5Record } from '../../flow/netflow/encode/index.ts';
import type { ExportBatch, ExporterContext, GeneratedRecord, SynthProfile } from '../types.ts';

export const v5Profile: SynthProfile = {
  name: 'v5',
  description: 'NetFlow v5 (fixed 48-byte records, up to 30 per packet)',
  protocol: 'v5',
  defaultPort: 2055,
  recordsPerDatagram: 30,
  usesTemplates: false,
  createExporter(ctx: ExporterContext) {
    const rng = ctx.rng;
    const bootMs = Math.floor(ctx.startUs / 1000) - rng.int(60_000, 40 * 86_400_000);
    const engineId = ctx.index & 0xff;
    let flowSequence = rng.u32();
    const uptime = (us: number): number => (Math.floor(us / 1000) - bootMs) >>> 0;
    const perPacket = Math.max(1, Math.min(V5_MAX_RECORDS, Math.floor((ctx.maxPayload - V5_HEADER_LENGTH) / V5_RECORD_LENGTH)));

    return {
      export(flows, nowUs): ExportBatch {
        const batchOut: ExportBatch = [];
        const v4 = flows.filter((fl) => fl.ipVersion === 4);
        for (let i = 0; i < v4.length; i += perPacket) {
          const batch: V5Record[] = v4.slice(i, i + perPacket).map((fl) => ({
            srcAddr: fl.src,
            dstAddr: fl.dst,
            nextHop: `192.0.2.${250 + (fl.outputIf % 4)}`,
            inputIf: fl.inputIf,
            outputIf: fl.outputIf,
            packets: fl.packets >>> 0,
            octets: fl.octets >>> 0,
            first: uptime(fl.startUs),
            last: uptime(fl.endUs),
            srcPort: fl.srcPort,
            dstPort: fl.protocol === 1 ? fl.icmpTypeCode : fl.dstPort,
            tcpFlags: fl.tcpFlags,
            protocol: fl.protocol,
            tos: fl.tos,
            srcAs: 0,
            dstAs: 0,
            srcMask: 24,
            dstMask: 24,
          }));
          const payload = encodeV5Packet({
              sysUptime: uptime(nowUs),
              unixSeconds: Math.floor(nowUs / 1e6),
              unixNanos: (nowUs % 1e6) * 1000,
              flowSequence,
              engineType: 0,
              engineId,
              records: batch,
            });
          flowSequence = (flowSequence + batch.length) >>> 0;
          const records: GeneratedRecord[] = batch.map((r) => ({
            exporter: ctx.index,
            protocol: 'v5',
            templateId: 0,
            options: false,
            values: r as unknown as Record<string, FieldInput>,
          }));
          batchOut.push({ payload, records });
        }
        return batchOut;
      },
    };
  },
};
