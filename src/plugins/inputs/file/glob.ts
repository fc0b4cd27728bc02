// Expands an absolute path glob as Ruby's Dir.glob does for the file input: `*` and `?` within a
// name (not matching a leading dot), `[...]` classes, `{a,b}` alternatives and `**/` for any depth.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isDirectory, isFile } from '../../../util/fs-kind.ts';
import { globSegmentRegExp } from '../../../util/ruby-glob.ts';

/** The glob of one path segment (`*`, `?`, `[...]`, `{a,b}`), matched against names; dot files are skipped by the walk. */
export const segmentRegExp = (segment: string): RegExp => globSegmentRegExp(segment);

const hasMagic = (s: string): boolean => /[*?[{]/.test(s);

/** The existing regular files matching an absolute glob, sorted. */
export function expandGlob(pattern: string): string[] {
  const parts = path.resolve(pattern).split('/').slice(1);
  const out = new Set<string>();
  const walk = (dir: string, i: number): void => {
    if (i === parts.length) {
      if (isFile(dir)) out.add(dir);
      return;
    }
    const part = parts[i]!;
    if (part === '**') {
      walk(dir, i + 1);
      for (const entry of list(dir)) if (!entry.startsWith('.') && isDirectory(path.join(dir, entry))) walk(path.join(dir, entry), i);
      return;
    }
    if (!hasMagic(part)) {
      walk(path.join(dir, part), i + 1);
      return;
    }
    const re = segmentRegExp(part);
    for (const entry of list(dir)) {
      if (entry.startsWith('.') && !part.startsWith('.')) continue;
      if (re.test(entry)) walk(path.join(dir, entry), i + 1);
    }
  };
  walk('/', 0);
  return [...out].sort();
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
