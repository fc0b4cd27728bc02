// Source for `new Worker(src, { eval: true })` that loads a worker module. Entries are named by their
// source file (`new URL('./x.ts', import.meta.url)`); the compiled package (dist/, where this module is
// .js) loads the .js sibling. Worker threads do not inherit the main thread's TypeScript loader, so a
// source run (`npm run dev`, vitest) registers tsx in the thread first — the only place tsx is named,
// and never reached from dist/. A failure to load is posted to the parent as a BootstrapFailure,
// its message prefixed with what the thread is for.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What the thread posts when its module cannot be loaded. */
export interface BootstrapFailure {
  type: 'failed';
  message: string;
}

const COMPILED = !import.meta.url.endsWith('.ts');

export function workerBootstrapSource(entry: URL, failurePrefix: string): string {
  const fail =
    `.catch((e) => { require('node:worker_threads').parentPort.postMessage(` +
    `{ type: 'failed', message: ${JSON.stringify(failurePrefix)} + e.message }); });`;
  const isTs = entry.href.endsWith('.ts');
  if (!isTs || COMPILED) {
    const target = JSON.stringify(isTs ? entry.href.slice(0, -3) + '.js' : entry.href);
    return `import(${target})${fail}`;
  }
  const require = createRequire(import.meta.url);
  // The package's `import` condition: its CommonJS build cannot register ESM hooks.
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry.href)}); })${fail}`;
}
