import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVerify } from '../../src/verify/runner.ts';
import { ipfixCapture, runCli, Scratch } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const CONF = `input { stdin {} }
filter {
  if [message] =~ /^err/ {
    mutate { add_field => { "level" => "error" } }
  } else if [message] == "skip" {
    drop {}
  } else {
    mutate { add_field => { "level" => "info" } }
  }
  if [env_tag] {
    mutate { add_tag => [ "%{env_tag}" ] }
  }
  mutate { add_field => { "site" => "\${SITE:default-site}" } remove_field => [ "event" ] }
}
output {
  if [level] == "error" {
    stdout { id => "errors" }
  } else {
    null { id => "rest" }
  }
}
`;

describe('flowstash verify (lines input)', () => {
  const s = new Scratch();
  let conf: string;
  beforeAll(() => {
    conf = s.file('app.conf', CONF);
  });
  afterAll(() => s.remove());

  it('passes a YAML file (fields, ignore, drop) and exits 0', async () => {
    const t = s.file(
      'pass.yaml',
      `ignore: ["@timestamp"]
fields: { "[labels][team]": net }
testcases:
  - description: an error line and a dropped one
    input: ["err disk full", "skip", "hello"]
    expected:
      - { message: "err disk full", level: error, site: default-site, labels: { team: net } }
      - { labels: { team: net }, site: default-site, level: info, message: hello }
`,
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('☑ pass.yaml #1 "an error line and a dropped one": 2 events as expected');
    expect(r.out).toContain('Summary: ☑ 1/1 test cases passed in 1 file (2 events compared');
    expect(r.code).toBe(0);
  });

  it('passes a JSON file with typed fields and a json_lines codec', async () => {
    const t = s.file(
      'pass.json',
      JSON.stringify({
        codec: 'json_lines',
        ignore: ['@timestamp'],
        fields: { count: 3 },
        testcases: [{ input: ['{"message":"err x","n":18446744073709551615}'], expected: [{ message: 'err x', n: 0, count: 3, level: 'error', site: 'default-site' }] }],
      }).replace('"n":0', '"n":18446744073709551615'),
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('☑ pass.json #1');
    expect(r.code).toBe(0);
  });

  it('prints a field-by-field diff for a mismatch and exits 1', async () => {
    const t = s.file(
      'fail.yaml',
      `ignore: ["@timestamp"]
testcases:
  - description: wrong level
    input: ["err boom", "hello"]
    expected:
      - { message: "err boom", level: warning, site: default-site, tags: [x] }
`,
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('☐ fail.yaml #1 "wrong level" — expected 1 event, got 2');
    expect(lines[1]).toBe('    event #1: 2 fields differ');
    expect(lines[2]).toBe('      ~ [level]  expected "warning"  actual "error"');
    expect(lines[3]).toBe('      - [tags]   expected ["x"]  (missing in the actual event)');
    expect(lines[4]).toBe('    event #2: produced but not expected: {"message":"hello","level":"info","site":"default-site"}');
    expect(r.out).toContain('Summary: ☐ 0/1 test cases passed');
    expect(r.out).not.toContain('\u001b[');
  });

  it('colours the diff with --color (json-colorizer for values)', async () => {
    const t = s.file('colour.yaml', `ignore: ["@timestamp"]\ntestcases:\n  - input: ["hello"]\n    expected: [{ message: hi, level: info, site: default-site }]\n`);
    const r = await runCli(['-f', conf, '--color', '--no-coverage', t]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('\u001b[31m☐\u001b[39m');
    expect(r.out).toContain('\u001b[33m"hi"\u001b[39m');
  });

  it('applies per-testcase env and fields without leaking them into the next case', async () => {
    const t = s.file(
      'env.yaml',
      `ignore: ["@timestamp"]
testcases:
  - input: ["a"]
    env: { SITE: paris }
    fields: { env_tag: blue }
    expected: [{ message: a, level: info, site: paris, env_tag: blue, tags: [blue] }]
  - input: ["b"]
    expected: [{ message: b, level: info, site: default-site }]
`,
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('Summary: ☑ 2/2');
    expect(r.code).toBe(0);
  });

  it('compares @metadata only when the expected event has it', async () => {
    const c = s.file('meta.conf', 'filter { mutate { add_field => { "[@metadata][index]" => "logs-%{message}" } remove_field => ["event"] } }');
    const t = s.file(
      'meta.yaml',
      `ignore: ["@timestamp"]
testcases:
  - input: ["x"]
    expected: [{ message: x }]
  - input: ["y"]
    expected: [{ message: y, "@metadata": { index: logs-z } }]
`,
    );
    const r = await runCli(['-f', c, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('☑ meta.yaml #1');
    expect(r.out).toContain('☐ meta.yaml #2');
    expect(r.out).toContain('~ [@metadata][index]  expected "logs-z"  actual "logs-y"');
  });

  it('reports a codec flowstash validates but does not run, and a bad test file, precisely', async () => {
    const t = s.file('csv.yaml', 'codec: \'csv { separator => ";" }\'\ntestcases:\n  - input: ["a;b"]\n    expected: []\n');
    const bad = s.file('bad.yaml', 'testcase:\n  - input: ["a"]\n');
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t, bad]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/☐ csv\.yaml #1: could not run\n {4}.*csv/);
    expect(r.out).toContain(`☐ ${bad}: unknown key 'testcase' (did you mean 'testcases'?)`);
  });

  it('says why a codec setting is invalid, without positions in text the user did not write', async () => {
    const unknown = s.file('c1.yaml', 'codec: "json_lines { nope => 1 }"\ntestcases:\n  - input: [a]\n    expected: []\n');
    const unparsable = s.file('c2.yaml', 'codec: "line {"\ntestcases:\n  - input: [a]\n    expected: []\n');
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', unknown, unparsable]);
    expect(r.out).toContain(`${unknown}: codec 'json_lines { nope => 1 }' is not a valid codec setting: Unknown setting 'nope' for json_lines`);
    expect(r.out).toContain(
      `${unparsable}: codec 'line {' is not a valid codec setting: it does not parse as a codec (a name such as json_lines, or name { option => value … })`,
    );
    expect(r.code).toBe(1);
  });

  it('runs every test file of a directory and reports unreached branches by file:line', async () => {
    const sub = new Scratch();
    try {
      sub.file('a.yaml', 'ignore: ["@timestamp"]\ntestcases:\n  - input: ["hello"]\n    expected: [{ message: hello, level: info, site: default-site }]\n');
      sub.file('b.json', JSON.stringify({ ignore: ['@timestamp'], testcases: [{ input: ['skip'], expected: [] }] }));
      sub.file('notes.txt', 'not a test');
      const r = await runCli(['-f', conf, '--no-color', sub.dir]);
      expect(r.code).toBe(0);
      expect(r.out).toContain('☑ a.yaml #1');
      expect(r.out).toContain('☑ b.json #1');
      expect(r.out).toContain('Branch coverage: 4/7 branches reached (57%)');
      expect(r.out).toContain(`not reached: ${conf}:3 filter if [message] =~ /^err/`);
      expect(r.out).toContain(`not reached: ${conf}:10 filter if [env_tag]`);
      expect(r.out).toContain(`not reached: ${conf}:16 output if [level] == "error"`);
      expect(r.out.match(/not reached/g)).toHaveLength(3);
      expect(r.out).toContain('Summary: ☑ 2/2 test cases passed in 2 files (1 event compared');
    } finally {
      sub.remove();
    }
  });

  it('exports the outputs an event passed (export_outputs) through the output conditionals', async () => {
    const t = s.file(
      'outs.yaml',
      `ignore: ["@timestamp"]
export_outputs: true
testcases:
  - input: ["err a", "b"]
    expected:
      - { message: "err a", level: error, site: default-site, __lfv_out_passed: [errors] }
      - { message: b, level: info, site: default-site, __lfv_out_passed: [rest] }
`,
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('☑ outs.yaml #1');
  });

  it('decodes a multi-line input element into one event per line with the line codec', async () => {
    const t = s.file(
      'multi.yaml',
      `ignore: ["@timestamp"]\ntestcases:\n  - input: ["first\\nsecond"]\n    expected: [{ message: first, level: info, site: default-site }, { message: second, level: info, site: default-site }]\n`,
    );
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', t]);
    expect(r.out).toContain('☑ multi.yaml #1: 2 events as expected');
  });

  it('exits 1 when a test path does not exist', async () => {
    const r = await runCli(['-f', conf, '--no-color', path.join(s.dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no such test file or directory');
  });
});

describe('flowstash verify (capture input)', () => {
  const s = new Scratch();
  let conf: string;
  beforeAll(() => {
    s.file(
      'flows.pcap',
      ipfixCapture([
        { address: '192.0.2.1', flows: [['10.0.0.1', '10.0.0.2', 443, 1200], ['10.0.0.3', '10.0.0.4', 53, 80]] },
        { address: '192.0.2.2', flows: [['10.9.0.1', '10.9.0.2', 22, 5000]] },
      ]),
    );
    conf = s.file(
      'ipfix.conf',
      `input { udp { port => 4739 codec => netflow { versions => [10] target => ipfix } type => ipfix } }
filter {
  if [ipfix][destinationTransportPort] == 443 { mutate { add_field => { "service" => "https" } } }
  else if [ipfix][destinationTransportPort] == 22 { mutate { add_field => { "service" => "ssh" } } }
}
output { elasticsearch { hosts => ["http://localhost:9200"] } }
`,
    );
  });
  afterAll(() => s.remove());

  it('decodes the capture with the input codec, sets [host][ip] per exporter, honours the capture filter', async () => {
    const t = s.file(
      'flows.test.yaml',
      `input_capture: flows.pcap
testcases:
  - description: both exporters
    expected:
      - "@timestamp": "2025-01-01T00:00:10.000Z"
        type: ipfix
        host: { ip: 192.0.2.1 }
        service: https
        ipfix: { version: 10, sourceIPv4Address: 10.0.0.1, destinationIPv4Address: 10.0.0.2, destinationTransportPort: 443, octetDeltaCount: 1200 }
      - "@timestamp": "2025-01-01T00:00:10.000Z"
        type: ipfix
        host: { ip: 192.0.2.1 }
        ipfix: { version: 10, sourceIPv4Address: 10.0.0.3, destinationIPv4Address: 10.0.0.4, destinationTransportPort: 53, octetDeltaCount: 80 }
      - "@timestamp": "2025-01-01T00:00:10.000Z"
        type: ipfix
        host: { ip: 192.0.2.2 }
        service: ssh
        ipfix: { version: 10, sourceIPv4Address: 10.9.0.1, destinationIPv4Address: 10.9.0.2, destinationTransportPort: 22, octetDeltaCount: 5000 }
  - description: second exporter only
    input_capture_filter: src host 192.0.2.2
    expected:
      - "@timestamp": "2025-01-01T00:00:10.000Z"
        type: ipfix
        host: { ip: 192.0.2.2 }
        service: ssh
        ipfix: { version: 10, sourceIPv4Address: 10.9.0.1, destinationIPv4Address: 10.9.0.2, destinationTransportPort: 22, octetDeltaCount: 5000 }
`,
    );
    const r = await runCli(['-f', conf, '--no-color', t]);
    expect(r.out).toContain('☑ flows.test.yaml #1 "both exporters": 3 events as expected');
    expect(r.out).toContain('☑ flows.test.yaml #2 "second exporter only": 1 event as expected');
    expect(r.out).toContain('Branch coverage: 3/3 branches reached (100%)');
    expect(r.code).toBe(0);
  });

  it('reports a missing capture and a bad capture filter as errors of the test case', async () => {
    const t = s.file(
      'bad-capture.yaml',
      `testcases:
  - input_capture: missing.pcap
    expected: []
  - input_capture: flows.pcap
    input_capture_filter: "src hots 1.2.3.4"
    expected: []
`,
    );
    const report = await runVerify({ configPaths: [conf], testPaths: [t] });
    const [a, b] = report.files[0]!.cases;
    expect(a!.passed).toBe(false);
    expect(a!.error).toMatch(/missing\.pcap/);
    expect(b!.passed).toBe(false);
    expect(b!.error).toMatch(/hots/);
  });

  it('verifies conf/ipfix.conf with its example test file (the README example)', async () => {
    const r = await runCli(['-f', path.join(ROOT, 'conf/ipfix.conf'), '--no-color', path.join(ROOT, 'conf/tests')]);
    expect(r.out).toContain('Summary: ☑ 2/2 test cases passed in 1 file (6 events compared');
    expect(r.code).toBe(0);
  });
});

describe('the committed example capture', () => {
  it('is what `flowstash synth --profile softflowd --flows 2 --seed 7` writes (so the README command regenerates it)', async () => {
    const { synthesize } = await import('../../src/synth/synth.ts');
    const { encodeCapture } = await import('../../src/capture/writer.ts');
    const { readFileSync } = await import('node:fs');
    const result = synthesize({ profile: 'softflowd', flows: 2, seed: 7 });
    const bytes = encodeCapture(result.packets.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame })), { format: 'pcap' });
    expect(bytes.equals(readFileSync(path.join(ROOT, 'conf/tests/softflowd.pcap')))).toBe(true);
  });
});

describe('flowstash verify (input_plugin, @timestamp hint)', () => {
  const s = new Scratch();
  afterAll(() => s.remove());

  it('a capture stands in for the input named by input_plugin: its codec and type', async () => {
    s.file('one.pcap', ipfixCapture([{ address: '192.0.2.7', flows: [['10.0.0.1', '10.0.0.2', 80, 10]] }]));
    const conf = s.file(
      'two-inputs.conf',
      `input {
  udp { id => "v9" port => 2055 codec => netflow { versions => [9] } type => netflow }
  udp { id => "ipfix" port => 4739 codec => netflow { versions => [10] target => ipfix } type => ipfix tags => ["lab"] }
}
`,
    );
    const flow = `{ "@timestamp": "2025-01-01T00:00:10.000Z", type: ipfix, tags: [lab], host: { ip: 192.0.2.7 }, ipfix: { version: 10, sourceIPv4Address: 10.0.0.1, destinationIPv4Address: 10.0.0.2, destinationTransportPort: 80, octetDeltaCount: 10 } }`;
    const ok = s.file('ok.yaml', `input_plugin: ipfix\ninput_capture: one.pcap\ntestcases:\n  - expected: [${flow}]\n`);
    const v9 = s.file('v9.yaml', `input_capture: one.pcap\ntestcases:\n  - expected: []\n`);
    const bad = s.file('bad.yaml', `input_plugin: nope\ninput_capture: one.pcap\ntestcases:\n  - expected: []\n`);
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', ok, v9, bad]);
    expect(r.out).toContain('☑ ok.yaml #1: 1 event as expected');
    // The first input decodes only NetFlow v9: the IPFIX datagram yields nothing.
    expect(r.out).toContain('☑ v9.yaml #1: 0 events as expected');
    expect(r.out).toContain(`input_plugin 'nope' is not the id of an input of the pipeline; its inputs: 'v9' (udp), 'ipfix' (udp)`);
  });

  it('says when an expected @timestamp is the same instant written differently', async () => {
    const conf = s.file('plain.conf', 'filter { mutate { remove_field => ["event"] } }');
    const t = s.file('ts.yaml', `testcases:\n  - input: ["x"]\n    expected: [{ "@timestamp": "2025-06-01T12:00:00Z", message: x }]\n`);
    const r = await runCli(['-f', conf, '--no-color', '--no-coverage', '--clock', '2025-06-01T12:00:00Z', t]);
    expect(r.out).toContain(
      '~ [@timestamp]  expected "2025-06-01T12:00:00Z"  actual "2025-06-01T12:00:00.000Z"  (the same instant, written differently: @timestamp is compared as Logstash renders it)',
    );
  });
});

describe('flowstash verify --junit', () => {
  const s = new Scratch();
  afterAll(() => s.remove());

  it('writes one testsuite per file and a failure with the diff for a mismatch', async () => {
    const { readFileSync } = await import('node:fs');
    const conf = s.file('p.conf', 'filter { mutate { remove_field => ["event"] } }');
    const t = s.file(
      'j.yaml',
      'ignore: ["@timestamp"]\ntestcases:\n  - description: ok <1>\n    input: ["a"]\n    expected: [{ message: a }]\n  - input: ["b"]\n    expected: [{ message: c }]\n',
    );
    const xmlFile = path.join(s.dir, 'out.xml');
    const r = await runCli(['-f', conf, '--no-color', '--junit', xmlFile, t, path.join(s.dir, 'missing.yaml')]);
    expect(r.code).toBe(1);
    const xml = readFileSync(xmlFile, 'utf8');
    expect(xml).toContain('<testsuites name="flowstash verify" tests="3" failures="1" errors="1">');
    expect(xml).toContain('<testcase classname="j.yaml" name="#1 ok &lt;1&gt;"/>');
    expect(xml).toContain(
      '<testcase classname="j.yaml" name="#2"><failure message="expected 1 events, got 1; 1 of them differ">    event #1: 1 field differs\n      ~ [message]  expected &quot;c&quot;  actual &quot;b&quot;</failure></testcase>',
    );
    expect(xml).toMatch(/<testsuite name="missing.yaml" tests="1" failures="0" errors="1">/);
  });
});
