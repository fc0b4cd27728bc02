// Expected values from logstash-filter-csv's spec/filters/csv_spec.rb, its docs (skip_header,
// skip_empty_rows, autodetect_column_names) and Ruby's CSV.parse_line rules.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float, type FieldMap } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create, CsvConfigurationError } from './csv.ts';
import { csvSchema, type CsvFilterOptions } from './schema.ts';
import { MalformedCsvError, parseCsvLine } from './parse-line.ts';
import { rubyInteger } from './convert.ts';
import type { Filter } from '../../types.ts';

const make = (options: Record<string, unknown>, log = recorder()): Filter =>
  create(withDefaults<CsvFilterOptions>(csvSchema, options), context('disabled', log));

function csv(options: Record<string, unknown>, data: FieldMap | string, log = recorder()): Event {
  const event = new Event(typeof data === 'string' ? { message: data } : data);
  make(options, log).filter(event);
  return event;
}

describe('CSV.parse_line', () => {
  it('splits, quotes, doubles quotes, keeps nil for empty unquoted fields', () => {
    expect(parseCsvLine('big,bird,"sesame, street"', ',', '"')).toEqual(['big', 'bird', 'sesame, street']);
    expect(parseCsvLine('a,,"",b', ',', '"')).toEqual(['a', null, '', 'b']);
    expect(parseCsvLine('"say ""hi""",x', ',', '"')).toEqual(['say "hi"', 'x']);
    expect(parseCsvLine(',a,', ',', '"')).toEqual([null, 'a', null]);
    expect(parseCsvLine('a||b', '||', '"')).toEqual(['a', 'b']);
    expect(parseCsvLine('"multi\nline",x\ny,z', ',', '"')).toEqual(['multi\nline', 'x']);
    expect(parseCsvLine('a,b\r\nc,d', ',', '"')).toEqual(['a', 'b']);
    expect(parseCsvLine('', ',', '"')).toBeNull();
    expect(parseCsvLine('\n', ',', '"')).toEqual([]);
  });
  it('malformed rows throw Ruby messages', () => {
    expect(() => parseCsvLine('a,"b', ',', '"')).toThrow(new MalformedCsvError('Unclosed quoted field in line 1.'));
    expect(() => parseCsvLine('a,b"c', ',', '"')).toThrow('Illegal quoting in line 1.');
    expect(() => parseCsvLine('"a"b,c', ',', '"')).toThrow("Any value after quoted field isn't allowed in line 1.");
  });
  it('Kernel#Integer forms', () => {
    expect(['1234', ' 12 ', '0x1A', '-0b11', '010', '1_000', '08', '1.5', '', '99999999999999999999'].map(rubyInteger)).toEqual([
      1234, 12, 26, -3, 8, 1000, undefined, undefined, undefined, 99999999999999999999n,
    ]);
  });
});

describe('csv filter', () => {
  it('all defaults: column1..N, source untouched', () => {
    const e = csv({}, 'big,bird,sesame street');
    expect([e.get('column1'), e.get('column2'), e.get('column3'), e.get('message')]).toEqual(['big', 'bird', 'sesame street', 'big,bird,sesame street']);
  });
  it('custom separator and quote_char (including NUL, written as \\x00 in the config)', () => {
    const s = csv({ separator: ';' }, 'big,bird;sesame street');
    expect([s.get('column1'), s.get('column2')]).toEqual(['big,bird', 'sesame street']);
    expect(csv({ quote_char: "'" }, "big,bird,'sesame street'").get('column3')).toBe('sesame street');
    expect(csv({}, 'big,bird,"sesame, street"').get('column3')).toBe('sesame, street');
    expect(csv({ quote_char: '\u0000' }, 'big,bird,"sesame" street').get('column3')).toBe('"sesame" street');
    expect(csv({ quote_char: '\\x00' }, 'big,bird,"sesame" street').get('column3')).toBe('"sesame" street');
  });
  it('columns, autogenerate_column_names false, more data than columns', () => {
    const e = csv({ columns: ['first', 'last', 'address'] }, 'big,bird,sesame street');
    expect([e.get('first'), e.get('last'), e.get('address')]).toEqual(['big', 'bird', 'sesame street']);
    const strict = csv({ autogenerate_column_names: false, columns: ['custom1', 'custom2'] }, 'val1,val2,val3');
    expect([strict.get('custom1'), strict.get('custom2'), strict.includes('column3')]).toEqual(['val1', 'val2', false]);
    expect(csv({ columns: ['custom1', 'custom2'] }, 'val1,val2,val3').get('column3')).toBe('val3');
  });
  it('skip_header drops the event equal to the columns', () => {
    const filter = make({ skip_header: true, columns: ['first_column', 'second_column', 'third_column'] });
    const header = new Event({ message: 'first_column,second_column,third_column' });
    expect(filter.filter(header)).toEqual([]);
    expect(header.cancelled).toBe(true);
    const row = new Event({ message: 'a,b,c' });
    expect(filter.filter(row)).toEqual([row]);
    expect(row.get('first_column')).toBe('a');
  });
  it('skip_empty_columns; empty columns are otherwise set to nil', () => {
    const e = csv({ skip_empty_columns: true, source: 'datafield', columns: ['custom1', 'custom2', 'custom3'] }, { datafield: 'val1,,val3' });
    expect([e.get('custom1'), e.includes('custom2'), e.get('custom3')]).toEqual(['val1', false, 'val3']);
    const n = csv({ columns: ['a', 'b', 'c'] }, 'x,,""');
    expect(n.data).toMatchObject({ a: 'x', b: null, c: '' });
  });
  it('skip_empty_rows tags an empty row (not cancelled); without it the empty row is a parse failure', () => {
    const e = csv({ skip_empty_rows: true, add_tag: ['ok'] }, '');
    expect(e.get('tags')).toEqual(['_csvskippedemptyfield']);
    expect(e.cancelled).toBe(false);
    const log = recorder();
    expect(csv({}, '', log).get('tags')).toEqual(['_csvparsefailure']);
    expect(log.lines.map((l) => l.msg)).toEqual(['Error parsing csv']);
  });
  it('columns that are field references, [@metadata] too', () => {
    expect(csv({ columns: ['[@metadata][one]', 'foo'] }, 'hello,world').get('[@metadata][one]')).toBe('hello');
  });
  it('target, with source, and as a nested reference with nested columns', () => {
    expect(csv({ target: 'data' }, 'big,bird,sesame street').get('data')).toEqual({ column1: 'big', column2: 'bird', column3: 'sesame street' });
    expect(csv({ source: 'datain', target: 'data' }, { datain: 'big,bird' }).get('[data][column2]')).toBe('bird');
    const nested = csv({ target: '[foo][bar]' }, 'hello,world');
    expect([nested.get('[foo][bar][column1]'), nested.get('[foo][bar][column2]')]).toEqual(['hello', 'world']);
    const cols = csv({ target: '[foo][bar]', columns: ['[test][one]', '[test][two]'] }, 'hello,world');
    expect([cols.get('[foo][bar][test][one]'), cols.get('[foo][bar][test][two]')]).toEqual(['hello', 'world']);
  });
  it('convert: integer, boolean, float, date, date_time; invalid dates stay text', () => {
    const e = csv(
      { convert: { column1: 'integer', column3: 'boolean', column4: 'float', column5: 'date', column6: 'date_time', column7: 'date', column8: 'date_time' } },
      '1234,bird,false,3.14159265359,2017-06-01,2001-02-03 04:05:06,invalid_date,invalid_date_time',
    );
    expect(e.get('column1')).toBe(1234);
    expect(e.get('column2')).toBe('bird');
    expect(e.get('column3')).toBe(false);
    expect(e.get('column4')).toEqual(new Float(3.14159265359));
    expect(e.get('column5')).toEqual(Timestamp.fromMillis(new Date(2017, 5, 1).getTime()));
    expect(String(e.get('column6'))).toBe('2001-02-03T04:05:06.000Z');
    expect(e.get('column7')).toBe('invalid_date');
    expect(e.get('column8')).toBe('invalid_date_time');
    const named = csv({ convert: { custom1: 'integer', custom3: 'boolean' }, columns: ['custom1', 'custom2', 'custom3'] }, '1234,bird,false');
    expect([named.get('custom1'), named.get('custom2'), named.get('custom3')]).toEqual([1234, 'bird', false]);
  });
  it('convert edge cases: unconvertible text stays, boolean returns the stripped downcased text, boolean of an empty column fails', () => {
    const e = csv({ convert: { column1: 'integer', column2: 'float', column3: 'boolean', column4: 'date_time' } }, '12abc,x, Maybe ,2001-02-03T04:05:06.5+01:00');
    expect([e.get('column1'), e.get('column2'), e.get('column3')]).toEqual(['12abc', 'x', 'maybe']);
    expect(String(e.get('column4'))).toBe('2001-02-03T03:05:06.500Z');
    expect(csv({ convert: { column2: 'boolean' } }, 'a,,c').get('tags')).toEqual(['_csvparsefailure']);
    expect(csv({ convert: { column2: 'integer' } }, 'a,,c').get('column2')).toBeNull();
  });
  it('an invalid conversion type is a configuration error', () => {
    expect(() => make({ convert: { custom1: 'integer', custom3: 'wrong_type' }, columns: ['custom1', 'custom2', 'custom3'] })).toThrow(CsvConfigurationError);
    expect(() => make({ convert: { custom3: 'wrong_type' } })).toThrow(/Invalid conversion types: wrong_type/);
  });
  it('autodetect_column_names takes the first event as the header and drops it', () => {
    const filter = make({ autodetect_column_names: true });
    const header = new Event({ message: 'first,last,address' });
    expect(filter.filter(header)).toEqual([]);
    const row = new Event({ message: 'big,bird,sesame street' });
    filter.filter(row);
    expect([row.get('first'), row.get('last'), row.get('address')]).toEqual(['big', 'bird', 'sesame street']);
    const both = make({ autodetect_column_names: true, skip_header: true });
    both.filter(new Event({ message: 'a,b' }));
    expect(both.filter(new Event({ message: 'a,b' }))).toEqual([]);
    expect((both.filter(new Event({ message: '1,2' })) as Event[])[0]!.get('b')).toBe('2');
  });
  it('malformed CSV: _csvparsefailure, WARN with the source, no add_tag', () => {
    const log = recorder();
    const e = csv({ add_tag: ['ok'] }, 'a,"b', log);
    expect(e.get('tags')).toEqual(['_csvparsefailure']);
    expect(log.lines[0]).toMatchObject({ level: 'warn', msg: 'Error parsing csv', data: { field: 'message', source: 'a,"b', exception: 'Unclosed quoted field in line 1.' } });
  });
  it('a missing source does nothing; add_field applies on success', () => {
    expect(csv({ source: 'nope', add_tag: ['x'] }, 'a,b').get('tags')).toBeUndefined();
    expect(csv({ add_field: { parsed: 'yes' } }, 'a,b').get('parsed')).toBe('yes');
  });
  it('ECS mode without target logs the TargetCheck INFO', () => {
    const log = recorder();
    create(withDefaults<CsvFilterOptions>(csvSchema, {}), context('v8', log));
    expect(log.lines.map((l) => l.level)).toEqual(['info']);
  });
});
