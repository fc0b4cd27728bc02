#!/usr/bin/env node
// Precompiles src/ to dist/ (same layout, .ts -> .js) so that the CLI starts without the tsx loader.
// Runs as the package's "prepare" script (npm ci / npm install); `node scripts/build.mjs [--out DIR]`.
// bin/flowstash.mjs uses dist/ only while its stamp is at least as new as every file under src/.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STAMP_FILE, newestMtime } from './build-stamp.mjs';

/** Marks a directory as this script's output (written first, so even a failed build has it). */
const OWNER_FILE = '.flowstash-build';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild comes with tsx (not a direct dependency): found at the top level or inside tsx. */
async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    return import(pathToFileURL(fromTsx.resolve('esbuild')).href);
  }
}

// A quoted relative path ending in .ts: static and dynamic import specifiers
// (`import(\`./${name}.ts\`)` included) and `new URL('./x.ts', import.meta.url)` worker entries.
const RELATIVE_TS = /(["'`])(\.\.?\/[^"'`\n]*?)\.ts\1/g;

export function rewriteSpecifiers(code) {
  return code.replace(RELATIVE_TS, (_m, quote, path) => `${quote}${path}.js${quote}`);
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

export async function buildDist({ srcDir = join(root, 'src'), outDir = join(root, 'dist') } = {}) {
  // Recorded before transpiling: an edit made during the build leaves dist/ stale, not wrongly fresh.
  const sourceMtimeMs = newestMtime(srcDir);
  // Only a previous build is replaced: a mistyped --out must not delete someone's directory.
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, OWNER_FILE))) {
    throw new Error(`refusing to replace ${outDir}: it is not empty and holds no ${OWNER_FILE} (delete it yourself if it is an old build)`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, OWNER_FILE), 'Written by scripts/build.mjs; replaced by every build.\n');
  const files = listFiles(srcDir);
  const tsFiles = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const { build } = await loadEsbuild();
  const result = await build({
    entryPoints: tsFiles,
    outdir: outDir,
    outbase: srcDir,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    tsconfig: join(root, 'tsconfig.json'),
    write: false,
    logLevel: 'warning',
  });
  for (const out of result.outputFiles) {
    mkdirSync(dirname(out.path), { recursive: true });
    writeFileSync(out.path, out.path.endsWith('.js') ? rewriteSpecifiers(out.text) : out.contents);
  }
  // Plain-JS modules (worker bootstraps) go across as they are, with their specifiers rewritten.
  for (const file of files.filter((f) => f.endsWith('.mjs') || f.endsWith('.js'))) {
    const target = join(outDir, relative(srcDir, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rewriteSpecifiers(readFileSync(file, 'utf8')));
  }
  // Written last: a build that failed half-way has no stamp, so the launcher keeps using tsx.
  writeFileSync(join(outDir, STAMP_FILE), JSON.stringify({ sourceMtimeMs, builtAt: new Date().toISOString() }) + '\n');
  return { modules: tsFiles.length, outDir };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at >= 0 ? resolve(process.argv[at + 1] ?? '') : undefined;
  let esbuildMissing = false;
  try {
    await loadEsbuild();
  } catch {
    esbuildMissing = true;
  }
  if (esbuildMissing) {
    // Not fatal for `npm ci`: bin/flowstash.mjs runs the sources through tsx without a build.
    process.stderr.write('flowstash build: esbuild not found; skipped (the CLI runs through tsx, starting slower)\n');
  } else {
    try {
      const { modules, outDir: wrote } = await buildDist({ outDir });
      process.stderr.write(`flowstash build: ${modules} modules -> ${relative(process.cwd(), wrote) || '.'}\n`);
    } catch (err) {
      process.stderr.write(`flowstash build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
