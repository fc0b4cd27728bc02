// A synthesized NetFlow v9 capture through the pcap input and the netflow codec, enriched like
// ElastiFlow does: the service name from ElastiFlow's iana_service_names.yml (translate, key
// "protocol:port") and a tag for destinations in the documentation networks (cidr, IPv4 and IPv6).
// Expected values come from the capture's own ground truth (synth --records), the dictionary read
// by the `yaml` package and node:net's BlockList — not from flowstash.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');
const DICT = path.resolve(ROOT, '../shared/configs/elastiflow/dictionaries/iana_service_names.yml');
if (!existsSync(DICT)) console.warn(`[skip] ${DICT} is absent: the translate + cidr capture test is skipped`);

const flowstash = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });

describe.skipIf(!existsSync(DICT))('translate + cidr on a synthesized capture (pcap input, netflow codec)', () => {
  it('every flow gets its IANA service name (or the fallback) and the documentation-network tag', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-enrich-'));
    const capture = path.join(dir, 'v9.pcap');
    const out = path.join(dir, 'out.json');
    const synth = flowstash(['synth', '--profile', 'cisco-v9', '--flows', '300', '-o', capture]);
    expect(synth.status, synth.stderr).toBe(0);
    const config = `
      input { pcap { path => "${capture}" codec => netflow {} } }
      filter {
        if [netflow][l4_dst_port] {
          mutate { add_field => { "[@metadata][svc]" => "%{[netflow][protocol]}:%{[netflow][l4_dst_port]}" } }
          translate { source => "[@metadata][svc]" target => "[service]" dictionary_path => "${DICT}" fallback => "unknown %{[@metadata][svc]}" }
          if [netflow][ipv4_dst_addr] {
            cidr { address => [ "%{[netflow][ipv4_dst_addr]}" ] network => [ "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24" ] add_tag => [ "doc_net" ] }
          } else {
            cidr { address_field => "[netflow][ipv6_dst_addr]" network => [ "2001:db8::/32" ] add_tag => [ "doc_net" ] }
          }
        }
      }
      output { file { path => "${out}" } }`;
    const run = flowstash(['-w', '1', '-e', config]);
    expect(run.status, run.stderr).toBe(0);
    const events = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { netflow: Record<string, unknown>; service?: string; tags?: string[] });
    const flows = events.filter((e) => e.netflow['l4_dst_port'] !== undefined);
    expect(flows.length).toBeGreaterThan(100);

    const dictionary = parse(readFileSync(DICT, 'utf8')) as Record<string, string>;
    const doc = new net.BlockList();
    for (const n of ['192.0.2.0', '198.51.100.0', '203.0.113.0']) doc.addSubnet(n, 24, 'ipv4');
    doc.addSubnet('2001:db8::', 32, 'ipv6');
    let named = 0;
    let tagged = 0;
    for (const e of flows) {
      const key = `${e.netflow['protocol']}:${e.netflow['l4_dst_port']}`;
      expect(e.service).toBe(dictionary[key] ?? `unknown ${key}`);
      if (dictionary[key]) named++;
      const v4 = e.netflow['ipv4_dst_addr'] as string | undefined;
      const addr = v4 ?? (e.netflow['ipv6_dst_addr'] as string);
      const inside = doc.check(addr, v4 ? 'ipv4' : 'ipv6');
      expect(e.tags?.includes('doc_net') ?? false, `${addr}`).toBe(inside);
      if (inside) tagged++;
    }
    expect(named).toBeGreaterThan(0);
    expect(named).toBeLessThan(flows.length);
    expect(tagged).toBeGreaterThan(0);
    expect(tagged).toBeLessThan(flows.length);
  });
});
