// How many of the 40 real pipelines flowstash can run (every plugin they use is emulated, not just
// validated). The floor only moves up: a plugin that stops running shows here.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import { notEmulated } from '../../src/cli/run.ts';
import { HAVE_SHARED, REAL_CONFIGS, REAL_CONFIG_ENV, realConfigs } from './shared.ts';

/** Raised as plugins land; the note of each issue records the count. */
const RUNNABLE_FLOOR = 39;

describe.skipIf(!HAVE_SHARED)('runnable real configs', () => {
  it(`at least ${RUNNABLE_FLOOR} of the real configs use only plugins flowstash runs`, async () => {
    const missing = new Map<string, string[]>();
    let runnable = 0;
    for (const { name } of realConfigs()) {
      const config = await loadPipelineConfig({ paths: [path.join(REAL_CONFIGS, name)], env: { ...process.env, ...REAL_CONFIG_ENV } });
      const skipped = notEmulated(config);
      if (skipped.length === 0) runnable++;
      else missing.set(name, skipped);
    }
    const lines = [...missing].map(([n, s]) => `  ${n}: ${s.join(', ')}`).join('\n');
    console.info(`runnable real configs: ${runnable}/${runnable + missing.size}\nnot yet:\n${lines}`);
    expect(runnable).toBeGreaterThanOrEqual(RUNNABLE_FLOOR);
  });
});
