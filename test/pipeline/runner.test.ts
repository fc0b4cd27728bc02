import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import { runPipeline, type PipelineControl } from '../../src/pipeline/runner.ts';
import { configOf } from './helpers.ts';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'flowstash-runner-'));
}

function readJsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function run(text: string, extra: Partial<Parameters<typeof runPipeline>[1]> = {}) {
  const logs: string[] = [];
  const code = await runPipeline(await configOf(text), {
    workers: 1,
    batchSize: 10,
    batchDelayMs: 5,
    logLevel: 'info',
    handleSignals: false,
    logSink: { write: (l) => void logs.push(l) },
    ...extra,
  });
  return { code, logs: logs.join('') };
}

const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('runPipeline', () => {
  it('generator → outputs in parallel, with output conditionals and common input options', async () => {
    const dir = tmp();
    const all = path.join(dir, 'all.json');
    const odd = path.join(dir, 'odd.json');
    const { code, logs } = await run(
      `input { generator { lines => ["a", "b"] count => 3 type => "gen" tags => ["t1"] add_field => { "f" => "%{message}!" } } }
       output {
         file { path => "${all}" }
         if [event][sequence] == 1 { file { path => "${odd}" } }
       }`,
    );
    expect(code).toBe(0);
    const events = readJsonLines(all);
    expect(events.map((e) => `${e['message']}${(e['event'] as { sequence: number }).sequence}`)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    expect(events[0]).toMatchObject({ type: 'gen', tags: ['t1'], f: 'a!' });
    expect(readJsonLines(odd)).toHaveLength(2);
    expect(logs).toMatch(/\[INFO \]\[flowstash\.runner\s*\] Summary: events in=6 filtered=6 out=6 dropped=0 failed=0/);
  });

  it('drops events whose condition cannot be evaluated, with Logstash’s warning, and counts them', async () => {
    const dir = tmp();
    const out = path.join(dir, 'o.json');
    const { logs } = await run(
      `input { generator { lines => ["1", "x"] count => 1 } }
       filter { mutate { convert => { "message" => "integer" } } if [message] > 0 { drop {} } }
       output { file { path => "${out}" } }`,
    );
    // "x" converts to 0 (Ruby to_i), 1 > 0 is dropped by the drop filter.
    expect(readJsonLines(out).map((e) => e['message'])).toEqual([0]);
    expect(logs).toMatch(/dropped=1 failed=0/);
    const bad = await run(
      `input { generator { lines => ["1"] count => 1 } } filter { if [message] > 0 { drop {} } } output { file { path => "${out}.2" } }`,
    );
    expect(bad.logs).toMatch(/\[WARN \].*Unable to compare '1' \(String\) with '0' \(Integer\).*Event was dropped, enable debug logging to see the event's payload/);
    expect(bad.logs).toMatch(/failed=1/);
    expect(existsSync(`${out}.2`)).toBe(false);
  });

  it('a second interrupt forces exit and reports the abandoned events', async () => {
    const dir = tmp();
    let control: PipelineControl | undefined;
    let forced: number | undefined;
    let abandoned: number | undefined;
    const result = run(`input { generator { count => 0 } } output { file { path => "${path.join(dir, 'o.json')}" } }`, {
      onStart: (c) => (control = c),
      forceExit: (code) => (forced = code),
    });
    await waitFor(() => control !== undefined, 'start');
    await new Promise((r) => setTimeout(r, 50));
    control!.interrupt('SIGINT');
    abandoned = control!.interrupt('SIGINT');
    const { code, logs } = await result;
    expect(forced).toBe(1);
    expect(code).toBe(1);
    expect(typeof abandoned).toBe('number');
    expect(logs).toContain(`forced exit, ${abandoned} events abandoned`);
  });

  it('-r replaces a changed valid config without losing events, keeps the old one on an invalid config', async () => {
    const dir = tmp();
    const conf = path.join(dir, 'p.conf');
    const out = path.join(dir, 'o.json');
    const text = (msg: string): string => `input { generator { message => "${msg}" count => 0 } } output { file { path => "${out}" } }`;
    writeFileSync(conf, text('one'));
    let control: PipelineControl | undefined;
    const result = run(text('one'), {
      reload: { intervalMs: 50, load: () => loadPipelineConfig({ paths: [conf], env: {} }) },
      onStart: (c) => (control = c),
    });
    const messages = (): unknown[] => readJsonLines(out).map((e) => e['message']);
    await waitFor(() => messages().includes('one'), 'first pipeline output');
    writeFileSync(conf, 'input { generator { ');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(conf, text('two'));
    await waitFor(() => messages().includes('two'), 'reloaded pipeline output');
    control!.interrupt('SIGTERM');
    const { code, logs } = await result;
    expect(code).toBe(0);
    expect(logs).toMatch(/\[ERROR\].*The given configuration is invalid, keeping the running pipeline\. Reason: Expected/);
    expect(logs).toContain('Reloading pipeline');
    const m = messages();
    // Old events all come before new ones: the old pipeline drained before the new one started.
    expect(m.lastIndexOf('one')).toBeLessThan(m.indexOf('two'));
    const written = [...logs.matchAll(/Summary: events in=(\d+) filtered=\d+ out=(\d+)/g)].map((x) => [Number(x[1]), Number(x[2])]);
    expect(written).toEqual([[m.length, m.length]]);
  });

  it('refuses to start a plugin that is validated but not emulated, exit 1', async () => {
    // kafka stays validated-only: no broker can run here.
    const { code, logs } = await run('input { generator { count => 1 } } output { kafka { topic_id => "flows" } }');
    expect(code).toBe(1);
    expect(logs).toMatch(/Pipeline failed to start: .*kafka.*not emulated/);
  });
});
