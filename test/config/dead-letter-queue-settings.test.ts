// The dead_letter_queue.* settings as Logstash reads them: sizes through LogStash::Util::ByteValue
// (`1024mb`, `1.5kb`; a unit is required), dead_letter_queue.retain.age through
// AbstractPipelineExt#parseToDuration (`<number>[d,h,m,s]`), storage_policy drop_newer/drop_older,
// and the defaults of logstash-core's environment.rb (enable false, max_bytes 1024mb, drop_newer,
// flush_interval 5000 ms, path.dead_letter_queue = <path.data>/dead_letter_queue), a pipelines.yml
// entry winning over logstash.yml.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deadLetterQueueSetting, parseByteValue, parseRetainAge, readLogstashYml, readPipelinesYml } from '../../src/config/settings.ts';

const dirWith = (files: Record<string, string>): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-yml-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('dead letter queue settings', () => {
  it('ByteValue.parse: number times the unit (k/kb … p/pb, b), truncated; no unit is an error', () => {
    expect(parseByteValue('1024mb')).toBe(1024 * 1024 * 1024);
    expect(parseByteValue('1.5kb')).toBe(1536);
    expect(parseByteValue('100b')).toBe(100);
    expect(parseByteValue('2g')).toBe(2 * 2 ** 30);
    expect(parseByteValue('10')).toBeUndefined();
  });

  it('retain.age: <number>[d,h,m,s]', () => {
    expect(parseRetainAge('5m')).toBe(300_000);
    expect(parseRetainAge('2 d')).toBe(2 * 86_400_000);
    expect(parseRetainAge('1w')).toBeUndefined();
  });

  it('defaults, and a pipelines.yml entry over logstash.yml', () => {
    expect(deadLetterQueueSetting({}, {})).toBeUndefined();
    expect(deadLetterQueueSetting({}, { 'dead_letter_queue.enable': true }, '/srv/flowstash')).toEqual({
      path: '/srv/flowstash/data/dead_letter_queue',
      maxBytes: 1024 * 2 ** 20,
      storagePolicy: 'drop_newer',
      flushIntervalMs: 5000,
    });
    const global = { 'dead_letter_queue.enable': true, 'path.data': '/var/lib/fs', 'dead_letter_queue.max_bytes': 2048 } as const;
    expect(deadLetterQueueSetting({ 'dead_letter_queue.enable': false }, global)).toBeUndefined();
    expect(deadLetterQueueSetting({ 'dead_letter_queue.storage_policy': 'drop_older', 'path.dead_letter_queue': '/q' }, global)).toMatchObject({
      path: '/q',
      maxBytes: 2048,
      storagePolicy: 'drop_older',
    });
  });

  it('read from logstash.yml (nested or dotted) and pipelines.yml; bad values are refused with the setting named', () => {
    const dir = dirWith({
      'logstash.yml': 'dead_letter_queue:\n  enable: true\n  max_bytes: 10mb\n  retain.age: 1h\npath.data: /tmp/x\n',
      'pipelines.yml': '- pipeline.id: a\n  config.string: "input {} output {}"\n  dead_letter_queue.storage_policy: drop_older\n  path.dead_letter_queue: /tmp/q\n',
    });
    const yml = readLogstashYml(dir);
    expect(yml.warnings).toEqual([]);
    expect(yml.settings).toMatchObject({ 'dead_letter_queue.enable': true, 'dead_letter_queue.max_bytes': 10 * 2 ** 20, 'dead_letter_queue.retain.age': 3_600_000, 'path.data': '/tmp/x' });
    const pipelines = readPipelinesYml(dir);
    expect(pipelines.warnings).toEqual([]);
    expect(deadLetterQueueSetting(pipelines.pipelines[0]!.settings, yml.settings)).toEqual({
      path: '/tmp/q',
      maxBytes: 10 * 2 ** 20,
      storagePolicy: 'drop_older',
      flushIntervalMs: 5000,
      retainAgeMs: 3_600_000,
    });
    expect(() => readLogstashYml(dirWith({ 'logstash.yml': 'dead_letter_queue.storage_policy: drop_oldest\n' }))).toThrow(/"dead_letter_queue.storage_policy".*drop_newer, drop_older/);
    expect(() => readLogstashYml(dirWith({ 'logstash.yml': 'dead_letter_queue.max_bytes: lots\n' }))).toThrow(/"dead_letter_queue.max_bytes"/);
    expect(() => readLogstashYml(dirWith({ 'logstash.yml': 'dead_letter_queue.retain.age: 1w\n' }))).toThrow(
      'Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [1w]',
    );
  });
});
