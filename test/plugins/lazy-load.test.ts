// `-t` and `fmt` load the plugin schemas only: no implementation module (except those of plugins whose
// catalog line asks -t to run their check), nor the pipeline engine, is imported. A module hook records every project module the process resolves.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG } from '../../src/plugins/catalog.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-lazy-'));
  const log = path.join(dir, 'loaded.txt');
  const hooks = path.join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(spec, context, next) {
  const r = await next(spec, context);
  if (r.url.startsWith(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src')).href)})) appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
  );
  const register = path.join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const entry = path.join(dir, 'entry.mjs');
  writeFileSync(entry, `import { main } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/cli/main.ts')).href)};\nawait main(process.argv.slice(2));\n`);
  writeFileSync(log, '');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, entry, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(out).toContain('Configuration OK');
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((u) => path.relative(path.join(ROOT, 'src'), fileURLToPath(u)));
}

describe('lazy plugin loading', () => {
  it('-t on a netflow/udp/mutate/stdout pipeline loads schemas, not implementations or the engine', () => {
    const loaded = modulesLoadedBy(['-t', '-e', 'input { udp { port => 4739 codec => netflow } } filter { mutate { add_tag => ["x"] } } output { stdout {} }']);
    expect(loaded).toContain(path.join('plugins', 'catalog.ts'));
    expect(loaded).toContain(path.join('plugins', 'inputs', 'udp', 'schema.ts'));
    // Only plugins whose catalog line says `checks` (mutate compiles its gsub regexps for -t) load their module.
    const withChecks = new Set(CATALOG.filter((c) => c.implementation.checks).map((c) => `${c.schema.kind}s/${c.schema.name}`));
    const implementations = loaded.filter((f) => /^plugins\/(inputs|filters|outputs|codecs)\/[^/]+\//.test(f) && !f.endsWith('schema.ts'));
    const unexpected = implementations.filter((f) => !withChecks.has(f.split('/').slice(1, 3).join('/')));
    expect(unexpected).toEqual([]);
    expect(implementations.some((f) => f.startsWith('plugins/inputs/udp/') || f.startsWith('plugins/codecs/netflow/'))).toBe(false);
    // Nor the engine, nor the flow decoders and their information model (a schema may import a small option table).
    // (-t compiles every condition's regexps with the condition compiler, pipeline/conditions.ts; the engine stays unloaded.)
    expect(loaded.filter((f) => /^pipeline\/(pipeline|runner|queue|harness)\.ts$/.test(f) || /infomodel|decoder|templates/.test(f))).toEqual([]);
  });
});
