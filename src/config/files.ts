// `-f` resolution like Logstash's ConfigPathLoader: strip file://, expand ~ and relative paths, a
// directory becomes `dir/*` (not recursive, no dotfiles), glob, sort by name, skip directories and
// editor backups ending in `~`.
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDirectory } from '../util/fs-kind.ts';
import { globSegmentRegExp } from '../util/ruby-glob.ts';

export interface ResolvedFiles {
  files: string[];
  warnings: string[];
}

const GLOB_CHARS = /[*?[{]/;

export function resolveConfigPaths(specs: string[], cwd = process.cwd()): ResolvedFiles {
  const files: string[] = [];
  const warnings: string[] = [];
  for (const spec of specs) {
    let p = spec.replace(/^file:\/\//, '');
    if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
    p = path.resolve(cwd, p);
    if (isDirectory(p)) p = path.join(p, '*');
    for (const match of glob(p).sort()) {
      if (isDirectory(match)) continue;
      if (match.endsWith('~')) {
        warnings.push(`NOT reading config file because it is a temp file {:config_file=>"${match}"}`);
        continue;
      }
      if (!files.includes(match)) files.push(match);
    }
  }
  files.sort();
  return { files, warnings };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Expands one absolute pattern (Ruby Dir.glob subset: * ? [..] {a,b} and **). */
export function glob(pattern: string): string[] {
  const root = path.parse(pattern).root;
  const segments = pattern.slice(root.length).split(path.sep).filter((s) => s.length > 0);
  let current = [root];
  for (const segment of segments) {
    const next: string[] = [];
    if (segment === '**') {
      for (const dir of current) next.push(...allDirectories(dir));
    } else if (!GLOB_CHARS.test(segment)) {
      for (const dir of current) {
        const candidate = path.join(dir, segment);
        if (exists(candidate)) next.push(candidate);
      }
    } else {
      const re = globSegmentRegExp(segment, { hideDotFiles: true });
      for (const dir of current) {
        let entries: string[];
        try {
          entries = readdirSync(dir);
        } catch {
          continue;
        }
        for (const entry of entries) if (re.test(entry)) next.push(path.join(dir, entry));
      }
    }
    current = next;
  }
  return [...new Set(current)];
}

function allDirectories(dir: string): string[] {
  const out = [dir];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    const full = path.join(dir, e);
    if (isDirectory(full)) out.push(...allDirectories(full));
  }
  return out;
}

