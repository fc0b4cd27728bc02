// Expected values from logstash-filter-grok's spec (spec/filters/grok_spec.rb), its documentation
// and the logstash-patterns-core files — never from running flowstash.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../config/pipeline-config.ts';
import type { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { runPipelineHarness } from '../../../pipeline/harness.ts';
import { runChecks } from '../../checks.ts';
import { GENERATED_PATH, SHARED_GROK_PATTERNS, generate } from '../../../../scripts/gen-grok-patterns.ts';

async function grok(options: string, data: Record<string, unknown>[], extra = ''): Promise<{ events: Event[]; log: string[] }> {
  const cfg = await loadPipelineConfig({ configString: `filter { grok { ${options} } ${extra} }` });
  const lines = data.map((d) => JSON.stringify(d));
  const r = await runPipelineHarness(cfg, { codec: 'json_lines', source: { kind: 'lines', lines } });
  return { events: r.events, log: r.log };
}

const one = async (options: string, data: Record<string, unknown>): Promise<Event> => (await grok(options, [data])).events[0]!;

describe('grok (logstash-filter-grok spec)', () => {
  it('simple syslog line, legacy patterns, overwrite message', async () => {
    const e = await one(`match => { "message" => "%{SYSLOGLINE}" } overwrite => [ "message" ] ecs_compatibility => disabled`, {
      message: 'Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]',
    });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('logsource')).toBe('evita');
    expect(e.get('timestamp')).toBe('Mar 16 00:01:25');
    expect(e.get('message')).toBe('connect from camomile.cloud9.net[168.100.1.3]');
    expect(e.get('program')).toBe('postfix/smtpd');
    expect(e.get('pid')).toBe('1713');
  });

  it('ietf 5424 syslog line: absent parts are not set', async () => {
    const { events } = await grok(`match => { "message" => "%{SYSLOG5424LINE}" } ecs_compatibility => disabled`, [
      { message: '<191>1 2009-06-30T18:30:00+02:00 paxton.local grokdebug 4123 - [id1 foo="bar"][id2 baz="something"] Hello, syslog.' },
      { message: '<191>1 2009-06-30T18:30:00+02:00 paxton.local grokdebug - - - No PID or SD.' },
      { message: '<30>1 2014-04-04T16:44:07+02:00 osctrl01 - 8048 - -  Appname is nil' },
    ]);
    const [a, b, c] = events;
    expect(a!.get('syslog5424_pri')).toBe('191');
    expect(a!.get('syslog5424_proc')).toBe('4123');
    expect(a!.get('syslog5424_msgid')).toBeUndefined();
    expect(a!.get('syslog5424_sd')).toBe('[id1 foo="bar"][id2 baz="something"]');
    expect(a!.get('syslog5424_msg')).toBe('Hello, syslog.');
    expect(b!.get('syslog5424_proc')).toBeUndefined();
    expect(b!.get('syslog5424_sd')).toBeUndefined();
    expect(b!.get('syslog5424_msg')).toBe('No PID or SD.');
    expect(c!.get('syslog5424_app')).toBeUndefined();
    expect(c!.get('syslog5424_proc')).toBe('8048');
    expect(c!.get('syslog5424_msg')).toBe('Appname is nil');
    expect(events.map((e) => e.get('tags'))).toEqual([undefined, undefined, undefined]);
  });

  it('coerces :int and :float', async () => {
    const e = await one(`match => { "message" => "%{NUMBER:foo:int} %{NUMBER:bar:float}" }`, { message: '400 454.33' });
    expect(e.get('foo')).toBe(400);
    expect(e.get('bar')).toEqual(new Float(454.33));
  });

  it('in-line pattern definitions %{NAME=regexp}', async () => {
    const e = await one(`match => { "message" => "%{FIZZLE=\\d+}" } named_captures_only => false`, { message: 'hello 1234' });
    expect(e.get('FIZZLE')).toBe('1234');
  });

  it('adding fields on match only', async () => {
    const { events } = await grok(`match => { "message" => "matchme %{NUMBER:fancy}" } add_field => [ "new_field", "%{fancy}" ]`, [
      { message: 'matchme 1234' },
      { message: 'this will not be matched' },
    ]);
    expect(events[0]!.get('new_field')).toBe('1234');
    expect(events[0]!.get('tags')).toBeUndefined();
    expect(events[1]!.get('tags')).toEqual(['_grokparsefailure']);
    expect(events[1]!.get('new_field')).toBeUndefined();
  });

  it('empty captures are dropped, kept with keep_empty_captures', async () => {
    const dropped = await one(`match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" }`, { message: '1=test' });
    expect(dropped.get('foo1')).toBe('test');
    expect(Object.keys(dropped.data)).not.toContain('foo2');
    const kept = await one(`match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" } keep_empty_captures => true`, { message: '1=test' });
    expect(Object.keys(kept.data)).toContain('foo2');
  });

  it('named_captures_only => false captures %{WORD} as WORD', async () => {
    const e = await one(`match => { "message" => "Hello %{WORD}. %{WORD:foo}" } named_captures_only => false`, { message: 'Hello World, yo!' });
    expect(e.get('WORD')).toBe('World');
    expect(e.get('foo')).toBe('yo');
  });

  it('oniguruma named captures (?<name>regex), alone and around patterns', async () => {
    expect((await one(`match => { "message" => "(?<foo>\\w+)" }`, { message: 'hello world' })).get('foo')).toBe('hello');
    const e = await one(`match => { "message" => "(?<timestamp>%{DATE_EU} %{TIME})" }`, { message: 'fancy 12-12-12 12:12:12' });
    expect(e.get('timestamp')).toBe('12-12-12 12:12:12');
  });

  it('integer and float fields are matched as their text', async () => {
    const e = await one(`match => { "status" => "^403$" } add_tag => "four_oh_three"`, { status: 403 });
    expect(e.get('tags')).toEqual(['four_oh_three']);
  });

  it('tag_on_failure', async () => {
    const e = await one(`match => { "message" => "matchme %{NUMBER:fancy}" } tag_on_failure => "not_a_match"`, { message: 'this will not be matched' });
    expect(e.get('tags')).toEqual(['not_a_match']);
  });

  it('dashes in capture names; duplicate names', async () => {
    expect((await one(`match => { "message" => "%{WORD:foo-bar}" }`, { message: 'hello world' })).get('foo-bar')).toBe('hello');
    const { events } = await grok(`match => { "message" => "%{INT:foo}|%{WORD:foo}" }`, [{ message: 'hello world' }, { message: '123 world' }]);
    expect(events.map((e) => e.get('foo'))).toEqual(['hello', '123']);
  });

  it('repeated captures of one name become an array; an existing string field is promoted', async () => {
    const e = await one(`match => { "message" => "%{WORD:w} %{WORD:w} %{WORD:other}" }`, { message: 'a b c', other: 'x' });
    expect(e.get('w')).toEqual(['a', 'b']);
    expect(e.get('other')).toEqual(['x', 'c']);
  });

  it('break_on_match: default stops at the first matching field; false tries all', async () => {
    const data = { message: 'hello world 123', somefield: 'testme abc 999' };
    const first = await one(`match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" }`, data);
    expect([first.get('foo'), first.get('bar')]).toEqual(['123', undefined]);
    const all = await one(`match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" } break_on_match => false`, data);
    expect([all.get('foo'), all.get('bar')]).toEqual(['123', '999']);
  });

  it('array input is matched item by item', async () => {
    const e1 = await one(`match => { "message" => "%{INT:foo}" } break_on_match => false`, { message: ['hello world 123', 'line 23'] });
    expect(e1.get('foo')).toEqual(['123', '23']);
    const e2 = await one(`match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] }`, { message: ['hello world', 'line 23'] });
    expect([e2.get('bar'), e2.get('foo'), e2.get('tags')]).toEqual(['hello', '23', undefined]);
    const e3 = await one(`match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] } break_on_match => false`, { message: ['hello world', 'line 23'] });
    expect([e3.get('bar'), e3.get('foo')]).toEqual([['hello', 'line'], '23']);
  });

  it('nil coerced values are skipped, kept (nil) with keep_empty_captures', async () => {
    const { events } = await grok(`match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" }`, [
      { message: 'test 28.4ms' },
      { message: 'test N/A' },
      { message: 'test abc' },
    ]);
    expect(events[0]!.get('duration')).toEqual(new Float(28.4));
    expect(Object.keys(events[1]!.data)).not.toContain('duration');
    expect(events[1]!.get('tags')).toBeUndefined();
    expect(events[2]!.get('tags')).toEqual(['_grokparsefailure']);
    const kept = await one(`match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" } keep_empty_captures => true`, { message: 'test N/A' });
    expect(Object.keys(kept.data)).toContain('duration');
  });

  it('pattern_definitions add and override patterns', async () => {
    const defs = `pattern_definitions => { "APACHE_TIME" => "%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}" "LOGLEVEL" => "%{NUMBER}" }`;
    const e = await one(`match => { "message" => "%{APACHE_TIME:timestamp} %{LOGLEVEL:level}" } ${defs}`, { message: 'Mon Dec 26 16:22:08 2016 9999' });
    expect([e.get('timestamp'), e.get('level')]).toEqual(['Mon Dec 26 16:22:08 2016', '9999']);
  });

  it('LOGSTASH-1547: break_on_match => false with several patterns on one field', async () => {
    const { events } = await grok(`match => { "message" => ["%{GREEDYDATA:name1}beard", "tree%{GREEDYDATA:name2}"] } break_on_match => false`, [
      { message: 'treebranch' },
      { message: 'bushbeard' },
      { message: 'treebeard' },
    ]);
    expect(events.map((e) => [e.get('name1'), e.get('name2')])).toEqual([
      [undefined, 'branch'],
      ['bush', undefined],
      ['tree', 'beard'],
    ]);
  });

  it('target puts captures under a field; [nested][field] capture names', async () => {
    const e = await one(`match => { "message" => "%{WORD:[a][b]} %{INT:n:int}" } target => "parsed"`, { message: 'x 5' });
    expect(e.get('[parsed][a][b]')).toBe('x');
    expect(e.get('[parsed][n]')).toBe(5);
  });

  it('COMBINEDAPACHELOG: ECS field names (v8 default), legacy names when disabled', async () => {
    const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    const ecs = await one(`match => { "message" => "%{COMBINEDAPACHELOG}" }`, { message: line });
    expect(ecs.get('[source][address]')).toBe('127.0.0.1');
    expect(ecs.get('[user][name]')).toBe('frank');
    expect(ecs.get('[http][request][method]')).toBe('GET');
    expect(ecs.get('[url][original]')).toBe('/apache_pb.gif');
    expect(ecs.get('[http][version]')).toBe('1.0');
    expect(ecs.get('[http][response][status_code]')).toBe(200);
    expect(ecs.get('[http][response][body][bytes]')).toBe(2326);
    expect(ecs.get('[http][request][referrer]')).toBe('http://www.example.com/start.html');
    expect(ecs.get('[user_agent][original]')).toBe('Mozilla/4.08 [en] (Win98; I ;Nav)');
    const legacy = await one(`match => { "message" => "%{COMBINEDAPACHELOG}" } ecs_compatibility => disabled`, { message: line });
    expect([legacy.get('clientip'), legacy.get('auth'), legacy.get('verb'), legacy.get('response'), legacy.get('bytes'), legacy.get('agent')]).toEqual([
      '127.0.0.1',
      'frank',
      'GET',
      '200',
      '2326',
      '"Mozilla/4.08 [en] (Win98; I ;Nav)"',
    ]);
  });

  it('ECS patterns with raw [bracketed] group names (EXIM)', async () => {
    const e = await one(`match => { "message" => "(?<[exim][log][flags]><=) %{WORD:[x]}" }`, { message: '<= hello' });
    expect(e.get('[exim][log][flags]')).toBe('<=');
  });
});

describe('grok timeouts', () => {
  it('a runaway pattern is cut off: _groktimeout (not _grokparsefailure), WARN, the pipeline goes on', async () => {
    const { events, log } = await grok(`match => { "message" => "(.*a){30}" } timeout_millis => 100`, [{ message: 'a'.repeat(68) }, { message: 'b' }]);
    expect(events[0]!.get('tags')).toEqual(['_groktimeout']);
    expect(events[1]!.get('tags')).toEqual(['_grokparsefailure']);
    expect(log.join('\n')).toMatch(/Timeout executing grok '\(\.\*a\)\{30\}' against field 'message' with value 'a{68}'!/);
  });
  it('tag_on_timeout is configurable', async () => {
    const e = await one(`match => { "message" => "^(a+)+$" } tag_on_timeout => "slow"`, { message: 'a'.repeat(40) + 'b' });
    expect(e.get('tags')).toEqual(['slow']);
  });
});

describe('patterns_dir and patterns_files_glob', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-grok-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'grok.pattern'), 'WORD \\b[0-1]\\b\n');
  writeFileSync(path.join(dir, 'grok.pattern.old'), 'WORD \\b[2-5]\\b\n');
  mkdirSync(path.join(dir, 'subdir'));

  it('files in patterns_dir override core patterns; the glob selects files; subdirectories are skipped', async () => {
    const globbed = await grok(`patterns_dir => "${dir}" patterns_files_glob => "*.pattern" match => { "message" => "%{WORD:word}" }`, [{ message: '0' }, { message: 'hello' }]);
    expect(globbed.events.map((e) => e.get('tags'))).toEqual([undefined, ['_grokparsefailure']]);
    const all = await grok(`patterns_dir => "${dir}" match => { "message" => "%{WORD:word}" }`, [{ message: '3' }]);
    expect(all.events[0]!.get('word')).toBe('3');
  });
});

describe('-t compiles every grok expression', () => {
  const errors = async (conf: string): Promise<string[]> => (await runChecks(await loadPipelineConfig({ configString: conf }), 'v8')).errors;
  it('an undefined pattern is an error with the expression and offset', async () => {
    const e = await errors(`filter {\n  grok { match => { "message" => "%{WORD:a} %{NOPE:b}" } }\n}`);
    expect(e).toEqual([`grok filter at <config string>:2:3: match for field 'message': pattern %{NOPE:b} not defined at offset 10 of "%{WORD:a} %{NOPE:b}"`]);
  });
  it('a bad regexp is an error', async () => {
    const e = await errors(`filter { grok { match => { "message" => "(?<x>%{WORD}" } } }`);
    expect(e.join('\n')).toMatch(/grok filter at <config string>:1:10: match for field 'message': invalid regular expression/);
  });
  it('a valid configuration passes', async () => {
    expect(await errors(`filter { grok { match => { "message" => ["%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}"] } } }`)).toEqual([]);
  });
});

describe('the generated pattern table', () => {
  const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  const shared = path.resolve(ROOT, '../shared/grok-patterns');
  if (!existsSync(shared)) console.warn(`grok: ${shared} is absent: the generated-table freshness test is skipped`);
  it.skipIf(!existsSync(shared))('is what scripts/gen-grok-patterns.ts makes from ../shared/grok-patterns', () => {
    expect(SHARED_GROK_PATTERNS).toBe(shared);
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generate());
  });
  it('every pattern of both sets compiles', async () => {
    const { compileGrok } = await import('./compiler.ts');
    const { ECS_V1_PATTERNS, LEGACY_PATTERNS } = await import('./patterns.generated.ts');
    const { ensureRegexpEngine } = await import('../../../regexp/regexp.ts');
    await ensureRegexpEngine();
    const failures: string[] = [];
    for (const set of [LEGACY_PATTERNS, ECS_V1_PATTERNS]) {
      for (const name of Object.keys(set)) {
        try {
          compileGrok(`%{${name}}`, set, true);
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
