// logstash.yml / pipelines.yml as Logstash reads them: Settings#flatten_hash and ${VAR} in values,
// config/source/multi_local.rb (empty file, not a list, duplicate ids, pipeline settings only,
// pipeline.id default main) and the runner's missing-logstash.yml warning.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGSTASH_YML_MISSING, readLogstashYml, readPipelinesYml } from '../../src/config/settings.ts';

function settingsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-settings-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('logstash.yml', () => {
  it('missing: Logstash\'s warning, defaults', () => {
    const r = readLogstashYml(settingsDir({}));
    expect(r.found).toBe(false);
    expect(r.warnings).toEqual([LOGSTASH_YML_MISSING]);
    expect(r.settings).toEqual({});
  });
  it('nested and dotted keys, ${VAR} with defaults, types checked', () => {
    const dir = settingsDir({
      'logstash.yml':
        'pipeline:\n  workers: 2\n  batch:\n    size: 50\npipeline.batch.delay: 5\npipeline.ecs_compatibility: ${ECS_MODE:disabled}\n' +
        'config.support_escapes: true\nconfig.reload.interval: 10s\nlog.level: debug\npipeline.id: ${PID}\n',
    });
    const r = readLogstashYml(dir, { PID: 'flows' });
    expect(r.settings).toEqual({
      'pipeline.workers': 2,
      'pipeline.batch.size': 50,
      'pipeline.batch.delay': 5,
      'pipeline.ecs_compatibility': 'disabled',
      'config.support_escapes': true,
      'config.reload.interval': '10s',
      'log.level': 'debug',
      'pipeline.id': 'flows',
    });
    expect(r.warnings).toEqual([]);
  });
  it('Logstash settings flowstash has no use for are ignored with a note; unknown ones get Logstash\'s "doesn\'t exist" text', () => {
    const dir = settingsDir({ 'logstash.yml': 'queue.type: persisted\nxpack.monitoring.enabled: false\npipline.workers: 3\n' });
    const r = readLogstashYml(dir);
    expect(r.warnings).toEqual([
      `${path.join(dir, 'logstash.yml')}: 'queue.type' is a Logstash setting flowstash does not use; ignored`,
      `${path.join(dir, 'logstash.yml')}: 'xpack.monitoring.enabled' is a Logstash setting flowstash does not use; ignored`,
      `${path.join(dir, 'logstash.yml')}: Setting "pipline.workers" doesn't exist. Please check if you haven't made a typo. (Logstash stops on this; flowstash ignores it)`,
    ]);
  });
  it('bad values and bad YAML are errors with the file (and line)', () => {
    expect(() => readLogstashYml(settingsDir({ 'logstash.yml': 'pipeline.workers: 0\n' }))).toThrow('invalid value for setting "pipeline.workers": 0 (expected a positive integer)');
    expect(() => readLogstashYml(settingsDir({ 'logstash.yml': 'pipeline.ecs_compatibility: v7\n' }))).toThrow('expected one of disabled, v1, v8');
    expect(() => readLogstashYml(settingsDir({ 'logstash.yml': 'a: b\n  c: [\n' }))).toThrow(/logstash\.yml:\d+: /);
    expect(() => readLogstashYml(settingsDir({ 'logstash.yml': 'pipeline.id: ${NOPE}\n' }), {})).toThrow('Replacement variable `NOPE` is not defined');
  });
});

describe('pipelines.yml', () => {
  it('a list of pipelines with their own settings; pipeline.id defaults to main', () => {
    const dir = settingsDir({
      'pipelines.yml':
        '- pipeline.id: first\n  path.config: "/etc/p1.conf"\n  pipeline.workers: 3\n  pipeline.ecs_compatibility: v1\n' +
        '- config.string: "input { generator {} } output { null {} }"\n  queue.type: persisted\n',
    });
    const r = readPipelinesYml(dir);
    expect(r.pipelines).toEqual([
      { id: 'first', settings: { 'pipeline.id': 'first', 'path.config': '/etc/p1.conf', 'pipeline.workers': 3, 'pipeline.ecs_compatibility': 'v1' } },
      { id: 'main', settings: { 'config.string': 'input { generator {} } output { null {} }' } },
    ]);
    expect(r.warnings).toEqual([`${path.join(dir, 'pipelines.yml')}: pipeline #2: 'queue.type' is a Logstash setting flowstash does not use; ignored`]);
  });
  it("Logstash's messages: missing, empty, not a list, duplicate ids, a non-pipeline setting", () => {
    const missing = settingsDir({});
    expect(() => readPipelinesYml(missing)).toThrow(`Failed to read pipelines yaml file. Location: ${path.join(missing, 'pipelines.yml')}`);
    const empty = settingsDir({ 'pipelines.yml': '# blah\n# blah\n' });
    expect(() => readPipelinesYml(empty)).toThrow(`Pipelines YAML file is empty. Location: ${path.join(empty, 'pipelines.yml')}`);
    const hash = settingsDir({ 'pipelines.yml': 'pipeline.id: x\n' });
    expect(() => readPipelinesYml(hash)).toThrow(`Pipelines YAML file must contain an array of pipeline configs. Found "Hash" in ${path.join(hash, 'pipelines.yml')}`);
    const dup = settingsDir({ 'pipelines.yml': '- config.string: "a"\n- config.string: "b"\n' });
    expect(() => readPipelinesYml(dup)).toThrow(`Pipelines YAML file contains duplicate pipeline ids: ["main"]. Location: ${path.join(dup, 'pipelines.yml')}`);
    const bad = settingsDir({ 'pipelines.yml': '- pipeline.id: a\n  config.string: "x"\n  node.name: n\n' });
    expect(() => readPipelinesYml(bad)).toThrow('Only pipeline related settings are expected. Received "node.name". Allowed settings: [');
    const both = settingsDir({ 'pipelines.yml': '- pipeline.id: a\n  config.string: "x"\n  path.config: "y"\n' });
    expect(() => readPipelinesYml(both)).toThrow("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.");
  });
});
