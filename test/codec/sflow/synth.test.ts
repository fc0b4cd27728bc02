// `synth --profile sflow`: tshark decodes every datagram as sFlow without a malformed packet or a
// warning, and the decoder gives one event per flow sample (with the sampled packet's addresses and
// ports) and one per counter record, without a warning.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../../src/synth/synth.ts';
import { encodeCapture } from '../../../src/capture/writer.ts';
import { SflowDecoder } from '../../../src/flow/sflow/index.ts';
import { ip6Text } from '../../../src/flow/sflow/text.ts';
import { ip6Bytes } from '../../../src/flow/sflow/encode.ts';
import type { FieldMap } from '../../../src/event/values.ts';

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TSHARK = haveTshark();
if (!TSHARK) console.warn('test/codec/sflow: tshark not installed; the synth → tshark check is skipped (apt-get install -y tshark)');

const VARIANTS = [
  { name: 'IPv4 transport', ipv6: false, seed: 1 },
  { name: 'IPv6 transport', ipv6: true, seed: 7 },
];

describe('synth --profile sflow', () => {
  for (const v of VARIANTS) {
    const res = synthesize({ profile: 'sflow', flows: 400, exporters: 2, seed: v.seed, ipv6: v.ipv6 });

    it(`${v.name}: decodes to one event per flow sample and per counter record, no warning`, () => {
      const warnings: string[] = [];
      const d = new SflowDecoder({}, { log: (_l, m) => warnings.push(m) });
      let flows = 0;
      let counters = 0;
      for (const p of res.packets) {
        const events: FieldMap[] = d.decode(p.payload, { host: p.src });
        const flowEvents = events.filter((e) => e['sflow_type'] === 'flow_sample');
        const flowRecords = p.records.filter((r) => !r.options);
        expect(flowEvents).toHaveLength(flowRecords.length);
        flowRecords.forEach((r, i) => {
          const e = flowEvents[i]!;
          const ip = (s: unknown): string => (String(s).includes(':') ? ip6Text(ip6Bytes(String(s)), 0) : String(s));
          expect(e['src_ip']).toBe(ip(r.values['src_ip']));
          expect(e['dst_ip']).toBe(ip(r.values['dst_ip']));
          expect(e['ip_protocol']).toBe(String(r.values['ip_protocol']));
          if (r.values['ip_protocol'] === 6 || r.values['ip_protocol'] === 17) {
            expect(e['src_port']).toBe(String(r.values['src_port']));
            expect(e['dst_port']).toBe(String(r.values['dst_port']));
          }
          expect(e['frame_length']).toBe(String(r.values['frame_length']));
          expect(e['src_vlan']).toBe(String(r.values['src_vlan']));
        });
        flows += flowEvents.length;
        counters += events.length - flowEvents.length;
      }
      expect(warnings).toEqual([]);
      expect(flows).toBe(res.flowCount);
      expect(counters).toBeGreaterThan(0);
      expect(d.stats()).toMatchObject({ datagrams: res.packets.length, datagrams_malformed: 0, flow_samples: res.flowCount });
    });

    it.skipIf(!TSHARK)(`${v.name}: tshark decodes it as sFlow without a malformed packet or a warning`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'sflow-synth-'));
      try {
        const file = join(dir, 'sflow.pcap');
        writeFileSync(file, encodeCapture(res.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
        // The sampled headers' payload bytes are filler: MySQL's dissector flags them as unknown commands.
        const args = ['-r', file, '-d', 'udp.port==6343,sflow', '--disable-protocol', 'mysql'];
        const run = (extra: string[]): string => execFileSync('tshark', [...args, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
        expect(run(['-Y', '_ws.malformed || _ws.expert.severity >= warning']).trim()).toBe('');
        const perDatagram = run(['-T', 'fields', '-e', 'sflow_245.numsamples']).trim().split('\n').map(Number);
        expect(perDatagram).toHaveLength(res.packets.length);
        expect(perDatagram.reduce((a, b) => a + b, 0)).toBe(res.packets.reduce((a, p) => a + p.records.filter((r) => !r.options).length, 0) + res.packets.reduce((a, p) => a + p.records.filter((r) => r.options).length, 0));
        // Every sampled header dissected down to its transport layer.
        const headers = run(['-T', 'fields', '-e', 'sflow_245.header_protocol']).trim().split('\n').join(',').split(',').filter(Boolean);
        expect(headers).toHaveLength(res.flowCount);
        expect(new Set(headers)).toEqual(new Set(['1']));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
