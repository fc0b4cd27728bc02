import { describe, expect, it } from 'vitest';
import { Event } from '../../src/event/event.ts';
import { DateFilter } from '../../src/plugins/filters/date/date.ts';
import { DropFilter } from '../../src/plugins/filters/drop/drop.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import type { FieldMap } from '../../src/event/values.ts';
import { dateSchema, type DateFilterOptions } from '../../src/plugins/filters/date/schema.ts';
import { context, withDefaults } from '../plugins/text-filters/kit.ts';

const make = (options: Record<string, unknown>): DateFilter => new DateFilter(withDefaults<DateFilterOptions>(dateSchema, options), context());

function run(options: Record<string, unknown>, data: FieldMap): Event {
  const e = new Event(data);
  make(options).filter(e);
  return e;
}

describe('date filter', () => {
  it('ISO8601 (zone from the value, else the timezone option)', () => {
    expect(run({ match: ['t', 'ISO8601'] }, { t: '2011-04-19T03:44:01.103Z' }).timestamp.toString()).toBe('2011-04-19T03:44:01.103Z');
    expect(run({ match: ['t', 'ISO8601'], timezone: 'Asia/Tokyo' }, { t: '2011-04-19 03:44:01' }).timestamp.toString()).toBe(
      '2011-04-18T18:44:01.000Z',
    );
  });
  it('UNIX seconds (string or number, fractional), UNIX_MS', () => {
    expect(run({ match: ['t', 'UNIX'] }, { t: '1304000000.5' }).timestamp.toString()).toBe('2011-04-28T14:13:20.500Z');
    expect(run({ match: ['t', 'UNIX'] }, { t: 1304000000 }).timestamp.toString()).toBe('2011-04-28T14:13:20.000Z');
    expect(run({ match: ['t', 'UNIX_MS'] }, { t: 1304000000123 }).timestamp.toString()).toBe('2011-04-28T14:13:20.123Z');
  });
  it('TAI64N (Logstash drops the 2^62 marker and 10 s of TAI offset)', () => {
    // 0x52f88ea3 - 10 = 1392021145 s = 2014-02-10T08:32:25Z; 0x2489532c ns = .612 s
    expect(run({ match: ['t', 'TAI64N'] }, { t: '@4000000052f88ea32489532c' }).timestamp.toString()).toBe('2014-02-10T08:32:25.612Z');
  });
  it('Joda patterns, first that parses wins, into a target field', () => {
    const e = run({ match: ['t', 'yyyy-MM-dd', 'dd/MMM/yyyy:HH:mm:ss Z'], target: 'parsed', timezone: 'UTC' }, { t: '10/Oct/2000:13:55:36 -0700' });
    expect((e.get('parsed') as Timestamp).toString()).toBe('2000-10-10T20:55:36.000Z');
  });
  it('tags _dateparsefailure (or tag_on_failure) and applies no add_tag on failure', () => {
    expect(run({ match: ['t', 'ISO8601'], add_tag: ['ok'] }, { t: 'garbage' }).get('tags')).toEqual(['_dateparsefailure']);
    expect(run({ match: ['t', 'UNIX'], tag_on_failure: ['bad'] }, { t: 'x' }).get('tags')).toEqual(['bad']);
  });
  it('add_tag on success; a missing field is left alone', () => {
    expect(run({ match: ['t', 'UNIX'], add_tag: ['ok'] }, { t: '0' }).get('tags')).toEqual(['ok']);
    expect(run({ match: ['t', 'UNIX'] }, {}).get('tags')).toBeUndefined();
  });
  it('rejects an unknown time zone at start', () => {
    expect(() => make({ match: ['t', 'UNIX'], timezone: 'Mars/Olympus' })).toThrow(/not recognised/);
  });
});

describe('drop filter', () => {
  it('drops everything by default and a percentage otherwise', () => {
    expect(new DropFilter(100).filter(new Event({}))).toEqual([]);
    const keepAll = new DropFilter(50, () => 0.9);
    expect(keepAll.filter(new Event({}))).toHaveLength(1);
  });
});
