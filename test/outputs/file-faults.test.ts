// Output faults from outside: a real 1 MB tmpfs that fills up, and a directory a real non-root user
// cannot write to. Each failed write is counted, its reason logged once with the path, the summary
// printed, and the run exits with code 3 — never a silent stall.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');
const isRoot = process.getuid?.() === 0;

function tryMountTmpfs(dir: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
}

function summary(stderr: string): Record<string, number> {
  const m = /Summary: events in=(\d+) filtered=(\d+) out=(\d+) dropped=(\d+) failed=(\d+)/.exec(stderr);
  expect(m, stderr.slice(-2000)).not.toBeNull();
  const [, i, f, o, d, x] = m!.map(Number);
  return { in: i!, filtered: f!, out: o!, dropped: d!, failed: x! };
}

describe('file output faults', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-faults-'));
  const mounted = isRoot && tryMountTmpfs(dir);
  if (!mounted) console.warn('[skip] file-faults: cannot mount a tmpfs here (needs root): the full-disk test is skipped');

  it.skipIf(!mounted)('a full filesystem: every event is counted, ENOSPC logged once with the path, exit 3', () => {
    try {
      const file = path.join(dir, 'out.json');
      const r = spawnSync(
        process.execPath,
        [BIN, '-w', '1', '-e', `input { generator { count => 20000 message => "${'x'.repeat(100)}" } } output { file { path => "${file}" } }`],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.signal).toBeNull();
      expect(r.status).toBe(3);
      const s = summary(r.stderr);
      expect(s.in).toBe(20000);
      expect(s.failed).toBeGreaterThan(0);
      expect(s.out + s.failed).toBe(20000);
      const reasons = r.stderr.split('\n').filter((l) => l.includes('ENOSPC'));
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toContain(file);
      expect(r.stderr).toMatch(/\d+ events could not be written by an output .*exiting with code 3/);
      // What the summary calls written is in the file.
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}'));
      expect(lines.length).toBeGreaterThanOrEqual(s.out);
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const haveSetpriv = isRoot && spawnSync('setpriv', ['--version']).status === 0;
  if (!haveSetpriv) console.warn('[skip] file-faults: setpriv or root is missing: the unwritable-file test is skipped');

  it.skipIf(!haveSetpriv)('a file a non-root user cannot open: failed=100, EACCES logged once, exit 3', () => {
    const ro = mkdtempSync(path.join(tmpdir(), 'flowstash-ro-'));
    chmodSync(ro, 0o755);
    try {
      const file = path.join(ro, 'out.json');
      const r = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '-w', '1', '-e', `input { generator { count => 100 } } output { file { path => "${file}" } }`],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: tmpdir() } },
      );
      expect(r.status, r.stderr.slice(-2000)).toBe(3);
      const s = summary(r.stderr);
      expect(s).toMatchObject({ in: 100, out: 0, failed: 100 });
      const reasons = r.stderr.split('\n').filter((l) => l.includes('EACCES'));
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toContain(file);
    } finally {
      rmSync(ro, { recursive: true, force: true });
    }
  });
});
