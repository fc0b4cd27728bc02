import { ensureRegexpEngine, compileRegexp } from '/work/main/src/regexp/regexp.ts';
const t0 = performance.now();
await ensureRegexpEngine();
console.log('load', (performance.now() - t0).toFixed(1));
const r = compileRegexp('(?>a+)a');
for (let i = 0; i < 5; i++) { const t = performance.now(); try { r.test('aaa'); } catch (e) { console.log((e as Error).message); } console.log('ms', (performance.now() - t).toFixed(2)); }
const r2 = compileRegexp('(?>b+)x');
for (let i = 0; i < 3; i++) { const t = performance.now(); r2.test('aaa'); console.log('r2 ms', (performance.now() - t).toFixed(2)); }
