// Synthetic capture records for the chunked-rewrite tests: UDP datagrams from 200 IPv4 and 50 IPv6
// exporters, each payload numbered by its packet (first 4 bytes) so misplaced bytes show.
import type { PacketRecord } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';

export function exporterRecords(count: number, payloadBytes: (i: number) => number): PacketRecord[] {
  const out: PacketRecord[] = [];
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(payloadBytes(i), i & 0xff);
    if (payload.length >= 4) payload.writeUInt32BE(i, 0);
    const v6 = i % 3 === 0;
    const data = buildUdpFrame({
      src: v6 ? `2001:db8::${(i % 50) + 1}` : `10.0.${i % 4}.${(i % 200) + 1}`,
      dst: v6 ? '2001:db8:ffff::2' : '192.0.2.200',
      srcPort: 9991,
      dstPort: 2055,
      payload,
    });
    out.push({ tsSec: 1_700_000_000 + (i >> 8), tsNsec: (i & 0xff) * 1_000_000 + (i % 1000) * 1000 + (i % 7), data, len: data.length });
  }
  return out;
}
