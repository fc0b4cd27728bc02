#!/usr/bin/env node
// Compiles src/ to dist/ with TypeScript's own emit (tsconfig.build.json: `rewriteRelativeImportExtensions`
// turns the sources' `./x.ts` specifiers into `./x.js`). Runs on `prepare` (a checkout's npm install) and
// `prepack` (npm pack / publish), so the package ships compiled code and starts without tsx.
// A type error fails the build (what ships has been type-checked); `--keep-going` (the checkout's `prepare`)
// reports it but keeps the emitted dist/, so an install of a work-in-progress tree still completes.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function buildDist() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const keepGoing = process.argv.includes('--keep-going');
  // npm pack/publish run prepack (the strict build) and then prepare: build once.
  if (keepGoing && (process.env.npm_command === 'pack' || process.env.npm_command === 'publish')) process.exit(0);
  const status = buildDist();
  if (status === 0) process.stderr.write('flowstash build: src -> dist\n');
  else if (keepGoing) process.stderr.write('flowstash build: dist/ written despite the TypeScript errors above (--keep-going)\n');
  else process.stderr.write('flowstash build failed (see the TypeScript errors above)\n');
  process.exitCode = keepGoing ? 0 : status;
}
