import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { renderRubydebug, terminalWantsColors } from '../../src/plugins/codecs/rubydebug/rubydebug.ts';
import { rubyInspectString } from '../../src/event/ruby-inspect.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap } from '../../src/event/values.ts';
import { arbitraryFieldMap } from '../pipeline/arbitraries.ts';

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
const SAMPLES = path.join(SHARED, 'configs/rubydebug-samples.txt');
if (!existsSync(SAMPLES)) console.warn(`rubydebug samples skipped: ${SAMPLES} is absent`);

const ts = new Timestamp(Date.UTC(2024, 4, 1, 12, 34, 56) / 1000, 789_000_000);

function fullSample(): FieldMap {
  return {
    '@timestamp': ts,
    '@version': '1',
    message: 'hello "world"\ttab\nnl é \x1b',
    host: { name: 'example.com', ip: ['127.0.0.1', '::1'] },
    count: 42,
    ratio: new Float(0.5),
    big: new Float(1e20),
    neg: -3,
    ok: true,
    bad: false,
    nothing: null,
    tags: ['_grokparsefailure', 'beats_input_codec_plain_applied'],
    empty_a: [],
    empty_h: {},
    nested: { a: { b: [1, { c: 'd' }, [2, 3]] } },
    eleven: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  };
}

function shortSample(): FieldMap {
  return {
    '@timestamp': ts,
    host: { name: 'example.com', ip: ['127.0.0.1', '::1'] },
    tags: ['_grokparsefailure'],
    nested: { a: { b: [1, { c: 'd' }] } },
    nothing: null,
  };
}

/** `cat -v` rendering (how the coloured samples were recorded). */
function catV(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    let c = b;
    if (c >= 128) {
      out += 'M-';
      c -= 128;
    }
    if (c === 127) out += '^?';
    else if (c < 32 && c !== 10 && c !== 9) out += '^' + String.fromCharCode(c + 64);
    else out += String.fromCharCode(c);
  }
  return out;
}

/** Splits the samples file into its four blocks, each from a `{` line to the next `}` line at column 0. */
function sampleBlocks(): string[] {
  const lines = readFileSync(SAMPLES, 'utf8').split('\n');
  const blocks: string[] = [];
  let cur: string[] | undefined;
  for (const line of lines) {
    if (line === '{') cur = [];
    if (cur) cur.push(line);
    if (line === '}' && cur) {
      blocks.push(cur.join('\n'));
      cur = undefined;
    }
  }
  return blocks;
}

describe.skipIf(!existsSync(SAMPLES))('rubydebug against amazing_print samples', () => {
  const blocks = existsSync(SAMPLES) ? sampleBlocks() : [];
  it('finds the four samples', () => expect(blocks).toHaveLength(4));
  it('v1.8.1 without colour', () => expect(renderRubydebug(fullSample())).toBe(blocks[0]));
  it('v1.8.1 forced colour (keys coloured)', () =>
    expect(catV(renderRubydebug(fullSample(), { colors: true }))).toBe(blocks[1]));
  it('v1.5.0 forced colour (keys plain)', () =>
    expect(catV(renderRubydebug(fullSample(), { colors: true, colorKeys: false }))).toBe(blocks[2]));
  it('nested host/tags sample', () => expect(renderRubydebug(shortSample())).toBe(blocks[3]));
});

describe('ruby inspect', () => {
  it('escapes like Ruby', () => {
    expect(rubyInspectString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(rubyInspectString('#{x} #$y #@z #a')).toBe('"\\#{x} \\#$y \\#@z #a"');
    expect(rubyInspectString('\x00\x01\x7f\u2028')).toBe('"\\u0000\\u0001\\u007F\\u2028"');
    expect(rubyInspectString('\x07\b\v\f\r')).toBe('"\\a\\b\\v\\f\\r"');
    expect(rubyInspectString('日本 é 😀')).toBe('"日本 é 😀"');
  });
});

describe('rubydebug floats and colours', () => {
  it('formats floats like Ruby', () => {
    const out = renderRubydebug({ a: new Float(100), b: new Float(1e-5), c: new Float(0.0001), d: 12345678901234567890n });
    expect(out).toBe('{\n    "a" => 100.0,\n    "b" => 1.0e-05,\n    "c" => 0.0001,\n    "d" => 12345678901234567890\n}');
  });
  it('aligns by characters like Ruby (an emoji is one character)', () => {
    expect(renderRubydebug({ '😀😀': 1, abc: 2 })).toBe('{\n     "😀😀" => 1,\n    "abc" => 2\n}');
  });
  it('colours only on a TTY with a usable TERM', () => {
    expect(terminalWantsColors({ isTTY: true }, { TERM: 'xterm' })).toBe(true);
    expect(terminalWantsColors({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(terminalWantsColors({ isTTY: true }, {})).toBe(false);
    expect(terminalWantsColors({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
  });
});

/** Reads rubydebug text back: checks nesting and key alignment, returns the shape (key counts, lengths). */
type Shape = { kind: 'hash'; entries: Shape[] } | { kind: 'array'; items: Shape[] } | { kind: 'scalar' };

function parseRubydebug(text: string): Shape {
  const lines = text.split('\n');
  let i = 0;
  const stripComma = (s: string): string => (s.endsWith(',') ? s.slice(0, -1) : s);
  function value(rest: string, indent: number): Shape {
    const v = stripComma(rest);
    if (v === '{}') return { kind: 'hash', entries: [] };
    if (v === '[]') return { kind: 'array', items: [] };
    if (v === '{') return hash(indent);
    if (v === '[') return array(indent);
    return { kind: 'scalar' };
  }
  function hash(indent: number): Shape {
    const entries: Shape[] = [];
    let arrowCol = -1;
    let minStart = Infinity;
    for (;;) {
      const line = lines[++i]!;
      if (stripComma(line) === ' '.repeat(indent) + '}') break;
      const m = /^( +)("(?:[^"\\]|\\.)*") => (.*)$/.exec(line);
      if (!m) throw new Error(`bad hash line ${i}: ${JSON.stringify(line)}`);
      const col = m[1]!.length + m[2]!.length;
      if (arrowCol === -1) arrowCol = col;
      if (col !== arrowCol) throw new Error(`misaligned key at line ${i}`);
      minStart = Math.min(minStart, m[1]!.length);
      entries.push(value(m[3]!, indent + 4));
    }
    if (entries.length > 0 && minStart !== indent + 4) throw new Error(`longest key not at indent ${indent + 4}`);
    return { kind: 'hash', entries };
  }
  function array(indent: number): Shape {
    const items: Shape[] = [];
    for (;;) {
      const line = lines[++i]!;
      if (stripComma(line) === ' '.repeat(indent) + ']') break;
      const m = /^( +)\[( *\d+)\] (.*)$/.exec(line);
      if (!m || m[1]!.length !== indent + 4 || Number(m[2]) !== items.length) throw new Error(`bad array line ${i}`);
      items.push(value(m[3]!, indent + 4));
    }
    const w = String(items.length - 1).length;
    return { kind: 'array', items: items.map((x) => x).slice(0, items.length), ...(w ? {} : {}) };
  }
  const root = value(lines[0]!, 0);
  if (i !== lines.length - 1) throw new Error('trailing text');
  return root;
}

function shapeOf(v: unknown): Shape {
  if (Array.isArray(v)) return { kind: 'array', items: v.map(shapeOf) };
  if (v !== null && typeof v === 'object' && !(v instanceof Float) && !(v instanceof Timestamp)) {
    return { kind: 'hash', entries: Object.values(v).map(shapeOf) };
  }
  return { kind: 'scalar' };
}

describe('rubydebug of random events is well-formed', () => {
  it('balances brackets, aligns keys and indexes, keeps every value', () => {
    fc.assert(
      fc.property(arbitraryFieldMap, (map) => {
        expect(parseRubydebug(renderRubydebug(map))).toEqual(shapeOf(map));
      }),
      { numRuns: 300 },
    );
  });
});
