// `path.data` from logstash.yml is where plugins keep their state, as in Logstash (the file input's
// default sincedb is <path.data>/plugins/inputs/file/.sincedb_<md5 of the joined paths>,
// logstash-input-file's file.rb; the dead letter queue defaults to <path.data>/dead_letter_queue).
// Spawns the CLI with a file input, stops it with SIGINT once the line is out, and looks for the sincedb.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

describe('path.data', () => {
  it("holds the file input's default sincedb", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-path-data-'));
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    const log = path.join(logs, 'app.log');
    writeFileSync(log, 'one line\n');
    const settings = path.join(dir, 'settings');
    mkdirSync(settings);
    const state = path.join(dir, 'state');
    writeFileSync(path.join(settings, 'logstash.yml'), `path.data: ${state}\n`);
    const glob = path.join(logs, '*.log');
    const out = path.join(dir, 'out.json');
    const config = `input { file { path => "${glob}" start_position => "beginning" sincedb_write_interval => 1 } } output { file { path => "${out}" } }`;
    const child = spawn(process.execPath, [BIN, '--path.settings', settings, '-e', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!(existsSync(out) && statSync(out).size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, err).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))['message']).toBe('one line');
    const sincedb = path.join(state, 'plugins', 'inputs', 'file', `.sincedb_${createHash('md5').update(glob).digest('hex')}`);
    expect(existsSync(sincedb), err).toBe(true);
    // inode major minor position last_changed_at path: the position is past the one line (9 bytes).
    const [inode, , , position, , file] = readFileSync(sincedb, 'utf8').trim().split(' ');
    expect(inode).toBe(String(statSync(log).ino));
    expect(position).toBe('9');
    expect(file).toBe(log);
    expect(existsSync(path.join(dir, 'data')), 'nothing written under the working directory').toBe(false);
  }, 60_000);
});
