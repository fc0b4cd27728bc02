// Capture faults reproduced from outside: real processes of bin/flowstash.mjs, a real directory
// given as a capture, a real SIGINT sent to a `rewrite` of a large synthesized capture.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCapture } from '../../src/capture/writer.ts';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/flowstash.mjs');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'flowstash-capture-faults-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function flowstash(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a directory given as a capture', () => {
  const cases: [string, (dir: string) => string[]][] = [
    ['capinfos', (dir) => ['capinfos', dir]],
    ['rewrite', (dir) => ['rewrite', '-i', dir, '-o', join(tmp, 'from-dir.pcap'), '--ttl=9']],
    ['replay', (dir) => ['replay', '--to', '127.0.0.1:9', '--topspeed', dir]],
  ];
  for (const [name, args] of cases) {
    it(`${name}: one line naming the path and why, non-zero exit, no stack trace`, () => {
      const dir = join(tmp, `a-directory-${name}`);
      mkdirSync(dir);
      const r = flowstash(args(dir));
      expect(r.status).not.toBe(0);
      expect(r.status).not.toBeNull();
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(dir);
      expect(lines[0]).toMatch(/is a directory/);
      expect(r.stderr).not.toMatch(/EISDIR|\n\s+at /);
    }, 130_000);
  }

  it('rewrite: a directory as the output is refused in one line and left alone', () => {
    const input = join(tmp, 'small.pcap');
    writeFileSync(input, encodeCapture([{ tsSec: 1, tsNsec: 0, data: Buffer.alloc(60) }]));
    const outDir = join(tmp, 'out-is-a-dir');
    mkdirSync(outDir);
    const r = flowstash(['rewrite', '-i', input, '-o', outDir]);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/out-is-a-dir.*is a directory/);
    expect(readdirSync(outDir)).toEqual([]);
    expect(readdirSync(tmp).filter((f) => f.includes('flowstash-tmp'))).toEqual([]);
  }, 130_000);
});

describe('rewrite interrupted by a real SIGINT', () => {
  let big: string;
  beforeAll(() => {
    // A large capture: 200,000 synthesized flows, its records repeated so that the rewrite runs
    // for a while even on an idle machine.
    const once = join(tmp, 'synth.pcap');
    const s = flowstash(['synth', '--profile', 'cisco-v9', '--flows', '200000', '-o', once]);
    expect(s.status, s.stderr).toBe(0);
    const bytes = readFileSync(once);
    const records = bytes.subarray(24);
    big = join(tmp, 'big.pcap');
    writeFileSync(big, Buffer.concat([bytes.subarray(0, 24), ...Array.from({ length: 6 }, () => records)]));
    rmSync(once);
  }, 300_000);

  it('exits 130, says so, removes its temporary file and keeps the previous output byte for byte', async () => {
    const out = join(tmp, 'previous-output.pcap');
    const previous = encodeCapture([{ tsSec: 7, tsNsec: 0, data: Buffer.alloc(64, 0xab) }]);
    writeFileSync(out, previous);
    const child = spawn(process.execPath, [BIN, 'rewrite', '-i', big, '-o', out, '-C', '--ttl=9'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('close', (code, signal) => res({ code, signal })),
    );
    // Interrupt once the rewrite is under way: its temporary output exists beside the output.
    let running = true;
    void exited.then(() => (running = false));
    while (running && !readdirSync(tmp).some((f) => f.startsWith('.previous-output.pcap.') && f.endsWith('.flowstash-tmp'))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(running, `the rewrite ended before it could be interrupted: ${stderr}`).toBe(true);
    child.kill('SIGINT');
    const { code } = await exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: interrupted after \d+ packet\(s\) were rewritten; nothing was written to .*previous-output\.pcap \(left as it was before the run\)/);
    expect(readFileSync(out).equals(previous)).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.includes('flowstash-tmp'))).toEqual([]);
  }, 300_000);

  it('an uninterrupted run replaces the previous output with the whole result', async () => {
    const out = join(tmp, 'replaced-output.pcap');
    writeFileSync(out, 'previous');
    const small = join(tmp, 'five.pcap');
    writeFileSync(small, encodeCapture(Array.from({ length: 5 }, (_, i) => ({ tsSec: i, tsNsec: 0, data: Buffer.alloc(60, i) }))));
    const r = flowstash(['rewrite', '-i', small, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const { packets, error } = await readAllPackets(await openCapture(out));
    expect(error).toBeNull();
    expect(packets).toHaveLength(5);
    expect(readdirSync(tmp).filter((f) => f.includes('flowstash-tmp'))).toEqual([]);
  }, 130_000);
});

describe('rewrite of a damaged input, from outside', () => {
  it('exits 1 naming the fault; the output holds the whole records read before it, never a cut record', async () => {
    const frames = Array.from({ length: 5 }, (_, i) => ({ tsSec: i, tsNsec: 0, data: Buffer.alloc(60, i) }));
    const whole = encodeCapture(frames);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const out = join(tmp, 'from-cut.pcap');
    writeFileSync(out, 'previous');
    const r = flowstash(['rewrite', '-i', cut, '-o', out, '--ttl=9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cut\.pcap: packet 5 at byte offset \d+: file ends inside the record/);
    expect(r.stderr).toMatch(/wrote the 4 packet\(s\) read before the fault/);
    const { packets, error } = await readAllPackets(await openCapture(out));
    expect(error).toBeNull();
    expect(packets).toHaveLength(4);
    expect(readdirSync(tmp).filter((f) => f.includes('flowstash-tmp'))).toEqual([]);
  }, 130_000);
});
