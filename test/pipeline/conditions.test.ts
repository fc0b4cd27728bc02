import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { ConditionEvaluationError } from '../../src/pipeline/conditions.ts';
import { Float } from '../../src/event/values.ts';
import { conditionOf } from './helpers.ts';

const ev = (data: Record<string, unknown>): Event => new Event(data as never);

async function check(cond: string, data: Record<string, unknown>): Promise<boolean> {
  return (await conditionOf(cond))(ev(data));
}

describe('truthiness', () => {
  it.each([
    [{ f: 'x' }, true],
    [{ f: '' }, false],
    [{ f: 'false' }, false],
    [{ f: false }, false],
    [{ f: 0 }, true],
    [{ f: [] }, true],
    [{ f: null }, false],
    [{}, false],
  ])('[f] with %j is %s', async (data, expected) => {
    expect(await check('[f]', data)).toBe(expected);
  });
  it('! negates a selector and a group', async () => {
    expect(await check('![f]', {})).toBe(true);
    expect(await check('!([f] == 1)', { f: 1 })).toBe(false);
  });
});

describe('== and !=', () => {
  it('deep equality, numbers across int/float, strings not numbers', async () => {
    expect(await check('[f] == 1', { f: 1 })).toBe(true);
    // Logstash's FieldEqualsLong: an integer constant only equals an integer field.
    expect(await check('[f] == 1', { f: new Float(1) })).toBe(false);
    expect(await check('[f] == [g]', { f: new Float(1), g: 1 })).toBe(true);
    expect(await check('[f] == 1.5', { f: new Float(1.5) })).toBe(true);
    expect(await check('[f] == "1"', { f: 1 })).toBe(false);
    expect(await check('[f] == [g]', { f: { a: [1, 2] }, g: { a: [1, 2] } })).toBe(true);
    expect(await check('[f] != "x"', {})).toBe(true);
    expect(await check('[a][b] == "c"', { a: { b: 'c' } })).toBe(true);
  });
  it('a string constant equals only that string (not a list holding it, a number or a map)', async () => {
    expect(await check('"ipfix" == [f]', { f: 'ipfix' })).toBe(true);
    expect(await check('[f] == "ipfix"', { f: ['ipfix'] })).toBe(false);
    expect(await check('[f] == "1"', { f: new Float(1) })).toBe(false);
    expect(await check('[f] == "1"', { f: { '1': 1 } })).toBe(false);
    expect(await check('[f] != "ipfix"', { f: 'ipfix' })).toBe(false);
    expect(await check('"a" == "a"', {})).toBe(true);
    expect(await check('"a" == "b"', {})).toBe(false);
  });
});

describe('ordered comparisons', () => {
  it('compare numbers and strings', async () => {
    expect(await check('[f] > 10', { f: 11 })).toBe(true);
    expect(await check('[f] <= 10.5', { f: 10 })).toBe(true);
    expect(await check('[f] < "b"', { f: 'a' })).toBe(true);
    expect(await check('[f] >= "b"', { f: 'a' })).toBe(false);
  });
  it('throw (so the runtime drops the event) when they cannot be made', async () => {
    const c = await conditionOf('[f] > 10');
    expect(() => c(ev({ f: 'abc' }))).toThrow(ConditionEvaluationError);
    expect(() => c(ev({}))).toThrow(/Unable to compare nil/);
  });
});

describe('regexp match', () => {
  it('=~ only on strings, Ruby anchors and classes translated', async () => {
    expect(await check('[f] =~ /^ab\\h+$/', { f: 'x\nabf0' })).toBe(true);
    expect(await check('[f] =~ /\\Aab/', { f: 'x\nab' })).toBe(false);
    expect(await check('[f] =~ "b[[:digit:]]"', { f: 'ab1' })).toBe(true);
    expect(await check('[f] =~ /1/', { f: 1 })).toBe(false);
    expect(await check('[f] !~ /1/', { f: 1 })).toBe(true);
    expect(await check('[f] !~ /x/', {})).toBe(true);
  });
});

describe('in / not in', () => {
  it('field in constant list compares text', async () => {
    expect(await check('[f] in ["1", "2"]', { f: 1 })).toBe(true);
    expect(await check('[f] in ["1", "2"]', { f: 3 })).toBe(false);
    expect(await check('[f] not in ["1", "2"]', { f: 3 })).toBe(true);
  });
  it('string in field: substring or list membership', async () => {
    expect(await check('"foo" in [tags]', { tags: ['foo', 'bar'] })).toBe(true);
    expect(await check('"fo" in [tags]', { tags: ['foo'] })).toBe(false);
    expect(await check('"fo" in [msg]', { msg: 'xfoo' })).toBe(true);
    expect(await check('"x" in [missing]', {})).toBe(false);
    expect(await check('"x" not in [missing]', {})).toBe(true);
  });
  it('field in string constant and field in field', async () => {
    expect(await check('[f] in "abcdef"', { f: 'cd' })).toBe(true);
    expect(await check('[f] in [g]', { f: 'b', g: ['a', 'b'] })).toBe(true);
    expect(await check('[f] in [g]', { f: ['a'], g: 'abc' })).toBe(false);
    expect(await check('[f] in [g]', {})).toBe(false);
    expect(await check('[f] in "123"', { f: 2 })).toBe(false);
  });
});

describe('boolean operators with Logstash grouping', () => {
  it('and / or / xor / nand', async () => {
    expect(await check('[a] and [b]', { a: 1 })).toBe(false);
    expect(await check('[a] or [b]', { a: 1 })).toBe(true);
    expect(await check('[a] xor [b]', { a: 1, b: 1 })).toBe(false);
    expect(await check('[a] nand [b]', { a: 1, b: 1 })).toBe(false);
  });
  it('a and b and c or d groups as a and ((b and c) or d)', async () => {
    // With a false, Logstash's grouping is false whatever d is (plain precedence would say true).
    expect(await check('[a] and [b] and [c] or [d]', { d: 1 })).toBe(false);
  });
  it('rejects a bare string constant combined with and/or', async () => {
    await expect(conditionOf('"a" and [b]')).rejects.toThrow(/Unexpected conditional input combination/);
  });
});
