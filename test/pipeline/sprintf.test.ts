import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { sprintf } from '../../src/event/sprintf.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import { Float } from '../../src/event/values.ts';
import { compileJodaParser, formatJoda, parseIso8601 } from '../../src/event/datetime-pattern.ts';
import { UTC, zoneFor } from '../../src/event/timezone.ts';

// 2024-05-01T12:34:56.789Z, a Wednesday
const ts = new Timestamp(Date.UTC(2024, 4, 1, 12, 34, 56) / 1000, 789_000_000);
const event = (): Event =>
  new Event({ '@timestamp': ts, a: { b: 'x' }, list: ['p', null, 2], h: { k: 1 }, f: new Float(1), n: 3 });

describe('sprintf', () => {
  it('interpolates fields and references', () => {
    expect(sprintf(event(), '%{[a][b]}-%{n}-%{f}')).toBe('x-3-1.0');
  });
  it('joins lists with "," (nil as empty), hashes as JSON', () => {
    expect(sprintf(event(), '%{list}|%{h}')).toBe('p,,2|{"k":1}');
  });
  it('leaves a missing field literally', () => {
    expect(sprintf(event(), 'x %{nope} %{[a][zz]}')).toBe('x %{nope} %{[a][zz]}');
  });
  it('formats @timestamp with Joda patterns in UTC, epoch seconds and java.time', () => {
    expect(sprintf(event(), 'logs-%{+YYYY.MM.dd}')).toBe('logs-2024.05.01');
    expect(sprintf(event(), '%{+%s}')).toBe(String(ts.seconds));
    expect(sprintf(event(), '%{+HH:mm:ss.SSS EEE MMM}')).toBe('12:34:56.789 Wed May');
    expect(sprintf(event(), '%{{uuuu-MM-dd\'T\'HH:mm:ss.SSSSSS}}')).toBe('2024-05-01T12:34:56.789000');
  });
  it('keeps text without placeholders and unterminated ones', () => {
    expect(sprintf(event(), 'plain')).toBe('plain');
    expect(sprintf(event(), 'a %{b')).toBe('a %{b');
  });
  it('rejects invalid field references', () => {
    expect(() => sprintf(event(), '%{a[b]}')).toThrow('Invalid FieldReference');
  });
});

describe('Joda patterns', () => {
  it('formats week-year, day of year, zone offsets', () => {
    expect(formatJoda(ts, 'xxxx-ww D Z ZZ')).toBe('2024-18 122 +0000 +00:00');
    expect(formatJoda(ts, "yyyy-MM-dd'T'HH:mm", zoneFor('Europe/Paris'))).toBe('2024-05-01T14:34');
  });
  it('parses with names, fractions and zones', () => {
    const now = new Date(Date.UTC(2024, 0, 1));
    const p = compileJodaParser('dd/MMM/yyyy:HH:mm:ss Z');
    expect(p('01/May/2024:14:34:56 +0200', UTC, now)?.toString()).toBe('2024-05-01T12:34:56.000Z');
    expect(compileJodaParser('yyyyMMddHHmmss')('20240501123456', UTC, now)?.toString()).toBe('2024-05-01T12:34:56.000Z');
    expect(compileJodaParser('MMM d HH:mm:ss')('May 1 12:34:56', zoneFor('America/New_York'), now)?.toString()).toBe(
      '2024-05-01T16:34:56.000Z',
    );
    expect(compileJodaParser('yyyy-MM-dd HH:mm:ss.SSS')('2024-05-01 12:34:56.789', UTC, now)?.toString()).toBe(
      '2024-05-01T12:34:56.789Z',
    );
    expect(compileJodaParser('yyyy-MM-dd')('2024-02-30', UTC, now)).toBeUndefined();
    expect(compileJodaParser('yy-MM-dd')('99-01-02', UTC, now)?.toString()).toBe('1999-01-02T00:00:00.000Z');
  });
  it('parses ISO 8601 variants', () => {
    expect(parseIso8601('2011-04-19T03:44:01.103Z', UTC)?.toString()).toBe('2011-04-19T03:44:01.103Z');
    expect(parseIso8601('2011-04-19 03:44:01,103+02:00', UTC)?.toString()).toBe('2011-04-19T01:44:01.103Z');
    expect(parseIso8601('2011-04-19', zoneFor('+01:00'))?.toString()).toBe('2011-04-18T23:00:00.000Z');
    expect(parseIso8601('2011-04-19T03:44:01.123456789Z', UTC, true)?.toString()).toBe('2011-04-19T03:44:01.123456789Z');
    expect(parseIso8601('nope', UTC)).toBeUndefined();
  });
});
