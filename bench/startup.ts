// Start-up time of `flowstash -t -e 'input { udp { port => 4739 codec => netflow } }'`: the compiled
// package (what `npm install ./flowstash-*.tgz` runs) against the source run through tsx (a checkout).
//   npm run build && npx tsx bench/startup.ts [runs] [installed-app-dir]
// With an installed-app-dir (a directory where the tarball was `npm install`ed), its node_modules/.bin/flowstash
// is timed too. Runs alternate between the variants; the table shows medians of wall time and of CPU time
// (user + sys, from /usr/bin/time when present: steadier than wall time on a loaded machine). Target:
// compiled < 0.35 s wall on an idle machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const ARGS = ['-t', '-e', 'input { udp { port => 4739 codec => netflow } }'];
const runs = Number(process.argv[2] ?? 9);
const installed = process.argv[3];

interface Variant {
  name: string;
  argv: string[];
  cwd: string;
}

const variants: Variant[] = [];
if (installed) {
  const bin = join(resolve(installed), 'node_modules', 'flowstash', 'bin', 'flowstash.mjs');
  if (!existsSync(bin)) throw new Error(`${bin} not found: npm install ./flowstash-*.tgz in ${installed} first`);
  variants.push({ name: 'installed package', argv: [bin, ...ARGS], cwd: resolve(installed) });
}
const dist = join(ROOT, 'dist', 'cli', 'main.js');
if (!existsSync(dist)) throw new Error('dist/ missing: run `npm run build` first');
// What the installed bin does: import the compiled main, no loader.
const compiled = `const { main } = await import(${JSON.stringify('file://' + dist)}); await main(process.argv.slice(1));`;
variants.push({ name: 'compiled dist/', argv: ['--input-type=module', '-e', compiled, '--', ...ARGS], cwd: ROOT });
variants.push({ name: 'source (tsx)', argv: [join(ROOT, 'bin', 'flowstash.mjs'), ...ARGS], cwd: ROOT });

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);
const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const cpu = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let i = 0; i < runs; i++) {
  for (const v of variants) {
    const t0 = process.hrtime.bigint();
    const r = haveTime
      ? spawnSync(TIME, ['-f', 'cpu %U %S', process.execPath, ...v.argv], { cwd: v.cwd, encoding: 'utf8' })
      : spawnSync(process.execPath, v.argv, { cwd: v.cwd, encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0 || !r.stdout.includes('Configuration OK')) throw new Error(`${v.name}: exit ${r.status}\n${r.stderr}`);
    times.get(v.name)!.push(s);
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (m) cpu.get(v.name)!.push(Number(m[1]) + Number(m[2]));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const source = median(times.get('source (tsx)')!);
console.log(`flowstash -t start-up, median of ${runs} runs (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
const sourceCpu = haveTime ? median(cpu.get('source (tsx)')!) : NaN;
console.log('variant              wall s   vs source   cpu s   vs source');
for (const v of variants) {
  const m = median(times.get(v.name)!);
  const c = haveTime ? median(cpu.get(v.name)!) : NaN;
  const target = v.name === 'source (tsx)' ? '' : m < 0.35 ? '  (wall < 0.35 s: met)' : '  (wall < 0.35 s: missed)';
  console.log(
    `${v.name.padEnd(20)} ${m.toFixed(3).padStart(6)}   ${(m / source).toFixed(2).padStart(8)}×  ${c.toFixed(3).padStart(6)}   ${(c / sourceCpu).toFixed(2).padStart(8)}×${target}`,
  );
}
