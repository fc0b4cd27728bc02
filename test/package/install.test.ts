// The package installs and starts like an npm CLI: `npm pack` (prepack builds dist/ with tsc) → `npm install
// ./flowstash-*.tgz` into an empty directory → the installed `flowstash` runs from compiled code, with no
// tsx or esbuild anywhere in the installed tree, and its worker threads (fuzz) load from dist/ too.
// Needs npm and the packages in npm's cache (or the registry); skips with a message when it cannot install.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CONFIG = 'input { udp { port => 4739 codec => netflow } }';
const work = mkdtempSync(join(tmpdir(), 'flowstash-pack-'));
const app = join(work, 'app');
let shipped: string[] = [];
let skipReason = '';

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
}

beforeAll(() => {
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  if (pack.status !== 0) throw new Error(`npm pack failed (a type error fails the prepack build):\n${pack.stderr}`);
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, info[0]!.filename);
  shipped = info[0]!.files.map((f) => f.path);
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "name": "flowstash-install-check", "private": true }\n');
  const install = run('npm', ['install', '--prefer-offline', tarball], app);
  if (install.status !== 0) {
    if (/ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(install.stderr)) {
      skipReason = `npm install of the tarball needs packages neither cached nor reachable: ${install.stderr.split('\n')[0]}`;
      console.warn(`[package test] skipped: ${skipReason}`);
      return;
    }
    throw new Error(`npm install ${tarball} failed:\n${install.stderr}`);
  }
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the compiled CLI and its worker entries, and no sources, tests or benches', () => {
    expect(shipped).toContain('bin/flowstash.mjs');
    expect(shipped).toContain('dist/cli/main.js');
    expect(shipped).toContain('dist/replay/send-worker.js');
    expect(shipped).toContain('dist/fuzz/worker.js');
    expect(shipped).toContain('dist/pipeline/threads/filter-thread.js');
    expect(shipped.filter((f) => /\.test\.[jt]s$|^(src|test|bench|scripts|\.ci)\//.test(f))).toEqual([]);
    expect(shipped.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });
});

describe('the installed package', () => {
  it('checks a config from compiled code: Configuration OK, no tsx or esbuild installed', (ctx) => {
    if (skipReason) return ctx.skip();
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules).not.toContain('tsx');
    expect(modules).not.toContain('esbuild');
    const r = run('npx', ['--no-install', 'flowstash', '-t', '-e', CONFIG], app);
    expect(r.stderr).not.toMatch(/tsx/);
    expect(r.stdout).toContain('Configuration OK');
    expect(r.status).toBe(0);
  });

  it('answers like the source run (same exit code, stdout and stderr) for help, a check and an error', (ctx) => {
    if (skipReason) return ctx.skip();
    for (const args of [['--help'], ['rewrite', '--help'], ['-t', '-e', CONFIG], ['-t', '-f', 'no-such.conf'], ['capinfos', 'no-such.pcap']]) {
      const installed = run('npx', ['--no-install', 'flowstash', ...args], app);
      const source = run(process.execPath, [join(ROOT, 'bin', 'flowstash.mjs'), ...args], app);
      expect({ args, status: installed.status, stdout: installed.stdout, stderr: installed.stderr }).toEqual({
        args,
        status: source.status,
        stdout: source.stdout,
        stderr: source.stderr,
      });
    }
  });

  it('runs the fuzz worker thread from dist/ (one bootstrap, no tsx)', (ctx) => {
    if (skipReason) return ctx.skip();
    const capture = join(app, 'node_modules', 'flowstash', 'conf', 'tests', 'softflowd.pcap');
    expect(existsSync(capture)).toBe(true);
    const args = ['--no-install', 'flowstash', 'fuzz', '--codec', 'netflow', '--input', capture, '--iterations', '20', '--out', join(work, 'findings'), '--no-progress'];
    const r = run('npx', args, app);
    expect(r.stderr + r.stdout).toContain('worker started 1×');
    expect(r.status).toBe(0);
  });
});

describe('the installed package, --threads', () => {
  it('runs the filters on two threads from dist/: every event once, the summary adds up', (ctx) => {
    if (skipReason) return ctx.skip();
    const config = 'input { generator { count => 500 } } filter { mutate { add_field => { "t" => "%{sequence}" } } } output { stdout { codec => dots } }';
    const r = run('npx', ['--no-install', 'flowstash', '--threads', '2', '-b', '20', '-e', config], app);
    expect(r.stderr).not.toMatch(/tsx|ERROR/);
    expect(r.stdout).toBe('.'.repeat(500));
    expect(r.stderr).toMatch(/Summary: events in=500 filtered=500 out=500 dropped=0 failed=0/);
    expect(r.status).toBe(0);
  });
});

describe('npm ls --omit=dev', () => {
  it('lists neither tsx nor esbuild (both are dev-only)', () => {
    const r = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], ROOT);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.filter((l) => /[\\/]node_modules[\\/](tsx|esbuild)$/.test(l))).toEqual([]);
  });
});
