// Runs logstash-filter-verifier's own example pipelines (read in place from ../shared) with test
// files written here: the outputs' conditionals decide which events are captured, as in LFV.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, Scratch } from './helpers.ts';

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
const REAL = path.join(SHARED, 'configs/real');
if (!existsSync(REAL)) console.warn(`skipping the LFV example pipelines: ${REAL} is absent`);

describe.skipIf(!existsSync(REAL))('LFV example pipelines from ../shared', () => {
  const s = new Scratch();
  afterAll(() => s.remove());

  it('conditional_output: only events an output accepts are captured, with the outputs they passed', async () => {
    const t = s.file(
      'cond.yaml',
      `ignore: ["@timestamp", "event", "host"]
export_outputs: true
testcases:
  - input: ["stdout", "nowhere", "file"]
    expected:
      - { message: stdout, tags: [conditional_output_filter], __lfv_out_passed: [stdout] }
      - { message: file, tags: [conditional_output_filter], __lfv_out_passed: [file] }
`,
    );
    const r = await runCli(['-f', path.join(REAL, 'lfv_conditional_output_main_conditional_output.conf'), '--no-color', t]);
    expect(r.out).toContain('☑ cond.yaml #1: 2 events as expected');
    expect(r.out).toContain('Branch coverage: 4/4 branches reached (100%)');
    expect(r.code).toBe(0);
  });

  it('basic config: the filter tags every event', async () => {
    const t = s.file('basic.json', JSON.stringify({ ignore: ['@timestamp', 'event'], testcases: [{ input: ['hello'], expected: [{ message: 'hello', tags: ['sut_passed'] }] }] }));
    const r = await runCli(['-f', path.join(REAL, 'lfv_basic_logstash_config_file.conf'), '--no-color', t]);
    expect(r.out).toContain('☑ basic.json #1: 1 event as expected');
    expect(r.code).toBe(0);
  });
});
