// sprintf's compiled templates (one generated `+` expression per template): every shape of literal
// text and field parts prints what Logstash's interpolation prints, unterminated `%{` left as text.
import { describe, expect, it } from 'vitest';
import { Event } from './event.ts';
import { compileSprintf, sprintf } from './sprintf.ts';
import { Timestamp } from './timestamp.ts';
import { Float } from './values.ts';

const ev = (): Event =>
  new Event({ '@timestamp': new Timestamp(0), '@version': '1', s: 'str', n: 443, f: new Float(2), l: ['a', null, 1], z: null, m: { k: [1] } });

describe('sprintf template shapes', () => {
  const cases: [string, string][] = [
    ['ipv%{n}', 'ipv443'],
    ['%{s}/0', 'str/0'],
    ['%{s}:%{n}', 'str:443'],
    ['%{s}, %{f} bytes', 'str, 2.0 bytes'],
    ['x%{s}y%{n}', 'xstry443'],
    ['%{s}%{n}', 'str443'],
    ['%{s}:%{n}:%{l}', 'str:443:a,,1'],
    ['a%{s}b%{n}c', 'astrb443c'],
    ['pre %{missing}', 'pre %{missing}'],
    ['%{z} post', '%{z} post'],
    ['%{[m][k]}:%{[m][x]}', '1:%{[m][x]}'],
    ['%{[m][k][0]} - %{[l][-1]} end', '1 - 1 end'],
    ['%{+YYYY}-%{s}', '1970-str'],
    ['%{m}|', '{"k":[1]}|'],
    ['a%{s', 'a%{s'],
    ['%{s}"\\%{', 'str"\\%{'],
  ];
  it('prints every shape (present, missing, nil, list, map and timestamp parts; quotes, backslashes, an unterminated %{)', () => {
    for (const [template, want] of cases) {
      expect(compileSprintf(template)(ev())).toBe(want);
      expect(sprintf(ev(), template)).toBe(want);
    }
  });
  it('field parts read own fields only, like getPath', () => {
    const e = ev();
    expect(sprintf(e, 'a%{constructor}')).toBe('a%{constructor}');
    expect(sprintf(e, '%{[s][length]}!')).toBe('%{[s][length]}!');
    e.set('[o][__proto__]', 'p');
    expect(sprintf(e, '%{[o][__proto__]}!')).toBe('p!');
  });
});
