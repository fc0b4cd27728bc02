// The precompiled build (scripts/build.mjs -> dist/) must behave exactly like the tsx path, and the
// launcher must only trust a build whose stamp is as new as everything under src/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../capture/helpers.ts';

// @ts-expect-error plain-JS build scripts carry no type declarations
const { buildDist, rewriteSpecifiers } = (await import('../../scripts/build.mjs')) as {
  buildDist(o: { srcDir?: string; outDir?: string }): Promise<{ modules: number; outDir: string }>;
  rewriteSpecifiers(code: string): string;
};
// @ts-expect-error plain-JS build scripts carry no type declarations
const { distIsFresh, STAMP_FILE } = (await import('../../scripts/build-stamp.mjs')) as {
  distIsFresh(distDir: string, srcDir: string): boolean;
  STAMP_FILE: string;
};

// Inside node_modules so that the built modules resolve the project's dependencies.
const OUT = join(ROOT, 'node_modules', '.cache', `flowstash-dist-test-${process.pid}`);
const BIN = join(ROOT, 'bin', 'flowstash.mjs');

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runVia(env: Record<string, string>, args: string[]): Outcome {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rewriteSpecifiers', () => {
  it('rewrites relative .ts specifiers, static, dynamic and URL ones, and nothing else', () => {
    expect(rewriteSpecifiers(`import { a } from "../replay/a.ts";\nawait import(\`./\${name}.ts\`);`)).toBe(
      `import { a } from "../replay/a.js";\nawait import(\`./\${name}.js\`);`,
    );
    expect(rewriteSpecifiers(`new URL('../x/udp-receiver.ts', import.meta.url)`)).toBe(`new URL('../x/udp-receiver.js', import.meta.url)`);
    const untouched = `import x from "tsx/esm/api"; const s = "config.ts"; const t = 'a.ts.bak'; const u = "./notes.tsx";`;
    expect(rewriteSpecifiers(untouched)).toBe(untouched);
  });
});

describe('dist build', () => {
  beforeAll(async () => {
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    await buildDist({ outDir: OUT });
  });
  afterAll(() => rmSync(OUT, { recursive: true, force: true }));

  it('writes every module, the worker bootstraps and a stamp', () => {
    expect(existsSync(join(OUT, 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(OUT, '.flowstash-build'))).toBe(true);
    expect(existsSync(join(OUT, 'fuzz', 'worker-entry.mjs'))).toBe(true);
    expect(readFileSync(join(OUT, 'fuzz', 'worker-entry.mjs'), 'utf8')).toContain(`import('../replay/worker.js')`);
    expect(readFileSync(join(OUT, 'inputs', 'udp-thread.js'), 'utf8')).toContain('udp-receiver.js');
    expect(JSON.parse(readFileSync(join(OUT, STAMP_FILE), 'utf8')).sourceMtimeMs).toBeGreaterThan(0);
  });

  const cases: [string, string[]][] = [
    ['top-level --help', ['--help']],
    ['capinfos --help', ['capinfos', '--help']],
    ['rewrite --help', ['rewrite', '--help']],
    ['-t -f conf/ipfix.conf', ['-t', '-f', 'conf/ipfix.conf']],
    ['fmt conf/ipfix.conf', ['fmt', 'conf/ipfix.conf']],
    ['a missing config (error path)', ['-t', '-f', 'conf/does-not-exist.conf']],
    ['a bad rewrite option (error path)', ['rewrite', '-i', 'x.pcap', '-o', 'y.pcap', '--srcipmap=10.0.0.0/99:1.2.3.4/8']],
  ];
  it.each(cases)('%s: same exit code, stdout and stderr as the tsx path', (_name, args) => {
    const viaTsx = runVia({ FLOWSTASH_DIST: 'off' }, args);
    expect(runVia({ FLOWSTASH_DIST: OUT }, args)).toEqual(viaTsx);
  });
});

describe('buildDist output directory', () => {
  it('refuses to replace a non-empty directory it did not write', async () => {
    const dir = join(ROOT, 'node_modules', '.cache', `flowstash-not-a-build-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'precious.txt'), 'keep me\n');
    try {
      await expect(buildDist({ outDir: dir })).rejects.toThrow(/refusing to replace .*not-a-build.*holds no \.flowstash-build/);
      expect(readFileSync(join(dir, 'precious.txt'), 'utf8')).toBe('keep me\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('distIsFresh', () => {
  const dir = join(ROOT, 'node_modules', '.cache', `flowstash-stamp-test-${process.pid}`);
  const src = join(dir, 'src');
  const dist = join(dir, 'dist');
  beforeAll(() => {
    mkdirSync(join(src, 'sub'), { recursive: true });
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(src, 'sub', 'a.ts'), 'export const a = 1;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const past = new Date('2024-01-01T00:00:00Z');
  function settle(): void {
    writeFileSync(join(src, 'sub', 'a.ts'), 'export const a = 1;\n');
    for (const p of [join(src, 'sub', 'a.ts'), join(src, 'sub'), src]) utimesSync(p, past, past);
  }

  it('is false without a stamp, true with a current one, false once a file is edited', () => {
    settle();
    expect(distIsFresh(dist, src)).toBe(false);
    writeFileSync(join(dist, STAMP_FILE), JSON.stringify({ sourceMtimeMs: past.getTime() }));
    expect(distIsFresh(dist, src)).toBe(true);
    utimesSync(join(src, 'sub', 'a.ts'), new Date(), new Date());
    expect(distIsFresh(dist, src)).toBe(false);
  });

  it('is false once a file is added or removed (directory mtimes count)', () => {
    settle();
    writeFileSync(join(dist, STAMP_FILE), JSON.stringify({ sourceMtimeMs: past.getTime() }));
    expect(distIsFresh(dist, src)).toBe(true);
    rmSync(join(src, 'sub', 'a.ts'));
    expect(distIsFresh(dist, src)).toBe(false);
  });

  it('is false for an unreadable stamp', () => {
    settle();
    writeFileSync(join(dist, STAMP_FILE), 'not json');
    expect(distIsFresh(dist, src)).toBe(false);
  });
});
