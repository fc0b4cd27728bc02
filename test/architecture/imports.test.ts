// Import directions between the rooms of src/ (README, Design): the leaves import nothing else of the
// project, the flow core only the event model, rewrite/ and replay/ only the leaves below them. Every
// module specifier counts: static and type imports, re-exports, dynamic import() and worker entries
// (`new URL('./x.ts', import.meta.url)`). Tests beside the code (*.test.ts) are not checked.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Folder under src/ → the other folders it may import from (itself always allowed). */
const ALLOWED: Record<string, string[]> = {
  event: [],
  capture: [],
  packet: [],
  flow: ['event'],
  rewrite: ['capture', 'packet'],
  replay: ['capture', 'packet', 'util'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|mjs|js)$/.test(e.name) && !/\.test\.[mc]?[jt]s$/.test(e.name) ? [p] : [];
  });
}

const WORKER_URL = /new\s+URL\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url/g;

/** Every module specifier in a source text: imports, re-exports, import(), import types, worker URLs. */
function moduleSpecifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const specs = info.importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(WORKER_URL)) specs.push(m[2]!);
  return specs;
}

/** The src/ folder a relative specifier of `file` lands in, or null for packages and node: builtins. */
function targetFolder(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(SRC, resolve(dirname(file), spec));
  if (target.startsWith('..')) return `outside src (${relative(ROOT, resolve(dirname(file), spec))})`;
  return target.split(sep)[0]!;
}

describe('moduleSpecifiers', () => {
  it('finds static, type-only, re-exported, dynamic and worker-entry specifiers', () => {
    const text = [
      `import { a } from './a.ts';`,
      `import type { B } from '../b/b.ts';`,
      `export { c } from './c.ts';`,
      `export * from "./d.ts";`,
      'const e = await import(`../e/e.ts`);',
      `const f = await import('../f/f.ts');`,
      `type G = typeof import('../g/g.ts');`,
      `new Worker(new URL('./h.ts', import.meta.url));`,
      `import 'node:fs';`,
    ].join('\n');
    expect(moduleSpecifiers(text).sort()).toEqual(
      ['../b/b.ts', '../e/e.ts', '../f/f.ts', '../g/g.ts', './a.ts', './c.ts', './d.ts', './h.ts', 'node:fs'].sort(),
    );
  });
});

describe('import directions', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`src/${folder} imports ${allowed.length ? `only src/{${allowed.join(',')}}` : 'nothing else of the project'}`, () => {
      const files = sourceFiles(join(SRC, folder));
      expect(files.length).toBeGreaterThan(0);
      const violations: string[] = [];
      for (const file of files) {
        for (const spec of moduleSpecifiers(readFileSync(file, 'utf8'))) {
          const to = targetFolder(file, spec);
          if (to !== null && to !== folder && !allowed.includes(to)) violations.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});
