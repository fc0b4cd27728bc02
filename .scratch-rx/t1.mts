import { ensureRegexpEngine, compileRegexp } from '/work/main/src/regexp/regexp.ts';
import { retryLimitInMatch } from '/work/main/src/regexp/onig.ts';
await ensureRegexpEngine();
console.log('limit', retryLimitInMatch());
const show = (p: string, s: string, o = {}) => { try { const r = compileRegexp(p, o); const m = r.exec(s); console.log(r.engine, p, JSON.stringify(s), m && m.starts.map((st, i) => st < 0 ? null : s.slice(st, m.ends[i]))); } catch (e) { console.log(p, 'ERR', (e as Error).message); } };
show('(?<a:b-c>x)(y)(?<d>z)?', 'xy');
show('(?<a>x)|(?<b>y)', 'y');
show('(x)|(y)', 'é y');
show('\\w+', 'éa_b');
show('\\s+', '\u00a0 \t');
show('(?>a+)a', 'aaa'); show('a++', 'aaa');
show('[', 'x'); show('a)', 'x'); show('(?<n>a', 'x');
for (const s of ['^(a+)+$']) { const r = compileRegexp(s); const t = Date.now(); try { r.test('a'.repeat(40) + 'b'); } catch (e) { console.log((e as Error).message); } console.log('ms', Date.now() - t); }
const r2 = compileRegexp('(a|aa)+$'); const t2 = Date.now(); try { console.log(r2.test('a'.repeat(60) + 'b')); } catch (e) { console.log((e as Error).message); } console.log('ms', Date.now() - t2);
const r3 = compileRegexp('(\\w+\\s?)+$'); const t3 = Date.now(); try { console.log(r3.test('word '.repeat(400) + '!')); } catch (e) { console.log((e as Error).message); } console.log('ms', Date.now() - t3);
console.log(compileRegexp('o').gsub('foo boo', '0'), compileRegexp('(?<x>o)(?>o)').gsub('foo', '[\\k<x>\\0]'), compileRegexp('x*').gsub('abc', '-'), compileRegexp('a*').gsub('aaa', '-'));
console.log(compileRegexp(',\\s*').split('a, b,c,,'));
const rr = compileRegexp('^(a+)+$');
for (let k = 0; k < 12; k++) { const t = performance.now(); try { rr.test('a'.repeat(40) + 'b'); } catch (e) { } console.log('rep ms', (performance.now() - t).toFixed(1)); }
