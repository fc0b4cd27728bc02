// A search is called a runaway (Oniguruma's retry limit hit) only by the CPU it used, never because
// the machine made it wait: the process is stopped with real SIGSTOP/SIGCONT for 80 ms out of every
// 100 ms while it runs ordinary failing searches — none may be reported as a runaway — and a real
// runaway (^(a+)+$ on 40 a's and a b) is still caught.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHILD = path.join(ROOT, 'test/regexp/runaway-under-stops.mts');

describe('runaway detection on a machine that keeps the process waiting', () => {
  it('ordinary failing searches interrupted by SIGSTOP are not runaways; a real runaway still is', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let running = true;
    child.on('close', () => (running = false));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready\n')) resolve();
      });
      child.on('close', () => resolve());
    });
    while (running) {
      child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 80));
      child.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 20));
    }
    const result = JSON.parse(out.split('\n').filter((l) => l.startsWith('{'))[0] ?? 'null') as { searches: number; runaways: number; realRunawayCaught: boolean } | null;
    expect(result, err).not.toBeNull();
    expect(result!.searches).toBeGreaterThan(10);
    expect(result!.runaways).toBe(0);
    expect(result!.realRunawayCaught).toBe(true);
  }, 60_000);
});
