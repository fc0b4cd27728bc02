// Logstash's regexps where a config holds them: `=~`/`!~` conditionals and mutate gsub, with the
// Oniguruma features Ruby's Regexp documents; `-t` compiling every one; a runaway pattern cut off
// (event tagged, process answering SIGINT) — the last one through the real CLI and a real signal.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import { runPipelineHarness } from '../../src/pipeline/harness.ts';
import { runChecks } from '../../src/plugins/checks.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function run(config: string, lines: string[]): Promise<{ messages: unknown[]; tags: unknown[]; log: string[] }> {
  const cfg = await loadPipelineConfig({ configString: config });
  const r = await runPipelineHarness(cfg, { codec: 'line', source: { kind: 'lines', lines } });
  return { messages: r.events.map((e) => e.get('message')), tags: r.events.map((e) => e.get('tags') ?? null), log: r.log };
}

async function checkErrors(config: string): Promise<string[]> {
  const cfg = await loadPipelineConfig({ configString: config });
  return (await runChecks(cfg, 'v8')).errors;
}

describe('conditionals with Oniguruma-only constructs', () => {
  it('atomic groups, possessive quantifiers, \\A \\z \\Z \\h, named groups with : and -, (?m)', async () => {
    const config = `filter {
      if [message] =~ /(?>a+)b/ { mutate { add_tag => "atomic" } }
      if [message] =~ /^\\h++$/ { mutate { add_tag => "hex" } }
      if [message] =~ /\\Aab/ { mutate { add_tag => "starts_ab" } }
      if [message] =~ /(?<a:b-c>b)\\z/ { mutate { add_tag => "ends_b" } }
      if [message] =~ /(?m)x.y/ { mutate { add_tag => "dotall" } }
      if [message] !~ /(?>x+)x/ { mutate { add_tag => "never" } }
    }`;
    const r = await run(config, ['aab', 'c0ffee', 'abab', 'zz']);
    expect(r.tags).toEqual([['atomic', 'hex', 'ends_b', 'never'], ['hex', 'never'], ['atomic', 'hex', 'starts_ab', 'ends_b', 'never'], ['never']]);
  });

  it('^ and $ are line anchors, \\A/\\z the string\'s ends', async () => {
    const cfg = await loadPipelineConfig({ configString: `filter {
      if [m] =~ /^b$/ { mutate { add_tag => "line" } }
      if [m] =~ /\\Ab\\z/ { mutate { add_tag => "whole" } }
      if [m] =~ /(?m)a.b/ { mutate { add_tag => "dotall" } }
    }` });
    const r = await runPipelineHarness(cfg, { codec: 'json_lines', source: { kind: 'lines', lines: ['{"m":"a\\nb"}', '{"m":"b"}'] } });
    expect(r.events.map((e) => e.get('tags'))).toEqual([['line', 'dotall'], ['line', 'whole']]);
  });
});

describe('mutate gsub with Oniguruma-only constructs', () => {
  it('\\K, atomic groups, \\G, named references, Ruby replacement escapes', async () => {
    const config = `filter { mutate { gsub => [
      "message", "foo\\Kbar", "X",
      "message", "(?<n>\\h++)(?=;)", "<\\k<n>>",
      "message", "\\G-", "+"
    ] } }`;
    const r = await run(config, ['--foobar c0;zz;']);
    expect(r.messages).toEqual(['++fooX <c0>;zz;']);
  });

  it('a runaway gsub pattern fails the mutate for that event: _mutate_error, WARN, the pipeline goes on', async () => {
    const r = await run(`filter { mutate { gsub => ["message", "^(a+)+$", "x"] } }`, ['a'.repeat(40) + 'b', 'aaa']);
    expect(r.messages).toEqual(['a'.repeat(40) + 'b', 'x']);
    expect(r.tags).toEqual([['_mutate_error'], null]);
    expect(r.log.join('\n')).toMatch(/Exception caught while applying mutate filter/);
  });
});

describe('-t compiles every regexp', () => {
  it('a conditional regexp that does not compile fails -t at its file:line:col', async () => {
    const errors = await checkErrors(`filter {\n  if [message] =~ /ab[/ { drop {} }\n}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/premature end of char-class/);
    expect(errors[0]).toContain('<config string>:2:22');
  });
  it('gsub patterns are compiled too', async () => {
    const errors = await checkErrors(`filter { mutate { gsub => ["message", "a)", "b"] } }`);
    expect(errors.join('\n')).toMatch(/unmatched close parenthesis/);
  });
  it('valid Oniguruma-only patterns pass', async () => {
    expect(await checkErrors(`filter { if [m] =~ /(?>a)\\K/ { mutate { gsub => ["m", "a++", "b"] } } }`)).toEqual([]);
  });
});

describe('a runaway conditional regexp', () => {
  it('is cut off: the event is tagged _regexp_timeout, the match fails, a WARN names the condition', async () => {
    const config = `filter {\n  if [message] =~ /^(a+)+$/ { mutate { add_tag => "matched" } } else { mutate { add_tag => "other" } }\n}`;
    const r = await run(config, ['a'.repeat(40) + 'b', 'aaaa']);
    expect(r.tags).toEqual([['_regexp_timeout', 'other'], ['matched']]);
    expect(r.log.join('\n')).toMatch(/runaway pattern\) in the condition at <config string>:2:19/);
  });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flowstash-runaway-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('never keeps the process from answering SIGINT (real CLI, real signal)', async () => {
    const conf = path.join(tmp, 'runaway.conf');
    writeFileSync(
      conf,
      `input { generator { lines => ["${'a'.repeat(40)}b"] count => 0 } }\nfilter { if [message] =~ /^(a+)+$/ { drop {} } }\noutput { null {} }\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${path.join(ROOT, 'src/cli/main.ts')}').then((m) => m.main(process.argv.slice(1)))`, '--', '-f', conf, '--log.level', 'info'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const waitFor = (re: RegExp, ms: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setInterval(() => {
          if (re.test(stderr)) {
            clearInterval(timer);
            clearTimeout(limit);
            resolve();
          }
        }, 50);
        const limit = setTimeout(() => {
          clearInterval(timer);
          reject(new Error(`no ${re} within ${ms} ms:\n${stderr}`));
        }, ms);
      });
    try {
      await waitFor(/runaway pattern/, 40_000);
      child.kill('SIGINT');
      await waitFor(/SIGINT received/, 30_000);
      const code = await exited;
      expect(code).not.toBeNull();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stderr).toMatch(/_regexp_timeout/);
  });
});
