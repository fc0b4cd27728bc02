// End to end through the real CLI: 100,000 stdin lines → conditional → mutate → json_lines file,
// and a SIGINT in the middle of a stream that never ends (nothing read may be lost).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

function startFlowstash(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('flowstash run (CLI)', () => {
  it('prints rubydebug for two stdin lines and exits 0', async () => {
    const run = startFlowstash(['-e', 'input { stdin {} } output { stdout { codec => rubydebug } }']);
    run.child.stdin.end('a\nb\n');
    expect(await run.exited).toBe(0);
    const blocks = run.out().split(/\n(?=\{)/);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^\{\n    "@timestamp" => \d{4}-\d\d-\d\dT[\d:.]+Z,\n      "@version" => "1",\n       "message" => "a",\n/);
  });

  it('100,000 lines through a conditional and mutate arrive in order, exactly once (-w 1)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-100k-'));
    const out = path.join(dir, 'nested/out.json');
    const config =
      'input { stdin {} } filter { if [message] =~ /0$/ { mutate { add_tag => ["tens"] } } ' +
      'else { mutate { convert => { "message" => "integer" } } } } output { file { path => "' + out + '" } }';
    const run = startFlowstash(['-w', '1', '-e', config]);
    const lines: string[] = [];
    for (let i = 1; i <= 100_000; i++) lines.push(String(i));
    run.child.stdin.end(lines.join('\n') + '\n');
    expect(await run.exited).toBe(0);
    const written = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { message: unknown; tags?: string[] });
    expect(written).toHaveLength(100_000);
    written.forEach((e, i) => {
      const n = i + 1;
      if (n % 10 === 0) {
        expect(e.message).toBe(String(n));
        expect(e.tags).toEqual(['tens']);
      } else {
        expect(e.message).toBe(n);
      }
    });
    expect(run.err()).toMatch(/Summary: events in=100000 filtered=100000 out=100000 dropped=0 failed=0/);
  });

  it('SIGINT in the middle drains: every event read is written, the counts match the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-sigint-'));
    const out = path.join(dir, 'out.json');
    const run = startFlowstash(['-w', '1', '-e', `input { stdin {} } filter { mutate { add_field => { "x" => "%{message}" } } } output { file { path => "${out}" } }`]);
    run.child.stdin.on('error', () => undefined); // it stops reading at the interrupt
    let n = 0;
    let exitedEarly = false;
    void run.exited.then(() => (exitedEarly = true));
    // Feed until the output file shows progress, then interrupt while stdin is still open.
    for (let round = 0; !(existsSync(out) && statSync(out).size > 100_000); round++) {
      if (exitedEarly || round > 1500) throw new Error(`flowstash did not make progress: ${run.err()}`);
      let chunk = '';
      for (let i = 0; i < 2000; i++) chunk += `${++n}\n`;
      run.child.stdin.write(chunk);
      await new Promise((r) => setTimeout(r, 20));
    }
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    run.child.stdin.destroy();
    const written = readFileSync(out, 'utf8').trimEnd().split('\n');
    const summary = /Summary: events in=(\d+) filtered=(\d+) out=(\d+) dropped=0 failed=0/.exec(run.err());
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBe(written.length);
    expect(Number(summary![3])).toBe(written.length);
    expect(run.err()).toContain('SIGINT received. Shutting down.');
    // The line being read at the interrupt is flushed as it stands (a prefix), not dropped.
    const messages = written.map((l) => (JSON.parse(l) as { message: string }).message);
    messages.slice(0, -1).forEach((m, i) => expect(m).toBe(String(i + 1)));
    expect(String(messages.length)).toMatch(new RegExp('^' + messages[messages.length - 1]));
  });
});
