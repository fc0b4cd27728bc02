// Pipeline-to-pipeline: the bus (copies per address, ensure_delivery waits, drops counted, one
// listener per address) and the pipeline input/output plugins, in-process and through runPipelines.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Event } from '../../../src/event/event.ts';
import { PipelineBus, AddressInUseError, pipelineBus } from '../../../src/pipeline/bus.ts';
import { loadPipelineConfig } from '../../../src/config/pipeline-config.ts';
import { runPipelines, type PipelineControl } from '../../../src/pipeline/runner.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import { PipelineOutput } from '../../../src/plugins/outputs/pipeline/pipeline.ts';
import type { PipelineOutputOptions } from '../../../src/plugins/outputs/pipeline/schema.ts';

describe('pipeline bus', () => {
  it('each address receives its own copies, in order', async () => {
    const bus = new PipelineBus();
    const a: Event[] = [];
    const b: Event[] = [];
    bus.listen('a', { pipelineId: 'pa', receive: (es) => void a.push(...es) });
    bus.listen('b', { pipelineId: 'pb', receive: (es) => void b.push(...es) });
    const sent = [new Event({ n: 1 }), new Event({ n: 2 })];
    expect(await bus.send(['a', 'b'], sent, { ensureDelivery: true })).toEqual({ delivered: 4, dropped: 0 });
    expect(a.map((e) => e.get('n'))).toEqual([1, 2]);
    a[0]!.set('n', 99);
    expect(b[0]!.get('n')).toBe(1);
    expect(sent[0]!.get('n')).toBe(1);
  });

  it('a second listener on an address is refused; after stop() the address is free', () => {
    const bus = new PipelineBus();
    const stop = bus.listen('x', { pipelineId: 'one', receive: () => undefined });
    expect(() => bus.listen('x', { pipelineId: 'two', receive: () => undefined })).toThrow(AddressInUseError);
    stop();
    expect(() => bus.listen('x', { pipelineId: 'two', receive: () => undefined })).not.toThrow();
  });

  it('ensure_delivery waits for the address to appear; without it the events are dropped', async () => {
    const bus = new PipelineBus();
    expect(await bus.send(['late'], [new Event({})], { ensureDelivery: false })).toEqual({ delivered: 0, dropped: 1 });
    const got: Event[] = [];
    let waits = 0;
    const sending = bus.send(['late'], [new Event({ k: 1 })], { ensureDelivery: true, onWait: () => waits++ });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(0);
    bus.listen('late', { pipelineId: 'p', receive: (es) => void got.push(...es) });
    expect(await sending).toEqual({ delivered: 1, dropped: 0 });
    expect(waits).toBe(1);
  });

  it('the receiver\'s back-pressure holds the sender', async () => {
    const bus = new PipelineBus();
    let release!: () => void;
    bus.listen('slow', { pipelineId: 'p', receive: () => new Promise<void>((r) => (release = r)) });
    let done = false;
    const sending = bus.send(['slow'], [new Event({})], { ensureDelivery: true }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await sending;
    expect(done).toBe(true);
  });

  it('a pipeline output closing while it waits gives up and counts the events as dropped', async () => {
    const out = new PipelineOutput({ send_to: ['nobody-home'], ensure_delivery: true } as unknown as PipelineOutputOptions, standaloneContext());
    const writing = out.write([new Event({}), new Event({})]);
    await new Promise((r) => setTimeout(r, 20));
    out.close();
    await writing;
    expect(out.stats()).toEqual({ sent: 0, dropped: 2 });
  });
});

describe('pipeline input/output between two pipelines (runPipelines)', () => {
  it('upstream generator → pipeline { send_to } → downstream pipeline { address } → file; downstream decoration applied', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-p2p-'));
    const file = path.join(dir, 'out.ndjson');
    const upstream = await loadPipelineConfig({ configString: `input { generator { count => 3 message => "m" } } output { pipeline { send_to => ["p2p-test"] } }` });
    const downstream = await loadPipelineConfig({ configString: `input { pipeline { address => "p2p-test" add_field => { "via" => "bus" } } } output { file { path => "${file}" } }` });
    let control: PipelineControl | undefined;
    const lines: string[] = [];
    const running = runPipelines(
      [
        { id: 'down', config: downstream, workers: 1, batchSize: 125, batchDelayMs: 5, ecsCompatibility: 'v8' },
        { id: 'up', config: upstream, workers: 1, batchSize: 125, batchDelayMs: 5, ecsCompatibility: 'v8' },
      ],
      { logLevel: 'error', handleSignals: false, logSink: (l: string) => void lines.push(l), onStart: (c: PipelineControl) => (control = c) } as never,
    );
    const end = Date.now() + 10_000;
    while (!(existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length === 3)) {
      if (Date.now() > end) throw new Error(`no output; log:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    control!.interrupt();
    expect(await running).toBe(0);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e['message'], e['via']])).toEqual([['m', 'bus'], ['m', 'bus'], ['m', 'bus']]);
    expect(pipelineBus.isListening('p2p-test')).toBe(false);
  });
});
