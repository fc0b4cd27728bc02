// `flowstash --threads N`: the filters and outputs run on N threads, fed by the inputs on the main
// thread. What must hold: the same documents leave as with one thread (only the order of batches may
// differ), every event is counted once in the summary, a plugin that cannot be split is refused with
// its place, and a thread that cannot start stops the run with the plugin's own reason. Spawns the CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowstash as spawnFlowstash, runFlowstash } from '../e2e/helpers.ts';

async function flowstash(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runFlowstash(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** 1,000 rounds of 3 lines (3,000 events) through conditionals, mutate, ruby and a drop of every 10th round; json_lines out, without @timestamp, host and [event][original] (the plain codec adds it under the pipeline's ECS v8). */
const CONFIG = `
input { generator { count => 1000 lines => ["alpha", "beta", "gamma 3.5"] ecs_compatibility => disabled } }
filter {
  ruby { code => "event.set('tenth', true) if event.get('sequence') % 10 == 0" }
  if [tenth] { drop {} }
  translate { source => "message" target => "t" dictionary => { "alpha" => "A" "beta" => "B" } }
  if [message] =~ /^gamma/ {
    mutate { split => { "message" => " " } add_tag => ["g"] }
    mutate { convert => { "[message][1]" => "float" } }
  } else {
    mutate { add_field => { "[nested][copy]" => "%{message}-%{sequence}" } uppercase => ["message"] }
  }
  ruby { code => "event.set('n2', event.get('sequence') * 2)" }
  mutate { remove_field => ["@timestamp", "host", "event"] }
}
output { stdout { codec => json_lines } }
`;

function summary(err: string): string {
  return /Summary: events (.*)/.exec(err)?.[1] ?? `(no summary in)\n${err}`;
}

describe('--threads', () => {
  it('emits the same documents as one thread, each once, and the same summary', async () => {
    const one = await flowstash(['-e', CONFIG, '-b', '50']);
    const two = await flowstash(['-e', CONFIG, '-b', '50', '--threads', '2']);
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    const lines = (out: string): string[] => out.split('\n').filter(Boolean).sort();
    const a = lines(one.out);
    expect(a).toHaveLength(2700);
    expect(lines(two.out)).toEqual(a);
    // Values worked out from the config: round 7's "beta" is uppercased by mutate before its add_field
    // (a common option, applied after the filter's own work) copies it; round 8's "gamma 3.5" is split and
    // its second element converted to a float.
    const docs = a.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs.filter((d) => d['sequence'] === 7 && d['message'] === 'BETA')).toEqual([
      { '@version': '1', message: 'BETA', sequence: 7, t: 'B', nested: { copy: 'BETA-7' }, n2: 14 },
    ]);
    expect(docs.filter((d) => d['sequence'] === 8 && Array.isArray(d['message']))).toEqual([
      { '@version': '1', message: ['gamma', 3.5], sequence: 8, tags: ['g'], n2: 16 },
    ]);
    expect(docs.some((d) => d['sequence'] === 10)).toBe(false);
    expect(summary(two.err)).toBe('in=3000 filtered=2700 out=2700 dropped=300 failed=0');
    expect(summary(one.err)).toBe(summary(two.err));
    expect(two.err).toMatch(/Pipeline started \{.*:threads=>2\}/);
    // Per-plugin counters are summed over the threads: the drop filter saw 300 events.
    expect(two.err).toMatch(/filter drop \([^)]*\): in=300 out=0/);
    // A plugin's state (the dictionary each thread loaded) is shown once, not summed.
    expect(two.err).toMatch(/filter translate \([^)]*\): in=2700 out=2700 matched=1800 .*dictionary_size=2$/m);
    expect(two.err).toMatch(/output stdout \([^)]*\): in=2700 written=2700/);
  }, 120_000);

  it('writes stdout from both threads without mixing their batches (each batch ~1 MB, one line per event)', async () => {
    const big = 'x'.repeat(8000);
    const config = `input { generator { count => 2000 message => "${big}" ecs_compatibility => disabled } }
filter { mutate { add_field => { "copy" => "%{message}" } remove_field => ["@timestamp", "host", "event"] } }
output { stdout { codec => json_lines } }`;
    const r = await flowstash(['-e', config, '--threads', '2']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2000);
    const sequences = lines.map((l) => {
      const d = JSON.parse(l) as { message: string; copy: string; sequence: number };
      expect(d.message === big && d.copy === big).toBe(true);
      return d.sequence;
    });
    expect(new Set(sequences).size).toBe(2000);
  }, 120_000);

  it.each([1, 2])('ends quietly with code 0 when stdout\'s reader goes away (`| head`), with %i thread(s)', async (threads) => {
    const s = spawnFlowstash(['-e', 'input { generator { count => 1000000 } } output { stdout { } }', '--threads', String(threads)]);
    let got = 0;
    s.child.stdout!.on('data', (d: string) => {
      got += d.length;
      if (got >= 30_000) s.child.stdout!.destroy();
    });
    const code = await s.exited;
    expect(code, s.stderr).toBe(0);
    expect(s.stderr).not.toMatch(/ERROR|WARN|EPIPE/);
    expect(s.stderr).not.toMatch(/Summary/);
  }, 60_000);

  it('refuses a filter that must see every event, saying where it is', async () => {
    const r = await flowstash([
      '-e',
      'input { generator { count => 1 } }\nfilter {\n  aggregate { task_id => "%{message}" code => "" }\n}\noutput { stdout {} }',
      '--threads',
      '2',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--threads 2: the aggregate filter at <config string>:3:3 correlates a task's events/);
    expect(r.out).toBe('');
  }, 60_000);

  it('stops the run when a thread cannot start its filters, with the plugin\'s reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-threads-'));
    writeFileSync(path.join(dir, 'p.conf'), 'input { generator { count => 1 } }\nfilter {\n  ruby { code => "def (" }\n}\noutput { stdout {} }\n');
    const r = await flowstash(['-f', path.join(dir, 'p.conf'), '--threads', '2']);
    expect(r.code).toBe(1);
    // The ruby filter's own message (a syntax error is found when it registers), with its place, said once.
    const failures = r.err.match(/Pipeline failed to start: Unable to start the filter plugin 'ruby' \([0-9a-f]+\) at [^ ]*p\.conf:3:3: .*SyntaxError/g) ?? [];
    expect(failures, r.err).toHaveLength(1);
    expect(r.out).toBe('');
  }, 60_000);

  it('rejects a thread count that is not a positive integer', async () => {
    const r = await flowstash(['-e', 'input { generator { count => 1 } }', '--threads', '0']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/Invalid value for threads: '0' \(expected a positive integer\)/);
  }, 30_000);
});
