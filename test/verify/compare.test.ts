import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actualMap, compareEvent } from '../../src/verify/compare.ts';
import { Event } from '../../src/event/event.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap, type FieldValue } from '../../src/event/values.ts';

const TS = new Timestamp(Date.UTC(2025, 0, 1) / 1000, 5_000_000);

function event(data: FieldMap, metadata: FieldMap = {}): Event {
  return new Event({ '@timestamp': TS, '@version': '1', ...data }, metadata);
}

const IGNORE = { ignore: ['@version'] };

describe('compareEvent', () => {
  it('ignores key order and compares @timestamp by its string form', () => {
    const actual = actualMap(event({ a: 1, b: { x: 'y', z: [1, 2] } }), false);
    expect(compareEvent({ b: { z: [1, 2], x: 'y' }, a: 1, '@timestamp': '2025-01-01T00:00:00.005Z' }, actual, IGNORE)).toEqual([]);
    expect(compareEvent({ b: { z: [1, 2], x: 'y' }, a: 1, '@timestamp': '2025-01-01T00:00:00.005000Z' }, actual, IGNORE)).toEqual([
      { field: '[@timestamp]', kind: 'changed', expected: '2025-01-01T00:00:00.005000Z', actual: '2025-01-01T00:00:00.005Z' },
    ]);
  });

  it('lists changed, missing and unexpected fields with their references', () => {
    const actual = actualMap(event({ a: 1, b: { x: 'y' }, extra: true }), false);
    expect(compareEvent({ '@timestamp': '2025-01-01T00:00:00.005Z', a: 2, b: { x: 'y', w: null } }, actual, IGNORE)).toEqual([
      { field: '[a]', kind: 'changed', expected: 2, actual: 1 },
      { field: '[b][w]', kind: 'missing', expected: null },
      { field: '[extra]', kind: 'unexpected', actual: true },
    ]);
  });

  it('removes ignored fields from both sides, and maps the removal leaves empty', () => {
    const actual = actualMap(event({ event: { original: 'raw' }, host: { name: 'h', ip: '1.2.3.4' } }), false);
    const diffs = compareEvent({ host: { ip: '1.2.3.4' } }, actual, { ignore: ['@version', '@timestamp', '[event][original]', '[host][name]'] });
    expect(diffs).toEqual([]);
  });

  it('compares numbers by value: 1 equals 1.0, a bigint equals the same integer', () => {
    const actual = actualMap(event({ f: new Float(1), n: 5n, big: 18446744073709551615n }), false);
    const expected: FieldMap = { '@timestamp': TS.toString(), f: 1, n: 5, big: 18446744073709551615n };
    expect(compareEvent(expected, actual, IGNORE)).toEqual([]);
    expect(compareEvent({ ...expected, big: 18446744073709551614n }, actual, IGNORE)).toHaveLength(1);
  });

  it('compares @metadata only when the expected event has it, or with export_metadata', () => {
    const e = event({ a: 1 }, { index: 'x' });
    const expected = { '@timestamp': TS.toString(), a: 1 };
    expect(compareEvent(expected, actualMap(e, true), IGNORE)).toEqual([]);
    expect(compareEvent(expected, actualMap(e, true), { ...IGNORE, exportMetadata: true })).toEqual([
      { field: '[@metadata]', kind: 'unexpected', actual: { index: 'x' } },
    ]);
    expect(compareEvent({ ...expected, '@metadata': { index: 'y' } }, actualMap(e, true), IGNORE)).toEqual([
      { field: '[@metadata][index]', kind: 'changed', expected: 'y', actual: 'x' },
    ]);
  });

  const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !/[[\]]/.test(k) && k !== '__proto__');
  const leaf: fc.Arbitrary<FieldValue> = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
  const value = fc.letrec<{ v: FieldValue }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
  })).v;
  const fields = fc.dictionary(key.filter((k) => !k.startsWith('@')), value, { minKeys: 1, maxKeys: 5 });

  it('an event always matches its own fields written in any key order (property)', () => {
    fc.assert(
      fc.property(fields, (data) => {
        const actual = actualMap(event(data), false);
        const reversed: FieldMap = {};
        for (const k of Object.keys(actual).reverse()) reversed[k] = actual[k]!;
        reversed['@timestamp'] = TS.toString();
        return compareEvent(reversed, actual, IGNORE).length === 0;
      }),
      { numRuns: 200 },
    );
  });

  it('changing one top-level field is reported as exactly that field (property)', () => {
    fc.assert(
      fc.property(fields, fc.nat(), (data, pick) => {
        const actual = actualMap(event(data), false);
        const keys = Object.keys(data);
        const k = keys[pick % keys.length]!;
        const expected: FieldMap = { ...(actual as FieldMap), '@timestamp': TS.toString(), [k]: '\u0000changed' };
        const diffs = compareEvent(expected, actual, IGNORE);
        return diffs.length === 1 && diffs[0]!.field === `[${k}]` && diffs[0]!.kind === 'changed';
      }),
      { numRuns: 200 },
    );
  });
});
