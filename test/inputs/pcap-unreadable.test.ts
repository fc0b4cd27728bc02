// The pcap input on a capture it cannot read (missing, a directory, not a capture): one line naming
// the file and the reason, and the run exits 1 like the other commands — not 0, not a stack trace.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

function run(file: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '-e', `input { pcap { path => "${file}" codec => netflow } } output { null {} }`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('pcap input on an unreadable capture', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-pcap-bad-'));
  const cases: [string, string, RegExp][] = [
    ['missing', path.join(dir, 'missing.pcap'), /ENOENT|no such file/],
    ['a directory', (mkdirSync(path.join(dir, 'adir')), path.join(dir, 'adir')), /it is a directory, not a capture file/],
    ['not a capture', (writeFileSync(path.join(dir, 'bad.pcap'), 'this is not a capture file'), path.join(dir, 'bad.pcap')), /byte offset 0: not a pcap or pcapng file/],
  ];
  for (const [what, file, reason] of cases) {
    it(`${what}: exit 1, one error line with the path and why, no stack trace`, () => {
      const r = run(file);
      expect(r.status).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => l.includes('[ERROR]'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`pcap input: `);
      expect(errors[0]).toContain(file);
      expect(errors[0]).toMatch(reason);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
