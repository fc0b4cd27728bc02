// Two events may share a kept answer only when what would cross into Ruby is the same: the answer
// key must be equal exactly when the projected data and metadata (their wire text) are.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float, type FieldMap } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { AnswerKeys, answerKey } from './answer-key.ts';
import { project, projectMetadata } from './projection.ts';
import { WireWriter } from './wire.ts';

function crossing(data: FieldMap, metadata: FieldMap, paths: string[][], metadataPaths: string[][]): string {
  const writer = new WireWriter();
  return writer.event(project(data, paths)) + '\x01' + writer.map(projectMetadata(metadata, metadataPaths));
}

const NAMES = ['a', 'b', 'c'];
const leaf = fc.oneof(fc.constantFrom(0, 1, 2, 'x', '1', '', null, true, false), fc.constant(new Float(1)), fc.constant(new Timestamp(1, 0)));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(fc.constantFrom(...NAMES), tie('v'), { maxKeys: 3 })),
})).v;
const map = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 3 }) as fc.Arbitrary<FieldMap>;
const path = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 });

describe('answerKey', () => {
  it('differs between events whose crossing differs, and only then (property)', () => {
    fc.assert(
      fc.property(map, map, map, map, fc.array(path, { maxLength: 3 }), fc.array(fc.oneof(path, fc.constant([] as string[])), { maxLength: 2 }), (d1, m1, d2, m2, paths, metaPaths) => {
        const same = answerKey(d1, m1, paths, metaPaths) === answerKey(d2, m2, paths, metaPaths);
        expect(same).toBe(crossing(d1, m1, paths, metaPaths) === crossing(d2, m2, paths, metaPaths));
      }),
      { numRuns: 3000 },
    );
  });
  it('tells apart an absent field, an empty map above it and a null; 1 and 1.0', () => {
    const key = (data: FieldMap) => answerKey(data, {}, [['a', 'b']], []);
    const keys = [key({}), key({ a: {} }), key({ a: { b: null } }), key({ a: null }), key({ a: { b: 1 } }), key({ a: { b: new Float(1) } }), key({ a: { b: '1' } })];
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('AnswerKeys gives, event after event, the key answerKey gives (the previous one reused when nothing read changed)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(map, map), { minLength: 1, maxLength: 6 }), fc.array(path, { maxLength: 3 }), fc.array(fc.oneof(path, fc.constant([] as string[])), { maxLength: 2 }), (events, paths, metaPaths) => {
        const keys = new AnswerKeys(paths, metaPaths);
        // Each event twice in a row, then a copy of it: the same inputs, the same or other objects.
        for (const [d, m] of events) {
          for (const [data, metadata] of [[d, m], [d, m], [structuredClone(d), structuredClone(m)]] as const) {
            expect(keys.keyOf(data, metadata)).toBe(answerKey(data, metadata, paths, metaPaths));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('AnswerKeys with one path read gives answerKey\'s key for values seen before, absent at each depth, or not at the end', () => {
    const paths = [['a', 'b']];
    const keys = new AnswerKeys(paths, []);
    const events: FieldMap[] = [{ a: { b: 1 } }, { a: { b: '1' } }, { a: { b: 1 } }, {}, { a: 1 }, { a: {} }, {}, { a: { b: new Float(1) } }, { a: { b: 0 } }, { a: { b: -0 } }, { a: { b: NaN } }, { a: { b: 'x'.repeat(300) } }, { a: { b: 1 } }];
    for (const data of [...events, ...events.reverse()]) expect(keys.keyOf(data, {})).toBe(answerKey(data, {}, paths, []));
  });
  it('AnswerKeys does not reuse a key for a value changed in place (a map or list read is never taken as unchanged)', () => {
    const keys = new AnswerKeys([['a']], []);
    const data: FieldMap = { a: { b: 1 } };
    const first = keys.keyOf(data, {});
    (data['a'] as FieldMap)['b'] = 2;
    expect(keys.keyOf(data, {})).not.toBe(first);
    expect(keys.keyOf(data, {})).toBe(answerKey(data, {}, [['a']], []));
  });
});
