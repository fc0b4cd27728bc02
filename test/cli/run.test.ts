// The `run` front end: Logstash's flags and messages, `-t` output, and every real config passing -t.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDuration, parseRunArgs, run, UsageError } from '../../src/cli/run.ts';
import { run as fmt } from '../../src/cli/fmt.ts';
import type { PluginKind } from '../../src/config/ast.ts';
import { isEmulated } from '../../src/plugins/registry.ts';
import { HAVE_SHARED, REAL_CONFIG_ENV, REPO, realConfigs, REAL_CONFIGS } from '../config/shared.ts';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function capture(fn: () => Promise<number>): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await fn();
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('argument parsing', () => {
  it('accepts short and Logstash long names', () => {
    const a = parseRunArgs(['-f', 'x.conf', '-t', '-w', '3', '-b', '50', '-u', '10', '--log.level', 'debug']);
    expect(a).toMatchObject({ paths: ['x.conf'], testAndExit: true, workers: 3, batchSize: 50, batchDelayMs: 10, logLevel: 'debug' });
    const b = parseRunArgs(['--path.config=x.conf', '--config.test_and_exit', '--pipeline.workers', '2', '--pipeline.batch.size=7', '--pipeline.batch.delay', '5', '--config.reload.automatic', '--config.reload.interval', '500ms', '--config.support_escapes']);
    expect(b).toMatchObject({ paths: ['x.conf'], testAndExit: true, workers: 2, batchSize: 7, batchDelayMs: 5, reload: true, reloadIntervalMs: 500, supportEscapes: true });
    expect(parseRunArgs(['--config.string', 'input {}']).configString).toBe('input {}');
  });

  it('uses Logstash defaults', () => {
    expect(parseRunArgs(['-e', ''])).toMatchObject({ batchSize: 125, batchDelayMs: 50, logLevel: 'info', reload: false, reloadIntervalMs: 3000, configString: '' });
  });

  it('gives Logstash messages for -f with -e and -r with -e', () => {
    expect(() => parseRunArgs(['-f', 'a', '-e', 'b'])).toThrow("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.");
    expect(() => parseRunArgs(['-r', '-e', 'b'])).toThrow("Configuration reloading can't be used with 'config.string' (-e).");
  });

  it('rejects bad values precisely', () => {
    expect(() => parseRunArgs(['-e', '', '--log.level', 'loud'])).toThrow(UsageError);
    expect(() => parseRunArgs(['-e', '', '-w', '0'])).toThrow(/pipeline\.workers: '0'/);
    expect(() => parseRunArgs(['-e', '', '--bogus'])).toThrow("Unrecognised option '--bogus'");
    expect(() => parseRunArgs(['-f'])).toThrow('Option --path.config needs a value');
    expect(() => parseRunArgs([])).toThrow('No configuration given');
  });

  it('parses durations like Logstash TimeValue', () => {
    expect(parseDuration('3s')).toBe(3000);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(UsageError);
  });
});

describe('-t', () => {
  it('prints Configuration OK and the plugins it validated but does not run', async () => {
    const r = await capture(() => run(['-t', '-f', path.join(REPO, 'conf/ipfix.conf')]));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Configuration OK');
    const config = 'input { generator { count => 1 } } filter { grok { } fingerprint { } } output { elasticsearch { } stdout { codec => dots } }';
    const used: [PluginKind, string][] = [['input', 'generator'], ['filter', 'grok'], ['filter', 'fingerprint'], ['output', 'elasticsearch'], ['output', 'stdout'], ['codec', 'dots']];
    const skipped = used.filter(([kind, name]) => !isEmulated(kind, name)).map(([, name]) => name);
    const t = await capture(() => run(['-t', '-e', config]));
    expect(t.code).toBe(0);
    expect(t.stdout).toBe(`Configuration OK\n${skipped.length > 0 ? `validated, not emulated: ${skipped.join(', ')}\n` : ''}`);
  });

  it('prints the FATAL line and exits 1 on an invalid config', async () => {
    const r = await capture(() => run(['-t', '-e', 'input { udp { prot => 1 } }']));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\[FATAL\]\[flowstash\.runner\] The given configuration is invalid\. Reason: <config string>:1:15: Unknown setting 'prot' for udp \(did you mean 'port'\?\)/);
  });

  it('prints usage errors with ERROR and exit 1', async () => {
    const r = await capture(() => run(['-f', 'a.conf', '-e', 'x']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: Settings 'path.config' \(-f\) and 'config.string' \(-e\) can't be used simultaneously\./);
  });

  it('warnings go to stderr, keeping stdout for the verdict', async () => {
    const r = await capture(() => run(['-t', '-e', 'filter { if [a] and [b] and [c] or [d] { drop {} } }']));
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('Configuration OK\n')).toBe(true);
    expect(r.stderr).toMatch(/\[WARN \]\[flowstash\.config\] No input specified/);
    expect(r.stderr).toMatch(/Logstash evaluates `\[a\] and \[b\] and \[c\] or \[d\]`/);
  });
});

describe.skipIf(!HAVE_SHARED)('every real config passes -t', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [k, v] of Object.entries(REAL_CONFIG_ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterEach(() => {
    for (const k of Object.keys(REAL_CONFIG_ENV)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  it.each(realConfigs())('$name', async ({ name }) => {
    const r = await capture(() => run(['-t', '-f', path.join(REAL_CONFIGS, name)]));
    expect(r.stderr).not.toMatch(/FATAL/);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Configuration OK');
  });
});

describe('fmt command', () => {
  it('--check reports canonical files as clean', async () => {
    const r = await capture(() => fmt(['--check', path.join(REPO, 'conf/ipfix.conf')]));
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('the installed binary', () => {
  it('npx flowstash -t -f conf/ipfix.conf prints Configuration OK', () => {
    const out = execFileSync(process.execPath, [path.join(REPO, 'bin/flowstash.mjs'), '-t', '-f', 'conf/ipfix.conf'], { cwd: REPO, encoding: 'utf8' });
    expect(out.split('\n')[0]).toBe('Configuration OK');
  });

  it('exits 1 with the syntax error, the file, the line and a caret', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/flowstash.mjs'), '-t', '-e', 'input { stdin { type => x } }'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Reason: Expected one of [ \\t\\r\\n], "#", "{" at line 1, column 27 (byte 27) after input { stdin { type => x \n --> <config string>:1:27\n');
    expect(r.stderr).toContain('1 | input { stdin { type => x } }\n  |                           ^\n');
  });
});
