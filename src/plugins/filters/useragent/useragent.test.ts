// The useragent filter with uap-core's regexes.yaml. Expected values from logstash-filter-useragent:
// docs/index.asciidoc (the Firefox 45 example in both layouts, the ECS field table),
// spec/filters/useragent_spec.rb (Chrome 26 on Linux, MacOutlook, target == source, no user agent),
// lib/logstash/filters/useragent.rb (version rebuilding, prefix, target forms) and the Java parser's
// replacement rules (src/main/java/org/logstash/uaparser/*Parser.java).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import type { FieldMap } from '../../../event/values.ts';
import type { EcsCompatibility } from '../../types.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { check, create, UseragentFilter } from './useragent.ts';
import { useragentSchema, type UseragentFilterOptions } from './schema.ts';

const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.11; rv:45.0) Gecko/20100101 Firefox/45.0';
const CHROME26 = 'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31';
const OUTLOOK = 'MacOutlook/16.24.0.190414 (Intelx64 Mac OS X Version 10.14.4 (Build 18E226))';
const VISTA = 'Mozilla/5.0 (Windows NT 6.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/45.0.2454.85 Safari/537.36';

function ua(options: Record<string, unknown>, data: FieldMap, ecs: EcsCompatibility = 'disabled', log = recorder()): Event {
  const filter = create(withDefaults<UseragentFilterOptions>(useragentSchema, options), context(ecs, log));
  filter.register?.();
  return (filter.filter(new Event(data)) as Event[])[0]!;
}

const fieldsOf = (e: Event): FieldMap => {
  const { '@timestamp': _t, '@version': _v, message: _m, ...rest } = e.data;
  return rest;
};

describe('useragent filter: legacy layout (ECS disabled)', () => {
  it('the docs example: fields at the root, in useragent.rb order', () => {
    const e = ua({ source: 'message' }, { message: FIREFOX });
    expect(fieldsOf(e)).toEqual({
      name: 'Firefox', device: 'Mac', major: '45', minor: '0', version: '45.0',
      os_major: '10', os_minor: '11', os_version: '10.11', os_name: 'Mac OS X', os: 'Mac OS X', os_full: 'Mac OS X 10.11',
    });
    expect(Object.keys(fieldsOf(e))).toEqual(['name', 'device', 'major', 'minor', 'version', 'os_major', 'os_minor', 'os_version', 'os_name', 'os', 'os_full']);
  });

  it('spec "defaults": Chrome 26 on Linux under [ua]; the version gets its fourth part back from the string', () => {
    const e = ua({ source: 'message', target: 'ua' }, { message: CHROME26 });
    expect(e.get('ua')).toEqual({ name: 'Chrome', device: 'Other', major: '26', minor: '0', patch: '1410', version: '26.0.1410.63', os_name: 'Linux', os: 'Linux', os_full: 'Linux' });
  });

  it('spec "defaults": MacOutlook (os version parts from the replacement placeholders $1 $2 $3)', () => {
    const e = ua({ source: 'message', target: 'ua' }, { message: OUTLOOK });
    // Logstash's spec expects os 10.14 from the regexes.yaml it bundles; uap-core 0.18's first
    // matching OS rule is `Mac OS X\s.{1,50}\s(\d+).(\d+).(\d+)` with os_v1..v3 '$1' '$2' '$3': the
    // greedy .{1,50} reaches "Build 18E226", so the groups are 18, 2, 6 (Java's matcher gives the same).
    expect([e.get('[ua][name]'), e.get('[ua][major]'), e.get('[ua][minor]'), e.get('[ua][os]'), e.get('[ua][os_name]'), e.get('[ua][os_major]'), e.get('[ua][os_minor]'), e.get('[ua][os_patch]')]).toEqual([
      'MacOutlook', '16', '24', 'Mac OS X', 'Mac OS X', '18', '2', '6',
    ]);
  });

  it('a named (non-numeric) OS major joins with a space (build_os_version: Windows NT 6.0 → Vista)', () => {
    const e = ua({ source: 'message' }, { message: VISTA });
    expect([e.get('os_major'), e.get('os_version'), e.get('os_full')]).toEqual(['Vista', 'Vista', 'Windows Vista']);
  });

  it('prefix goes before every key; target in bracket form is kept', () => {
    const e = ua({ source: 'message', target: '[ua]', prefix: 'ua_' }, { message: FIREFOX });
    expect(Object.keys(e.get('ua') as FieldMap)).toEqual(['ua_name', 'ua_device', 'ua_major', 'ua_minor', 'ua_version', 'ua_os_major', 'ua_os_minor', 'ua_os_version', 'ua_os_name', 'ua_os', 'ua_os_full']);
  });

  it('spec "Replace source with target": the source string is replaced by the parsed map', () => {
    const e = ua({ source: 'message', target: 'message' }, { message: CHROME26 });
    expect([e.get('[message][name]'), e.get('[message][os]'), e.get('[message][major]'), e.get('[message][minor]')]).toEqual(['Chrome', 'Linux', '26', '0']);
  });

  it('spec "Without user agent": a missing or empty source does nothing (no tag, no add_tag)', () => {
    expect(ua({ source: 'message', target: 'ua', add_tag: ['x'] }, { foo: 'bar' }).data).not.toHaveProperty('ua');
    const empty = ua({ source: 'message', target: 'ua', add_tag: ['x'] }, { message: '' });
    expect(empty.data).not.toHaveProperty('ua');
    expect(empty.get('tags')).toBeUndefined();
  });

  it('an array source: the first value is parsed; add_tag on success', () => {
    const e = ua({ source: 'agents', target: 'ua', add_tag: ['parsed'] }, { agents: [FIREFOX, CHROME26] });
    expect(e.get('[ua][name]')).toBe('Firefox');
    expect(e.get('tags')).toEqual(['parsed']);
  });

  it('an unknown agent is "Other" everywhere', () => {
    const e = ua({ source: 'message', target: 'ua' }, { message: 'zzzz qqqq' });
    expect(e.get('ua')).toEqual({ name: 'Other', device: 'Other', os_name: 'Other', os: 'Other', os_full: 'Other' });
  });

  it('a non-string source (Logstash raises): ERROR logged, event untouched', () => {
    const log = recorder();
    const e = ua({ source: 'message', target: 'ua' }, { message: 42 }, 'disabled', log);
    expect(e.data).not.toHaveProperty('ua');
    expect(log.lines.find((l) => l.level === 'error')?.msg).toBe('Unknown error while parsing user agent data');
  });
});

describe('useragent filter: ECS layout (v1, v8)', () => {
  for (const ecs of ['v1', 'v8'] as const) {
    it(`${ecs}: the docs example under [user_agent], version parts in [@metadata][filter][user_agent]`, () => {
      const e = ua({ source: 'message' }, { message: FIREFOX }, ecs);
      expect(e.get('user_agent')).toEqual({ name: 'Firefox', device: { name: 'Mac' }, version: '45.0', os: { version: '10.11', name: 'Mac OS X', full: 'Mac OS X 10.11' } });
      expect(e.get('[@metadata][filter][user_agent]')).toEqual({ version: { major: '45', minor: '0' }, os: { version: { major: '10', minor: '11' } } });
      expect(e.includes('name')).toBe(false);
    });
  }

  it('a target replaces [user_agent]; prefix is ignored with a WARN', () => {
    const log = recorder();
    const e = ua({ source: 'message', target: 'client_ua', prefix: 'x_' }, { message: CHROME26 }, 'v8', log);
    expect(e.get('[client_ua][name]')).toBe('Chrome');
    expect(e.get('[client_ua][version]')).toBe('26.0.1410.63');
    expect(e.get('[@metadata][filter][user_agent][version][patch]')).toBe('1410');
    expect(log.lines.find((l) => l.level === 'warn')?.msg).toBe('Field prefix isn\'t supported in ECS compatibility mode, please remove `prefix => "x_"`');
  });
});

describe('useragent filter: regexes file and cache', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-ua-'));

  it('a custom regexes file: its rules only ($1 in family_replacement, device $N substitution, trimmed)', () => {
    const file = path.join(dir, 'regexes.yaml');
    writeFileSync(
      file,
      [
        'user_agent_parsers:',
        "  - regex: 'MyBot/(\\d+)\\.(\\d+)'",
        "    family_replacement: 'My $1 Bot'",
        "  - regex: '(Tool)/(\\d+)'",
        'os_parsers:',
        "  - regex: 'OS=(\\w+)'",
        "    os_replacement: 'Custom$1'",
        'device_parsers:',
        "  - regex: 'Dev=(\\w+)( \\w+)?'",
        "    regex_flag: 'i'",
        "    device_replacement: 'Device $1 $2 '",
        '',
      ].join('\n'),
    );
    const e = ua({ source: 'message', target: 'ua', regexes: file }, { message: 'MyBot/3.7 OS=Zed dev=abc' });
    expect(e.get('ua')).toEqual({ name: 'My 3 Bot', device: 'Device abc', major: '7', version: '7', os_name: 'CustomZed', os: 'CustomZed', os_full: 'CustomZed' });
  });

  it('a regexes file that is missing, not YAML, lacks a section or holds a bad pattern fails register() and -t', () => {
    const noSection = path.join(dir, 'no-os.yaml');
    writeFileSync(noSection, "user_agent_parsers:\n  - regex: 'a'\ndevice_parsers: []\n");
    const badPattern = path.join(dir, 'bad.yaml');
    writeFileSync(badPattern, "user_agent_parsers:\n  - regex: '(unclosed'\nos_parsers: []\ndevice_parsers: []\n");
    const cases: [string, RegExp][] = [
      [path.join(dir, 'absent.yaml'), /cannot read regexes file .*absent\.yaml: ENOENT/],
      [noSection, /os_parsers is missing from yaml/],
      [badPattern, /user_agent_parsers\[0\] in .*bad\.yaml: Invalid regular expression/],
    ];
    for (const [file, message] of cases) {
      const f = create(withDefaults<UseragentFilterOptions>(useragentSchema, { source: 'm', regexes: file }), context('disabled'));
      expect(() => f.register!()).toThrow(message);
      const opts = withDefaults<UseragentFilterOptions>(useragentSchema, { source: 'm', regexes: file });
      expect(check(opts, { log: recorder(), ecsCompatibility: 'v8', id: 'u', where: 'p.conf:2:3' }).errors[0]).toMatch(new RegExp(`^filter useragent at p\\.conf:2:3: ${message.source}`));
    }
  });

  it('the LRU cache answers repeated agents; events never share the written strings', () => {
    const f = create(withDefaults<UseragentFilterOptions>(useragentSchema, { source: 'message', target: 'ua', lru_cache_size: 2 }), context('disabled')) as UseragentFilter;
    f.register();
    for (const m of [FIREFOX, FIREFOX, CHROME26, VISTA, FIREFOX]) f.filter(new Event({ message: m }));
    expect(f.stats()).toMatchObject({ parsed: 4, cached: 1, matched: 5 });
    const [a] = f.filter(new Event({ message: FIREFOX })) as Event[];
    const [b] = f.filter(new Event({ message: FIREFOX })) as Event[];
    a!.set('[ua][name]', 'changed');
    expect(b!.get('[ua][name]')).toBe('Firefox');
  });
});
