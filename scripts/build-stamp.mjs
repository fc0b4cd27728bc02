// Shared by scripts/build.mjs and bin/flowstash.mjs: is the precompiled dist/ as new as src/?
// The build records the newest modification time under src/ (files and directories, so that a
// deleted or renamed file counts as a change); the launcher recomputes it and uses dist/ only
// when nothing under src/ is newer. Plain JS on purpose: it runs before any TypeScript loader.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP_FILE = '.build-stamp.json';

/** Newest mtime (ms) of `dir`, everything below it, and the directories themselves. */
export function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** The stamp the build wrote into `distDir`, or undefined when there is none (or it is unreadable). */
export function readStamp(distDir) {
  try {
    const stamp = JSON.parse(readFileSync(join(distDir, STAMP_FILE), 'utf8'));
    return typeof stamp?.sourceMtimeMs === 'number' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** True when `distDir` holds a complete build of `srcDir` and nothing in `srcDir` changed since. */
export function distIsFresh(distDir, srcDir) {
  const stamp = readStamp(distDir);
  if (stamp === undefined) return false;
  try {
    return newestMtime(srcDir) <= stamp.sourceMtimeMs;
  } catch {
    return false;
  }
}
