import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/fuzz.ts';
import { synthesize } from '../../src/synth/synth.ts';
import { encodeCapture } from '../../src/capture/writer.ts';

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await run(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('flowstash fuzz CLI', () => {
  it('runs --codec netflow over a synthesized capture, prints iterations/s and exits 0 without findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
    try {
      const file = join(dir, 'v9.pcap');
      const r = synthesize({ profile: 'cisco-v9', flows: 200, seed: 1 });
      writeFileSync(file, encodeCapture(r.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
      const res = await capture(['--codec', 'netflow', '--input', join(dir, '*.pcap'), '--iterations', '200', '--seed', '3', '--out', join(dir, 'out'), '--no-progress']);
      expect(res.err).toBe('');
      expect(res.out).toMatch(/^flowstash fuzz: 200 iterations in [\d.]+ s \(\d+ iterations\/s\), \d+ datagrams decoded, \d+ events, 1 inputs/);
      expect(res.out).toMatch(/no findings/);
      expect(res.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with its arguments and exits 2', async () => {
    expect((await capture(['--input', 'x.pcap'])).err).toMatch(/give either -f CONFIG or --codec NAME/);
    expect((await capture(['--codec', 'netflow', '--input', '/nonexistent/x.pcap'])).err).toMatch(/no such capture: \/nonexistent\/x\.pcap/);
    expect((await capture(['--codec', 'bogus', '--input', 'x.pcap'])).err).toMatch(/unknown codec 'bogus'/);
    const both = await capture(['--codec', 'netflow', '--input', 'x.pcap', '--iterations', '5', '--seconds', '1']);
    expect(both.err).toMatch(/--iterations or --seconds, not both/);
    expect(both.code).toBe(2);
    expect((await capture(['--codec', 'netflow', '--input', 'x.pcap', '--iterations', '-1'])).code).toBe(2);
  });
});
