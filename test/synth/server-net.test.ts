import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawAddress, parseServerNets, ServerNetError } from '../../src/synth/server-net.ts';
import { Prng } from '../../src/synth/prng.ts';
import { synthesize } from '../../src/synth/synth.ts';
import { run as synthCli } from '../../src/cli/synth.ts';

const ipv4ToInt = (s: string): number => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('parseServerNets', () => {
  it('parses a list, clears host bits, and reads a bare address as a host route', () => {
    const nets = parseServerNets('81.2.69.143/31, 1.128.0.0/11,2001:db8::1/32,192.0.2.7');
    expect(nets.map((n) => [n.family, n.bits])).toEqual([[4, 31], [4, 11], [6, 32], [4, 32]]);
    expect([...nets[0]!.network]).toEqual([81, 2, 69, 142]);
    expect([...nets[2]!.network.subarray(0, 6)]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0]);
  });

  it('names the bad entry and why', () => {
    expect(() => parseServerNets('10.0.0.0/33')).toThrow(new ServerNetError('10.0.0.0/33', "'/33' is not a prefix length for IPv4 (0-32)"));
    expect(() => parseServerNets('example.com/24')).toThrow(/'example.com' is not an IPv4 or IPv6 address/);
    expect(() => parseServerNets('10.0.0.0/8,')).toThrow(/empty network/);
  });
});

describe('drawAddress', () => {
  it('stays inside the network for any prefix length and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 }), fc.nat(), fc.nat(), (bits, base, seed) => {
        const [net] = parseServerNets(`${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.')}/${bits}`);
        const a = ipv4ToInt(drawAddress(new Prng(seed), net!));
        const size = 2 ** (32 - bits);
        const lo = ipv4ToInt([...net!.network].join('.'));
        return a >= lo && a < lo + size;
      }),
    );
  });

  it('reaches both addresses of a /31', () => {
    const [net] = parseServerNets('81.2.69.142/31');
    const rng = new Prng(3);
    const seen = new Set(Array.from({ length: 64 }, () => drawAddress(rng, net!)));
    expect([...seen].sort()).toEqual(['81.2.69.142', '81.2.69.143']);
  });
});

describe('synth --server-net', () => {
  it('draws every server from the given networks, clients stay in 10/8', () => {
    const nets = parseServerNets('81.2.69.142/31,89.160.20.112/28');
    const r = synthesize({ profile: 'cisco-v9', flows: 200, seed: 5, ipv6Flows: false, serverNets: nets });
    const flows = r.packets.flatMap((p) => p.records).filter((rec) => !rec.options);
    expect(flows.length).toBe(200);
    const inNets = (a: string): boolean => /^81\.2\.69\.14[23]$/.test(a) || (a.startsWith('89.160.20.') && Number(a.split('.')[3]) >= 112 && Number(a.split('.')[3]) < 128);
    const servers = new Set<string>();
    for (const { values } of flows) {
      const pair = [String(values.ipv4_src_addr), String(values.ipv4_dst_addr)];
      const client = pair.find((a) => a.startsWith('10.'));
      const server = pair.find((a) => a !== client)!;
      expect(client, pair.join(' ')).toBeDefined();
      expect(inNets(server), server).toBe(true);
      servers.add(server.split('.')[0]!);
    }
    expect([...servers].sort()).toEqual(['81', '89']);
  });

  it('leaves the default output unchanged when not given (same seed, same bytes)', () => {
    const a = synthesize({ profile: 'softflowd', flows: 50, seed: 9 });
    const b = synthesize({ profile: 'softflowd', flows: 50, seed: 9, serverNets: [] });
    expect(Buffer.concat(b.packets.map((p) => p.frame)).equals(Buffer.concat(a.packets.map((p) => p.frame)))).toBe(true);
  });

  it('is an option of the CLI, with a usage error for a bad network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-net-'));
    try {
      const out = join(dir, 'c.pcap');
      const recs = join(dir, 'r.jsonl');
      expect(await synthCli(['--profile', 'softflowd', '--flows', '20', '--server-net', '1.128.0.0/11', '-o', out, '--records', recs])).toBe(0);
      const text = readFileSync(recs, 'utf8');
      expect(text).toMatch(/"1\.(1[2-5][0-9])\./);
      expect(text).not.toMatch(/198\.51\.100\.|203\.0\.113\./);
      expect(await synthCli(['--profile', 'softflowd', '--server-net', '1.128.0.0/40', '-o', out])).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
