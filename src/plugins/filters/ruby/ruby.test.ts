// Expected behaviour from logstash-filter-ruby 3.1 (lib/logstash/filters/ruby.rb: inline_script,
// file_script, check_result_events!; script/context, test_context: register(params), filter(event),
// test/parameters/in_event/expect) and its docs; Ruby semantics from Ruby itself.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldMap } from '../../../event/values.ts';
import { loadPipelineConfig } from '../../../config/pipeline-config.ts';
import { runPipelineHarness } from '../../../pipeline/harness.ts';
import { recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { standaloneContext } from '../../context.ts';
import { check } from './ruby.ts';
import { rubyFilter, runBatch } from './test/kit.ts';
import { rubySchema, type RubyFilterOptions } from './schema.ts';
import { sharedRubyVm } from './vm.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'flowstash-ruby-'));
const TCP_FLAGS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../../shared/configs/sof-elk/supporting-scripts/tcp_flags_expand.rb');

async function runOne(options: Record<string, unknown>, data: FieldMap, metadata: FieldMap = {}): Promise<Event[]> {
  const f = await rubyFilter(options);
  return runBatch(f, [new Event(data, metadata)]);
}

function script(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  await sharedRubyVm();
}, 120_000);

describe('ruby filter: inline code', () => {
  it('runs code on every event of a batch, in one crossing, keeping the order', async () => {
    const f = await rubyFilter({ code: "event.set('n2', event.get('n') * 2)" });
    const out = await runBatch(f, [1, 2, 3].map((n) => new Event({ n })));
    expect(out.map((e) => e.get('n2'))).toEqual([2, 4, 6]);
    expect(f.stats()['batches']).toBe(1);
  });

  it('init runs once per filter instance; @vars are per instance, @@vars shared by ruby filters', async () => {
    const a = await rubyFilter({ init: '@count = 0; @@shared = "from a"', code: "@count += 1; event.set('count', @count)" });
    const b = await rubyFilter({ init: '@count = 100', code: "@count += 1; event.set('count', @count); event.set('shared', @@shared)" });
    expect((await runBatch(a, [new Event(), new Event()])).map((e) => e.get('count'))).toEqual([1, 2]);
    const [e] = await runBatch(b, [new Event()]);
    expect(e!.get('count')).toBe(101);
    expect(e!.get('shared')).toBe('from a');
  });

  it('event.cancel drops the event; uncancel keeps it; cancelled? reports it', async () => {
    const out = await runOne({ code: "event.cancel; event.set('was', event.cancelled?)" }, { a: 1 });
    expect(out).toEqual([]);
    const kept = await runOne({ code: 'event.cancel; event.uncancel' }, { a: 1 });
    expect(kept).toHaveLength(1);
  });

  it('new_event_block.call(event.clone) adds an event after the original (multi_filter order)', async () => {
    const out = await runOne({ code: "c = event.clone; c.set('copy', true); new_event_block.call(c)" }, { a: 1 });
    expect(out).toHaveLength(2);
    expect(out[0]!.get('copy')).toBeUndefined();
    expect(out[1]!.get('copy')).toBe(true);
    expect(out[1]!.get('a')).toBe(1);
    expect(out[1]!.timestamp.equals(out[0]!.timestamp)).toBe(true);
  });

  it('add_tag and friends apply only when the code did not raise (filter_matched)', async () => {
    const ok = await runOne({ code: "event.set('x', 1)", add_tag: ['done'] }, {});
    expect(ok[0]!.get('tags')).toEqual(['done']);
    const bad = await runOne({ code: "raise 'boom'", add_tag: ['done'] }, {});
    expect(bad[0]!.get('tags')).toEqual(['_rubyexception']);
  });

  it('refuses code and path together, or neither, with the plugin message', async () => {
    await expect(rubyFilter({})).rejects.toThrow('You must either use an inline script with the "code" option or a script file using "path".');
    await expect(rubyFilter({ code: 'x', path: '/nope.rb' })).rejects.toThrow('test.conf:1:1');
  });

  it('a syntax error in code fails register with the Ruby message and where the block is', async () => {
    await expect(rubyFilter({ code: 'event.set(' }, recorder(), 'p.conf:7:3')).rejects.toThrow(/ruby filter at p\.conf:7:3: .*syntax error/);
  });
});

describe('ruby filter: exceptions in user code', () => {
  it('tags the event, logs message, class, backtrace line and the block location; the batch goes on', async () => {
    const log = recorder();
    const f = await rubyFilter({ code: "event.set('before', 1)\nevent.set('v', event.get('m').upcase)" }, log, 'pipe.conf:12:3');
    const out = await runBatch(f, [new Event({ m: 'a' }), new Event({}), new Event({ m: 'c' })]);
    expect(out.map((e) => e.get('v'))).toEqual(['A', undefined, 'C']);
    expect(out[1]!.get('tags')).toEqual(['_rubyexception']);
    // What ran before the exception stays (the event is the same object in Logstash).
    expect(out[1]!.get('before')).toBe(1);
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    const line = errors[0]!;
    expect(line.level).toBe('error');
    expect(line.msg).toMatch(/^Ruby exception occurred: undefined method .upcase. for nil/);
    expect(line.data).toMatchObject({ where: 'pipe.conf:12:3', class: 'NoMethodError' });
    expect(String(line.data!['backtrace'])).toMatch(/^\(ruby filter code\):2:in .filter_method/);
    expect(f.stats()['exceptions']).toBe(1);
  });

  it('tag_on_exception and tag_with_exception_message', async () => {
    const [e] = await runOne({ code: "raise ArgumentError, 'bad thing'", tag_on_exception: '_boom', tag_with_exception_message: true }, {});
    expect(e!.get('tags')).toEqual(['_boom: bad thing', '_boom']);
  });

  it('in a pipeline: the log line names the config file and line of the ruby block', async () => {
    const conf = path.join(tmp, 'pipe.conf');
    writeFileSync(conf, 'filter {\n  mutate { add_field => { "a" => "1" } }\n  ruby {\n    code => "event.set(\'x\', 1 / 0)"\n  }\n}\n');
    const config = await loadPipelineConfig({ paths: [conf] });
    const r = await runPipelineHarness(config, { codec: 'json_lines', source: { kind: 'lines', lines: ['{"n":1}', '{"n":2}'] } });
    expect(r.events.map((e) => e.get('tags'))).toEqual([['_rubyexception'], ['_rubyexception']]);
    const errors = r.log.filter((l) => l.includes('Ruby exception occurred'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('divided by 0');
    expect(errors[0]).toContain(`${conf}:3:3`);
    expect(errors[0]).toContain(':class=>"ZeroDivisionError"');
    expect(errors[0]).toContain('(ruby filter code):1:in');
  });
});

describe('ruby filter: sleep and IO.select', () => {
  // Both reach WASI's poll_oneoff; called a hundred times or so from optimized WebAssembly through V8's
  // fast API calls, Node 20's WASI crashed the process (SIGSEGV): vm.ts turns those calls off.
  it('wait at least as long as asked, again and again, after the VM has grown its memory; sleep returns an Integer', async () => {
    const code = [
      'big = "a" * 50_000_000',
      '200.times { sleep 0 }',
      '100.times { IO.select(nil, nil, nil, 0) }',
      't = Process.clock_gettime(Process::CLOCK_MONOTONIC)',
      "event.set('slept', sleep(0.05).class.name)",
      'IO.select(nil, nil, nil, 0.05)',
      "event.set('waited', Process.clock_gettime(Process::CLOCK_MONOTONIC) - t >= 0.1)",
      "event.set('size', big.size)",
    ].join('\n');
    const f = await rubyFilter({ code });
    const out = await runBatch(f, [1, 2, 3].map((n) => new Event({ n })));
    expect(out.map((e) => [e.get('slept'), e.get('waited'), e.get('size'), e.get('tags')])).toEqual(Array(3).fill(['Integer', true, 50_000_000, undefined]));
  }, 60_000);
});

// Kernel#exit! ends the interpreter at once; in Logstash that is JRuby's hard exit, which no rescue in
// the filter catches. flowstash's Ruby is a WebAssembly VM that a real exit would leave broken (or,
// on a worker thread, crash the process): the event that called it fails, alone, and the VM goes on.
describe('ruby filter: exit!', () => {
  it('fails only the event that called it, past the code\'s own rescue and with its ensure run; later events and batches run', async () => {
    const log = recorder();
    const code = "begin\n  exit!(2) if event.get('n') == 2\nrescue Exception\n  event.set('rescued', true)\nensure\n  event.set('ensured', true)\nend\nevent.set('ok', true)";
    const f = await rubyFilter({ code }, log, 'pipe.conf:4:3');
    const out = await runBatch(f, [1, 2, 3].map((n) => new Event({ n })));
    expect(out.map((e) => [e.get('n'), e.get('ok'), e.get('rescued'), e.get('ensured'), e.get('tags')])).toEqual([
      [1, true, undefined, true, undefined],
      [2, undefined, undefined, true, ['_rubyexception']],
      [3, true, undefined, true, undefined],
    ]);
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe("Ruby exception occurred: exit! called (status 2): Logstash's process would end here; flowstash fails the event instead");
    expect(errors[0]!.data).toMatchObject({ where: 'pipe.conf:4:3', class: 'SystemExit' });
    expect(String(errors[0]!.data!['backtrace'])).toMatch(/^\(ruby filter code\):2:in/);
    const again = await runBatch(f, [new Event({ n: 4 })]);
    expect(again[0]!.get('ok')).toBe(true);
  });

  it('Process.exit! and Kernel.exit! too; true is status 0, the default 1', async () => {
    const log = recorder();
    const f = await rubyFilter({ code: "n = event.get('n'); Process.exit!(true) if n == 1; Kernel.exit! if n == 2" }, log);
    const out = await runBatch(f, [new Event({ n: 1 }), new Event({ n: 2 })]);
    expect(out.map((e) => e.get('tags'))).toEqual([['_rubyexception'], ['_rubyexception']]);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => /status (\d)/.exec(l.msg)?.[1])).toEqual(['0', '1']);
  });

  it('in init, stops the filter from starting with the reason', async () => {
    await expect(rubyFilter({ init: 'exit!', code: '' })).rejects.toThrow(/exit! called \(status 1\)/);
  });
});

describe('ruby filter: script files (path, script_params)', () => {
  it("SOF-ELK's tcp_flags_expand.rb: string, integer and array sources", async () => {
    const str = await rubyFilter({ path: TCP_FLAGS, script_params: { source_field: '[netflow][tcp_flags_str]', source_type: 'str' } });
    const [a] = await runBatch(str, [new Event({ netflow: { tcp_flags_str: '...AP.SF' } })]);
    // "...AP.SF": A=16, P=8, S=2, F=1 → 27; list in the script's order (cwr … fin); hex upper, two digits.
    expect(a!.get('[network][tcp_flags]')).toEqual(['ack', 'psh', 'syn', 'fin']);
    expect(a!.get('[netflow][tcp_control_bits]')).toBe(27);
    expect(a!.get('[network][tcp_flags_hex]')).toBe('0x1B');

    const int = await rubyFilter({ path: TCP_FLAGS, script_params: { source_field: '[netflow][tcp_control_bits]', source_type: 'int' } });
    const [b] = await runBatch(int, [new Event({ netflow: { tcp_control_bits: 197 } })]);
    expect(b!.get('[network][tcp_flags]')).toEqual(['cwr', 'ece', 'rst', 'fin']);
    expect(b!.get('[network][tcp_flags_hex]')).toBe('0xC5');

    const arr = await rubyFilter({ path: TCP_FLAGS, script_params: { source_field: '[network][tcp_flags]', source_type: 'arr' } });
    const [c] = await runBatch(arr, [new Event({ network: { tcp_flags: ['syn', 'ack'] } })]);
    expect(c!.get('[network][tcp_flags]')).toEqual(['ack', 'syn']);
    expect(c!.get('[netflow][tcp_control_bits]')).toBe(18);
    expect(c!.get('[network][tcp_flags_hex]')).toBe('0x12');

    // No source field: the event is returned unchanged.
    const [d] = await runBatch(str, [new Event({ other: 1 })]);
    expect(d!.get('network')).toBeUndefined();
  });

  it('filter returning [] drops, more events add, a non-array is an error (tagged, event kept)', async () => {
    const p = script(
      'multi.rb',
      `def register(params)\n  @n = params['copies']\nend\ndef filter(event)\n  return [] if event.get('drop')\n  return 'nope' if event.get('bad')\n  [event] + (1..@n).map { |i| LogStash::Event.new('copy' => i) }\nend\n`,
    );
    const log = recorder();
    const f = await rubyFilter({ path: p, script_params: { copies: 2 } }, log);
    const out = await runBatch(f, [new Event({ a: 1 }), new Event({ drop: true }), new Event({ bad: true })]);
    expect(out.map((e) => e.get('copy') ?? e.get('a') ?? e.get('bad'))).toEqual([1, 1, 2, true]);
    expect(out[3]!.get('tags')).toEqual(['_rubyexception']);
    expect(log.lines.find((l) => l.level === 'error')!.msg).toBe(
      "Could not process event: Custom script did not return an array from 'filter'. Only arrays may be returned!",
    );
  });

  it('a script without filter, or with a failing test, refuses to start', async () => {
    await expect(rubyFilter({ path: script('nofilter.rb', 'def register(p); end\n') })).rejects.toThrow(
      /Error during load of '.*nofilter\.rb': #<RuntimeError: Script does not define a filter!/,
    );
    await expect(rubyFilter({ path: script('failing.rb', FAILING_SCRIPT) })).rejects.toThrow(/had 1 failing tests!/);
    await expect(rubyFilter({ path: path.join(tmp, 'missing.rb') })).rejects.toThrow(/cannot read the script file .*missing\.rb: ENOENT/);
  });
});

const FAILING_SCRIPT = `def register(params)
  @field = params['field']
end
def filter(event)
  event.set(@field, event.get(@field).to_i * 2)
  [event]
end
test "doubles" do
  parameters { { 'field' => 'n' } }
  in_event { { 'n' => 21 } }
  expect('n is 42') { |events| events.first.get('n') == 42 }
end
test "wrong on purpose" do
  parameters { { 'field' => 'n' } }
  in_event { { 'n' => 1 } }
  expect('n is 3') { |events| events.first.get('n') == 3 }
end
`;

describe('ruby filter: -t runs script test blocks', () => {
  const ctx = { log: standaloneContext().log, ecsCompatibility: 'v8' as const, id: 'r', where: 't.conf:2:3' };

  it('a passing script: every test result printed, no error', async () => {
    const r = await check(withDefaults<RubyFilterOptions>(rubySchema, { path: TCP_FLAGS }), ctx);
    expect(r.errors).toEqual([]);
    expect(r.notes!.filter((n) => n.endsWith(': passed'))).toHaveLength(12);
    expect(r.notes).toContain(`ruby script ${TCP_FLAGS}: test "some flags in integer" expect "proper output array, 197 for integer, and 0xC5 for hex string": passed`);
    expect(r.notes!.at(-1)).toBe(`ruby script ${TCP_FLAGS}: Test run complete: passed=12 failed=0 errored=0`);
  });

  it('a failing script fails -t with the test failure message', async () => {
    const p = script('failing-check.rb', FAILING_SCRIPT);
    const r = await check(withDefaults<RubyFilterOptions>(rubySchema, { path: p }), ctx);
    expect(r.notes).toContain(`ruby script ${p}: test "doubles" expect "n is 42": passed`);
    expect(r.notes).toContain(`ruby script ${p}: test "wrong on purpose" expect "n is 3": failed`);
    expect(r.errors[0]).toContain(`***TEST FAILURE FOR: 'wrong on purpose' expected 'n is 3'***`);
    expect(r.errors.at(-1)).toBe(`ruby filter at t.conf:2:3: Script '${p}' had 1 failing tests! Check the error log for details.`);
  });

  it('-t from the CLI prints the results and fails on a failing script', async () => {
    const { spawnSync } = await import('node:child_process');
    const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../bin/flowstash.mjs');
    const good = spawnSync(process.execPath, [bin, '-t', '-e', `filter { ruby { path => "${TCP_FLAGS}" } }`], { encoding: 'utf8' });
    expect(good.stdout + good.stderr).toContain('test "all flags in array (letters)" expect "full output array, 255 for integer, and 0xFF for hex string": passed');
    expect(good.status).toBe(0);
    const p = script('failing-cli.rb', FAILING_SCRIPT);
    const bad = spawnSync(process.execPath, [bin, '-t', '-e', `filter { ruby { path => "${p}" } }`], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain("***TEST FAILURE FOR: 'wrong on purpose' expected 'n is 3'***");
  }, 120_000);
});

describe('ruby filter: values crossing between Ruby and flowstash', () => {
  it('Integer, Float (1.0 stays a Float), big Integer, String, nil, true/false, Array, Hash, Timestamp', async () => {
    const [e] = await runOne(
      {
        code: `event.set('i', 1); event.set('f', 1.0); event.set('big', 2**70); event.set('s', 'x'); event.set('n', nil)
               event.set('t', true); event.set('a', [1, 'b', [2.5]]); event.set('h', { 'k' => { 'l' => false } }); event.set('sym', :abc)
               event.set('ts', LogStash::Timestamp.at(1700000000, 123456789, :nsec)); event.set('time', Time.at(0).utc)
               event.set('types', %w[in_i in_f in_big in_ts].map { |k| event.get(k).class.name })`,
      },
      { in_i: 5, in_f: new Float(2), in_big: 2n ** 64n, in_ts: new Timestamp(1, 5) },
    );
    expect(e!.get('i')).toBe(1);
    expect(e!.get('f')).toBeInstanceOf(Float);
    expect(e!.get('big')).toBe(2n ** 70n);
    expect(e!.get('s')).toBe('x');
    expect(e!.get('n')).toBeNull();
    expect(e!.get('a')).toEqual([1, 'b', [new Float(2.5)]]);
    expect(e!.get('h')).toEqual({ k: { l: false } });
    expect(e!.get('sym')).toBe('abc');
    expect((e!.get('ts') as Timestamp).toString()).toBe('2023-11-14T22:13:20.123456789Z');
    expect((e!.get('time') as Timestamp).toString()).toBe('1970-01-01T00:00:00.000Z');
    expect(e!.get('types')).toEqual(['Integer', 'Float', 'Integer', 'LogStash::Timestamp']);
  });

  it('setting a Ruby object Logstash cannot store raises (event tagged, nothing set)', async () => {
    const log = recorder();
    const f = await rubyFilter({ code: "event.set('o', Object.new)" }, log);
    const [e] = await runBatch(f, [new Event({})]);
    expect(e!.get('o')).toBeUndefined();
    expect(e!.get('tags')).toEqual(['_rubyexception']);
    expect(log.lines.find((l) => l.level === 'error')!.msg).toBe('Ruby exception occurred: Missing Converter handling for full class name=org.jruby.RubyObject, simple name=RubyObject');
  });

  it('reserved fields: @timestamp must be a Timestamp, tags strings (same messages as flowstash events)', async () => {
    const [a] = await runOne({ code: "event.set('@timestamp', 'x')", tag_with_exception_message: true }, {});
    expect(a!.get('tags')).toEqual(['_rubyexception: wrong argument type String (expected LogStash::Timestamp)', '_rubyexception']);
    const [b] = await runOne({ code: "event.set('tags', [1])", tag_with_exception_message: true }, {});
    const js = new Event({});
    expect(() => js.set('tags', [1])).toThrow();
    let jsMessage = '';
    try {
      js.set('tags', [1]);
    } catch (err) {
      jsMessage = (err as Error).message;
    }
    expect(b!.get('tags')).toEqual([`_rubyexception: ${jsMessage}`, '_rubyexception']);
  });
});
