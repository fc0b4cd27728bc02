// `flowstash verify` arguments: several -f like `flowstash run`, --help with examples, a config
// given where a test file goes, coverage lines of one-line configs.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, Scratch } from './helpers.ts';

describe('flowstash verify arguments', () => {
  const s = new Scratch();
  afterAll(() => s.remove());
  const first = s.file('10-tag.conf', 'filter { mutate { add_tag => ["first"] } }\n');
  mkdirSync(path.join(s.dir, 'more'));
  s.file('more/20-level.conf', 'filter { if "first" in [tags] { mutate { add_field => { "level" => "two" } } } }\n');
  s.file('more/30-out.conf', 'output { if [level] == "three" { null { id => "three" } } null { id => "all" } }\n');
  const test = s.file('t.yaml', 'codec: json_lines\nignore: ["@timestamp"]\ntestcases:\n  - input: [\'{"m":1}\']\n    expected: [{ m: 1, tags: [first], level: two }]\n');

  it('takes several -f (a file and a directory), chained sorted by path as flowstash run does', async () => {
    const r = await runCli(['-f', first, `--path.config=${path.join(s.dir, 'more')}`, '--no-color', test]);
    expect(r.out).toContain('☑ t.yaml #1: 1 event as expected');
    expect(r.out).toContain('Branch coverage: 2/4 branches reached (50%)');
    // One-line configs: the arm's own text, not the line's first word.
    expect(r.out).toContain(`not reached: ${path.join(s.dir, 'more', '20-level.conf')}:1 filter no clause true (implicit else) of: if "first" in [tags]\n`);
    expect(r.out).toContain(`not reached: ${path.join(s.dir, 'more', '30-out.conf')}:1 output if [level] == "three"\n`);
    expect(r.code).toBe(0);

    // The order of the -f flags does not matter: 10-tag.conf's filter still runs first.
    const reversed = await runCli(['-f', path.join(s.dir, 'more'), '-f', first, '--no-color', '--no-coverage', test]);
    expect(reversed.out).toContain('☑ t.yaml #1: 1 event as expected');
    expect(reversed.code).toBe(0);
    const alone = await runCli(['-f', path.join(s.dir, 'more'), '--no-color', '--no-coverage', test]);
    expect(alone.out).toContain('- [tags]');
    expect(alone.code).toBe(1);
  });

  it('says how to give a second config that landed among the test files', async () => {
    const r = await runCli(['-f', first, path.join(s.dir, 'more', '20-level.conf'), '--no-color', '--no-coverage', test]);
    const conf = path.join(s.dir, 'more', '20-level.conf');
    expect(r.out).toContain(`☐ ${conf}: this is a pipeline config, not a test file: give each config with its own -f, e.g. -f ${conf}\n`);
    expect(r.code).toBe(1);
  });

  it('refuses an encode-only codec for the test input, saying why', async () => {
    const t = s.file('rd.yaml', 'codec: rubydebug\ntestcases:\n  - input: ["x"]\n    expected: [{ message: x }]\n');
    const r = await runCli(['-f', first, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain(`☐ rd.yaml #1: could not run\n    ${t}: codec 'rubydebug' is not a valid codec setting: rubydebug only encodes; the test input needs a codec that decodes`);
    expect(r.code).toBe(1);
  });

  it('--help lists the options and examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['-f, --path.config <path>', '--no-coverage', '-q, --quiet', '--clock <time>', '--junit <file>', '--timezone <zone>', '--log.level <level>']) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toContain('Examples:\n  flowstash verify -f conf/ipfix.conf conf/tests/\n');
    expect(r.out).toContain('flowstash verify -f conf/inputs.conf -f conf/filters/ -q tests/flows.yaml');
  });

  it('a -f that names no config file is a usage error, even beside good ones', async () => {
    const typo = path.join(s.dir, 'tpyo.conf');
    const r = await runCli(['-f', first, '-f', typo, '-f', path.join(s.dir, 'none', '*.conf'), '--no-color', test]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`flowstash verify: -f ${typo}: no config file found there\nflowstash verify: -f ${path.join(s.dir, 'none', '*.conf')}: no config file found there\n`);
  });

  it('a missing test argument is a usage error pointing at --help', async () => {
    const r = await runCli(['-f', first]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: missing required argument 'test'");
    expect(r.err).toContain('flowstash verify --help');
  });
});
