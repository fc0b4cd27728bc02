// Ruby's String#to_i and #strip (ruby-doc.org String), as mutate's convert/strip use them: the
// short all-digits and nothing-to-strip fast paths must agree with the general ones.
import { describe, expect, it } from 'vitest';
import { rubyStrip, rubyToI } from '../../src/event/ruby-strings.ts';

describe('String#to_i', () => {
  it.each([
    ['443', 443],
    ['0012', 12],
    ['0', 0],
    ['999999999999999', 999999999999999],
    ['  12abc', 12],
    ['-5', -5],
    ['+7', 7],
    ['1_000', 1000],
    ['12_', 12],
    ['', 0],
    ['abc', 0],
    ['٣', 0], // Arabic-Indic digit: not a Ruby digit
  ])('%j.to_i is %s', (s, n) => {
    expect(rubyToI(s)).toBe(n);
  });
  it('stays exact beyond 2^53 (Integer is a bignum there)', () => {
    expect(rubyToI('9007199254740993')).toBe(9007199254740993n);
    expect(rubyToI('1234567890123456')).toBe(1234567890123456);
  });
});

describe('String#strip', () => {
  it.each([
    ['tcp', 'tcp'],
    ['', ''],
    ['  tcp\t\n', 'tcp'],
    ['\0tcp\0', 'tcp'],
    ['\vtcp', 'tcp'],
    ['a b', 'a b'],
    ['\u00a0tcp', '\u00a0tcp'], // no-break space is not ASCII whitespace
  ])('%j.strip is %j', (s, out) => {
    expect(rubyStrip(s)).toBe(out);
  });
});
