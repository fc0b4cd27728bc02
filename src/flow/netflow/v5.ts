// NetFlow v5: a 24-byte header and 1..30 fixed 48-byte records.
import { Timestamp } from '../../event/timestamp.ts';
import { ipv4At, v5Switched } from './render.ts';
import type { FlowSink } from './decoder.ts';
import type { ProblemSink } from './problems.ts';

export interface V5Result {
  flows: number;
  malformed: boolean;
  sequence?: { engine: number; seq: number };
}

export const V5_HEADER = 24;
export const V5_RECORD = 48;

export function decodeV5(b: Buffer, host: string, sink: FlowSink, problem: ProblemSink): V5Result {
  if (b.length < V5_HEADER) {
    problem({ kind: 'bad-header', level: 'warn', exporter: host, offset: 0, message: `Invalid netflow packet received (NetFlow v5 header from ${host} needs ${V5_HEADER} bytes, got ${b.length})` });
    return { flows: 0, malformed: true };
  }
  const count = b.readUInt16BE(2);
  if (count < 1 || count > 30) {
    problem({ kind: 'bad-header', level: 'warn', exporter: host, offset: 2, message: `Invalid netflow packet received (value '${count}' not as expected for obj.flow_records)` });
    return { flows: 0, malformed: true };
  }
  const uptime = b.readUInt32BE(4);
  const unixSec = b.readUInt32BE(8);
  const unixNsec = b.readUInt32BE(12);
  const seq = b.readUInt32BE(16);
  const engineType = b[20]!;
  const engineId = b[21]!;
  const sampling = b.readUInt16BE(22);
  const available = Math.floor((b.length - V5_HEADER) / V5_RECORD);
  let n = count;
  let malformed = false;
  if (available < count) {
    problem({
      kind: 'length-mismatch', level: 'warn', exporter: host, offset: 2,
      message: `Invalid netflow packet received (NetFlow v5 packet from ${host} declares ${count} records but its ${b.length} bytes hold ${available}; decoding those)`,
    });
    n = available;
    malformed = true;
  }
  const ts = new Timestamp(unixSec, Math.floor(unixNsec / 1000) * 1000);
  for (let i = 0; i < n; i++) {
    const o = V5_HEADER + i * V5_RECORD;
    sink(ts, {
      version: 5,
      flow_seq_num: seq,
      engine_type: engineType,
      engine_id: engineId,
      sampling_algorithm: sampling >> 14,
      sampling_interval: sampling & 0x3fff,
      flow_records: count,
      ipv4_src_addr: ipv4At(b, o),
      ipv4_dst_addr: ipv4At(b, o + 4),
      ipv4_next_hop: ipv4At(b, o + 8),
      input_snmp: b.readUInt16BE(o + 12),
      output_snmp: b.readUInt16BE(o + 14),
      in_pkts: b.readUInt32BE(o + 16),
      in_bytes: b.readUInt32BE(o + 20),
      first_switched: v5Switched(uptime, unixSec, unixNsec, b.readUInt32BE(o + 24)),
      last_switched: v5Switched(uptime, unixSec, unixNsec, b.readUInt32BE(o + 28)),
      l4_src_port: b.readUInt16BE(o + 32),
      l4_dst_port: b.readUInt16BE(o + 34),
      tcp_flags: b[o + 37]!,
      protocol: b[o + 38]!,
      src_tos: b[o + 39]!,
      src_as: b.readUInt16BE(o + 40),
      dst_as: b.readUInt16BE(o + 42),
      src_mask: b[o + 44]!,
      dst_mask: b[o + 45]!,
    });
  }
  return { flows: n, malformed, sequence: { engine: (engineType << 8) | engineId, seq } };
}
