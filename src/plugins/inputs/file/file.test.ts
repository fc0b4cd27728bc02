// The file input against real files in a temp dir: tail and read modes, start_position, appends,
// rotation by rename, sincedb in logstash-input-file's format ("inode major minor position
// last_changed_at path", filewatch's SincedbRecordSerializer) and resuming from it, completed-file
// actions, delimiter, and the ECS/legacy path and host fields (the plugin's docs).
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import { fakeRuntime, until } from '../../../../test/inputs/helpers.ts';
import { standaloneContext } from '../../context.ts';
import { PlainCodec } from '../../codecs/plain/plain.ts';
import { FileInput, FileInputError, defaultSincedbPath } from './file.ts';
import { expandGlob } from './glob.ts';
import { deviceNumbers, formatSincedb, parseSincedb } from './sincedb.ts';
import type { FileInputOptions } from './schema.ts';

const BASE = {
  exclude: [],
  sincedb_write_interval: 15,
  sincedb_clean_after: 14,
  start_position: 'end',
  stat_interval: 0.02,
  discover_interval: 1,
  close_older: 3600,
  delimiter: '\n',
  mode: 'tail',
  file_completed_action: 'delete',
  file_chunk_size: 32768,
  file_sort_by: 'last_modified',
  file_sort_direction: 'asc',
  exit_after_read: false,
  check_archive_validity: false,
  codec: 'plain',
  add_field: {},
};

function start(options: Partial<FileInputOptions> & { path: string[] }, ecs: 'disabled' | 'v8' = 'v8') {
  const rt = fakeRuntime(new PlainCodec(undefined, undefined, false));
  const input = new FileInput({ ...BASE, ...options } as unknown as FileInputOptions, standaloneContext({ ecsCompatibility: ecs }));
  const done = input.run(rt.ctx);
  const messages = (): unknown[] => rt.events.map((e) => e.get('message'));
  return { rt, input, done, messages };
}

const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'file-input-'));

describe('glob', () => {
  it('expands *, ?, [..], {a,b} and **/ like Dir.glob, skipping dot files', () => {
    const d = tempDir();
    mkdirSync(`${d}/sub/deeper`, { recursive: true });
    for (const f of ['a.log', 'b.log', 'c.txt', '.hidden.log', 'sub/d.log', 'sub/deeper/e.log', 'x1.log']) writeFileSync(`${d}/${f}`, '');
    expect(expandGlob(`${d}/*.log`)).toEqual([`${d}/a.log`, `${d}/b.log`, `${d}/x1.log`]);
    expect(expandGlob(`${d}/{a,c}.*`)).toEqual([`${d}/a.log`, `${d}/c.txt`]);
    expect(expandGlob(`${d}/x?.log`)).toEqual([`${d}/x1.log`]);
    expect(expandGlob(`${d}/[ab].log`)).toEqual([`${d}/a.log`, `${d}/b.log`]);
    expect(expandGlob(`${d}/**/*.log`)).toEqual([`${d}/a.log`, `${d}/b.log`, `${d}/sub/d.log`, `${d}/sub/deeper/e.log`, `${d}/x1.log`]);
    expect(expandGlob(`${d}/a.log`)).toEqual([`${d}/a.log`]);
    expect(expandGlob(`${d}/missing/*.log`)).toEqual([]);
  });
});

describe('sincedb', () => {
  it('reads and writes "inode major minor position last_changed_at path"; old records expire', () => {
    const text = '1837921 0 2049 120 1733480000.5 /var/log/a.log\n55 8 1 7 1733480001.25 /var/log/with space.log\n9 0 0 3\n';
    const db = parseSincedb(text);
    expect([...db.values()]).toEqual([
      { inode: '1837921', major: 0, minor: 2049, position: 120, lastChangedAt: 1733480000.5, path: '/var/log/a.log' },
      { inode: '55', major: 8, minor: 1, position: 7, lastChangedAt: 1733480001.25, path: '/var/log/with space.log' },
      expect.objectContaining({ inode: '9', position: 3, path: undefined }),
    ]);
    const two = [...db.values()].slice(0, 2);
    expect(formatSincedb(two, 1733480002, 14)).toBe('1837921 0 2049 120 1733480000.5 /var/log/a.log\n55 8 1 7 1733480001.25 /var/log/with space.log\n');
    expect(formatSincedb(two, 1733480000.5 + 14 * 86400 + 0.1, 14)).toBe('55 8 1 7 1733480001.25 /var/log/with space.log\n');
  });

  it('device numbers as Ruby File::Stat#dev_major/dev_minor (glibc makedev)', () => {
    expect(deviceNumbers(0x801)).toEqual({ major: 8, minor: 1 });
    expect(deviceNumbers(0x100302)).toEqual({ major: 3, minor: 0x102 });
    expect(deviceNumbers(45)).toEqual({ major: 0, minor: 45 });
  });

  it('the default path is .sincedb_<md5 of the joined paths> under plugins/inputs/file', () => {
    // md5 of "/var/log/*.log,/srv/x.log" (md5sum)
    expect(defaultSincedbPath(['/var/log/*.log', '/srv/x.log'], '/data')).toBe('/data/plugins/inputs/file/.sincedb_3c66ddfd610cf10fa5b9c2b58a8e5b2a');
  });
});

describe('file input, tail mode', () => {
  it('start_position beginning: complete lines only, appends follow; sincedb records the end of the last line; a restart resumes there', async () => {
    const d = tempDir();
    const log = `${d}/app.log`;
    const sincedb = `${d}/sincedb`;
    writeFileSync(log, 'one\ntwo\nthr');
    const a = start({ path: [`${d}/*.log`], start_position: 'beginning', sincedb_path: sincedb });
    await until(() => a.rt.events.length === 2);
    appendFileSync(log, 'ee\nfour\n');
    await until(() => a.rt.events.length === 4);
    expect(a.messages()).toEqual(['one', 'two', 'three', 'four']);
    const e = a.rt.events[0]!;
    expect(e.get('[log][file][path]')).toBe(log);
    expect(e.get('[host][name]')).toBe(hostname());
    expect(e.get('path')).toBeUndefined();
    appendFileSync(log, 'partial');
    await new Promise((r) => setTimeout(r, 60));
    a.rt.abort();
    await a.done;
    const st = statSync(log);
    const { major, minor } = deviceNumbers(st.dev);
    const line = readFileSync(sincedb, 'utf8');
    expect(line).toMatch(new RegExp(`^${st.ino} ${major} ${minor} ${'one\ntwo\nthree\nfour\n'.length} \\d+\\.\\d+ ${log.replace(/[.]/g, '\\.')}\n$`));
    // Restart: the partial line and what follows are read, nothing before.
    appendFileSync(log, ' five\nsix\n');
    const b = start({ path: [`${d}/*.log`], start_position: 'beginning', sincedb_path: sincedb });
    await until(() => b.rt.events.length === 2);
    expect(b.messages()).toEqual(['partial five', 'six']);
    b.rt.abort();
    await b.done;
  });

  it('start_position end skips what the files hold at start; a file created later is read from its beginning', async () => {
    const d = tempDir();
    writeFileSync(`${d}/old.log`, 'old 1\nold 2\n');
    const a = start({ path: [`${d}/*.log`], sincedb_path: '/dev/null' });
    await until(() => a.input.stats()['files_discovered'] === 1);
    appendFileSync(`${d}/old.log`, 'new 1\n');
    writeFileSync(`${d}/later.log`, 'later 1\n');
    await until(() => a.rt.events.length === 2);
    expect(a.messages().sort()).toEqual(['later 1', 'new 1']);
    a.rt.abort();
    await a.done;
  });

  it('rotation: the renamed file is read to its end, the new file at the path from its beginning', async () => {
    const d = tempDir();
    const log = `${d}/app.log`;
    writeFileSync(log, 'a\n');
    const a = start({ path: [log], start_position: 'beginning', sincedb_path: `${d}/sdb` });
    await until(() => a.rt.events.length === 1);
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, 'b (written after the rename)\n');
    writeFileSync(log, 'c (new file)\n');
    await until(() => a.rt.events.length === 3);
    expect(a.messages()).toEqual(['a', 'b (written after the rename)', 'c (new file)']);
    expect(a.rt.events.map((e) => e.get('[log][file][path]'))).toEqual([log, log, log]);
    expect(a.input.stats()['rotations']).toBe(1);
    a.rt.abort();
    await a.done;
  });

  it('a truncated file (copytruncate) is read again from its start', async () => {
    const d = tempDir();
    const log = `${d}/t.log`;
    writeFileSync(log, 'before 1\nbefore 2\n');
    const a = start({ path: [log], start_position: 'beginning', sincedb_path: '/dev/null' });
    await until(() => a.rt.events.length === 2);
    writeFileSync(log, 'after\n');
    await until(() => a.rt.events.length === 3);
    expect(a.messages()).toEqual(['before 1', 'before 2', 'after']);
    expect(a.input.stats()['truncations']).toBe(1);
    a.rt.abort();
    await a.done;
  });

  it('a custom delimiter; ECS disabled puts the path and host in `path` and `host`', async () => {
    const d = tempDir();
    writeFileSync(`${d}/p.log`, 'x|y|z');
    const a = start({ path: [`${d}/p.log`], start_position: 'beginning', delimiter: '|', sincedb_path: '/dev/null' }, 'disabled');
    await until(() => a.rt.events.length === 2);
    expect(a.messages()).toEqual(['x', 'y']);
    expect(a.rt.events[0]!.get('path')).toBe(`${d}/p.log`);
    expect(a.rt.events[0]!.get('host')).toBe(hostname());
    expect(a.rt.events[0]!.get('[log]')).toBeUndefined();
    a.rt.abort();
    await a.done;
  });

  it('relative paths are refused as the plugin does', () => {
    expect(() => new FileInput({ ...BASE, path: ['logs/*.log'] } as unknown as FileInputOptions, standaloneContext())).toThrow(
      new FileInputError('File paths must be absolute, relative path specified: logs/*.log'),
    );
  });
});

describe('file input, read mode', () => {
  it('reads each file whole (a last line without delimiter too), logs and deletes it; exit_after_read ends the run', async () => {
    const d = tempDir();
    writeFileSync(`${d}/1.log`, 'a1\na2\n');
    writeFileSync(`${d}/2.log`, 'b1\nb2');
    const done = `${d}/completed.txt`;
    const a = start({ path: [`${d}/*.log`], mode: 'read', file_completed_action: 'log_and_delete', file_completed_log_path: done, exit_after_read: true, sincedb_path: `${d}/sdb` });
    await a.done;
    expect(a.messages().sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(existsSync(`${d}/1.log`)).toBe(false);
    expect(existsSync(`${d}/2.log`)).toBe(false);
    expect(readFileSync(done, 'utf8').split('\n').sort()).toEqual(['', `${d}/1.log`, `${d}/2.log`]);
    expect(a.input.stats()['files_completed']).toBe(2);
  });

  it('file_sort_by path, desc: files are read in that order', async () => {
    const d = tempDir();
    for (const n of ['a', 'c', 'b']) writeFileSync(`${d}/${n}.log`, `${n}\n`);
    const a = start({ path: [`${d}/*.log`], mode: 'read', file_sort_by: 'path', file_sort_direction: 'desc', file_completed_action: 'log', file_completed_log_path: `${d}/done`, exit_after_read: true, sincedb_path: '/dev/null' });
    await a.done;
    expect(a.messages()).toEqual(['c', 'b', 'a']);
    expect(readFileSync(`${d}/done`, 'utf8')).toBe(`${d}/c.log\n${d}/b.log\n${d}/a.log\n`);
  });

  it('file_completed_action log keeps the file and does not read it again after a restart (sincedb)', async () => {
    const d = tempDir();
    writeFileSync(`${d}/1.log`, 'a1\n');
    const opts = { path: [`${d}/*.log`], mode: 'read', file_completed_action: 'log', file_completed_log_path: `${d}/done`, exit_after_read: true, sincedb_path: `${d}/sdb` } satisfies Partial<FileInputOptions> & { path: string[] };
    const a = start(opts);
    await a.done;
    expect(a.messages()).toEqual(['a1']);
    expect(existsSync(`${d}/1.log`)).toBe(true);
    expect(readFileSync(`${d}/sdb`, 'utf8')).toMatch(/^\d+ \d+ \d+ 3 \d+\.\d+ .*\/1\.log\n$/);
    const b = start(opts);
    await b.done;
    expect(b.rt.events).toEqual([]);
  });
});
