// A synthesized capture, read back through the capture reader and decoded by the project's netflow
// decoder (one instance, as Logstash runs one codec), gives exactly the flows that were generated.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../src/synth/synth.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { createNetflowDecoder, type DecodedFlow } from '../../src/flow/netflow/decoder.ts';
import { parseIpv6, NTP_UNIX_OFFSET, type FieldInput, type NtpTime } from '../../src/flow/netflow/encode/index.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldValue } from '../../src/event/values.ts';
import type { GeneratedRecord } from '../../src/synth/types.ts';

const V5_NAMES: Record<string, string> = {
  srcAddr: 'ipv4_src_addr', dstAddr: 'ipv4_dst_addr', nextHop: 'ipv4_next_hop', inputIf: 'input_snmp', outputIf: 'output_snmp',
  packets: 'in_pkts', octets: 'in_bytes', first: 'first_switched', last: 'last_switched', srcPort: 'l4_src_port',
  dstPort: 'l4_dst_port', tcpFlags: 'tcp_flags', protocol: 'protocol', tos: 'src_tos', srcAs: 'src_as', dstAs: 'dst_as',
  srcMask: 'src_mask', dstMask: 'dst_mask',
};

type Comparable = unknown;

function ts(sec: number, nanos: number): Comparable {
  const t = new Timestamp(sec, nanos); // normalizes 1e9 ns into the next second
  return { ts: t.seconds, ns: t.nanos };
}

/** What the decoder renders for a value we put on the wire (Logstash's rules, from the reference notes). */
function expectedValue(name: string, v: FieldInput, header: { uptime: number; unixSec: number; unixNsec: number; version: number }): Comparable {
  if (/^flow(Start|End)(Micro|Nano)seconds$/.test(name)) {
    const t = v as NtpTime;
    return ts(t.ntpSeconds - NTP_UNIX_OFFSET, Math.trunc((t.fraction / 2 ** 32) * 1e6 * 1000));
  }
  if (name.endsWith('_switched') && typeof v === 'number') {
    const millis = header.uptime - v;
    const sec = header.unixSec - Math.floor(millis / 1000);
    const mod = ((millis % 1000) + 1000) % 1000;
    if (header.version === 9) return ts(sec, (1e6 - mod * 1000) * 1000);
    let us = Math.floor(header.unixNsec / 1000) - mod * 1000;
    if (us < 0) us += 1e6; // Logstash forgets the borrow
    return ts(sec, us * 1000);
  }
  if (typeof v === 'bigint') return v <= 9007199254740991n ? Number(v) : v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'string' && v.includes(':') && parseIpv6(v)) return `ipv6:${Buffer.from(parseIpv6(v)!).toString('hex')}`;
  return v as Comparable;
}

/** The codec renders converted times as Logstash's to_iso8601 text; read it back for the ±1 ns comparison. */
function isoTime(v: string): Comparable | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(v);
  if (!m) return undefined;
  return ts(Date.parse(`${m[1]}Z`) / 1000, Number((m[2] ?? '').padEnd(9, '0')));
}

function comparable(v: FieldValue): Comparable {
  if (typeof v === 'string') {
    const t = isoTime(v);
    if (t !== undefined) return t;
  }
  if (typeof v === 'string' && v.includes(':') && parseIpv6(v)) return `ipv6:${Buffer.from(parseIpv6(v)!).toString('hex')}`;
  if (v instanceof Timestamp) return ts(v.seconds, v.nanos);
  if (v instanceof Float) return v.value;
  return v;
}

function close(a: Comparable, b: Comparable): boolean {
  const x = a as { ts?: number; ns?: number };
  const y = b as { ts?: number; ns?: number };
  if (x && y && typeof x === 'object' && typeof y === 'object' && 'ts' in x && 'ts' in y) return x.ts === y.ts && Math.abs(x.ns! - y.ns!) <= 1;
  return false;
}

describe.each(['netscaler', 'softflowd', 'cisco-v9', 'v5'] as const)('synth %s → capture → decoder', (profile) => {
  it('decodes to exactly the generated flows', async () => {
    const res = synthesize({ profile, flows: 400, exporters: 2, seed: 21, templatePackets: 6 });
    const dir = mkdtempSync(join(tmpdir(), 'synth-dec-'));
    try {
      const file = join(dir, 'out.pcap');
      writeFileSync(file, encodeCapture(res.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
      const problems: string[] = [];
      const decoder = createNetflowDecoder({}, { log: (level, msg) => (level === 'warn' || level === 'error') && problems.push(msg) });
      const decoded: { flow: DecodedFlow; payload: Buffer }[] = [];
      let n = 0;
      for await (const d of readUdpDatagrams(file)) {
        expect(d.payload.equals(res.packets[n]!.payload)).toBe(true);
        for (const flow of decoder.decode(d.payload, { host: d.src, port: d.srcPort })) decoded.push({ flow, payload: d.payload });
        n++;
      }
      expect(n).toBe(res.packets.length);
      expect(problems).toEqual([]);
      const generated: { rec: GeneratedRecord; payload: Buffer }[] = res.packets.flatMap((p) => p.records.map((rec) => ({ rec, payload: p.payload })));
      expect(decoded.length).toBe(generated.length);
      expect(generated.filter((g) => !g.rec.options).length).toBe(400);
      decoded.forEach(({ flow, payload }, i) => {
        const { rec } = generated[i]!;
        const version = payload.readUInt16BE(0);
        const header = {
          version,
          uptime: version === 10 ? 0 : payload.readUInt32BE(4),
          unixSec: version === 10 ? payload.readUInt32BE(4) : payload.readUInt32BE(8),
          unixNsec: version === 5 ? payload.readUInt32BE(12) : 0,
        };
        expect(flow.fields.version).toBe(version);
        if (version === 9) expect(flow.fields.flowset_id).toBe(rec.templateId);
        for (const [key, value] of Object.entries(rec.values)) {
          const name = version === 5 ? V5_NAMES[key]! : key;
          expect(name in flow.fields, `${profile} record ${i}: ${name} missing`).toBe(true);
          const got = comparable(flow.fields[name]!);
          const want = expectedValue(name, value, header);
          if (!close(got, want)) expect(got, `${profile} record ${i} field ${name}`).toEqual(want);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
