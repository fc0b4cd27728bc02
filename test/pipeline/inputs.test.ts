import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { hostname } from 'node:os';
import { StdinInput } from '../../src/plugins/inputs/stdin/stdin.ts';
import { GeneratorInput } from '../../src/plugins/inputs/generator/generator.ts';
import { LineCodec } from '../../src/plugins/codecs/line/line.ts';
import { PlainCodec } from '../../src/plugins/codecs/plain/plain.ts';
import { inputDecorator } from '../../src/plugins/common-options.ts';
import type { Event } from '../../src/event/event.ts';
import type { Codec, InputContext, Logger } from '../../src/plugins/types.ts';
import { standaloneContext } from '../../src/plugins/context.ts';
import { rubyRegexp, rubyReplacement } from '../../src/regexp/ruby-regexp.ts';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };

function context(codec: Codec, options: Record<string, unknown>, events: Event[], signal = new AbortController().signal): InputContext {
  return {
    ...standaloneContext(),
    log: quiet,
    createCodec: () => codec,
    codec,
    decorate: inputDecorator(options),
    push: (es) => void events.push(...es),
    signal,
  };
}

describe('stdin input', () => {
  it('reads lines, decorates (type only if unset, tags, add_field) and sets [host][hostname]', async () => {
    const stream = new PassThrough();
    const events: Event[] = [];
    const input = new StdinInput({}, stream);
    const done = input.run(context(new LineCodec('\n', undefined), { type: 'std', tags: ['a', 'a'], add_field: { f: '%{message}' } }, events));
    stream.write(Buffer.from([0x6f, 0x6b, 0x0a, 0xfe, 0x0a]));
    stream.end('tail');
    await done;
    expect(events.map((e) => e.get('message'))).toEqual(['ok', '\\xFE', 'tail']);
    expect(events[0]!.get('type')).toBe('std');
    expect(events[0]!.get('tags')).toEqual(['a', 'a']);
    expect(events[0]!.get('f')).toBe('ok');
    expect(events[0]!.get('[host][hostname]')).toBe(hostname());
  });
  it('stops on abort and flushes what it had read', async () => {
    const stream = new PassThrough();
    const events: Event[] = [];
    const ac = new AbortController();
    const done = new StdinInput({ ecs_compatibility: 'disabled' }, stream).run(context(new LineCodec('\n', undefined, undefined, false), {}, events, ac.signal));
    stream.write('one\ntw');
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await done;
    expect(events.map((e) => e.get('message'))).toEqual(['one', 'tw']);
    expect(events[0]!.get('host')).toBe(hostname());
  });
});

describe('generator input', () => {
  it('emits count rounds of lines with sequence numbers', async () => {
    const events: Event[] = [];
    await new GeneratorInput({ lines: ['x', 'y'], count: 2 }).run(context(new PlainCodec(undefined), {}, events));
    expect(events.map((e) => [e.get('message'), e.get('[event][sequence]')])).toEqual([
      ['x', 0],
      ['y', 0],
      ['x', 1],
      ['y', 1],
    ]);
    expect(events[0]!.get('[host][name]')).toBe(hostname());
    expect(events[0]!.get('[event][original]')).toBe('x');
  });
});

describe('Ruby regexp translation', () => {
  it('handles anchors, \\h, POSIX classes, leading flags, and rejects what JS cannot do', () => {
    expect(rubyRegexp('^b').test('a\nb')).toBe(true);
    expect(rubyRegexp('\\Ab').test('a\nb')).toBe(false);
    expect(rubyRegexp('a\\z').test('a\n')).toBe(false);
    expect(rubyRegexp('a\\Z').test('a\n')).toBe(true);
    expect(rubyRegexp('^\\h+$').test('c0ffee')).toBe(true);
    expect(rubyRegexp('^[[:alpha:][:digit:]_]+$').test('ab_1')).toBe(true);
    expect(rubyRegexp('(?i)abc').test('ABC')).toBe(true);
    expect(rubyRegexp('(?m)a.b').test('a\nb')).toBe(true);
    expect(() => rubyRegexp('(?>a)')).toThrow(/atomic groups/);
    expect(() => rubyRegexp('a++')).toThrow(/possessive/);
  });
  it('translates gsub replacement backreferences', () => {
    expect('ab'.replace(rubyRegexp('(a)(?<x>b)', 'g'), rubyReplacement('\\2\\1\\k<x>$\\0'))).toBe('bab$ab');
  });
});
