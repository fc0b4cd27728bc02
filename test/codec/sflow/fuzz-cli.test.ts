// `flowstash fuzz --codec sflow`: mutated sFlow datagrams (a synthesized switch capture and, when
// present, the corpus captures) never make the codec throw, hang or grow memory.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/fuzz.ts';
import { synthesize } from '../../../src/synth/synth.ts';
import { encodeCapture } from '../../../src/capture/writer.ts';
import { HAVE_SFLOW_CORPUS, SFLOW_CORPUS } from './corpus-helpers.ts';

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

describe('flowstash fuzz --codec sflow', () => {
  it('finds nothing in mutated sFlow datagrams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-sflow-'));
    try {
      const file = join(dir, 'sflow.pcap');
      const r = synthesize({ profile: 'sflow', flows: 300, seed: 5 });
      writeFileSync(file, encodeCapture(r.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
      const inputs = [file, ...(HAVE_SFLOW_CORPUS ? [join(SFLOW_CORPUS, '*.pcap')] : [])];
      const res = await capture(['--codec', 'sflow', '--input', ...inputs, '--iterations', '400', '--seed', '11', '--out', join(dir, 'out'), '--no-progress']);
      expect(res.err).toBe('');
      expect(res.out).toMatch(/^flowstash fuzz: 400 iterations in [\d.]+ s \(\d+ iterations\/s\), \d+ datagrams decoded, \d+ events, \d+ inputs/);
      expect(res.out).toMatch(/no findings/);
      expect(res.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
