// `flowstash --path.settings DIR` without -f/-e runs every pipeline of DIR/pipelines.yml in one process,
// like Logstash (config/source/multi_local.rb): each with its own pipeline.id, config (string or
// path), workers, batch size and pipeline.ecs_compatibility over logstash.yml's. Spawns the CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flowstash.mjs');

function flowstash(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function setup(): { dir: string; out1: string; out2: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-pipelines-'));
  const out1 = path.join(dir, 'one.json');
  const out2 = path.join(dir, 'two.json');
  writeFileSync(path.join(dir, 'logstash.yml'), 'pipeline:\n  batch:\n    size: 10\npipeline.ecs_compatibility: disabled\nqueue.type: memory\n');
  writeFileSync(
    path.join(dir, 'two.conf'),
    `input { generator { count => 2 message => "500" } }\nfilter { translate { source => "message" dictionary => { "500" => "Server Error" } } }\noutput { file { path => "${out2}" } }\n`,
  );
  writeFileSync(
    path.join(dir, 'pipelines.yml'),
    [
      '- pipeline.id: one',
      '  pipeline.workers: 1',
      `  config.string: 'input { generator { count => 3 message => "200" } } filter { translate { source => "message" dictionary => { "200" => "OK" } } } output { file { path => "${out1}" } }'`,
      '- pipeline.id: two',
      `  path.config: "${path.join(dir, 'two.conf')}"`,
      '  pipeline.ecs_compatibility: v8',
      '',
    ].join('\n'),
  );
  return { dir, out1, out2 };
}

const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('pipelines.yml through the CLI', () => {
  it('runs both pipelines, each with its own settings (ECS from logstash.yml vs from its entry)', async () => {
    const { dir, out1, out2 } = setup();
    const r = await flowstash(['--path.settings', dir]);
    expect(r.code, r.err).toBe(0);
    // pipeline one: logstash.yml's ecs disabled → translate writes [translation]
    const one = lines(out1);
    expect(one).toHaveLength(3);
    expect(one.every((e) => e['message'] === '200' && e['translation'] === 'OK')).toBe(true);
    // pipeline two: its own pipeline.ecs_compatibility v8 → translate works in place
    const two = lines(out2);
    expect(two).toHaveLength(2);
    expect(two.every((e) => e['message'] === 'Server Error' && e['translation'] === undefined)).toBe(true);
    expect(r.err).toMatch(/Pipeline started \{"pipeline\.id"=>"one", "pipeline\.workers"=>1, "pipeline\.batch\.size"=>10\}/);
    expect(r.err).toMatch(/Pipeline started \{"pipeline\.id"=>"two", "pipeline\.workers"=>\d+, "pipeline\.batch\.size"=>10\}/);
    expect(r.err).toMatch(/Summary: events in=3 filtered=3 out=3 dropped=0 failed=0 \{"pipeline\.id"=>"one"\}/);
    expect(r.err).toMatch(/Summary: events in=2 filtered=2 out=2 dropped=0 failed=0 \{"pipeline\.id"=>"two"\}/);
    expect(r.err).toContain("'queue.type' is a Logstash setting flowstash does not use; ignored");
  });

  it('-t checks every pipeline; -f beside pipelines.yml ignores it with Logstash\'s warning', async () => {
    const { dir } = setup();
    const t = await flowstash(['--path.settings', dir, '-t']);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain('Configuration OK');
    const f = await flowstash(['--path.settings', dir, '-e', 'input { generator { count => 1 } } output { null {} }']);
    expect(f.code, f.err).toBe(0);
    expect(f.err).toContain("Ignoring the 'pipelines.yml' file because modules or command line options are specified");
  });

  it('logstash.yml settings reach a -e pipeline (pipeline.ecs_compatibility, pipeline.id); a flag wins over the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-settings-e-'));
    writeFileSync(path.join(dir, 'logstash.yml'), 'pipeline.ecs_compatibility: disabled\npipeline.id: flows\n');
    const out = path.join(dir, 'out.json');
    const config = `input { generator { count => 1 message => "200" } } filter { translate { source => "message" dictionary => { "200" => "OK" } } } output { file { path => "${out}" } }`;
    const fromFile = await flowstash(['--path.settings', dir, '-e', config]);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(lines(out)).toEqual([expect.objectContaining({ message: '200', translation: 'OK' })]);
    expect(fromFile.err).toContain('Pipeline started {"pipeline.id"=>"flows"');
    const out2 = path.join(dir, 'out2.json');
    const flagWins = await flowstash(['--path.settings', dir, '--pipeline.ecs_compatibility', 'v8', '-e', config.replace(out, out2)]);
    expect(flagWins.code, flagWins.err).toBe(0);
    expect(lines(out2)).toEqual([expect.objectContaining({ message: 'OK' })]);
  });

  it('-r: a pipeline of pipelines.yml reloads when its config file changes; SIGINT stops all', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-pipelines-reload-'));
    const out = path.join(dir, 'a.json');
    const conf = path.join(dir, 'a.conf');
    const write = (message: string) => writeFileSync(conf, `input { generator { count => 1 message => "${message}" } } output { file { path => "${out}" } }\n`);
    write('one');
    writeFileSync(path.join(dir, 'pipelines.yml'), `- pipeline.id: a\n  path.config: "${conf}"\n- pipeline.id: b\n  config.string: 'input { generator { count => 1 } } output { null {} }'\n`);
    const child = spawn(process.execPath, [BIN, '--path.settings', dir, '-r', '--config.reload.interval', '200ms'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waitFor = async (test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    const messages = () => {
      try {
        return lines(out).map((e) => e['message']);
      } catch {
        return [];
      }
    };
    await waitFor(() => messages().includes('one'));
    write('two');
    await waitFor(() => messages().includes('two'));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(messages()).toEqual(['one', 'two']);
    expect(err).toContain('Reloading pipeline {"pipeline.id"=>"a"}');
    expect(err).toMatch(/Summary: events in=2 filtered=2 out=2 dropped=0 failed=0 \{"pipeline\.id"=>"a"\}/);
    expect(err).toMatch(/Summary: events in=1 filtered=1 out=1 dropped=0 failed=0 \{"pipeline\.id"=>"b"\}/);
  });

  it("an empty pipelines.yml: Logstash's error and usage, exit 1", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-pipelines-empty-'));
    writeFileSync(path.join(dir, 'pipelines.yml'), '# nothing yet\n');
    const r = await flowstash(['--path.settings', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`ERROR: Pipelines YAML file is empty. Location: ${path.join(dir, 'pipelines.yml')}`);
    expect(r.err).toContain('Could not find logstash.yml');
  });

  it('-t reports a dictionary file that exists but does not parse, with file:line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-t-dict-'));
    const dict = path.join(dir, 'bad.yml');
    writeFileSync(dict, '"a": 1\n"b": [oops\n');
    const r = await flowstash(['-t', '-e', `input { generator { count => 1 } } filter { translate { source => "message" dictionary_path => "${dict}" } } output { null {} }`]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`The given configuration is invalid\\. Reason: filter translate at .*: dictionary_path cannot be loaded: ${dict.replace(/[.]/g, '\\.')}:\\d+: `));
  });
});
