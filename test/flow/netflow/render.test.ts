// Value rendering as the Logstash codec does it (Ruby IPAddr IPv6 text, v5/v9 time arithmetic).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ipv6At, v5Switched, v9Switched, ntpTs, macAt, applicationIdText } from './render-exports.ts';

function v6(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]));
}

describe('IPv6 text like Ruby IPAddr#to_s', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['0:0:0:0:0:0:a0b:c0d', '::10.11.12.13'],
    ['0:0:0:0:0:ffff:a0b:c0d', '::ffff:10.11.12.13'],
    ['0:0:0:0:0:0:1:0', '::0.1.0.0'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2a02:a90:4007:700:0:0:0:54', '2a02:a90:4007:700::54'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => expect(ipv6At(v6(input), 0)).toBe(want));

  it('round-trips through the URL parser for any address (no lost groups)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = ipv6At(Buffer.from(bytes), 0);
        const canon = new URL(`http://[${text}]/`).hostname;
        const direct = new URL(`http://[${Buffer.from(bytes).toString('hex').match(/..../g)!.join(':')}]/`).hostname;
        expect(canon).toBe(direct);
      }),
      { numRuns: 500 },
    );
  });
});

describe('timestamps', () => {
  it('v5 switched time keeps the Logstash +1 s borrow quirk', () => {
    // millis = 936 → micros = 0 - 936000 < 0 → += 1e6, seconds not decremented.
    expect(v5Switched(10_000, 1_000_000, 0, 9_064).toString()).toBe('1970-01-12T13:46:40.064Z');
    expect(v5Switched(10_000, 1_000_000, 500_000_000, 9_500).toString()).toBe('1970-01-12T13:46:40.000Z');
  });
  it('v9 switched time is unix_sec + 1 s − (uptime − v) ms', () => {
    expect(v9Switched(10_000, 1_000_000, 9_000).toString()).toBe('1970-01-12T13:46:40.000Z');
    expect(v9Switched(10_000, 1_000_000, 11_250).toString()).toBe('1970-01-12T13:46:42.250Z');
  });
  it('NTP fractions are truncated to nanoseconds on the float value (NetScaler sample)', () => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(1478866159 + 2208988800, 0);
    b.writeUInt32BE(551769, 4); // 128468.73 ns: truncated, not rounded
    expect(ntpTs(b, 0, 8).toString()).toBe('2016-11-11T12:09:19.000128468Z');
  });
  it('MAC and application id text', () => {
    expect(macAt(Buffer.from([0, 0x50, 0x56, 0xc0, 0, 1]), 0)).toBe('00:50:56:c0:00:01');
    expect(applicationIdText(Buffer.from([13, 0, 0, 0x01, 0xaf]), 0, 5)).toBe('13..431');
    expect(applicationIdText(Buffer.from([20, 0, 0, 0x30, 0x44, 0, 0, 0x8f, 0x34]), 0, 9)).toBe('20..12356..36660');
  });
});
