// `--pipeline.ecs_compatibility` reaches every plugin that has ECS behaviour, including the ones that
// read their own `ecs_compatibility` option; a plugin's explicit option wins (Logstash's rule).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

function firstEvent(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.split('\n')[0]!) as Record<string, unknown>;
}

describe('pipeline.ecs_compatibility', () => {
  const config = (opt = '') => `input { generator { count => 1 message => "hi" ${opt} } } output { stdout { codec => json_lines } }`;

  it('disabled: the generator writes host and sequence at the top level (logstash-input-generator legacy layout)', () => {
    const e = firstEvent(['--pipeline.ecs_compatibility', 'disabled', '-e', config()]);
    expect(typeof e['host']).toBe('string');
    expect(e['sequence']).toBe(0);
    expect(e['event']).toBeUndefined();
  });

  it('v8 (the default): [host][name] and [event][sequence]', () => {
    const e = firstEvent(['-e', config()]);
    expect(e['host']).toMatchObject({ name: expect.any(String) });
    expect(e['event']).toMatchObject({ sequence: 0 });
  });

  it("a plugin's own ecs_compatibility wins over the pipeline setting", () => {
    const e = firstEvent(['--pipeline.ecs_compatibility', 'disabled', '-e', config('ecs_compatibility => "v8"')]);
    expect(e['host']).toMatchObject({ name: expect.any(String) });
  });
});
