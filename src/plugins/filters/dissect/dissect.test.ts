// Expected values from logstash-filter-dissect's spec/filters/dissect_spec.rb, its docs
// (docs/index.asciidoc: padding, empty fields, append ordering, indirect fields) and the examples of
// src/test/java/org/logstash/dissect/DissectorTest.java that still hold since 1.1.1.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float, type FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { ConvertDatatypeFormatError, create } from './dissect.ts';
import { DissectFormatError } from './dissection.ts';
import { dissectSchema, type DissectFilterOptions } from './schema.ts';
import type { Filter } from '../../types.ts';

const make = (options: Record<string, unknown>, log = recorder()): Filter =>
  create(withDefaults<DissectFilterOptions>(dissectSchema, options), context('v8', log));

function dissect(mapping: string, data: FieldMap | string, extra: Record<string, unknown> = {}, log = recorder()): Event {
  const e = new Event(typeof data === 'string' ? { message: data } : data);
  make({ mapping: { message: mapping }, ...extra }, log).filter(e);
  return e;
}

describe('dissect filter', () => {
  it('basic dissection with padding (->)', () => {
    const e = dissect(
      '[%{occurred_at}] %{code} %{service->} %{ic} %{svc_message}',
      '[25/05/16 09:10:38:425 BST] 00000001 SystemOut     O java.lang:type=MemoryPool,name=class storage',
    );
    expect(e.data).toMatchObject({
      occurred_at: '25/05/16 09:10:38:425 BST', code: '00000001', service: 'SystemOut', ic: 'O', svc_message: 'java.lang:type=MemoryPool,name=class storage',
    });
    expect(e.get('tags')).toBeUndefined();
  });

  it('like CSV with missing fields: consecutive delimiters are empty values, a trailing field may be empty', () => {
    const e = dissect(
      '[%{occurred_at}] %{code} %{service} values: "%{v1}","%{v2}","%{v3}"%{rest}',
      '[25/05/16 09:10:38:425 BST] 00000001 SystemOut values: "f1","","f3"',
    );
    expect(e.data).toMatchObject({ code: '00000001', v1: 'f1', v2: '', v3: 'f3', rest: '' });
    expect(e.get('tags')).toBeUndefined();
    const doc = dissect('%{name},%{addr1},%{addr2},%{addr3},%{city},%{zip}', 'Jane Doe,4321 Fifth Avenue,,,New York,87432');
    expect(doc.data).toMatchObject({ name: 'Jane Doe', addr1: '4321 Fifth Avenue', addr2: '', addr3: '', city: 'New York', zip: '87432' });
  });

  it('padding on the left field (docs)', () => {
    expect(dissect('%{id->} %{function} %{server}', 'f3000a3b            Calc machine-123').data).toMatchObject({ id: 'f3000a3b', function: 'Calc', server: 'machine-123' });
    expect(dissect('%{id} %{function->} %{server}', '00000043 ViewReceive     machine-321').data).toMatchObject({ function: 'ViewReceive', server: 'machine-321' });
  });

  it('skip, append and indirect fields with conversions', () => {
    const e = dissect(
      '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}',
      '[25/05/16 09:10:38:425 BST] 00000001 SystemOut cpu=95.43% java.lang:type=MemoryPool,name=class storage',
      { convert_datatype: { cpu: 'float', code: 'int' } },
    );
    expect(e.get('code')).toBe(1);
    expect(e.get('cpu')).toEqual(new Float(95.43));
    expect(e.includes('ic')).toBe(false);
    expect(e.get('svc_message')).toBe('java.lang:type=MemoryPool,name=class storage');
  });

  it('multibyte delimiters', () => {
    const e = dissect(
      '[%{occurred_at}]྿྿྿%{code}྿%{service}྿྿྿྿%{?ic}=%{&ic}%྿྿%{svc_message}',
      '[25/05/16 09:10:38:425 BST]྿྿྿00000001྿SystemOut྿྿྿྿cpu=95.43%྿྿java.lang:type=MemoryPool,name=class storage',
      { convert_datatype: { cpu: 'float', code: 'int' } },
    );
    expect([e.get('code'), e.get('service'), e.get('cpu')]).toEqual([1, 'SystemOut', new Float(95.43)]);
  });

  it('skip and append with add_field on success', () => {
    const e = dissect(
      '%{timestamp} %{+timestamp} %{+timestamp} %{logsource} %{} %{program}[%{pid}]: %{msg}',
      'Mar 16 00:01:25 evita skip-this postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]',
      { add_field: { favorite_filter: 'why, dissect of course' } },
    );
    expect(e.data).toMatchObject({
      timestamp: 'Mar 16 00:01:25', logsource: 'evita', program: 'postfix/smtpd', pid: '1713', msg: 'connect from camomile.cloud9.net[168.100.1.3]',
      favorite_filter: 'why, dissect of course',
    });
    expect(e.get('tags')).toBeUndefined();
  });

  it('append ordering: ordinals, normal field first, declared order otherwise', () => {
    expect(dissect('%{+a/2} %{+a/1} %{+a/4} %{+a/3}', '1 2 3 go').get('a')).toBe('2 1 go 3');
    const ab = dissect('%{a} %{b} %{+a}', '1 2 3 go');
    expect([ab.get('a'), ab.get('b')]).toEqual(['1 3 go', '2']);
    expect(dissect('%{+a} %{a} %{+a} %{b}', 'December 31 1999 quux').get('a')).toBe('31 December 1999');
    expect(dissect('%{+a/2} %{+a/4} %{+a/1} %{+a/3}', 'bar quux foo baz').get('a')).toBe('foo bar baz quux');
    expect(dissect('%{+a} %{b} %{+a} %{c}', 'foo bar baz quux').get('a')).toBe('foo baz');
  });

  it('indirect fields from found values, from skip fields, from the event; missing keys set nothing', () => {
    expect(dissect('%{k1}=%{&k1}, %{k2}=%{&k2}', 'foo=bar, baz=quux').data).toMatchObject({ k1: 'foo', k2: 'baz', foo: 'bar', baz: 'quux' });
    const skipped = dissect('%{?k1}=%{&k1}, %{?k2}=%{&k2}', 'foo=bar, baz=quux');
    expect(skipped.data).toMatchObject({ foo: 'bar', baz: 'quux' });
    expect(skipped.includes('k1')).toBe(false);
    const missing = dissect('%{?k1}=%{&k3}, %{?k2}=%{&k4}', 'foo=bar, baz=quux');
    expect(Object.keys(missing.data).sort()).toEqual(['@timestamp', '@version', 'message']);
    const fromEvent = dissect('%{&k1}, %{&k2}, %{&k3}', { message: 'foo, bar, baz', k1: 'a', k2: 'b', k3: 'c' });
    expect(fromEvent.data).toMatchObject({ a: 'foo', b: 'bar', c: 'baz' });
    expect(dissect('error: %{?err}, %{&err}', 'error: some_error, some_description').get('some_error')).toBe('some_description');
    expect(dissect('%{?a}: %{&a}', 'google: 77.98').get('google')).toBe('77.98');
  });

  it('rest, unicode delimiter, leading text and the complex example', () => {
    expect(dissect('%{a}------->%{b}', 'foo------->bar baz quux').data).toMatchObject({ a: 'foo', b: 'bar baz quux' });
    const empty = dissect('%{a}------->%{}', 'foo------->bar baz quux');
    expect(Object.values(empty.data)).not.toContain('bar baz quux');
    expect(dissect('%{a} » %{b}', 'foo » bar baz quux').data).toMatchObject({ a: 'foo', b: 'bar baz quux' });
    expect(dissect('[%{a}] %{b} %{c}', '[foo bar] baz quux').data).toMatchObject({ a: 'foo bar', b: 'baz', c: 'quux' });
    const c = dissect(
      '%{} %{syslog_timestamp} %{hostname} %{rt}: %{reason} %{+reason} %{src_ip}/%{src_port}->%{dst_ip}/%{dst_port} %{polrt} %{+polrt} %{+polrt} %{from_zone} %{to_zone} %{rest}',
      '42 2016-05-25T14:47:23Z host.name.com RT_FLOW - RT_FLOW_SESSION_DENY: session denied 2.2.2.20/60000->1.1.1.10/8090 None 6(0) DEFAULT-DENY ZONE-UNTRUST ZONE-DMZ UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0',
    );
    expect(c.data).toMatchObject({
      syslog_timestamp: '2016-05-25T14:47:23Z', hostname: 'host.name.com', rt: 'RT_FLOW - RT_FLOW_SESSION_DENY', reason: 'session denied',
      src_ip: '2.2.2.20', src_port: '60000', dst_ip: '1.1.1.10', dst_port: '8090', polrt: 'None 6(0) DEFAULT-DENY', from_zone: 'ZONE-UNTRUST',
      to_zone: 'ZONE-DMZ', rest: 'UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0',
    });
  });

  it('delimiters containing { and }', () => {
    const e = dissect('{%{a}}{%{b}}%{rest}', '{foo}{bar}');
    expect(e.data).toMatchObject({ a: 'foo', b: 'bar', rest: '' });
    expect(e.get('tags')).toBeUndefined();
  });

  it('a later mapping dissects a field an earlier one set', () => {
    const e = new Event({ message: 'a b c d e' });
    make({ mapping: { message: '%{field1} %{field2} %{description}', description: '%{field3} %{field4} %{field5}' } }).filter(e);
    expect(e.data).toMatchObject({ field1: 'a', field2: 'b', description: 'c d e', field3: 'c', field4: 'd', field5: 'e' });
  });

  it('failures: empty source tags; missing source only logs; a missing delimiter tags and sets nothing', () => {
    const log = recorder();
    const none = dissect('%{a} %{b}', {}, { add_tag: ['ok'] }, log);
    expect(none.get('tags')).toBeUndefined();
    expect(log.lines.map((l) => l.msg)).toEqual(['Dissector mapping, key not found in event']);
    const empty = dissect('%{a} %{b}', { message: '' });
    expect(empty.get('tags')).toEqual(['_dissectfailure']);
    const nofit = dissect('%{a} - %{b}', 'no dash here', { tag_on_failure: ['x', 'y'] });
    expect(nofit.get('tags')).toEqual(['x', 'y']);
    expect(nofit.includes('a')).toBe(false);
  });

  it('conversion failures tag per field and keep the value; big numbers stay exact', () => {
    const log = recorder();
    const e = dissect(
      '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}',
      { message: '[25/05/16 09:10:38:425 BST] 00000001 SystemOut cpu=95.43% java.lang:type=MemoryPool,name=class storage', other: {} },
      { convert_datatype: { ccu: 'float', other: 'int' } },
      log,
    );
    expect(e.get('code')).toBe('00000001');
    expect(e.get('tags')).toEqual(['_dataconversionnullvalue_ccu_float', '_dataconversionuncoercible_other_int']);
    expect(log.lines.map((l) => l.msg)).toEqual([
      'Dissector datatype conversion, value cannot be coerced, key: ccu, value: null',
      'Dissector datatype conversion, value cannot be coerced, key: other, value: {}',
    ]);
    const big = new Event({ big_number: '4394740425750718628', f: '4394740425750718628.345324', t: '95.43' });
    make({ convert_datatype: { big_number: 'int', f: 'float', t: 'int' } }).filter(big);
    expect(big.get('big_number')).toBe(4394740425750718628n);
    expect(big.get('f')).toEqual(new Float(4394740425750718628.345324));
    expect(big.get('t')).toBe(95);
  });

  it('configuration errors: int/float only, +& and &+ prefixes, prefix without a name', () => {
    expect(() => make({ convert_datatype: { code: 'integer' } })).toThrow(ConvertDatatypeFormatError);
    expect(() => make({ mapping: { message: '%{+&timestamp}' } })).toThrow(/Field cannot prefix with both Append and Indirect Prefix \(\+&\): \+&timestamp/);
    expect(() => make({ mapping: { message: '%{&+timestamp}' } })).toThrow(DissectFormatError);
    expect(() => make({ mapping: { message: '%{+}' } })).toThrow(/prefix on its own/);
    expect(() => make({ mapping: { message: '%{+timestamp/2} %{+timestamp/1} %{?no_name} %{&no_name} %{} %{program}[%{pid}]: %{msg}' } })).not.toThrow();
  });

  it('counts matches and failures', () => {
    const f = make({ mapping: { message: '%{a} %{b}' } });
    f.filter(new Event({ message: '1 2' }));
    f.filter(new Event({ message: '' }));
    expect(f.stats?.()).toEqual({ matched: 1, failures: 1 });
  });
});
