// fast-check generators for event values: nested maps and lists of every FieldValue kind.
import fc from 'fast-check';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float, type FieldMap, type FieldValue } from '../../src/event/values.ts';

const scalar: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string(),
  fc.integer(),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new Float(d)),
  fc.boolean(),
  fc.constant(null),
  fc.record({ s: fc.integer({ min: 0, max: 4_000_000_000 }), n: fc.integer({ min: 0, max: 999_999_999 }) }).map(
    ({ s, n }) => new Timestamp(s, n),
  ),
);

const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('@timestamp', 'a', 'b', 'host', 'tags'));

export const { value: arbitraryValue } = fc.letrec<{ value: FieldValue; map: FieldMap }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 12 }), tie('map')),
  map: fc.dictionary(key, tie('value'), { maxKeys: 6 }) as fc.Arbitrary<FieldMap>,
}));

export const arbitraryFieldMap: fc.Arbitrary<FieldMap> = fc.dictionary(key, arbitraryValue, { maxKeys: 8 }) as fc.Arbitrary<FieldMap>;
