// Source for `new Worker(src, { eval: true })` that loads a worker module. Worker threads do not inherit
// the main thread's TypeScript loader, so a `.ts` entry (running from src/ through tsx) registers tsx first;
// the precompiled dist/ entry is plain JavaScript and loads without it. A failure to load is reported to
// the parent as `{ type: 'failed', message }`, prefixed with what the thread is for.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export function workerBootstrapSource(entry: URL, failurePrefix: string): string {
  const fail =
    `.catch((e) => { require('node:worker_threads').parentPort.postMessage(` +
    `{ type: 'failed', message: ${JSON.stringify(failurePrefix)} + e.message }); });`;
  const target = JSON.stringify(entry.href);
  if (!entry.href.endsWith('.ts')) return `import(${target})${fail}`;
  const require = createRequire(import.meta.url);
  // The package's `import` condition: its CommonJS build cannot register ESM hooks.
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); return import(${target}); })${fail}`;
}
