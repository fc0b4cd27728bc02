import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import { conditionalArms, runPipelineHarness, type BranchArm } from '../../src/pipeline/harness.ts';
import { runCli, Scratch } from './helpers.ts';

const NESTED = `filter {
  if [a] == "1" {
    if [b] { mutate { add_tag => ["ab"] } }
  } else if [a] == "2" {
    drop {}
  } else {
    if [n] > 5 { mutate { add_tag => ["big"] } } else { mutate { add_tag => ["small"] } }
  }
}
output {
  if "ab" in [tags] { null { id => "ab_out" } }
  stdout { id => "all_out" }
}
`;

describe('pipeline harness', () => {
  const s = new Scratch();
  const conf = s.file('nested.conf', NESTED);
  afterAll(() => s.remove());

  it('lists every arm of nested conditionals, implicit elses included, in source order', async () => {
    const config = await loadPipelineConfig({ paths: [conf] });
    const arms = conditionalArms(config).map((a) => `${a.section} ${a.loc.line} ${a.kind}`);
    expect(arms).toEqual([
      'filter 2 if',
      'filter 4 else if',
      'filter 6 else',
      'filter 3 if',
      'filter 3 implicit else',
      'filter 7 if',
      'filter 7 else',
      'output 11 if',
      'output 11 implicit else',
    ]);
  });

  it('hooks record the arm each event entered without changing what reaches the outputs', async () => {
    const config = await loadPipelineConfig({ paths: [conf] });
    const lines = ['{"a":"1","b":true}', '{"a":"2"}', '{"a":"3","n":9}', '{"a":"3","n":1}', '{"a":"1"}'];
    const plain = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines } });
    const hits: BranchArm[] = [];
    const hooked = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines } }, { onBranch: (a) => hits.push(a) });
    const view = (r: typeof plain): unknown => r.events.map((e) => [e.get('a'), e.get('tags') ?? null]);
    expect(view(hooked)).toEqual(view(plain));
    expect(view(plain)).toEqual([
      ['1', ['ab']],
      ['3', ['big']],
      ['3', ['small']],
      ['1', null],
    ]);
    expect(hooked.totals).toEqual(plain.totals);
    expect(plain.totals).toMatchObject({ in: 5, filtered: 4, dropped: 1 });
    expect(plain.outputs.map((o) => [o.id, o.events.length])).toEqual([
      ['ab_out', 1],
      ['all_out', 4],
    ]);
    const count = (line: number, kind: string): number => hits.filter((h) => h.loc.line === line && h.kind === kind).length;
    expect(count(2, 'if')).toBe(2);
    expect(count(4, 'else if')).toBe(1);
    expect(count(6, 'else')).toBe(2);
    expect(count(3, 'if')).toBe(1);
    expect(count(3, 'implicit else')).toBe(1);
    expect(count(7, 'if')).toBe(1);
    expect(count(7, 'else')).toBe(1);
    expect(count(11, 'if')).toBe(1);
    expect(count(11, 'implicit else')).toBe(3);
  });

  it('never creates the configured inputs and outputs: a pipeline writing to Elasticsearch and a file is tested as it is', async () => {
    const written = path.join(s.dir, 'never-written.log');
    const c = s.file(
      'es.conf',
      `input { generator { id => "gen" count => 2 message => "from the config" type => "gen" } }
output {
  if [n] { elasticsearch { id => "es" hosts => ["http://localhost:9200"] } }
  file { id => "archive" path => "${written}" }
}
`,
    );
    const config = await loadPipelineConfig({ paths: [c] });
    const r = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines: ['{"n":1}', '{"m":2}'] }, options: { type: 'test' } });
    expect(r.outputs.map((o) => [o.id, o.name, o.events.map((e) => e.get('n') ?? e.get('m'))])).toEqual([
      ['es', 'elasticsearch', [1]],
      ['archive', 'file', [1, 2]],
    ]);
    expect(r.events.map((e) => [e.get('type'), e.get('message') ?? null])).toEqual([
      ['test', null],
      ['test', null],
    ]);
    expect(existsSync(written)).toBe(false);
    expect(r.totals).toMatchObject({ in: 2, filtered: 2, out: 2, failed: 0 });
  });

  it('shows the pipeline log with a failing case (an event dropped by a condition that cannot be evaluated)', async () => {
    const t = s.file('cmp.yaml', `codec: json_lines\nignore: ["@timestamp"]\ntestcases:\n  - input: ['{"a":"3","n":"nine"}']\n    expected: [{ a: "3", n: nine, tags: [small] }]\n`);
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('☐ cmp.yaml #1 — expected 1 event, got 0');
    expect(r.out).toContain('event #1: expected but not produced: {"a":"3","n":"nine","tags":["small"]}');
    expect(r.out).toMatch(/pipeline log \(1 line\):\n {6}\[.*\]\[WARN \].*Unable to compare 'nine' \(String\) with '5' \(Integer\)/);
  });

  it('with --clock, events made without a @timestamp get the frozen time', async () => {
    const t = s.file('clock.yaml', `testcases:\n  - input: ["x"]\n    expected: [{ "@timestamp": "2025-06-01T12:00:00.000Z", message: x, event: { original: x } }]\n`);
    const r = await runCli(['-f', s.file('empty.conf', 'filter { }'), '--no-color', '--clock', '2025-06-01T12:00:00Z', '-q', t]);
    // -q: a passing case is not listed.
    expect(r.out.split('\n')[0]).toBe('Branch coverage: the pipeline has no conditionals in its filter or output sections');
    expect(r.out).toMatch(/Summary: ☑ 1\/1 test cases passed in 1 file \(1 event compared, \d+ ms\)\n$/);
    expect(r.code).toBe(0);
  });
});
