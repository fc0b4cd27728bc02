// Pipeline.build's overrides (the hooks flowstash verify runs on): they really replace the
// configured inputs and outputs, report branch arms, and change nothing when absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import type { Event } from '../../src/event/event.ts';
import { PipelineLogger } from '../../src/pipeline/log.ts';
import { type BranchArmHit, Pipeline, PipelineBuildError, type PipelineOverrides } from '../../src/pipeline/pipeline.ts';
import type { Input, Output } from '../../src/plugins/types.ts';
import { Scratch } from './helpers.ts';

const settings = (log: string[]) => ({
  workers: 1,
  batchSize: 10,
  batchDelayMs: 0,
  log: new PipelineLogger('test', 'warn', { write: (l: string) => void log.push(l) }),
});

/** An input pushing `lines` through the codec the runtime hands it, decorated as the runtime says. */
function linesInput(lines: string[]): Input {
  return {
    run: async (ctx) => {
      for (const line of lines) {
        const out: Event[] = [];
        ctx.codec.decode(Buffer.from(line), {}, (e) => {
          ctx.decorate(e);
          out.push(e);
        });
        await ctx.push(out);
      }
    },
  };
}

/** The closure an event enters first (private: looked at only to check what was compiled). */
function entry(p: Pipeline): (event: Event) => void {
  return (p as unknown as { process: (event: Event) => void }).process;
}

describe('Pipeline.build overrides', () => {
  const s = new Scratch();
  afterAll(() => s.remove());
  const outFile = path.join(s.dir, 'written.log');
  const CONF = s.file(
    'p.conf',
    `input {
  generator { id => "gen" count => 3 message => "configured input" codec => json type => "flows" tags => ["from_gen"] }
}
filter {
  if [n] > 1 { mutate { add_tag => ["big"] } }
  else if [n] == 1 { mutate { add_tag => ["one"] } }
}
output {
  if "big" in [tags] { file { id => "big_out" path => "${outFile}" } }
  elasticsearch { id => "es" hosts => ["http://localhost:9200"] }
}
`,
  );

  it('an input override replaces the configured inputs and takes the replaced one\'s codec and common options', async () => {
    const config = await loadPipelineConfig({ paths: [CONF] });
    const sunk: [string, unknown][] = [];
    const log: string[] = [];
    const p = await Pipeline.build(config, settings(log), {
      inputs: [{ input: linesInput(['{"n":2}', '{"n":1}', '{"n":0}']), replaces: 'gen', options: { add_field: { via: 'override' } } }],
      outputs: (id, events) => void events.forEach((e) => sunk.push([id, e.get('n')])),
    });
    p.start();
    await p.done;
    // The configured output plugins were never created: no file, and elasticsearch (not emulated) did not fail the build.
    expect(existsSync(outFile)).toBe(false);
    expect(sunk).toEqual([
      ['big_out', 2],
      ['es', 2],
      ['es', 1],
      ['es', 0],
    ]);
    expect(p.plugins.filter((c) => c.kind === 'input').map((c) => [c.name, c.id, c.out])).toEqual([['generator', 'gen', 3]]);
    expect(p.plugins.filter((c) => c.kind === 'output').map((c) => [c.id, c.in, c.out])).toEqual([
      ['big_out', 1, 1],
      ['es', 3, 3],
    ]);
    expect(p.totals).toMatchObject({ in: 3, filtered: 3, out: 3, failed: 0 });
    expect(log).toEqual([]);
  });

  it('decorates with the replaced input options: json codec, type, tags, plus the override\'s add_field', async () => {
    const config = await loadPipelineConfig({ paths: [CONF] });
    const seen: Event[] = [];
    const p = await Pipeline.build(config, settings([]), {
      inputs: [{ input: linesInput(['{"n":5}']), replaces: 'gen', options: { add_field: { via: 'override' } } }],
      outputs: (id, events) => void (id === 'es' && seen.push(...events)),
    });
    p.start();
    await p.done;
    expect(seen.map((e) => [e.get('n'), e.get('type'), e.get('tags'), e.get('via')])).toEqual([[5, 'flows', ['from_gen', 'big'], 'override']]);
  });

  it('an Output per id replaces only that output; an id no output has is refused', async () => {
    const config = await loadPipelineConfig({ paths: [s.file('two.conf', 'output { null { id => "kept" } null { id => "swapped" } }')] });
    const written: unknown[] = [];
    let closed = 0;
    const swapped: Output = { write: (events) => void written.push(...events.map((e) => e.get('message'))), close: () => void closed++ };
    const p = await Pipeline.build(config, settings([]), { inputs: [{ input: linesInput(['a', 'b']), codec: 'plain' }], outputs: { swapped } });
    p.start();
    await p.done;
    expect(written).toEqual(['a', 'b']);
    expect(closed).toBe(1);
    const kept = p.plugins.find((c) => c.id === 'kept')!;
    expect(kept.instance).not.toBe(swapped);
    expect(kept.out).toBe(2);
    expect(p.plugins.find((c) => c.id === 'override_1')).toMatchObject({ kind: 'input', name: 'override', out: 2 });

    await expect(Pipeline.build(config, settings([]), { outputs: { swaped: swapped } })).rejects.toThrow(
      new PipelineBuildError(`Output override for 'swaped': no configured output has that id; the outputs: 'kept', 'swapped'`),
    );
    const withInput = await loadPipelineConfig({ paths: [CONF] });
    await expect(Pipeline.build(withInput, settings([]), { inputs: [{ input: linesInput([]), replaces: 'nope' }] })).rejects.toThrow(
      new PipelineBuildError(`Input override #1 replaces 'nope', which is not the id of a configured input; the inputs: 'gen' (generator)`),
    );
    await expect(Pipeline.build(config, settings([]), { inputs: [{ input: linesInput([]), codec: 'rubydebug' }] })).rejects.toThrow(/only encodes/);
  });

  it('onBranch reports each arm entered, one object per arm; onFiltered sees every event leaving the filters', async () => {
    const config = await loadPipelineConfig({ paths: [CONF] });
    const hits: BranchArmHit[] = [];
    const filtered: unknown[] = [];
    const p = await Pipeline.build(config, settings([]), {
      inputs: [{ input: linesInput(['{"n":2}', '{"n":1}', '{"n":0}', '{"n":3}']), replaces: 'gen' }],
      outputs: () => undefined,
      onBranch: (arm) => hits.push(arm),
      onFiltered: (e) => filtered.push(e.get('n')),
    });
    p.start();
    await p.done;
    expect(filtered).toEqual([2, 1, 0, 3]);
    const show = (a: BranchArmHit): string => `${a.section} ${a.line}:${a.column} ${a.kind}`;
    expect(hits.map(show)).toEqual([
      'filter 5:3 if',
      'output 9:3 if',
      'filter 6:3 else if',
      'output 9:3 implicit else',
      'filter 5:3 implicit else',
      'output 9:3 implicit else',
      'filter 5:3 if',
      'output 9:3 if',
    ]);
    expect(hits[0]!.file).toBe(CONF);
    expect(hits[6]).toBe(hits[0]);
  });

  it('costs nothing when absent: the compiled closures do not mention the hooks, and overrides are not read per event', async () => {
    const config = await loadPipelineConfig({ paths: [s.file('runnable.conf', 'filter { if [n] > 1 { mutate { add_tag => ["big"] } } }\noutput { null {} }')] });
    // (The filter section is a FilterProgram: its branches carry the arms to report only when onBranch was given.)
    const noFilters = await loadPipelineConfig({ paths: [s.file('nf.conf', 'output { null {} }')] });
    expect(entry(await Pipeline.build(noFilters, settings([]))).toString()).not.toMatch(/onFiltered/);
    expect(entry(await Pipeline.build(noFilters, settings([]), { onFiltered: () => undefined })).toString()).toMatch(/onFiltered\(e\)/);

    // Every read of the overrides happens while building: none while events flow.
    let reads = 0;
    const given: PipelineOverrides = { inputs: [{ input: linesInput(['{"n":2}', '{"n":0}']), codec: 'json' }], outputs: () => undefined };
    const counted = new Proxy(given, {
      get: (t, k, r) => {
        reads++;
        return Reflect.get(t, k, r) as unknown;
      },
    });
    const p = await Pipeline.build(config, settings([]), counted);
    const afterBuild = reads;
    p.start();
    await p.done;
    expect(p.totals.out).toBe(2);
    expect(reads).toBe(afterBuild);
  });
});
