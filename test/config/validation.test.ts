// Validation and compilation: one test per message kind, in Logstash's wording, plus the value rules
// (numbers, ${VAR}, escapes, repeated attributes) and file merging.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BranchNode, PluginNode } from '../../src/config/ast.ts';
import { ConfigError, loadPipelineConfig, type PipelineConfig } from '../../src/config/pipeline-config.ts';
import { printConditionTree } from '../../src/config/printer.ts';
import { parseConfig } from '../../src/config/parser.ts';
import { conditionTree } from '../../src/config/condition-tree.ts';

async function load(configString: string, extra: { env?: Record<string, string>; supportEscapes?: boolean } = {}): Promise<PipelineConfig> {
  return loadPipelineConfig({ configString, env: extra.env ?? {}, ...(extra.supportEscapes ? { supportEscapes: true } : {}) });
}

async function failure(configString: string, env: Record<string, string> = {}): Promise<string> {
  try {
    await load(configString, { env });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function firstPlugin(config: PipelineConfig, section: 'inputs' | 'filters' | 'outputs' = 'filters'): Record<string, unknown> {
  return config.plugin(config[section][0] as PluginNode).options;
}

describe('option validation messages', () => {
  it('unknown setting, with a suggestion for a near miss', async () => {
    expect(await failure('input { udp { prot => 5 port => 1 } }')).toBe("<config string>:1:15: Unknown setting 'prot' for udp (did you mean 'port'?)");
    expect(await failure('input { udp { port => 1 zzzzzz => 1 } }')).toBe("<config string>:1:25: Unknown setting 'zzzzzz' for udp");
  });

  it('missing required setting', async () => {
    expect(await failure('input { udp { } }')).toBe(
      '<config string>:1:9: Missing a required setting for the udp input plugin:\n\n  input {\n    udp {\n      port => # SETTING MISSING\n      ...\n    }\n  }',
    );
  });

  it('wrong type: number', async () => {
    expect(await failure('input { udp { port => "abc" } }')).toBe(
      '<config string>:1:15: Invalid setting for udp input plugin:\n\n  input {\n    udp {\n      # This setting must be a number\n      # Expected number, got "abc" (type String)\n      port => "abc"\n      ...\n    }\n  }',
    );
  });

  it('numeric strings are numbers (Logstash coerces them)', async () => {
    const c = await load('input { udp { port => "5044" buffer_size => "1.5" } }');
    expect(firstPlugin(c, 'inputs')).toMatchObject({ port: 5044, buffer_size: 1.5 });
  });

  it('wrong type: boolean', async () => {
    expect(await failure('filter { grok { break_on_match => "yes" } }')).toContain(`# Expected boolean 'true' or 'false', got "yes"`);
  });

  it('enum', async () => {
    expect(await failure('filter { dns { action => "merge" } }')).toContain('# Expected one of ["append", "replace"], got ["merge"]');
  });

  it('string given twice becomes an array, which a string setting refuses', async () => {
    expect(await failure('filter { date { target => "a" target => "b" } }')).toContain('# Expected string, got ["a", "b"]');
  });

  it('obsolete setting', async () => {
    expect(await failure('output { stdout { tags => ["a"] } }')).toMatch(/^<config string>:1:19: The setting `tags` in plugin `stdout` is obsolete and is no longer available\. /);
  });

  it('deprecated setting is a warning', async () => {
    const c = await load('output { udp { host => "h" port => 1 workers => 2 } }');
    expect(c.warnings.join('\n')).toContain('You are using a deprecated config setting "workers" set in udp.');
  });

  it('ecs_compatibility', async () => {
    expect(await failure('input { stdin { ecs_compatibility => "v1.5" } }')).toContain(
      '# Expected a v-prefixed integer major-version number (e.g., `v1`) or the literal `disabled`, got ["v1.5"]',
    );
    await expect(load('input { stdin { ecs_compatibility => v8 } }')).resolves.toBeDefined();
  });

  it('unknown plugin, with a suggestion', async () => {
    expect(await failure('filter { foo { } }')).toBe(
      "<config string>:1:10: Couldn't find any filter plugin named 'foo'. Are you sure this is correct? Trying to load the foo filter plugin resulted in this error: Unable to load the requested plugin named foo of type filter. The plugin is not installed.",
    );
    expect(await failure('filter { mutat { } }')).toMatch(/Did you mean 'mutate'\?$/);
  });

  it('unknown codec', async () => {
    expect(await failure('input { stdin { codec => jsn } }')).toMatch(/Couldn't find any codec plugin named 'jsn'.*Did you mean 'json'\?$/);
  });

  it('two codecs on one input', async () => {
    expect(await failure('input { stdin { codec => json codec => line } }')).toContain(
      'The input plugin stdin at line 1 has multiple `codec` declarations - this is not a valid configuration, only one top-level `codec` per input plugin is supported.',
    );
  });

  it('duplicate hash keys', async () => {
    expect(await failure('filter { mutate { add_field => { "a" => "1" "a" => "2" } } }')).toBe(
      '<config string>:1:32: Duplicate keys found in your configuration: ["a"]\nAt line: 1, column 32 (byte 32)\nafter filter { mutate { add_field => {',
    );
  });

  it('duplicate explicit ids', async () => {
    expect(await failure('filter { drop { id => x1 } drop { id => x1 } }')).toMatch(/^Config has duplicate Ids: \nID: x1\n  <config string>:1:10\n  <config string>:1:28$/);
  });

  it('reports every problem, not only the first', async () => {
    const msg = await failure('input { udp { prot => 1 } } filter { nope {} }');
    expect(msg.split('\n\n').length).toBeGreaterThanOrEqual(3);
  });

  it('syntax errors keep Logstash text and add file, line and caret', async () => {
    expect(await failure('input {\n  stdin { type => x }\n}')).toBe(
      'Expected one of [ \\t\\r\\n], "#", "{" at line 2, column 21 (byte 29) after input {\n  stdin { type => x \n' +
        ' --> <config string>:2:21\n  |\n2 |   stdin { type => x }\n  |                     ^\n' +
        '  = hint: a bare word needs at least two characters; quote one-character values',
    );
  });

  it('syntax errors get a hint for the usual mistakes', async () => {
    const hint = async (text: string): Promise<string | undefined> => /= hint: (.*)$/.exec(await failure(text))?.[1];
    expect(await hint('input { udp { port: 1 } }')).toBe('settings are written `name => value`');
    expect(await hint('input { udp { port = 1 } }')).toBe('settings are written `name => value`');
    expect(await hint('filter { mutate { a => 1, b => 2 } }')).toBe('settings and hash entries are separated by spaces or newlines, not commas');
    expect(await hint('filter { mutate { a => ["x",] } }')).toBe('an array cannot end with a comma');
    expect(await hint('input { udp { port => 1 }')).toBe('the text ends inside a block: a closing `}` is missing');
    expect(await hint('input { udp { host => "x } }')).toMatch(/^a quoted string is never closed/);
    expect(await hint('if [a] { }')).toMatch(/^a config consists of `input/);
    expect(await hint('\uFEFFinput { }')).toMatch(/byte order mark/);
    expect(await hint('input { udp { port => 1 } } filter { mutate { a => } }')).toBeUndefined();
  });

  it('method calls in conditions are rejected like Logstash compile does', async () => {
    expect(await failure('filter { if md5([a]) == "x" { drop {} } }')).toContain('method calls in conditions are not supported');
  });
});

describe('values', () => {
  it('numbers follow Ruby Integer()/Float()', async () => {
    const c = await load('input { udp { port => 010 buffer_size => -0.5 } }');
    expect(firstPlugin(c, 'inputs')).toMatchObject({ port: 8, buffer_size: -0.5 });
    expect(await failure('input { udp { port => 09 } }')).toBe('<config string>:1:23: invalid value for Integer(): "09"');
    expect(await failure('input { udp { port => 1. } }')).toBe('<config string>:1:23: invalid value for Float(): "1."');
  });

  it('repeated attributes: hashes deep-merge, arrays concatenate, equal scalars stay one', async () => {
    const c = await load(
      'filter { mutate { add_field => { "a" => "1" "n" => { "x" => "1" } } add_field => { "b" => "2" "n" => { "y" => "2" } } add_tag => ["t1"] add_tag => ["t2", "t3"] remove_tag => "r1" remove_tag => "r2" id => same id => same } }',
    );
    const o = firstPlugin(c);
    expect(o.add_field).toEqual({ a: '1', n: { x: '1', y: '2' }, b: '2' });
    expect(o.add_tag).toEqual(['t1', 't2', 't3']);
    expect(o.remove_tag).toEqual(['r1', 'r2']);
    expect(o.id).toBe('same');
    // lscl.rb: a scalar followed by an array nests the array (it does not flatten).
    const nested = await load('filter { mutate { add_tag => "t1" add_tag => ["t2"] } }');
    expect(firstPlugin(nested).add_tag).toEqual(['t1', ['t2']]);
  });

  it('${VAR} and ${VAR:default} in plugin strings, anywhere in the string', async () => {
    const c = await load('input { udp { port => "${PORT}" host => "${HOST:127.0.0.1}" type => "t-${T}" } }', { env: { PORT: '2055', T: 'x' } });
    expect(firstPlugin(c, 'inputs')).toMatchObject({ port: 2055, host: '127.0.0.1', type: 't-x' });
  });

  it('undefined ${VAR} without default is an error in Logstash words', async () => {
    expect(await failure('input { udp { port => "${NOPE}" } }')).toBe(
      '<config string>:1:23: Cannot evaluate `${NOPE}`. Replacement variable `NOPE` is not defined in a Logstash secret store or as an Environment entry and there is no default value given.',
    );
  });

  it('conditions substitute only a constant that is entirely ${VAR}', async () => {
    const c = await load('filter { if [a] == "${V}" { drop {} } if [a] == "pre-${V}" { drop {} } }', { env: { V: 'val' } });
    const leafRight = (i: number): unknown => {
      const tree = c.condition((c.filters[i] as BranchNode).clauses[0]!.condition);
      return tree.op === 'leaf' && tree.expr.type === 'compare' && tree.expr.right.type === 'string' ? tree.expr.right.raw : undefined;
    };
    expect(leafRight(0)).toBe('val');
    expect(leafRight(1)).toBe('pre-${V}');
  });

  it('strings are raw unless config.support_escapes', async () => {
    const text = String.raw`filter { mutate { add_tag => "a\"b\n\q" } }`;
    expect(firstPlugin(await load(text)).add_tag).toEqual([String.raw`a\"b\n\q`]);
    expect(firstPlugin(await load(text, { supportEscapes: true })).add_tag).toEqual(['a"b\n\\q']);
  });

  it('defaults are filled and the codec is resolved (stdin: plain → line)', async () => {
    const c = await load('input { stdin { } udp { port => 1 } } output { stdout { } }');
    const stdin = firstPlugin(c, 'inputs');
    expect((stdin.codec as { name: string }).name).toBe('line');
    const udp = c.plugin(c.inputs[1] as PluginNode).options;
    expect(udp).toMatchObject({ host: '0.0.0.0', buffer_size: 65536, workers: 2, queue_size: 2000 });
    expect((udp.codec as { name: string }).name).toBe('plain');
    expect((firstPlugin(c, 'outputs').codec as { name: string }).name).toBe('rubydebug');
  });

  it('netflow codec options', async () => {
    const c = await load('input { udp { port => 4739 codec => netflow { versions => [10] target => ipfix } } }');
    const codec = firstPlugin(c, 'inputs').codec as { name: string; options: Record<string, unknown> };
    expect(codec.name).toBe('netflow');
    expect(codec.options).toMatchObject({ versions: [10], target: 'ipfix', cache_ttl: 4000, include_flowset_id: false, pending_data: false });
  });
});

describe('conditions', () => {
  const tree = (cond: string): string => {
    const ast = parseConfig(`filter { if ${cond} { drop {} } }`);
    return printConditionTree(conditionTree((ast.sections[0]!.body[0] as BranchNode).clauses[0]!.condition));
  };

  it('groups chains the way Logstash does', () => {
    expect(tree('[a] and [b] and [c] or [d]')).toBe('[a] and (([b] and [c]) or [d])');
    expect(tree('[a] or [b] and [c] and [d] or [e]')).toBe('[a] or ([b] and (([c] and [d]) or [e]))');
    expect(tree('[a] and [b]')).toBe('[a] and [b]');
    expect(tree('[a] xor [b]')).toBe('[a] xor [b]');
    expect(tree('!([a] or [b]) and [c]')).toBe('!([a] or [b]) and [c]');
  });

  it('-t warns where the grouping differs from the usual reading', async () => {
    const c = await load('filter { if [a] and [b] and [c] or [d] { drop {} } if [a] or [b] and [c] { drop {} } }');
    const grouping = c.warnings.filter((w) => w.includes('evaluates'));
    expect(grouping).toHaveLength(1);
    expect(grouping[0]).toBe(
      '<config string>:1:13: Logstash evaluates `[a] and [b] and [c] or [d]` as `[a] and (([b] and [c]) or [d])`, not as `(([a] and [b]) and [c]) or [d]` (its and/or grouping differs from the usual precedence); add parentheses',
    );
  });

  it('xor/nand in a chain of two or more operators: warning, and the runtime gets an error', async () => {
    const c = await load('filter { if [a] xor [b] and [c] { drop {} } }');
    expect(c.warnings.join('\n')).toMatch(/Logstash will refuse to start this pipeline: Unexpected operator xor/);
    expect(() => c.condition((c.filters[0] as BranchNode).clauses[0]!.condition)).toThrow(ConfigError);
  });

  it('warns about constants combined with and/or (Logstash fails at pipeline start)', async () => {
    const c = await load('filter { if "a" or "b" in [tags] { drop {} } if "c" in [tags] and [x] { drop {} } }');
    const constant = c.warnings.filter((w) => w.includes('is a constant'));
    expect(constant).toHaveLength(1);
    expect(constant[0]).toMatch(/^<config string>:1:13: `"a"` is a constant, not a test, combined with and\/or/);
  });

  it('warns about conditionals in an input section', async () => {
    const c = await load('input { if [a] { stdin {} } } output { stdout {} }');
    expect(c.warnings.join('\n')).toMatch(/conditionals in an input section are not evaluated/);
  });
});

describe('sources', () => {
  it('-e without input/output gets the defaults, with warnings', async () => {
    const c = await load('filter { mutate { } }');
    expect(c.inputs.map((s) => (s as PluginNode).name)).toEqual(['stdin']);
    expect(c.outputs.map((s) => (s as PluginNode).name)).toEqual(['stdout']);
    expect(c.plugin(c.inputs[0] as PluginNode).options.type).toBe('stdin');
    expect(c.warnings).toHaveLength(2);
    const withInput = await load('input { generator { count => 1 } }');
    expect(withInput.inputs.map((s) => (s as PluginNode).name)).toEqual(['generator']);
    expect(withInput.outputs.map((s) => (s as PluginNode).name)).toEqual(['stdout']);
  });

  it('-f directory: sorted, not recursive, no dotfiles or backups; filters chained in file order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-conf-'));
    writeFileSync(path.join(dir, '20-b.conf'), 'filter { mutate { id => "second" } } output { stdout { id => "out2" } }');
    writeFileSync(path.join(dir, '10-a.conf'), 'input { stdin { } } filter { mutate { id => "first" } }');
    writeFileSync(path.join(dir, '30-c.conf~'), 'this would not parse');
    writeFileSync(path.join(dir, '.hidden.conf'), 'neither would this');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'x.conf'), 'nor this');
    const c = await loadPipelineConfig({ paths: [dir], env: {} });
    expect(c.sources.map((s) => path.basename(s))).toEqual(['10-a.conf', '20-b.conf']);
    expect(c.filters.map((s) => c.plugin(s as PluginNode).id)).toEqual(['first', 'second']);
    expect(c.warnings.join('\n')).toContain('NOT reading config file because it is a temp file');
    const glob = await loadPipelineConfig({ paths: [path.join(dir, '2*.conf')], env: {} });
    expect(glob.sources.map((s) => path.basename(s))).toEqual(['20-b.conf']);
  });

  it('a syntax error names the file; positions are relative to that file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-conf-'));
    writeFileSync(path.join(dir, 'a.conf'), 'input { stdin { } }\n');
    writeFileSync(path.join(dir, 'b.conf'), 'output {\n  stdout { codec => }\n}\n');
    await expect(loadPipelineConfig({ paths: [dir], env: {} })).rejects.toThrow(/at line 2, column 21 \(byte 30\)[\s\S]*--> .*b\.conf:2:21/);
  });

  it('a UTF-8 BOM is kept and rejected like Logstash; non-UTF-8 files are refused', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-conf-'));
    writeFileSync(path.join(dir, 'bom.conf'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('input { stdin { } }')]));
    await expect(loadPipelineConfig({ paths: [path.join(dir, 'bom.conf')] })).rejects.toThrow(
      /^Expected one of \[ \\t\\r\\n\], "#", "input", "filter", "output" at line 1, column 1 \(byte 1\)\n/,
    );
    writeFileSync(path.join(dir, 'latin1.conf'), Buffer.from([0x23, 0xe9, 0x0a]));
    await expect(loadPipelineConfig({ paths: [path.join(dir, 'latin1.conf')] })).rejects.toThrow(
      'The following config files contains non-ascii characters but are not UTF-8 encoded',
    );
  });

  it('no matching files', async () => {
    await expect(loadPipelineConfig({ paths: ['/nonexistent/dir/*.conf'] })).rejects.toThrow("No config files found in path '/nonexistent/dir/*.conf'");
  });
});

describe('a :list option with allowed values (mixin.rb process_parameter_value validates each item)', () => {
  it('takes several allowed values, a scalar as a one-item list, and names the first item not allowed', async () => {
    const { coerce } = await import('../../src/config/validate.ts');
    const { list, oneOf } = await import('../../src/plugins/schemas/dsl.ts');
    const spec = list(oneOf(['1', '2c', '3']));
    expect(coerce(['1', '2c'], spec)).toEqual({ ok: true, value: ['1', '2c'] });
    expect(coerce('3', spec)).toEqual({ ok: true, value: ['3'] });
    expect(coerce([], spec)).toEqual({ ok: true, value: [] });
    const bad = coerce(['1', '4'], spec);
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.message).toBe('Expected one of ["1", "2c", "3"], got ["4"]');
  });
});
