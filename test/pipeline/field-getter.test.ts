// compileFieldGetter(path) must answer exactly as Event.getPath(path) (the per-event walk), for
// every path and event shape: own fields only, list indices, scalars, Float/Timestamp in the way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { compileFieldGetter } from '../../src/event/field-getter.ts';
import { Float } from '../../src/event/values.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { arbitraryFieldMap } from './arbitraries.ts';

const segment = fc.oneof(
  fc.constantFrom('a', 'b', 'host', 'tags', '0', '1', '-1', 'value', 'seconds', 'length', 'constructor', 'toString', '__proto__', 'hasOwnProperty'),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const path = fc.array(segment, { minLength: 1, maxLength: 4 });

describe('compileFieldGetter', () => {
  it('equals getPath on random events and paths (data and @metadata)', () => {
    fc.assert(
      fc.property(arbitraryFieldMap, arbitraryFieldMap, path, fc.boolean(), (data, metadata, p, inMetadata) => {
        const event = new Event(data, metadata);
        const ref = inMetadata ? ['@metadata', ...p] : p;
        expect(compileFieldGetter(ref)(event)).toStrictEqual(event.getPath(ref));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [['a', 'b'], { a: { b: 'x' } }, 'x'],
    [['a', '1'], { a: ['x', 'y'] }, 'y'],
    [['a', '-1', 'c'], { a: [{ c: 1 }, { c: 2 }] }, 2],
    [['constructor'], {}, undefined],
    [['a', 'toString'], { a: {} }, undefined],
    [['a', 'value'], { a: new Float(1.5) }, undefined],
    [['a', 'seconds'], { a: new Timestamp(1, 0) }, undefined],
    [['a', 'length'], { a: 'text' }, undefined],
    [['a', 'length'], { a: [1, 2] }, undefined],
    [['__proto__'], {}, undefined],
    [['a', 'b'], { a: null }, undefined],
  ])('%j of %j is %j', (p, data, expected) => {
    const event = new Event(data as never);
    expect(compileFieldGetter(p)(event)).toStrictEqual(expected);
    expect(event.getPath(p)).toStrictEqual(expected);
  });

  it('reads @metadata itself and inside it', () => {
    const event = new Event({ a: 1 }, { m: { n: 'v' } });
    expect(compileFieldGetter(['@metadata'])(event)).toBe(event.metadata);
    expect(compileFieldGetter(['@metadata', 'm', 'n'])(event)).toBe('v');
  });
});
