import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, type SynthPacket } from '../../src/synth/synth.ts';
import { Prng } from '../../src/synth/prng.ts';
import { run as synthCli } from '../../src/cli/synth.ts';
import { encodeCapture } from '../../src/capture/writer.ts';

const PROFILES = ['netscaler', 'softflowd', 'cisco-v9', 'v5'] as const;

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TSHARK = hasTshark();
if (!TSHARK) console.warn('test/synth: tshark not installed; the tshark decode checks are skipped (apt-get install -y tshark)');

function setIds(p: SynthPacket): number[] {
  const ipfix = p.payload.readUInt16BE(0) === 10;
  const ids: number[] = [];
  let off = ipfix ? 16 : 20;
  while (off + 4 <= p.payload.length) {
    ids.push(p.payload.readUInt16BE(off));
    off += p.payload.readUInt16BE(off + 2);
  }
  return ids;
}

describe('Prng', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = new Prng(42), b = new Prng(42), c = new Prng(43);
    const sa = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(sa);
    const r = new Prng(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
    }
  });
});

describe.each(PROFILES)('synth profile %s', (profile) => {
  const opts = { profile, flows: 600, exporters: 3, seed: 5, templatePackets: 4 };
  const res = synthesize(opts);

  it('is deterministic for a seed', () => {
    const again = synthesize(opts);
    expect(again.packets.map((p) => p.frame.toString('hex'))).toEqual(res.packets.map((p) => p.frame.toString('hex')));
    const other = synthesize({ ...opts, seed: 6 });
    expect(other.packets.map((p) => p.frame.toString('hex'))).not.toEqual(res.packets.map((p) => p.frame.toString('hex')));
  });

  it('carries every generated flow exactly once, in paced, size-bounded datagrams', () => {
    const flows = res.packets.flatMap((p) => p.records.filter((r) => !r.options));
    expect(flows.length).toBe(600);
    expect(res.flowCount).toBe(600);
    const limit = profile === 'v5' ? 1464 : 1400;
    let prev = -1;
    for (const p of res.packets) {
      expect(p.payload.length).toBeLessThanOrEqual(limit);
      const t = p.tsSec * 1e9 + p.tsNsec;
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
      expect(p.dst).toBe('192.0.2.200');
      expect(p.dstPort).toBe(profile === 'netscaler' || profile === 'softflowd' ? 4739 : 2055);
      expect(['192.0.2.1', '192.0.2.2', '192.0.2.3']).toContain(p.src);
    }
    const span = (res.packets[res.packets.length - 1]!.tsSec - res.packets[0]!.tsSec);
    expect(span).toBeGreaterThan(1); // 600 flows at 100/s: several seconds of traffic
  });

  it('numbers packets per exporter as the protocol says', () => {
    for (let e = 0; e < 3; e++) {
      const mine = res.packets.filter((p) => p.exporter === e);
      for (let i = 1; i < mine.length; i++) {
        const a = mine[i - 1]!, b = mine[i]!;
        const seqA = a.payload.readUInt32BE(profile === 'v5' ? 16 : profile === 'cisco-v9' ? 12 : 8);
        const seqB = b.payload.readUInt32BE(profile === 'v5' ? 16 : profile === 'cisco-v9' ? 12 : 8);
        const step = profile === 'cisco-v9' ? 1 : a.records.length; // IPFIX: data records (options data included); v5: flows
        expect(seqB).toBe((seqA + step) >>> 0);
        if (profile !== 'v5' && profile !== 'cisco-v9') expect(a.payload.readUInt32BE(4)).toBe(a.tsSec);
      }
    }
  });

  it(profile === 'v5' ? 'has no templates to send (v5)' : 're-sends templates periodically', () => {
    if (profile === 'v5') {
      expect(res.templateDatagrams).toBe(0);
      expect(res.packets.every((p) => p.payload.readUInt16BE(0) === 5)).toBe(true);
      return;
    }
    for (let e = 0; e < 3; e++) {
      const mine = res.packets.filter((p) => p.exporter === e);
      const withTemplates = mine.map((p, i) => (setIds(p).some((id) => id === 0 || id === 2) ? i : -1)).filter((i) => i >= 0);
      expect(withTemplates[0]).toBe(0);
      // Templates lead the first export after every 4 datagrams; one export may span several datagrams.
      for (let k = 1; k < withTemplates.length; k++) expect(withTemplates[k]! - withTemplates[k - 1]!).toBeLessThanOrEqual(10);
      expect(withTemplates.length).toBeGreaterThanOrEqual(Math.floor(mine.length / 10));
    }
  });

  it.skipIf(!TSHARK)('decodes in tshark without malformed packets or warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      const file = join(dir, 'out.pcap');
      writeFileSync(file, encodeCapture(res.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
      const port = profile === 'netscaler' || profile === 'softflowd' ? 4739 : 2055;
      const args = ['-r', file, '-d', `udp.port==${port},cflow`];
      const bad = execFileSync('tshark', [...args, '-Y', '_ws.malformed || _ws.expert.severity >= warning'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(bad).toBe('');
      const lines = execFileSync('tshark', [...args, '-Y', 'cflow'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
      expect(lines.length).toBe(res.packets.length);
      // tshark counts the same flow records per datagram as we put in.
      const counts = execFileSync('tshark', [...args, '-T', 'fields', '-e', profile === 'v5' ? 'cflow.count' : 'cflow.flowset_id'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      if (profile === 'v5') expect(counts.trim().split('\n').map(Number)).toEqual(res.packets.map((p) => p.records.length));
      else expect(counts.trim().split('\n').length).toBe(res.packets.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('synth options', () => {
  it('caps by --duration and paces by --rate', () => {
    const r = synthesize({ profile: 'softflowd', flows: 100000, rate: 50, durationSec: 10, seed: 1 });
    expect(r.flowCount).toBeGreaterThan(350);
    expect(r.flowCount).toBeLessThan(650);
    const first = r.packets[0]!, last = r.packets[r.packets.length - 1]!;
    expect(last.tsSec - first.tsSec).toBeLessThanOrEqual(12);
  });

  it('speaks IPv6 to the collector with --ipv6', () => {
    const r = synthesize({ profile: 'netscaler', flows: 50, seed: 1, ipv6: true });
    expect(r.packets[0]!.src).toBe('2001:db8::1');
    expect(r.packets[0]!.dst).toBe('2001:db8::200');
    expect(r.packets[0]!.frame.readUInt16BE(12)).toBe(0x86dd);
  });

  it('refuses bad options with a message', () => {
    expect(() => synthesize({ profile: 'nope', flows: 1 })).toThrow(/unknown profile 'nope' \(known: netscaler, softflowd, cisco-v9, v5, sflow\)/);
    expect(() => synthesize({ profile: 'v5', flows: 0 })).toThrow(/--flows must be a positive integer/);
  });

  it('netscaler requests carry the HTTP fields as variable-length strings', () => {
    const r = synthesize({ profile: 'netscaler', flows: 200, seed: 3 });
    const reqs = r.packets.flatMap((p) => p.records).filter((x) => x.templateId === 258);
    expect(reqs.length).toBeGreaterThan(10);
    for (const q of reqs) {
      expect(typeof q.values.netscalerHttpReqUrl).toBe('string');
      expect(String(q.values.netscalerHttpReqUrl)).toMatch(/^\//);
      expect(q.values.netscalerHttpReqHost).toBe(q.values.netscalerHttpDomainName);
    }
  });
});

describe('flowstash synth CLI', () => {
  it('writes the capture and reports what it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-cli-'));
    const out: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    try {
      const file = join(dir, 'v5.pcap');
      const code = await synthCli(['--profile', 'v5', '--flows', '90', '--seed', '9', '-o', file]);
      process.stdout.write = orig;
      expect(code).toBe(0);
      expect(out.join('')).toMatch(/wrote \d+ packets to .*v5\.pcap \(v5, 90 flows, 1 exporter,/);
      const bytes = readFileSync(file);
      expect(bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32BE(0) === 0xa1b2c3d4).toBe(true);
      const recs = join(dir, 'v5.jsonl');
      expect(await synthCli(['--profile', 'v5', '--flows', '90', '--seed', '9', '-o', join(dir, 'x.pcap'), '--records', recs])).toBe(0);
      const lines = readFileSync(recs, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(90);
      expect(lines[0]).toMatchObject({ packet: 1, exporter: '192.0.2.1', protocol: 'v5', template: 0, options: false });
      expect(typeof lines[0].values.srcAddr).toBe('string');
      const again = join(dir, 'again.pcap');
      await synthCli(['--profile', 'v5', '--flows', '90', '--seed', '9', '-o', again]);
      expect(readFileSync(again).equals(bytes)).toBe(true);
    } finally {
      process.stdout.write = orig;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a bad option value', async () => {
    const err: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await synthCli(['--profile', 'v5', '--flows', 'abc', '-o', '/tmp/x.pcap'])).toBe(2);
      expect(await synthCli(['--profile', 'bogus', '-o', '/tmp/x.pcap'])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(err.join('')).toMatch(/--flows must be a positive integer/);
    expect(err.join('')).toMatch(/unknown profile 'bogus'/);
  });
});
