// compileFieldSetter/Adder/Remover(path) must leave an event exactly as Event.setPath/addValue/removePath
// do (values, key order, thrown errors), for every path and event shape: missing and nil maps
// created on the way, lists, scalars, Float/Timestamp in the way, Object.prototype names, @metadata.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepClone, Event } from './event.ts';
import { compileFieldAdder, compileFieldRemover, compileFieldSetter } from './field-setter.ts';
import { Float, type FieldMap, type FieldValue } from './values.ts';
import { Timestamp } from './timestamp.ts';
import { arbitraryFieldMap } from '../../test/pipeline/arbitraries.ts';

const segment = fc.oneof(
  fc.constantFrom('a', 'b', 'host', 'tags', '0', '1', '-1', 'value', 'seconds', 'length', 'constructor', 'toString', '__proto__', '@timestamp', '@metadata'),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const path = fc.array(segment, { minLength: 1, maxLength: 4 });

/** Values and key order, recursively (toStrictEqual ignores key order). */
function shape(v: FieldValue | undefined): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v instanceof Float || v instanceof Timestamp || v === null || typeof v !== 'object') return v;
  return Object.keys(v).map((k) => [k, shape(v[k])]);
}

function outcome(event: Event, write: () => void): unknown {
  let error: string | undefined;
  try {
    write();
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { error, data: shape(event.data), metadata: shape(event.metadata) };
}

const EPOCH = new Timestamp(0);

/** Two equal events (a fixed @timestamp: the constructor would give each its own now()). */
function twins(data: FieldMap, metadata: FieldMap): [Event, Event] {
  const one = (): Event => new Event({ ...(deepClone(data) as FieldMap), '@timestamp': EPOCH, '@version': '1' }, deepClone(metadata) as FieldMap);
  return [one(), one()];
}

describe('compiled field writers and remover', () => {
  it('setter and adder equal setPath and addValue on random events and paths (data and @metadata)', () => {
    fc.assert(
      fc.property(arbitraryFieldMap, arbitraryFieldMap, path, fc.boolean(), fc.constantFrom<FieldValue>('v', 1, ['l'], { m: 1 }, null), (data, metadata, p, inMetadata, value) => {
        const ref = inMetadata ? ['@metadata', ...p] : p;
        const [a, b] = twins(data, metadata);
        expect(outcome(a, () => compileFieldSetter(ref)(a, value))).toStrictEqual(outcome(b, () => b.setPath(ref, value)));
        const [c, d] = twins(data, metadata);
        expect(outcome(c, () => compileFieldAdder(ref)(c, value))).toStrictEqual(outcome(d, () => d.addValue(ref, value)));
        const [f, g] = twins(data, metadata);
        let removed: unknown[] = [];
        expect(outcome(f, () => removed.push(shape(compileFieldRemover(ref)(f))))).toStrictEqual(outcome(g, () => removed.push(shape(g.removePath(ref)))));
        expect(removed[0]).toStrictEqual(removed[1]);
        removed = [];
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [['a', 'b'], { a: { b: 'x', c: 1 } }],
    [['a', 'b', 'c'], {}],
    [['a', 'b'], { a: null }],
    [['a', 'b', 'c'], { a: { b: null } }],
    [['a', '1'], { a: ['x', 'y'] }],
    [['a', '1', 'c'], { a: [{}, { c: 1 }] }],
    [['a', 'b'], { a: 'scalar' }],
    [['a', 'b'], { a: new Float(1.5) }],
    [['a', 'b'], { a: new Timestamp(1, 0) }],
    [['constructor', 'x'], {}],
    [['a', 'toString'], { a: {} }],
    [['x'], { x: 'one' }],
    [['x'], { x: ['one'] }],
    [['tags'], { tags: ['t'] }],
    [['@timestamp'], {}],
    [['@timestamp', 'x'], {}],
    [['@metadata'], {}],
    [['@metadata', 'm', 'n'], {}],
    [['__proto__', 'x'], {}],
    [['a', 'b'], { a: { b: 'x', c: { b: 1 } } }],
    [['a', 'c', 'b'], { a: { b: 'x', c: { b: 1, d: 2 } } }],
    [['a', 'b'], { a: { c: 1 } }],
    [['a', 'b', 'c'], { a: { b: 'scalar' } }],
    [['a', 'b'], { a: { b: null } }],
    [['x'], { x: 1, y: 2 }],
    [['@metadata', 'm'], {}],
  ])('%j on %j', (p, data) => {
    for (const value of ['v', ['l'], { m: 1 }] as FieldValue[]) {
      const [a, b] = twins(data as never, { m: { n: 'old' } });
      expect(outcome(a, () => compileFieldSetter(p)(a, value))).toStrictEqual(outcome(b, () => b.setPath(p, value)));
      const [c, d] = twins(data as never, { m: { n: 'old' } });
      expect(outcome(c, () => compileFieldAdder(p)(c, value))).toStrictEqual(outcome(d, () => d.addValue(p, value)));
    }
    const [f, g] = twins(data as never, { m: { n: 'old' } });
    const removed = [shape(compileFieldRemover(p)(f)), shape(g.removePath(p))];
    expect(removed[0]).toStrictEqual(removed[1]);
    expect(shape(f.data)).toStrictEqual(shape(g.data));
    expect(shape(f.metadata)).toStrictEqual(shape(g.metadata));
  });

  it('creates missing maps in order and appends to existing values', () => {
    const e = new Event({ a: 1 });
    compileFieldSetter(['x', 'y'])(e, 1);
    compileFieldAdder(['x', 'z'])(e, 2);
    compileFieldAdder(['x', 'z'])(e, 3);
    compileFieldAdder(['x', 'z'])(e, 4);
    expect(Object.keys(e.data)).toEqual(['@timestamp', '@version', 'a', 'x']);
    expect(e.data['x']).toEqual({ y: 1, z: [2, 3, 4] });
  });
});
