// NetFlow v5 export packets: 24-byte header and up to 30 fixed 48-byte records.
import { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import { parseIpv4 } from './field-values.ts';

export const V5_HEADER_LENGTH = 24;
export const V5_RECORD_LENGTH = 48;
export const V5_MAX_RECORDS = 30;

export interface V5Record {
  srcAddr: string;
  dstAddr: string;
  nextHop: string;
  inputIf: number;
  outputIf: number;
  packets: number;
  octets: number;
  /** sysUptime (ms) at the first / last packet of the flow. */
  first: number;
  last: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  protocol: number;
  tos: number;
  srcAs: number;
  dstAs: number;
  srcMask: number;
  dstMask: number;
}

export interface V5Packet {
  sysUptime: number;
  unixSeconds: number;
  unixNanos: number;
  /** Flows seen before this packet, mod 2^32. */
  flowSequence: number;
  engineType: number;
  engineId: number;
  /** 2-bit sampling mode and 14-bit interval. */
  samplingMode?: number;
  samplingInterval?: number;
  records: V5Record[];
}

function check(v: number, bits: number, what: string, where: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new EncodeError(`${what} ${v} outside 0…${2 ** bits - 1}`, where);
  return v;
}

function ipv4(text: string, what: string, where: string): Uint8Array {
  const b = parseIpv4(text);
  if (!b) throw new EncodeError(`${what} ${JSON.stringify(text)} is not an IPv4 address`, where);
  return b;
}

export function encodeV5Packet(p: V5Packet): Buffer {
  if (p.records.length < 1 || p.records.length > V5_MAX_RECORDS) {
    throw new EncodeError(`${p.records.length} records: v5 carries 1…${V5_MAX_RECORDS}`, 'v5 packet');
  }
  const w = new ByteWriter(V5_HEADER_LENGTH + V5_RECORD_LENGTH * p.records.length);
  const h = 'v5 header';
  w.u16(5);
  w.u16(p.records.length);
  w.u32(check(p.sysUptime, 32, 'sysUptime', h));
  w.u32(check(p.unixSeconds, 32, 'unixSeconds', h));
  w.u32(check(p.unixNanos, 32, 'unixNanos', h));
  w.u32(check(p.flowSequence, 32, 'flowSequence', h));
  w.u8(check(p.engineType, 8, 'engineType', h));
  w.u8(check(p.engineId, 8, 'engineId', h));
  w.u16((check(p.samplingMode ?? 0, 2, 'samplingMode', h) << 14) | check(p.samplingInterval ?? 0, 14, 'samplingInterval', h));
  p.records.forEach((r, i) => {
    const where = `v5 record ${i}`;
    w.bytes(ipv4(r.srcAddr, 'srcAddr', where));
    w.bytes(ipv4(r.dstAddr, 'dstAddr', where));
    w.bytes(ipv4(r.nextHop, 'nextHop', where));
    w.u16(check(r.inputIf, 16, 'inputIf', where));
    w.u16(check(r.outputIf, 16, 'outputIf', where));
    w.u32(check(r.packets, 32, 'packets', where));
    w.u32(check(r.octets, 32, 'octets', where));
    w.u32(check(r.first, 32, 'first', where));
    w.u32(check(r.last, 32, 'last', where));
    w.u16(check(r.srcPort, 16, 'srcPort', where));
    w.u16(check(r.dstPort, 16, 'dstPort', where));
    w.u8(0);
    w.u8(check(r.tcpFlags, 8, 'tcpFlags', where));
    w.u8(check(r.protocol, 8, 'protocol', where));
    w.u8(check(r.tos, 8, 'tos', where));
    w.u16(check(r.srcAs, 16, 'srcAs', where));
    w.u16(check(r.dstAs, 16, 'dstAs', where));
    w.u8(check(r.srcMask, 8, 'srcMask', where));
    w.u8(check(r.dstMask, 8, 'dstMask', where));
    w.u16(0);
  });
  return w.toBuffer();
}
