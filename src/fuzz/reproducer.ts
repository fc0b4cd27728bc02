// Writes a finding's datagrams as a pcap (Ethernet/IPv4/UDP, 1 ms apart) that `flowstash` and
// Wireshark can read, plus a text note saying what it reproduces.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCapture } from '../capture/writer.ts';
import { buildUdpFrame } from '../packet/frame-builder.ts';
import type { FuzzDatagram } from './types.ts';

const COLLECTOR = '192.0.2.200';
const BASE_SEC = Date.UTC(2025, 0, 1) / 1000;

function collectorPort(payload: Buffer): number {
  return payload.length >= 2 && payload.readUInt16BE(0) === 10 ? 4739 : 2055;
}

function ipv4OrDefault(host: string): string {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : '192.0.2.1';
}

export function reproducerCapture(seq: FuzzDatagram[]): Buffer {
  return encodeCapture(
    seq.map((d, i) => ({
      tsSec: BASE_SEC + Math.floor(i / 1000),
      tsNsec: (i % 1000) * 1_000_000,
      data: buildUdpFrame({
        src: ipv4OrDefault(d.host),
        dst: COLLECTOR,
        srcPort: d.port > 0 && d.port < 65536 ? d.port : 50000,
        dstPort: collectorPort(d.payload),
        payload: d.payload,
      }),
    })),
  );
}

export function writeReproducer(dir: string, name: string, seq: FuzzDatagram[], note: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, reproducerCapture(seq));
  writeFileSync(join(dir, `${name}.txt`), note);
  return file;
}
