// Expected values from logstash-filter-translate: spec/filters/translate_spec.rb (exact, multi/fuzzy,
// regex, fallback with sprintf, yml/json/csv fixtures, unknown extension), spec/filters/yaml_visitor_spec.rb,
// lib/logstash/filters/{single_value_update,array_of_values_update,array_of_maps_value_update}.rb,
// lib/logstash/filters/dictionary/{file,csv_file,json_file,streaming_yaml_parser}.rb, and the plugin's
// docs (docs/index.asciidoc v3.4.2: iterate_on examples, ECS default target, override default,
// refresh_behaviour, yaml_dictionary_code_point_limit).
import { mkdtempSync, readFileSync, renameSync, writeFileSync, utimesSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { SHARED } from '../../../../test/config/shared.ts';
import type { EcsCompatibility, Filter } from '../../types.ts';
import { check, create, TranslateFilter } from './translate.ts';
import { translateSchema, type TranslateOptions } from './schema.ts';
import { parseDictionaryText, psychScalar, readDictionaryFile, streamingScalar } from './dictionary-file.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-translate-'));
const timers: TranslateFilter[] = [];
afterAll(() => timers.forEach((t) => t.close()));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function make(options: Record<string, unknown>, ecs: EcsCompatibility = 'disabled', log = recorder()) {
  const filter = create(withDefaults<TranslateOptions>(translateSchema, options), context(ecs, log)) as TranslateFilter;
  timers.push(filter);
  return { filter, log };
}

async function one(filter: Filter, data: Record<string, unknown>): Promise<Event> {
  await filter.register?.();
  const out = [await filter.filter(new Event(data as never))].flat();
  return out[0]!;
}

const HTTP = { '200': 'OK', '300': 'Redirect', '400': 'Client Error', '500': 'Server Error' };
const checkCtx = (ecs: EcsCompatibility = 'disabled') => ({ log: recorder(), ecsCompatibility: ecs, id: 't', where: 'test.conf:1:1' });

describe('translate: matching (spec "exact translation", "multi translation", "regex translation")', () => {
  for (const ecs of ['disabled', 'v1', 'v8'] as const) {
    const target = ecs === 'disabled' ? 'translation' : 'status';
    it(`exact: an integer source is looked up as text (ECS ${ecs} → target [${target}])`, async () => {
      const { filter } = make({ source: 'status', dictionary: HTTP }, ecs);
      const e = await one(filter, { status: 200 });
      expect(e.get(target)).toBe('OK');
      if (ecs === 'disabled') expect(e.get('status')).toBe(200);
    });
    it(`fuzzy (exact => false): every key occurrence replaced, keys taken literally (ECS ${ecs})`, async () => {
      const { filter } = make({ source: 'status', dictionary: { ...HTTP, 'a.c': 'DOT' }, exact: false }, ecs);
      expect((await one(filter, { status: '200 & 500' })).get(target)).toBe('OK & Server Error');
      expect((await one(filter, { status: 'abc a.c' })).get(target)).toBe('abc DOT');
    });
    it(`regex: keys are regular expressions, the first matching key in dictionary order wins (ECS ${ecs})`, async () => {
      const { filter } = make(
        { source: 'status', dictionary: { '^2[0-9][0-9]$': 'OK', '^3[0-9][0-9]$': 'Redirect', '0$': 'ends in zero', '^5[0-9][0-9]$': 'Server Error' }, regex: true },
        ecs,
      );
      expect((await one(filter, { status: '200' })).get(target)).toBe('OK');
      expect((await one(filter, { status: '500' })).get(target)).toBe('ends in zero');
      expect((await one(filter, { status: 'x' })).get(target)).toBe(ecs === 'disabled' ? undefined : 'x');
    });
  }
  it('regex keys use Ruby/Oniguruma syntax (an atomic group JavaScript lacks); a bad key fails -t', async () => {
    const { filter } = make({ source: 'k', dictionary: { '(?>fo+)bar': 'atomic', '\\h+z': 'hex' }, regex: true });
    expect((await one(filter, { k: 'xfoooobar' })).get('translation')).toBe('atomic');
    expect((await one(filter, { k: 'beefz' })).get('translation')).toBe('hex');
    const bad = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary: { '(unclosed': 'x' }, regex: true }), checkCtx());
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/^filter translate at test\.conf:1:1: dictionary: .*\(unclosed/);
  });
  it('an array source uses its first item', async () => {
    const { filter } = make({ source: 'status', dictionary: HTTP });
    expect((await one(filter, { status: ['300', '200'] })).get('translation')).toBe('Redirect');
  });
  it('a matched value is a copy: changing it in the event does not change the dictionary', async () => {
    const { filter } = make({ source: 'k', dictionary: { a: { x: ['1'] } } });
    const first = await one(filter, { k: 'a' });
    (first.get('[translation][x]') as string[]).push('2');
    expect((await one(filter, { k: 'a' })).get('translation')).toEqual({ x: ['1'] });
  });
});

describe('translate: fallback, override, missing fields, filter_matched', () => {
  it('fallback (static and %{field})', async () => {
    const { filter } = make({ source: 'status', dictionary: HTTP, fallback: 'no match' });
    expect((await one(filter, { status: '999' })).get('translation')).toBe('no match');
    const s = make({ source: 'status', fallback: '%{missing_translation}' }).filter;
    expect((await one(s, { status: '200', missing_translation: 'missing no match' })).get('translation')).toBe('missing no match');
  });
  it('override off (default with a separate target): an existing target is left alone, no fallback', async () => {
    const { filter } = make({ source: 'status', target: 'desc', dictionary: HTTP, fallback: 'x', add_tag: ['t'] });
    const e = await one(filter, { status: '200', desc: 'keep' });
    expect(e.get('desc')).toBe('keep');
    expect(e.get('tags')).toBeUndefined();
  });
  it('override => true replaces an existing target', async () => {
    const { filter } = make({ source: 'status', target: 'desc', dictionary: HTTP, override: true });
    expect((await one(filter, { status: '200', desc: 'old' })).get('desc')).toBe('OK');
  });
  it('in-place (target == source): override defaults to true and filter_matched runs even on no match', async () => {
    const { filter } = make({ source: 'status', target: 'status', dictionary: HTTP, add_tag: ['seen'] });
    const hit = await one(filter, { status: '200' });
    expect(hit.get('status')).toBe('OK');
    const miss = await one(filter, { status: '999' });
    expect(miss.get('status')).toBe('999');
    expect(miss.get('tags')).toEqual(['seen']);
  });
  it('ECS v8 default target is the source (in place); disabled writes [translation]', async () => {
    const v8 = await one(make({ source: '[http][status]', dictionary: HTTP }, 'v8').filter, { http: { status: '500' } });
    expect(v8.get('[http][status]')).toBe('Server Error');
    expect(v8.get('translation')).toBeUndefined();
    const off = await one(make({ source: '[http][status]', dictionary: HTTP }, 'disabled').filter, { http: { status: '500' } });
    expect(off.get('translation')).toBe('Server Error');
  });
  it('a missing source field: nothing written, add_tag not applied', async () => {
    for (const ecs of ['disabled', 'v8'] as const) {
      const { filter } = make({ source: 'status', dictionary: HTTP, fallback: 'x', add_tag: ['t'] }, ecs);
      const e = await one(filter, { other: 1 });
      expect(e.get('translation')).toBeUndefined();
      expect(e.get('tags')).toBeUndefined();
    }
  });
  it('a match runs add_field/add_tag; a miss without fallback does not', async () => {
    const { filter } = make({ source: 'status', dictionary: HTTP, add_tag: ['hit'], add_field: { via: '%{status}' } });
    const hit = await one(filter, { status: '400' });
    expect(hit.get('tags')).toEqual(['hit']);
    expect(hit.get('via')).toBe('400');
    expect((await one(filter, { status: '401' })).get('tags')).toBeUndefined();
  });
  it('references: @metadata source, a value that is a list or a number, a [@metadata] target; an invalid reference fails each event', async () => {
    const meta = make({ source: '[@metadata][key]', target: '[@metadata][out]', dictionary: { '6:80': 'http', '7': 'seven' }, add_tag: ['hit'] }).filter;
    const withMeta = (key: unknown): Event => new Event({ other: 1 }, { key: key as never });
    await meta.register?.();
    const e = meta.filter(withMeta('6:80')) as Event;
    expect(e.get('[@metadata][out]')).toBe('http');
    expect((meta.filter(withMeta(['7', '6:80'])) as Event).get('[@metadata][out]')).toBe('seven');
    expect((meta.filter(withMeta(7)) as Event).get('[@metadata][out]')).toBe('seven');
    expect((meta.filter(new Event({ other: 1 })) as Event).get('tags')).toBeUndefined();
    // a target of the whole @metadata always exists: without override nothing is written
    const whole = make({ source: 'status', target: '[@metadata]', dictionary: HTTP, add_tag: ['hit'] }).filter;
    expect((await one(whole, { status: '200' })).get('tags')).toBeUndefined();
    // a null source is there (it is looked up as ''); with override off an existing target, even null, stops it
    expect((await one(make({ source: 'n', target: 'out', dictionary: { '': 'nothing' } }).filter, { n: null })).get('out')).toBe('nothing');
    expect((await one(make({ source: 'n', target: 'out', dictionary: { x: 'y' }, fallback: 'f' }).filter, { n: 'x', out: null })).get('out')).toBeNull();
    expect((await one(make({ source: 'n', target: 'out', dictionary: { x: 'y' }, override: true }).filter, { n: 'x', out: null })).get('out')).toBe('y');
    const bad = make({ source: 'a[b]', dictionary: HTTP }).filter;
    await bad.register?.();
    expect(() => bad.filter(new Event({ status: '200' }))).toThrow('Invalid FieldReference: `a[b]`');
  });
  it('an invalid target fails on each event it would write (logged, untagged; without override the target test throws first)', async () => {
    const log = recorder();
    const variants = [
      { source: 'status', target: '[t', dictionary: HTTP, override: true },
      { source: 'status', target: '[t', dictionary: {}, fallback: 'none: %{status}', override: true },
      { iterate_on: 'status', source: 'status', target: '[t', dictionary: HTTP, override: true },
    ];
    for (const options of variants) {
      const { filter } = make(options, 'disabled', log);
      for (let i = 0; i < 2; i++) expect((await one(filter, { status: ['200'] })).get('tags')).toBeUndefined();
      expect(filter.stats()['errors']).toBe(2);
    }
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.data?.['exception'])).toEqual(Array(6).fill('Invalid FieldReference: `[t`'));
    const { filter } = make({ source: 'status', target: '[t', dictionary: HTTP });
    await filter.register?.();
    for (let i = 0; i < 2; i++) expect(() => filter.filter(new Event({ status: '200' }))).toThrow('Invalid FieldReference: `[t`');
    const items = make({ iterate_on: '[a', source: 'id', target: 'name', dictionary: HTTP }).filter;
    await items.register?.();
    for (let i = 0; i < 2; i++) expect(() => items.filter(new Event({ a: [{ id: '200' }] }))).toThrow('Invalid FieldReference: `[[a]`');
  });
  it('iterate_on mode 2 under a nested field, and with the field missing (not translated, no filter_matched)', async () => {
    const { filter } = make({ iterate_on: '[x][items]', source: 'id', target: 'name', dictionary: HTTP, add_tag: ['hit'] });
    const e = await one(filter, { x: { items: [{ id: '200' }, { id: '400' }] } });
    expect(e.get('[x][items]')).toEqual([{ id: '200', name: 'OK' }, { id: '400', name: 'Client Error' }]);
    expect(e.get('tags')).toEqual(['hit']);
    expect((await one(filter, { x: {} })).get('tags')).toBeUndefined();
  });
  it('a value that cannot be set is logged as Logstash does and the event goes on untagged', async () => {
    const log = recorder();
    const { filter } = make({ source: 'status', target: '[status][desc]', dictionary: HTTP }, 'disabled', log);
    const e = await one(filter, { status: '200' });
    expect(e.get('status')).toBe('200');
    expect(e.get('tags')).toBeUndefined();
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['Something went wrong when attempting to translate from dictionary']);
    expect(filter.stats()['errors']).toBe(1);
  });
});

describe('translate: source/field, target/destination, settings refused at start', () => {
  it('deprecated field/destination still work (and are noted)', async () => {
    const log = recorder();
    const { filter } = make({ field: 'status', destination: 'desc', dictionary: HTTP }, 'v8', log);
    expect((await one(filter, { status: '200' })).get('desc')).toBe('OK');
    expect(log.lines.map((l) => l.msg)).toEqual(['intercepting `field` to populate `source`: `status`', 'intercepting `destination` to populate `target`: `desc`']);
  });
  it('field with source, destination with target, no source at all: configuration errors', () => {
    expect(() => make({ field: 'a', source: 'b' })).toThrow('Please remove `field => "a"` and only set the `source => ...` option instead');
    expect(() => make({ source: 'a', destination: 'c', target: 'd' })).toThrow('Please remove `destination => "c"` and only set the `target => ...` option instead');
    expect(() => make({})).toThrow('No source field specified, please provide the `source => ...` option');
  });
  it('dictionary and dictionary_path together are refused', () => {
    expect(() => make({ source: 'a', dictionary: { a: 'b' }, dictionary_path: file('x.yml', 'a: b\n') })).toThrow(
      "The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive",
    );
  });
  it('an unknown extension is refused (spec "when using an uknown file")', () => {
    expect(() => make({ source: 'a', dictionary_path: file('dict.other', 'a,b\n') })).toThrow(/Dictionary .*dict\.other has a non valid format/);
  });
  it('yaml_dictionary_code_point_limit: only for YAML, and positive', () => {
    expect(() => make({ source: 'a', dictionary_path: file('l.json', '{}'), yaml_dictionary_code_point_limit: 10 })).toThrow(
      'Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format',
    );
    expect(() => make({ source: 'a', dictionary_path: file('l.yml', 'a: b\n'), yaml_dictionary_code_point_limit: 0 })).toThrow('Please set a positive number');
  });
});

describe('translate: dictionary files (spec "loading a dictionary")', () => {
  const yml = file('dict.yml', '---\n# comment\n"a": 1\n"b": 2\n"c": 3\nplain key: plain value # trailing comment\n100: unquoted integer key\n"on": yes\n"list": [x, y]\n');
  it('YAML: quoted keys, Psych scalar types, an unquoted integer key never matches a looked-up string', async () => {
    const { filter } = make({ source: 'status', dictionary_path: yml });
    expect((await one(filter, { status: 'a' })).get('translation')).toBe(1);
    expect((await one(filter, { status: 'plain key' })).get('translation')).toBe('plain value');
    expect((await one(filter, { status: 'on' })).get('translation')).toBe(true);
    expect((await one(filter, { status: 'list' })).get('translation')).toEqual(['x', 'y']);
    expect((await one(filter, { status: '100' })).get('translation')).toBeUndefined();
    expect((await one(filter, { status: 100 })).get('translation')).toBeUndefined();
  });
  it('YAML nested values (yaml_visitor_spec: a: {x: 3}) come through as maps', async () => {
    const p = file('nested.yml', '---\na: \n x: 3\nb: \n x: 4\n');
    const { filter } = make({ source: 'k', dictionary_path: p });
    expect((await one(filter, { k: 'b' })).get('translation')).toEqual({ x: 4 });
  });
  it('yaml_load_strategy streaming: plain scalars by streaming_yaml_parser.rb rules', async () => {
    const p = file('stream.yml', '"a": yes\n"b": 1.5\n"c": ~\n"d": "true"\n"e": -7\n');
    const shot = make({ source: 'k', dictionary_path: p }).filter;
    const stream = make({ source: 'k', dictionary_path: p, yaml_load_strategy: 'streaming' }).filter;
    expect((await one(shot, { k: 'a' })).get('translation')).toBe(true);
    expect((await one(stream, { k: 'a' })).get('translation')).toBe('yes');
    expect((await one(stream, { k: 'b' })).get('translation')).toEqual(new Float(1.5));
    expect((await one(stream, { k: 'd' })).get('translation')).toBe('true');
    expect((await one(stream, { k: 'e' })).get('translation')).toBe(-7);
  });
  it('JSON: values keep their types (spec: "b" → 20)', async () => {
    const p = file('dict.json', '\ufeff{ "a": "10", "b": 20, "c": 30.0, "d": {"x": [1]} }');
    const { filter } = make({ source: 'status', dictionary_path: p });
    expect((await one(filter, { status: 'b' })).get('translation')).toBe(20);
    expect((await one(filter, { status: 'c' })).get('translation')).toEqual(new Float(30));
    expect((await one(filter, { status: 'd' })).get('translation')).toEqual({ x: [1] });
  });
  it('CSV: first column key, second value (spec: "c" → "300"), quotes and "" escapes', async () => {
    const p = file('dict.csv', 'a,100\r\nb,200\nc,300\n"d,e","say ""hi"""\nonlykey\n\n');
    const { filter } = make({ source: 'status', dictionary_path: p });
    expect((await one(filter, { status: 'c' })).get('translation')).toBe('300');
    expect((await one(filter, { status: 'd,e' })).get('translation')).toBe('say "hi"');
    expect((await one(filter, { status: 'onlykey' })).get('translation')).toBeNull();
  });
  it('iterate_on mode 1 (docs: collaborator_ids → names, fallback per item)', async () => {
    const p = file('collab.csv', '100,Yuki\n101,Rupert\n102,Ahmed\n103,Kwame\n');
    for (const ecs of ['disabled', 'v8'] as const) {
      const { filter } = make({ iterate_on: '[collaborator_ids]', source: '[collaborator_ids]', target: '[collaborator_names]', fallback: 'Unknown', dictionary_path: p }, ecs);
      const e = await one(filter, { collaborator_ids: [100, 103, 110, 102] });
      expect(e.get('collaborator_names')).toEqual(['Yuki', 'Kwame', 'Unknown', 'Ahmed']);
    }
    const noFallback = make({ iterate_on: 'ids', source: 'ids', target: 'names', dictionary_path: p }).filter;
    expect((await one(noFallback, { ids: ['100', '999'] })).get('names')).toEqual(['Yuki', null]);
  });
  it('iterate_on mode 2 (docs: an array of objects, [id] → [name])', async () => {
    const p = file('collab2.csv', '100,Yuki\n101,Rupert\n102,Ahmed\n103,Kwame\n');
    for (const ecs of ['disabled', 'v8'] as const) {
      const { filter } = make({ iterate_on: '[collaborators]', source: '[id]', target: '[name]', fallback: 'Unknown', dictionary_path: p }, ecs);
      const e = await one(filter, { collaborators: [{ id: 100 }, { id: 103 }, { id: 110 }, { id: 101 }, { other: 1 }] });
      expect(e.get('collaborators')).toEqual([
        { id: 100, name: 'Yuki' },
        { id: 103, name: 'Kwame' },
        { id: 110, name: 'Unknown' },
        { id: 101, name: 'Rupert' },
        { other: 1 },
      ]);
    }
  });
});

describe('translate: files that do not load', () => {
  it('bad YAML: register fails with Logstash\'s wrapper; -t names file:line', async () => {
    const p = file('bad.yml', '"a": 1\n"b": [unclosed\n"c": 3\n');
    const { filter } = make({ source: 'k', dictionary_path: p });
    await expect(filter.register()).rejects.toThrow(`when loading dictionary file at ${p}`);
    const result = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary_path: p }), checkCtx());
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(new RegExp(`^filter translate at test\\.conf:1:1: dictionary_path cannot be loaded: ${p.replace(/[.]/g, '\\.')}:[23]: `));
  });
  it('bad JSON and bad CSV: file:line of the fault', async () => {
    const json = file('bad.json', '{\n  "a": 1,\n  "b": \n}\n');
    const r1 = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary_path: json }), checkCtx());
    expect(r1.errors[0]).toContain(`${json}:4: `);
    const csv = file('bad.csv', 'a,1\nb,"2\nc,3\n');
    const r2 = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary_path: csv }), checkCtx());
    expect(r2.errors[0]).toContain(`${csv}:2: Unclosed quoted field in line 2.`);
    const arr = file('arr.json', '[1, 2]');
    await expect(readDictionaryFile(arr)).rejects.toThrow('no implicit conversion of Array into Hash');
  });
  it('a good file checks clean; a missing one is left to the path warning', async () => {
    const ok = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary_path: file('ok.yml', 'a: b\n') }), checkCtx());
    expect(ok.errors).toEqual([]);
    const missing = await check(withDefaults<TranslateOptions>(translateSchema, { source: 'k', dictionary_path: path.join(dir, 'nope.yml') }), checkCtx());
    expect(missing.errors).toEqual([]);
  });
  it('a missing file at start: warning, empty dictionary, pipeline keeps going (file.rb rescues ENOENT)', async () => {
    const log = recorder();
    const { filter } = make({ source: 'k', dictionary_path: path.join(dir, 'absent.yml'), fallback: 'fb' }, 'disabled', log);
    expect((await one(filter, { k: 'a' })).get('translation')).toBe('fb');
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'dictionary file read failure, continuing with old dictionary')).toBe(true);
  });
  it('regex keys that are not valid regular expressions stop the start', async () => {
    const p = file('badre.yml', '"(unclosed": x\n');
    await expect(make({ source: 'k', dictionary_path: p, regex: true }).filter.register()).rejects.toThrow(/when loading dictionary file/);
  });
  it('a YAML document over yaml_dictionary_code_point_limit is refused', async () => {
    const p = file('big.yml', '"key": "' + 'é'.repeat(50) + '"\n');
    await expect(make({ source: 'k', dictionary_path: p, yaml_dictionary_code_point_limit: 40 }).filter.register()).rejects.toThrow(
      'The incoming YAML document exceeds the limit: 40 code points.',
    );
    await expect(make({ source: 'k', dictionary_path: p, yaml_dictionary_code_point_limit: 100 }).filter.register()).resolves.toBeUndefined();
  });
});

describe('translate: refresh (refresh_interval, refresh_behaviour)', () => {
  it('merge keeps removed keys and updates changed ones; replace drops them', async () => {
    for (const behaviour of ['merge', 'replace'] as const) {
      const p = file(`refresh-${behaviour}.yml`, '"a": one\n"b": two\n');
      const { filter } = make({ source: 'k', dictionary_path: p, refresh_behaviour: behaviour, refresh_interval: 0 });
      await filter.register();
      writeFileSync(p, '"b": TWO\n"c": three\n');
      utimesSync(p, new Date(Date.now() + 2000), new Date(Date.now() + 2000));
      await filter.refreshNow();
      const look = (k: string) => (filter.filter(new Event({ k })) as Event).get('translation');
      expect(look('b')).toBe('TWO');
      expect(look('c')).toBe('three');
      expect(look('a')).toBe(behaviour === 'merge' ? 'one' : undefined);
    }
  });
  it('a dictionary file edited while running is picked up by the timer (refresh_interval => 1)', async () => {
    const p = file('live.yml', '"a": before\n');
    const { filter } = make({ source: 'k', dictionary_path: p, refresh_interval: 1 });
    await filter.register();
    const look = () => (filter.filter(new Event({ k: 'a' })) as Event).get('translation');
    expect(look()).toBe('before');
    // copy/edit/rename, as the plugin's docs advise; mtime moved forward so the change is visible at any mtime resolution
    const tmp = p + '.tmp';
    writeFileSync(tmp, '"a": after\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(tmp, later, later);
    renameSync(tmp, p);
    let seen: unknown;
    for (let i = 0; i < 100 && seen !== 'after'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = look();
    }
    expect(seen).toBe('after');
    expect(filter.stats()['reloads']).toBeGreaterThanOrEqual(1);
    filter.close();
  });
  it('a refresh that fails keeps the old dictionary and warns', async () => {
    const log = recorder();
    const p = file('flaky.yml', '"a": ok\n');
    const { filter } = make({ source: 'k', dictionary_path: p, refresh_interval: 0 }, 'disabled', log);
    await filter.register();
    writeFileSync(p, '"a": [broken\n');
    utimesSync(p, new Date(Date.now() + 2000), new Date(Date.now() + 2000));
    await filter.refreshNow();
    expect((filter.filter(new Event({ k: 'a' })) as Event).get('translation')).toBe('ok');
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('continuing with old dictionary'))).toBe(true);
  });
});

describe('translate: YAML scalar rules', () => {
  it('Psych (one_shot) plain scalars', () => {
    expect(psychScalar('yes')).toBe(true);
    expect(psychScalar('Off')).toBe(false);
    expect(psychScalar('~')).toBeNull();
    expect(psychScalar('0x1f')).toBe(31);
    expect(psychScalar('017')).toBe(15);
    expect(psychScalar('1_000')).toBe(1000);
    expect(psychScalar('1:20')).toBe(80);
    expect(psychScalar('1.5')).toEqual(new Float(1.5));
    expect(psychScalar('none')).toBe('none');
    expect(psychScalar('y')).toBe('y');
  });
  it('double-quoted escapes on the fast path read as YAML reads them', () => {
    const text = '"k\\"ey": "a\\x41\\u00e9\\n\\tz"\n"back\\\\": "x"\n';
    expect(Object.fromEntries(parseDictionaryText(text, 'yaml', 'esc.yml').entries)).toEqual(parseYaml(text));
    expect(Object.fromEntries(parseDictionaryText(text, 'yaml', 'esc.yml').entries)).toEqual({ 'k"ey': 'aAé\n\tz', 'back\\': 'x' });
  });
  it('streaming plain scalars', () => {
    expect(streamingScalar('yes')).toBe('yes');
    expect(streamingScalar('0x1f')).toBe('0x1f');
    expect(streamingScalar('12')).toBe(12);
    expect(streamingScalar('')).toBeNull();
  });
  it('property: the line scanner reads flat quoted mappings like a full YAML parser', () => {
    const text = fc.string({ unit: fc.constantFrom(...'abc xyz:#-_.é0123456789\'"\\\t\u0007\u2028'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 8 }), (pairs) => {
        const quote = (s: string, i: number) => (i % 2 === 0 ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s));
        const yaml = pairs.map(([k, v], i) => `${quote(k, i)}: ${quote(v, i + 1)}`).join('\n') + '\n';
        const ours = parseDictionaryText(yaml, 'yaml', 'prop.yml');
        const theirs = (parseYaml(yaml, { uniqueKeys: false }) ?? {}) as Record<string, string>;
        expect(Object.fromEntries(ours.entries)).toEqual(theirs);
      }),
    );
  });
});

const ELASTIFLOW = path.join(SHARED, 'configs/elastiflow/dictionaries');
describe.skipIf(!existsSync(ELASTIFLOW))('translate: ElastiFlow dictionaries', () => {
  if (!existsSync(ELASTIFLOW)) console.warn(`[skip] ${ELASTIFLOW} is absent: ElastiFlow dictionary tests skipped`);
  it('iana_service_names.yml and ieee_oui.yml load and translate', async () => {
    const svc = make({ source: '[k]', target: '[v]', dictionary_path: path.join(ELASTIFLOW, 'iana_service_names.yml') }).filter;
    expect((await one(svc, { k: '6:80' })).get('v')).toBe('http (TCP/80)');
    expect((await one(svc, { k: '17:53' })).get('v')).toBe('dns (UDP/53)');
    const oui = await readDictionaryFile(path.join(ELASTIFLOW, 'ieee_oui.yml'));
    expect(oui.entries.length).toBeGreaterThan(25_000);
    expect(Object.fromEntries(oui.entries)['00:00:00']).toBe('XEROX CORPORATION');
  });
  it('every dictionary file loads in both strategies with the same entries as the full parser would give', async () => {
    const { readdirSync } = await import('node:fs');
    for (const name of readdirSync(ELASTIFLOW).filter((n) => n.endsWith('.yml'))) {
      const p = path.join(ELASTIFLOW, name);
      const ours = await readDictionaryFile(p);
      expect(ours.entries.length, name).toBeGreaterThan(0);
      if (readFileSync(p).length < 50_000) {
        const theirs = parseYaml(readFileSync(p, 'utf8'), { version: '1.1' }) as Record<string, unknown>;
        expect(ours.entries.map(([k]) => k), name).toEqual(Object.keys(theirs).map(String));
      }
    }
  });
});
