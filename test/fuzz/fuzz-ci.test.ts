// The CI-sized fuzz run: a few thousand mutated sequences from ../shared/corpus and from synth output
// through the netflow codec. Any finding not already kept as an open regression fails the test.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fuzz } from '../../src/fuzz/fuzzer.ts';
import { defaultCodecOptions } from '../../src/fuzz/codecs.ts';
import { synthesize } from '../../src/synth/synth.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { REGRESSIONS } from './regressions/index.ts';

const SHARED = resolve(__dirname, '../../../shared');
const CORPUS = join(SHARED, 'corpus');
const HAVE_CORPUS = existsSync(CORPUS);
if (!HAVE_CORPUS) console.warn(`test/fuzz: ${CORPUS} is absent; fuzzing synth output only`);

function corpusCaptures(): string[] {
  if (!HAVE_CORPUS) return [];
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(CORPUS, d.name)).filter((f) => f.endsWith('.pcap')).map((f) => join(CORPUS, d.name, f)));
}

describe('CI-sized fuzz run of the netflow codec', () => {
  it('finds nothing new in 3000 iterations over the corpus and synth output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-ci-'));
    try {
      const inputs = corpusCaptures();
      for (const profile of ['netscaler', 'softflowd', 'cisco-v9', 'v5']) {
        const r = synthesize({ profile, flows: 300, exporters: 2, seed: 4 });
        const file = join(dir, `${profile}.pcap`);
        writeFileSync(file, encodeCapture(r.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame }))));
        inputs.push(file);
      }
      const report = await fuzz({
        codecs: [{ name: 'netflow', options: defaultCodecOptions('netflow'), origin: '--codec netflow' }],
        inputs,
        iterations: 3000,
        seed: 20260101,
        out: join(dir, 'out'),
        minimizeTests: 300,
        // CI machines are shared: only a datagram slower than 1 s (twice) counts as a hang here.
        runner: { slowMs: 1000 },
      });
      expect(report.iterations).toBe(3000);
      expect(report.datagrams).toBeGreaterThan(3000);
      const open = new Set(REGRESSIONS.filter((r) => r.status === 'open').map((r) => r.signature));
      const fresh = report.findings.filter((f) => !open.has(f.signature));
      expect(
        fresh.map((f) => `${f.signature}\n  reproducer: ${f.reproducer.map((d) => d.payload.toString('hex')).join(' ')}`),
        'new fuzz findings: keep each as a regression in test/fuzz/regressions/ and report it',
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
