#!/usr/bin/env node
// The installed package runs the compiled CLI in dist/ (built by prepack). A checkout — where src/ exists;
// it never ships — runs the TypeScript sources through tsx (a devDependency), so tests and edits never
// meet a stale build and no freshness check is needed.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let entry = new URL('../dist/cli/main.js', import.meta.url).href;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source.href;
}
const { main } = await import(entry);
await main(process.argv.slice(2));
