// Expected values from logstash-codec-multiline's spec/codecs/multiline_spec.rb and multiline.rb.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create } from './multiline.ts';
import { multilineSchema, type MultilineCodecOptions } from './schema.ts';

const SRC = { host: '127.0.0.1', port: 1 };

async function decode(options: Record<string, unknown>, lines: string[], log = recorder()): Promise<Event[]> {
  const codec = create(withDefaults<MultilineCodecOptions>(multilineSchema, options), context('v8', log));
  await codec.register?.();
  const out: Event[] = [];
  codec.decode(Buffer.from(lines.join('\n') + '\n'), SRC, (e) => out.push(e));
  codec.flush?.(SRC, (e) => out.push(e));
  return out;
}

describe('multiline codec', () => {
  it('what => previous with ^\\s: indented lines join the line before, tagged multiline', async () => {
    const events = await decode({ pattern: '^\\s', what: 'previous' }, ['hello world', '   second line', 'another first line']);
    expect(events.map((e) => e.get('message'))).toEqual(['hello world\n   second line', 'another first line']);
    expect(events.map((e) => e.get('tags'))).toEqual([['multiline'], undefined]);
  });
  it('negate with a grok pattern: lines not starting with a timestamp join the previous one', async () => {
    const events = await decode({ pattern: '^%{TIMESTAMP_ISO8601} ', negate: true, what: 'previous' }, [
      '2015-01-01T00:00:00 first',
      'java.lang.Exception: boom',
      '    at Foo.bar(Foo.java:1)',
      '2015-01-01T00:00:01 second',
    ]);
    expect(events.map((e) => e.get('message'))).toEqual([
      '2015-01-01T00:00:00 first\njava.lang.Exception: boom\n    at Foo.bar(Foo.java:1)',
      '2015-01-01T00:00:01 second',
    ]);
  });
  it('what => next: a trailing backslash joins the following line', async () => {
    const events = await decode({ pattern: '\\\\$', what: 'next' }, ['one \\', 'two \\', 'three', 'four']);
    expect(events.map((e) => e.get('message'))).toEqual(['one \\\ntwo \\\nthree', 'four']);
  });
  it('custom multiline_tag, and no tag for single lines', async () => {
    const events = await decode({ pattern: '^\\s', what: 'previous', multiline_tag: 'hurray' }, ['a', ' b', 'c']);
    expect(events.map((e) => e.get('tags'))).toEqual([['hurray'], undefined]);
  });
  it('max_lines forces a flush and tags it', async () => {
    const events = await decode({ pattern: '^\\s', what: 'previous', max_lines: 2 }, ['a', ' 1', ' 2', ' 3', 'b']);
    expect(events[0]!.get('message')).toBe('a\n 1\n 2');
    expect(events[0]!.get('tags')).toEqual(['multiline', 'multiline_codec_max_lines_reached']);
    expect(events.map((e) => e.get('message')).join('|')).toBe('a\n 1\n 2| 3|b');
  });
  it('max_bytes forces a flush and tags it', async () => {
    const events = await decode({ pattern: '^\\s', what: 'previous', max_bytes: 6 }, ['abc', ' def', ' ghi']);
    expect(events[0]!.get('tags')).toContain('multiline_codec_max_bytes_reached');
  });
  it('lines split across chunks and sources are kept apart', async () => {
    const codec = create(withDefaults<MultilineCodecOptions>(multilineSchema, { pattern: '^\\s', what: 'previous' }), context());
    await codec.register?.();
    const out: Event[] = [];
    const a = { host: 'a', port: 1 };
    const b = { host: 'b', port: 1 };
    codec.decode(Buffer.from('first\n  con'), a, (e) => out.push(e));
    codec.decode(Buffer.from('other\n'), b, (e) => out.push(e));
    codec.decode(Buffer.from('tinued\nnext\n'), a, (e) => out.push(e));
    codec.flush?.(a, (e) => out.push(e));
    codec.flush?.(b, (e) => out.push(e));
    expect(out.map((e) => e.get('message'))).toEqual(['first\n  continued', 'next', 'other']);
  });
  it('patterns_dir adds patterns', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multiline-'));
    writeFileSync(path.join(dir, 'mine'), 'CONT \\+\\+\n');
    const events = await decode({ pattern: '^%{CONT}', what: 'previous', patterns_dir: [dir] }, ['a', '++b', 'c']);
    expect(events.map((e) => e.get('message'))).toEqual(['a\n++b', 'c']);
  });
  it('auto_flush_interval is accepted with a WARN', async () => {
    const log = recorder();
    await decode({ pattern: '^\\s', what: 'previous', auto_flush_interval: 1 }, ['a'], log);
    expect(log.lines.some((l) => l.level === 'warn' && /auto_flush_interval/.test(l.msg))).toBe(true);
  });
});
