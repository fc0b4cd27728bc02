import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { parseTestFile, TestFileError } from '../../src/verify/testfile.ts';
import { Float } from '../../src/event/values.ts';

const YAML_FILE = `codec: json_lines
ignore: ["@timestamp", "[event][original]"]
fields: { type: syslog, "[labels][env]": prod }
env: { SITE: paris }
testcases:
  - description: first
    input: ["a", "b"]
    fields: { type: app }
    env: { SITE: lyon, EXTRA: 1 }
    expected: [{ message: a, bytes: 1.0, big: 18446744073709551615 }]
  - input: single line
    expected: []
`;

describe('test files', () => {
  it('reads the LFV keys from YAML and merges per-testcase fields and env over the file ones', () => {
    const tf = parseTestFile(YAML_FILE, '/t/x.yaml');
    expect(tf.codec).toBe('json_lines');
    expect(tf.ignore).toEqual(['@version', '@timestamp', '[event][original]']);
    const [a, b] = tf.testcases;
    expect(a!.description).toBe('first');
    expect(a!.input).toEqual({ kind: 'lines', lines: ['a', 'b'] });
    expect(a!.fields).toEqual({ type: 'app', '[labels][env]': 'prod' });
    expect(a!.env).toEqual({ SITE: 'lyon', EXTRA: '1' });
    expect(a!.expected[0]!['bytes']).toBeInstanceOf(Float);
    expect(a!.expected[0]!['big']).toBe(18446744073709551615n);
    expect(b!.input).toEqual({ kind: 'lines', lines: ['single line'] });
    expect(b!.fields).toEqual({ type: 'syslog', '[labels][env]': 'prod' });
    expect(b!.env).toEqual({ SITE: 'paris' });
  });

  it('reads JSON with exact big integers', () => {
    const tf = parseTestFile('{"testcases":[{"input":["x"],"expected":[{"n":18446744073709551615,"f":2.5}]}]}', '/t/x.json');
    expect(tf.testcases[0]!.expected[0]).toEqual({ n: 18446744073709551615n, f: new Float(2.5) });
  });

  it('resolves input_capture relative to the test file; a testcase filter applies to the file capture', () => {
    const tf = parseTestFile(
      'input_capture: caps/x.pcap\ntestcases:\n  - expected: []\n  - input_capture_filter: udp port 4739\n    expected: []\n  - input_capture: /abs/y.pcap\n    expected: []\n',
      '/t/sub/a.yaml',
    );
    expect(tf.testcases.map((t) => t.input)).toEqual([
      { kind: 'capture', capture: { path: path.resolve('/t/sub/caps/x.pcap') } },
      { kind: 'capture', capture: { path: path.resolve('/t/sub/caps/x.pcap'), filter: 'udp port 4739' } },
      { kind: 'capture', capture: { path: '/abs/y.pcap' } },
    ]);
  });

  const bad: [string, string, string | RegExp][] = [
    [
      'unknown key with a suggestion',
      'testcase: []',
      "/t/a.yaml: unknown key 'testcase' (did you mean 'testcases'?); allowed: fields, codec, ignore, testcases, input_capture, input_capture_filter, env, export_metadata, export_outputs, input_plugin",
    ],
    ['testcases missing', 'fields: {}', "/t/a.yaml: 'testcases' must be a list of test cases, not nothing"],
    ['no input', 'testcases:\n  - expected: []', "/t/a.yaml: testcase #1 has no input: give 'input' lines, or 'input_capture' here or at the top of the file"],
    ['no expected', 'testcases:\n  - input: [a]', "/t/a.yaml: testcase #1: 'expected' must be a list of events (an empty list when every event is dropped), not nothing"],
    ['expected not maps', 'testcases:\n  - input: [a]\n    expected: [1]', '/t/a.yaml: testcase #1: expected event #1 must be a map of fields, not the number 1'],
    ['both inputs', 'testcases:\n  - input: [a]\n    input_capture: x.pcap\n    expected: []', '/t/a.yaml: testcase #1: give either input lines or input_capture, not both'],
    ['bad ignore reference', 'ignore: ["a[b]"]\ntestcases: []', "/t/a.yaml: ignore: 'a[b]' is not a valid field reference"],
    ['bad fields reference', 'fields: { "[a": 1 }\ntestcases: []', "/t/a.yaml: fields: '[a' is not a valid field reference"],
    ['bad env name', 'testcases:\n  - input: [a]\n    env: { "1X": y }\n    expected: []', "/t/a.yaml: testcase #1: env: '1X' is not a valid environment variable name"],
    ['filter without capture', 'testcases:\n  - input_capture_filter: udp\n    expected: []', '/t/a.yaml: testcase #1: input_capture_filter is given without input_capture'],
    ['YAML syntax error with its position', 'testcases:\n  - input: [a\n', /^\/t\/a\.yaml:\d+:\d+: invalid YAML: /],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects: ${name}`, () => {
      let err: unknown;
      try {
        parseTestFile(text, '/t/a.yaml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TestFileError);
      if (typeof message === 'string') expect((err as Error).message).toBe(message);
      else expect((err as Error).message).toMatch(message);
    });
  }

  it('points at the line and column of a JSON syntax error', () => {
    expect(() => parseTestFile('{\n  "testcases": [\n    {"input": ["a"],, }\n  ]\n}', '/t/a.json')).toThrow(/^\/t\/a\.json:3:21: invalid JSON: /);
  });
});
