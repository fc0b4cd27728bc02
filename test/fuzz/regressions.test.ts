// Replays every kept reproducer (test/fuzz/regressions/) as a pcap through the netflow codec in the
// fuzz worker: fixed ones must decode without exception, hang or memory growth; open ones must still
// reproduce (so a fix shows up as a failing test that says to mark it fixed).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproducerCapture } from '../../src/fuzz/reproducer.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { FuzzRunner } from '../../src/fuzz/runner.ts';
import { defaultCodecOptions } from '../../src/fuzz/codecs.ts';
import type { FuzzDatagram } from '../../src/fuzz/types.ts';
import { REGRESSIONS } from './regressions/index.ts';

describe('fuzz regressions (netflow codec)', () => {
  // One worker for all cases; a fresh codec is created for every sequence anyway.
  const runner = new FuzzRunner({ codecs: [{ name: 'netflow', options: defaultCodecOptions('netflow'), origin: 'regression' }], killMs: 5000, slowMs: 1000 });
  afterAll(() => runner.close());

  it.each(REGRESSIONS.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-reg-'));
    try {
      const file = join(dir, `${r.name}.pcap`);
      writeFileSync(file, reproducerCapture(r.datagrams));
      const seq: FuzzDatagram[] = [];
      for await (const d of readUdpDatagrams(file)) seq.push({ payload: d.payload, host: d.src, port: d.srcPort });
      expect(seq.map((d) => d.payload.toString('hex'))).toEqual(r.datagrams.map((d) => d.payload.toString('hex')));
      const result = await runner.run([seq]);
      const found = result.findings.map((f) => `${f.finding.class}: ${f.finding.message}`);
      if (r.status === 'fixed') expect(found, r.origin).toEqual([]);
      else expect(found.length, `${r.name} no longer reproduces: mark it 'fixed' in test/fuzz/regressions/`).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
