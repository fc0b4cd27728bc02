// The file output against logstash-output-file's spec (spec/outputs/file_spec.rb, 4.x) and, where
// the spec has no case, against its source (lib/logstash/outputs/file.rb): each test names which.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { Event } from '../../../event/event.ts';
import { JsonLinesCodec } from '../../codecs/json_lines/json_lines.ts';
import { LineCodec } from '../../codecs/line/line.ts';
import type { Logger } from '../../types.ts';
import { FileOutput, type FileSettings } from './file.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

const made: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-fileout-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const mode = (p: string): string => (statSync(p).mode & 0o7777).toString(8);
const lines = (text: string): string[] => text.split('\n').filter(Boolean);
const ids = (text: string): number[] => lines(text).map((l) => (JSON.parse(l) as { id: number }).id);
/** The readable prefix of a gzip file still being written (sync-flushed, no trailer yet). */
const gunzipPrefix = (p: string): string => {
  const bytes = readFileSync(p);
  return bytes.length === 0 ? '' : gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString();
};

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  private add(level: string, msg: string, data?: Record<string, unknown>): void {
    this.lines.push(`${level} ${msg}${data ? ' ' + JSON.stringify(data) : ''}`);
  }
  trace(m: string, d?: Record<string, unknown>): void { this.add('TRACE', m, d); }
  debug(m: string, d?: Record<string, unknown>): void { this.add('DEBUG', m, d); }
  info(m: string, d?: Record<string, unknown>): void { this.add('INFO', m, d); }
  warn(m: string, d?: Record<string, unknown>): void { this.add('WARN', m, d); }
  error(m: string, d?: Record<string, unknown>): void { this.add('ERROR', m, d); }
  isEnabled(): boolean { return true; }
}

function output(file: string, settings: Partial<FileSettings> = {}, extra: { overwrite?: boolean; log?: Logger; now?: () => number; codec?: 'line' } = {}): FileOutput {
  const codec = extra.codec === 'line' ? new LineCodec('\n', '%{message}') : new JsonLinesCodec('\n');
  return new FileOutput(file, codec, extra.overwrite ?? false, extra.log, settings, extra.now);
}

const events = (from: number, n: number): Event[] => Array.from({ length: n }, (_, i) => new Event({ id: from + i }));

describe('file output: a pipeline run (generator → file), options from the config text', () => {
  const dir = tmp();
  const gz = path.join(dir, 'gz', 'out.json.gz');
  const nested = path.join(dir, 'is', 'nested', 'output.txt');
  const count = 10_000;
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    const config = `input { generator { message => "hello world" count => ${count} } }
      output {
        file { path => "${gz}" gzip => true }
        file { path => "${nested}" dir_mode => 0751 file_mode => 0610 }
      }`;
    run = spawnSync(process.execPath, [BIN, '-e', config], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  }, 130_000);

  it('spec "ship lots of events to a file gzipped": gunzip gives every event, each sequence once', () => {
    expect(run.status, String(run.stderr).slice(-2000)).toBe(0);
    const seqs = lines(gunzipSync(readFileSync(gz)).toString()).map((l) => {
      const e = JSON.parse(l) as { message: string; event: { sequence: number } };
      expect(e.message).toBe('hello world');
      return e.event.sequence;
    });
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('spec "dirs and files are created with correct atypical permissions": 0751 dirs, 0610 file (octal literals)', () => {
    expect(run.status, String(run.stderr).slice(-2000)).toBe(0);
    expect(mode(nested)).toBe('610');
    expect(mode(path.join(dir, 'is'))).toBe('751');
    expect(mode(path.join(dir, 'is', 'nested'))).toBe('751');
    expect(lines(readFileSync(nested, 'utf8'))).toHaveLength(count);
  });
});

describe('file output: gzip', () => {
  it('source (open: GzipWriter.new(File.new(path, "a+"))): each opening appends a new gzip member; gunzip reads them all', async () => {
    const file = path.join(tmp(), 'a.json.gz');
    const first = output(file, { gzip: true });
    await first.write(events(0, 50));
    await first.close();
    const firstSize = statSync(file).size;
    const second = output(file, { gzip: true });
    await second.write(events(50, 50));
    await second.close();
    const bytes = readFileSync(file);
    // Two complete members, one per opening.
    expect(ids(gunzipSync(bytes.subarray(0, firstSize)).toString())).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(ids(gunzipSync(bytes.subarray(firstSize)).toString())).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(ids(gunzipSync(bytes).toString())).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('source (fd.flush unless @flusher): flush_interval => 0 sync-flushes each batch, readable before close', async () => {
    const file = path.join(tmp(), 'a.json.gz');
    const out = output(file, { gzip: true, flush_interval: 0 });
    await out.write(events(0, 3));
    expect(ids(gunzipPrefix(file))).toEqual([0, 1, 2]);
    await out.write(events(3, 2));
    expect(ids(gunzipPrefix(file))).toEqual([0, 1, 2, 3, 4]);
    await out.close();
    expect(ids(gunzipSync(readFileSync(file)).toString())).toEqual([0, 1, 2, 3, 4]);
  });

  describe('flush_interval > 0', () => {
    afterEach(() => vi.useRealTimers());
    it('source (Interval.start(@flush_interval, flush_pending_files)): a batch waits in the gzip stream until the interval flush', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const file = path.join(tmp(), 'a.json.gz');
      const out = output(file, { gzip: true, flush_interval: 2 });
      await out.write(events(0, 3));
      expect(gunzipPrefix(file)).toBe('');
      vi.advanceTimersByTime(2000);
      for (let i = 0; i < 200 && gunzipPrefix(file) === ''; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ids(gunzipPrefix(file))).toEqual([0, 1, 2]);
      await out.close();
      expect(ids(gunzipSync(readFileSync(file)).toString())).toEqual([0, 1, 2]);
    });
  });

  it('a plain file has no user-space buffer: each batch is in the file when write() resolves, whatever flush_interval', async () => {
    const file = path.join(tmp(), 'a.log');
    const out = output(file, { flush_interval: 3600 });
    await out.write(events(0, 2));
    expect(ids(readFileSync(file, 'utf8'))).toEqual([0, 1]);
    await out.close();
  });
});

describe('file output: register (spec "#register")', () => {
  it('"doesnt allow the path to start with a dynamic string": /%{name}', () => {
    expect(() => output('/%{name}')).toThrow(/The starting part of the path should not be dynamic/);
  });
  it.each(['/a%{name}/', '/a %{name}/', '/a- %{name}/', '/a- %{name}'])('"doesnt allow the root directory to have some dynamic part": %s', (p) => {
    expect(() => output(p)).toThrow(/The starting part of the path should not be dynamic/);
  });
  it('"allow to have dynamic part after the file root": /tmp/%{name}', () => {
    expect(() => output('/tmp/%{name}')).not.toThrow();
  });
});

describe('file output: interpolated paths (spec "when using an interpolated path")', () => {
  it('"writes the bad event in the specified error file": ../ past the root goes to <root>/_error', async () => {
    const dir = tmp();
    const log = new RecordingLogger();
    const out = output(`${dir}/%{error}`, { filename_failure: '_error' }, { log });
    const outside = `${'../'.repeat(dir.split(path.sep).length)}notcool`;
    await out.write([new Event({ error: outside, id: 1 })]);
    await out.close();
    expect(ids(readFileSync(path.join(dir, '_error'), 'utf8'))).toEqual([1]);
    expect(existsSync('/notcool')).toBe(false);
    expect(log.lines.some((l) => l.startsWith('WARN File: the event tried to write outside the files root'))).toBe(true);
    expect(out.stats()).toMatchObject({ written: 1, outside_root: 1 });
  });

  it('a field of ../../etc and an empty field (the root itself) land in the default failure file, never outside the root', async () => {
    const dir = tmp();
    const root = path.join(dir, 'logs');
    const out = output(`${root}/%{host}`);
    await out.write([new Event({ host: '../../etc', id: 1 }), new Event({ host: '', id: 2 }), new Event({ host: 'web1', id: 3 })]);
    await out.close();
    expect(ids(readFileSync(path.join(root, '_filepath_failures'), 'utf8'))).toEqual([1, 2]);
    expect(ids(readFileSync(path.join(root, 'web1'), 'utf8'))).toEqual([3]);
    expect(readdirSync(root).sort()).toEqual(['_filepath_failures', 'web1']);
    expect(readdirSync(dir)).toEqual(['logs']);
  });

  it('an empty field in the middle collapses (File.expand_path) and stays inside the root, as in Logstash', async () => {
    const root = tmp();
    const out = output(`${root}/%{host}/app.log`);
    await out.write([new Event({ host: '', id: 1 })]);
    await out.close();
    expect(ids(readFileSync(path.join(root, 'app.log'), 'utf8'))).toEqual([1]);
  });

  it('"doesnt decode relatives paths urlencoded": two files inside the root', async () => {
    const dir = tmp();
    const out = output(`/${dir}/%{error}`);
    await out.write([new Event({ error: '%2E%2E%2ftest' })]);
    await out.write([new Event({ error: '%252E%252E%252F%252E%252E%252Ftest' })]);
    await out.close();
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('"doesnt write outside the file if the path is double escaped": ../..//test', async () => {
    const dir = tmp();
    const out = output(`/${dir}/%{error}`);
    await out.write([new Event({ error: '../..//test' })]);
    await out.close();
    expect(readdirSync(dir)).toEqual(['_filepath_failures']);
  });

  it('"write the event to the generated filename" and "…with multiple deep"', async () => {
    const dir = tmp();
    const out = output(`${dir}/%{error}`);
    await out.write([new Event({ error: '42.txt' }), new Event({ error: '/inside/errors/42.txt' })]);
    await out.close();
    expect(existsSync(path.join(dir, '42.txt'))).toBe(true);
    expect(existsSync(path.join(dir, 'inside/errors/42.txt'))).toBe(true);
  });

  it('"write the events to the generated path containing multiples fieldref"', async () => {
    const dir = tmp();
    const e = new Event({ error: 42, level: 'critical', weird_path: '/inside/../deep/nested' });
    const day = e.timestamp.toDate().toISOString().slice(0, 10);
    const out = output(`${dir}/%{error}/%{level}/%{weird_path}/failed_syslog-%{+YYYY-MM-dd}`);
    await out.write([e]);
    await out.close();
    expect(existsSync(path.join(dir, `42/critical/deep/nested/failed_syslog-${day}`))).toBe(true);
  });

  it('"when using line codec": writes the event with the specified format', async () => {
    const dir = tmp();
    const out = output(`${dir}/output.txt`, {}, { codec: 'line' });
    await out.write([new Event({ message: 'hello world' })]);
    await out.close();
    expect(readFileSync(path.join(dir, 'output.txt'), 'utf8')).toBe('hello world\n');
  });
});

describe('file output: a file deleted while open (spec "when the output file is deleted")', () => {
  it('"should recreate the required file if deleted" (create_if_deleted => true, the default)', async () => {
    const file = path.join(tmp(), 'out.log');
    writeFileSync(file, '');
    const out = output(file, { flush_interval: 0 });
    for (let i = 0; i < 10; i++) await out.write(events(i, 1));
    rmSync(file);
    for (let i = 10; i < 20; i++) await out.write(events(i, 1));
    await out.close();
    expect(statSync(file).size).toBeGreaterThan(0);
    expect(ids(readFileSync(file, 'utf8'))).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('"should append the events to the filename_failure location" (create_if_deleted => false)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'out.log');
    writeFileSync(file, '');
    const out = output(file, { flush_interval: 0, create_if_deleted: false });
    for (let i = 0; i < 10; i++) await out.write(events(i, 1));
    rmSync(file);
    for (let i = 10; i < 20; i++) await out.write(events(i, 1));
    await out.close();
    expect(existsSync(file)).toBe(false);
    expect(ids(readFileSync(path.join(dir, '_filepath_failures'), 'utf8'))).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('source (event_path: !@create_if_deleted && deleted?): with create_if_deleted => false a file that never existed is not created either', async () => {
    const dir = tmp();
    const out = output(`${dir}/%{name}.log`, { create_if_deleted: false });
    await out.write([new Event({ name: 'new', id: 1 })]);
    await out.close();
    expect(readdirSync(dir)).toEqual(['_filepath_failures']);
  });
});

describe('file output: write_behavior => overwrite (spec "when write_behavior => \'overwrite\'")', () => {
  it('"should write only the last event of a batch"', async () => {
    const file = path.join(tmp(), 'o.json');
    const out = output(file, {}, { overwrite: true });
    await out.write(events(1, 7));
    expect(ids(readFileSync(file, 'utf8'))).toEqual([7]);
    await out.close();
  });
  it('"the file should only contain the last event received"', async () => {
    const file = path.join(tmp(), 'o.json');
    const out = output(file, {}, { overwrite: true });
    for (let i = 1; i <= 5; i++) {
      await out.write(events(i, 1));
      expect(ids(readFileSync(file, 'utf8'))).toEqual([i]);
    }
    await out.close();
  });
  it('with gzip the file holds one member with the last event', async () => {
    const file = path.join(tmp(), 'o.json.gz');
    const out = output(file, { gzip: true }, { overwrite: true });
    await out.write(events(1, 3));
    await out.write(events(4, 3));
    await out.close();
    expect(ids(gunzipSync(readFileSync(file)).toString())).toEqual([6]);
  });
});

describe('file output: stale files (source: close_stale_files, stale_cleanup_interval)', () => {
  it('a file not written between two cycles is closed; writing to it again reopens it (a new gzip member)', async () => {
    const dir = tmp();
    let clock = 0;
    const log = new RecordingLogger();
    const out = output(`${dir}/%{name}.gz`, { gzip: true, stale_cleanup_interval: 10 }, { log, now: () => clock });
    const a = path.join(dir, 'a.gz');
    const ev = (name: string, id: number): Event => new Event({ name, id });
    await out.write([ev('a', 1)]); // t=0: no cycle yet
    clock = 10_000;
    await out.write([ev('b', 2)]); // cycle: a and b written since the start, both kept, marked inactive
    expect(log.lines.filter((l) => l.startsWith('INFO Closing file'))).toEqual([]);
    clock = 20_000;
    await out.write([ev('b', 3)]); // cycle: a not written since the last one → closed
    expect(log.lines.filter((l) => l.startsWith('INFO Closing file'))).toEqual([`INFO Closing file ${a}`]);
    await out.write([ev('a', 4)]);
    await out.close();
    expect(log.lines.filter((l) => l.includes('Opening file') && l.includes(a))).toHaveLength(2);
    const bytes = readFileSync(a);
    const members = bytes.filter((_, i) => bytes[i] === 0x1f && bytes[i + 1] === 0x8b && bytes[i + 2] === 8).length;
    expect(members).toBe(2);
    expect(ids(gunzipSync(bytes).toString())).toEqual([1, 4]);
  });
});

describe('file output: modes', () => {
  it('dir_mode/file_mode -1: the system default (0777/0666 less the umask)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'd', 'f.log');
    const out = output(file);
    await out.write(events(0, 1));
    await out.close();
    const umask = process.umask();
    expect(mode(file)).toBe((0o666 & ~umask).toString(8));
    expect(mode(path.join(dir, 'd'))).toBe((0o777 & ~umask).toString(8));
  });
  it('an existing file keeps its mode (File.new(path, "a+", mode) only sets it on creation)', async () => {
    const file = path.join(tmp(), 'f.log');
    writeFileSync(file, '', { mode: 0o600 });
    const out = output(file, { file_mode: 0o644 });
    await out.write(events(0, 1));
    await out.close();
    expect(mode(file)).toBe('600');
  });
  it('a mode out of range is refused with the value; a decimal-looking 640 is warned about', () => {
    expect(() => output('/tmp/x.log', { file_mode: 9999 })).toThrow('file_mode must be -1 (the system default) or a permission mode written in octal like 0640, got 9999');
    expect(() => output('/tmp/x.log', { dir_mode: 1.5 })).toThrow(/dir_mode must be -1/);
    const log = new RecordingLogger();
    output('/tmp/x.log', { file_mode: 640 }, { log });
    expect(log.lines).toEqual(['WARN file_mode => 640 is decimal (1200 in octal): write 0640 for mode 640']);
  });
});

describe('file output: gzip on a full disk (a real 1 MB tmpfs; needs root to mount)', () => {
  const isRoot = process.getuid?.() === 0;
  const mountTmpfs = (dir: string): boolean => isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
  const probe = tmp();
  const canMount = mountTmpfs(probe);
  if (canMount) spawnSync('umount', [probe]);
  else console.warn('[skip] file output gzip full-disk tests: cannot mount a tmpfs here (needs root)');
  // Incompressible enough that 1 MB fills within a few hundred batches.
  const noisy = (from: number, n: number): Event[] =>
    Array.from({ length: n }, (_, i) => new Event({ id: from + i, noise: Array.from({ length: 40 }, () => Math.random().toString(36).slice(2)).join('') }));

  async function fill(settings: Partial<FileSettings>): Promise<{ written: number; failed: number; codes: Set<string | undefined>; closeError?: Error; out: FileOutput; file: string; dir: string }> {
    const dir = tmp();
    expect(mountTmpfs(dir)).toBe(true);
    const file = path.join(dir, 'out.json.gz');
    const log = new RecordingLogger();
    const out = output(file, { gzip: true, ...settings }, { log });
    let written = 0;
    let failed = 0;
    const codes = new Set<string | undefined>();
    for (let b = 0; b < 400; b++) {
      try {
        await out.write(noisy(b * 50, 50));
        written += 50;
      } catch (e) {
        failed += 50;
        codes.add((e as NodeJS.ErrnoException).code);
      }
    }
    let closeError: Error | undefined;
    await out.close().catch((e: Error) => (closeError = e));
    return { written, failed, codes, closeError, out, file, dir };
  }

  it.skipIf(!canMount)('flush_interval => 0: every batch written or failed (ENOSPC); what counts as written is readable', async () => {
    const r = await fill({ flush_interval: 0 });
    try {
      expect(r.failed).toBeGreaterThan(0);
      expect(r.written + r.failed).toBe(400 * 50);
      expect([...r.codes]).toEqual(['ENOSPC']);
      expect(r.closeError).toBeUndefined();
      expect(r.out.stats()).toEqual({ written: r.written, failed: r.failed });
      // The readable prefix holds every event counted as written (the last member is cut where the disk filled).
      const readable = ids(gunzipPrefix(r.file).split('\n').slice(0, -1).join('\n'));
      expect(readable.length).toBeGreaterThanOrEqual(r.written);
      expect(readable.slice(0, r.written)).toEqual(Array.from({ length: r.written }, (_, i) => i));
    } finally {
      spawnSync('umount', [r.dir]);
    }
  });

  it.skipIf(!canMount)('flush_interval > 0: events whose bytes zlib still held when the disk filled are reported as gzip_unconfirmed', async () => {
    const r = await fill({ flush_interval: 3600 });
    try {
      expect(r.written + r.failed).toBe(400 * 50);
      expect(r.failed).toBeGreaterThan(0);
      const stats = r.out.stats();
      expect(stats['written']).toBe(r.written);
      // No flush ran, so every event counted written was still unconfirmed when the first write failed.
      expect(stats['gzip_unconfirmed']).toBe(r.written);
      const readable = ids(gunzipPrefix(r.file).split('\n').slice(0, -1).join('\n'));
      expect(readable.slice(0, Math.min(readable.length, r.written))).toEqual(Array.from({ length: Math.min(readable.length, r.written) }, (_, i) => i));
    } finally {
      spawnSync('umount', [r.dir]);
    }
  });
});

describe('file output: the open-file limit', () => {
  it('300 paths written twice: evicted files are closed and reopened, every event in its file (gzip: a member per opening)', async () => {
    const dir = tmp();
    const out = output(`${dir}/%{n}.gz`, { gzip: true });
    const pass = (k: number): Event[] => Array.from({ length: 300 }, (_, n) => new Event({ n, id: k * 1000 + n }));
    await out.write(pass(0));
    await out.write(pass(1));
    await out.close();
    for (const n of [0, 43, 255, 256, 299]) expect(ids(gunzipSync(readFileSync(path.join(dir, `${n}.gz`))).toString())).toEqual([n, 1000 + n]);
  });
});
