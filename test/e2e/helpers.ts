// Spawning the real CLI (node bin/flowstash.mjs …) on loopback, and reading what it produced.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(ROOT, '../shared');
export const CAPTURES = path.join(SHARED, 'corpus/captures');
export const HAVE_SHARED = existsSync(CAPTURES);
if (!HAVE_SHARED) console.warn(`e2e: ${CAPTURES} is absent: corpus end-to-end tests are skipped`);

export interface Spawned {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number>;
  /** Resolves when stderr (or stdout) has matched `re`. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
}

export function flowstash(args: string[]): Spawned {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/flowstash.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Spawned = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1)))),
    waitFor: (re, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => re.test(s.stderr) || re.test(s.stdout);
        if (check()) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${s.stderr}\n${s.stdout}`)), ms);
        const on = (): void => {
          if (check()) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stderr!.on('data', on);
        child.stdout!.on('data', on);
        child.on('close', () => {
          clearTimeout(timer);
          if (check()) resolve();
          else reject(new Error(`exited before ${re}:\n${s.stderr}\n${s.stdout}`));
        });
      }),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (s.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (s.stderr += d));
  return s;
}

export async function runFlowstash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const s = flowstash(args);
  const code = await s.exited;
  return { code, stdout: s.stdout, stderr: s.stderr };
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

export interface Received {
  payload: Buffer;
  address: string;
  port: number;
}

/** A plain UDP receiver with a large buffer. */
export async function receiver(): Promise<{ port: number; got: Received[]; close(): Promise<void> }> {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const got: Received[] = [];
  sock.on('message', (payload, r) => got.push({ payload, address: r.address, port: r.port }));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, got, close: () => new Promise((r) => sock.close(() => r())) };
}

export async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** `key=value` counters of one runner summary line starting with `label`. */
export function summaryCounters(stderr: string, label: RegExp): Record<string, number> {
  const line = stderr.split('\n').find((l) => label.test(l));
  const out: Record<string, number> = {};
  if (!line) return out;
  for (const m of line.matchAll(/([a-z_]+)=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/** Events written as JSON lines, `host` removed, sorted canonically (multi-worker output order may vary). */
export function canonicalEvents(jsonl: string, dropHost = true): string[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const e = JSON.parse(l) as Record<string, unknown>;
      if (dropHost) delete e['host'];
      return JSON.stringify(e);
    })
    .sort();
}
