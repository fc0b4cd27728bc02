// prune, urldecode, de_dot, truncate, uuid, bytes: expected values from each plugin's
// spec/filters/*_spec.rb samples and lib/logstash/filters/*.rb.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../src/event/event.ts';
import { Float, type FieldMap } from '../../../src/event/values.ts';
import type { Filter } from '../../../src/plugins/types.ts';
import { context, recorder, withDefaults } from './kit.ts';
import { create as prune } from '../../../src/plugins/filters/prune/prune.ts';
import { pruneSchema } from '../../../src/plugins/filters/prune/schema.ts';
import { create as urldecode } from '../../../src/plugins/filters/urldecode/urldecode.ts';
import { urldecodeSchema } from '../../../src/plugins/filters/urldecode/schema.ts';
import { create as deDot } from '../../../src/plugins/filters/de_dot/de_dot.ts';
import { deDotSchema } from '../../../src/plugins/filters/de_dot/schema.ts';
import { create as truncate, trimBytes } from '../../../src/plugins/filters/truncate/truncate.ts';
import { truncateSchema } from '../../../src/plugins/filters/truncate/schema.ts';
import { create as uuid } from '../../../src/plugins/filters/uuid/uuid.ts';
import { uuidSchema } from '../../../src/plugins/filters/uuid/schema.ts';
import { create as bytes } from '../../../src/plugins/filters/bytes/bytes.ts';
import { bytesSchema } from '../../../src/plugins/filters/bytes/schema.ts';

type Factory = (o: never, c: ReturnType<typeof context>) => Filter;
async function run(factory: Factory, schema: { options: Record<string, { default?: unknown }> }, options: Record<string, unknown>, data: FieldMap): Promise<Event> {
  const f = factory(withDefaults<never>(schema, options), context('v8', recorder()));
  await f.register?.();
  const e = new Event(data);
  await f.filter(e);
  return e;
}

const APACHE = { method: 'GET', referrer: 'http://x/', status: '200', uripath: '/index.php', '%{unresolved}': 'x', host: 'h', bytes: '12' };

describe('prune', () => {
  it('whitelist_names keeps matching names only (regexps, unanchored)', async () => {
    const e = await run(prune, pruneSchema, { whitelist_names: ['^method$', '(referrer|status)', '@timestamp', '@version'] }, APACHE);
    expect(Object.keys(e.toObject()).sort()).toEqual(['@timestamp', '@version', 'method', 'referrer', 'status']);
  });
  it('blacklist_names default drops unresolved %{...} names', async () => {
    const e = await run(prune, pruneSchema, {}, APACHE);
    expect(e.includes('%{unresolved}')).toBe(false);
    expect(e.get('method')).toBe('GET');
  });
  it('whitelist_values / blacklist_values, per element for arrays', async () => {
    const e = await run(prune, pruneSchema, { whitelist_values: { method: '(GET|POST)', status: '^[^2]' }, blacklist_values: { tags: 'bad', uripath: 'index' } }, {
      ...APACHE,
      tags: ['good', 'bad1', 'fine'],
    });
    expect(e.get('method')).toBe('GET');
    expect(e.includes('status')).toBe(false);
    expect(e.includes('uripath')).toBe(false);
    expect(e.get('tags')).toEqual(['good', 'fine']);
    const all = await run(prune, pruneSchema, { blacklist_values: { list: '.' } }, { list: ['a', 'b'] });
    expect(all.includes('list')).toBe(false);
  });
  it('interpolate sprintfs names and patterns per event', async () => {
    const e = await run(prune, pruneSchema, { interpolate: true, blacklist_names: ['%{drop}'] }, { drop: 'secret', secret: 1, keep: 2 });
    expect([e.includes('secret'), e.get('keep')]).toEqual([false, 2]);
  });
});

describe('urldecode', () => {
  it('decodes %XX runs (not +), UTF-8', async () => {
    const e = await run(urldecode, urldecodeSchema, {}, { message: 'http://www.example.com/search?q=europ%C3%A9enne+europ%C3%A9enne%20x' });
    expect(e.get('message')).toBe('http://www.example.com/search?q=européenne+européenne x');
  });
  it('all_fields decodes strings, arrays and hashes; other values pass', async () => {
    const e = await run(urldecode, urldecodeSchema, { all_fields: true }, { a: '%20', b: ['%41', 1], c: { d: '%2F' }, n: 5 });
    expect(e.data).toMatchObject({ a: ' ', b: ['A', 1], c: { d: '/' }, n: 5 });
  });
  it('invalid UTF-8 keeps \\xNN escapes; another charset is transcoded', async () => {
    expect((await run(urldecode, urldecodeSchema, {}, { message: 'a%FFb' })).get('message')).toBe('a\\xFFb');
    expect((await run(urldecode, urldecodeSchema, { charset: 'ISO-8859-1' }, { message: 'caf%E9' })).get('message')).toBe('café');
  });
  it('a missing field is set to nil; add_tag still applies', async () => {
    const e = await run(urldecode, urldecodeSchema, { field: 'nope', add_tag: ['t'] }, { message: 'x' });
    expect([e.includes('nope'), e.get('nope'), e.get('tags')]).toEqual([true, null, ['t']]);
  });
});

describe('de_dot', () => {
  it('replaces dots in top-level names, or nests them', async () => {
    const e = await run(deDot, deDotSchema, {}, { 'acme.foo': 'bar', plain: 1 });
    expect([e.get('acme_foo'), e.includes('acme.foo'), e.get('plain')]).toEqual(['bar', false, 1]);
    const n = await run(deDot, deDotSchema, { nested: true }, { 'acme.foo': 'bar' });
    expect(n.get('[acme][foo]')).toBe('bar');
    const s = await run(deDot, deDotSchema, { separator: '__' }, { 'a.b.c': 1 });
    expect(s.get('a__b__c')).toBe(1);
  });
  it('listed sub-fields and recursive walks', async () => {
    const e = await run(deDot, deDotSchema, { fields: ['[acme][foo.bar]'] }, { acme: { 'foo.bar': 1, 'x.y': 2 } });
    expect(e.get('acme')).toEqual({ 'x.y': 2, foo_bar: 1 });
    const r = await run(deDot, deDotSchema, { recursive: true }, { 'a.b': { 'c.d': { 'e.f': 1 } } });
    expect(r.get('a_b')).toEqual({ c_d: { e_f: 1 } });
  });
  it('a separator with a dot is refused', () => {
    expect(() => deDot(withDefaults<never>(deDotSchema, { separator: '.' }), context())).toThrow(/separator cannot be or contain/);
  });
});

describe('truncate', () => {
  it('cuts strings to length_bytes without splitting characters', async () => {
    expect(trimBytes('hello world, how are you?', 10)).toBe('hello worl');
    expect(trimBytes('€€', 4)).toBe('€');
    expect(trimBytes('a😀', 4)).toBe('a');
    expect(trimBytes('abc', 0)).toBe('');
    const e = await run(truncate, truncateSchema, { length_bytes: 3, add_tag: ['cut'] }, { message: 'hello', list: ['abcd', 1], h: { k: 'xyzw', n: { m: 'long' } }, n: 12345 });
    expect(e.data).toMatchObject({ message: 'hel', list: ['abc', 1], h: { k: 'xyz', n: { m: 'lon' } }, n: 12345, tags: ['cut'] });
  });
  it('only listed fields; nothing cut → no add_tag', async () => {
    const e = await run(truncate, truncateSchema, { fields: ['a'], length_bytes: 2, add_tag: ['cut'] }, { a: 'ab', b: 'abc' });
    expect([e.get('a'), e.get('b'), e.get('tags')]).toEqual(['ab', 'abc', undefined]);
  });
});

describe('uuid', () => {
  it('sets a v4 UUID unless the field has a value and overwrite is false', async () => {
    const e = await run(uuid, uuidSchema, { target: 'uuid' }, {});
    expect(e.get('uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await run(uuid, uuidSchema, { target: 'uuid' }, { uuid: 'kept' })).get('uuid')).toBe('kept');
    expect((await run(uuid, uuidSchema, { target: 'uuid', overwrite: true }, { uuid: 'kept' })).get('uuid')).not.toBe('kept');
  });
});

describe('bytes', () => {
  const b = async (message: string, options: Record<string, unknown> = {}): Promise<unknown> => {
    const e = await run(bytes, bytesSchema, { target: 'dest', ...options }, { message });
    return e.get('tags') ?? e.get('dest');
  };
  it('binary and metric prefixes, separators, bare numbers', async () => {
    expect(await b('32')).toEqual(new Float(32));
    expect(await b('32.0 kB')).toEqual(new Float(32768));
    expect(await b('32 MB')).toEqual(new Float(32 * 1024 ** 2));
    expect(await b('1.5 G')).toEqual(new Float(1.5 * 1024 ** 3));
    expect(await b('2 TB', { prefix_system: 'metric' })).toEqual(new Float(2e12));
    expect(await b('1 234,5 kb', { decimal_separator: ',' })).toEqual(new Float(1234.5 * 1024));
    expect(await b('1,234.5 kb', { digit_group_separator: ',' })).toEqual(new Float(1234.5 * 1024));
  });
  it('unparseable, empty number, missing source: _bytesparsefailure', async () => {
    expect(await b('32 kilobytes')).toEqual(['_bytesparsefailure']);
    expect(await b('MB')).toEqual(['_bytesparsefailure']);
    expect((await run(bytes, bytesSchema, { target: 'dest', source: 'nope' }, {})).get('tags')).toEqual(['_bytesparsefailure']);
  });
  it('configuration checks', () => {
    expect(() => bytes(withDefaults<never>(bytesSchema, { target: 'd', prefix_system: 'si' }), context())).toThrow(/Prefix system 'si' is invalid/);
    expect(() => bytes(withDefaults<never>(bytesSchema, { target: 'd', decimal_separator: ' ' }), context())).toThrow(/cannot be the same/);
  });
});
