#!/usr/bin/env node
// Launcher. Uses the precompiled dist/ (written by `npm ci` -> "prepare" -> scripts/build.mjs) when its
// stamp shows nothing under src/ changed since the build; otherwise runs the TypeScript sources through
// tsx, so an edited checkout never runs stale code. FLOWSTASH_DIST=<dir> runs the build in <dir> as it is
// (no freshness check: you named it); FLOWSTASH_DIST=off forces the tsx path.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distIsFresh, readStamp } from '../scripts/build-stamp.mjs';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));
const chosen = process.env.FLOWSTASH_DIST;
const explicit = chosen !== undefined && chosen !== '' && chosen !== 'off';
const distDir = explicit ? resolve(chosen) : fileURLToPath(new URL('../dist', import.meta.url));

let entry;
const useDist = chosen !== 'off' && (explicit ? readStamp(distDir) !== undefined : distIsFresh(distDir, srcDir));
if (useDist && existsSync(`${distDir}/cli/main.js`)) {
  entry = pathToFileURL(`${distDir}/cli/main.js`).href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
await main(process.argv.slice(2));
