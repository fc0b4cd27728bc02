// One filter thread of `--threads N` (filter-threads.ts starts it): builds the pipeline's filters and
// outputs from the same config texts, with the inputs replaced by the batches the main thread sends,
// and runs them until told to end; then reports its counters and exits.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPipelineConfig } from '../../config/load.ts';
import type { Event } from '../../event/event.ts';
import type { Input, InputContext } from '../../plugins/types.ts';
import { PipelineLogger } from '../log.ts';
import { Pipeline } from '../pipeline.ts';
import { decodeEvents } from './event-wire.ts';
import { lockedStdout } from './locked-stdout.ts';
import type { FilterThreadData, FromFilterThread, ThreadCounters, ToFilterThread } from './thread-messages.ts';

const data = workerData as FilterThreadData;
const port = parentPort!;
const post = (m: FromFilterThread): void => port.postMessage(m);

/** The main thread's batches as this pipeline's only input, pushed in the order they came. */
class MainThreadBatches implements Input {
  private readonly pending: Event[][] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  constructor() {
    port.on('message', (m: ToFilterThread) => {
      if (m.type === 'batch') this.pending.push(decodeEvents(m.bytes));
      else this.ended = true;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    });
  }

  async run(ctx: InputContext): Promise<void> {
    for (;;) {
      const batch = this.pending.shift();
      if (batch !== undefined) {
        const full = ctx.push(batch);
        if (full) await full;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

async function main(): Promise<void> {
  Object.defineProperty(process, 'stdout', { value: lockedStdout(data.stdoutLock, data.stdoutClosedEndsProcess ? () => post({ type: 'stdout-closed' }) : undefined), configurable: true, enumerable: true });
  const log = new PipelineLogger('runner', data.logLevel);
  const config = await loadPipelineConfig({ parts: data.origin.parts, env: data.origin.env, supportEscapes: data.origin.supportEscapes });
  const input = new MainThreadBatches();
  let pipeline: Pipeline;
  try {
    pipeline = await Pipeline.build(
      config,
      {
        workers: 1,
        batchSize: data.batchSize,
        // A batch arrives whole: waiting for more would only delay it.
        batchDelayMs: 0,
        log,
        ...(data.ecsCompatibility ? { ecsCompatibility: data.ecsCompatibility } : {}),
        ...(data.pipelineId ? { pipelineId: data.pipelineId } : {}),
        dryRun: data.dryRun ?? false,
        ...(data.flushIntervalMs !== undefined ? { flushIntervalMs: data.flushIntervalMs } : {}),
        ...(data.dataPath ? { dataPath: data.dataPath } : {}),
        onBatchDone: (events) => post({ type: 'done', events }),
      },
      // Events arrive decorated by their input on the main thread: this one adds nothing.
      { inputs: [{ input, name: 'main thread', id: `filter_thread_${data.index + 1}` }] },
    );
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message });
    return;
  }
  pipeline.start();
  post({ type: 'ready' });
  await pipeline.done;
  const plugins: ThreadCounters[] = [];
  for (const { counters: c, stats } of pipeline.pluginStats()) {
    if (c.kind === 'input') continue;
    plugins.push({ kind: c.kind, name: c.name, id: c.id, in: c.in, out: c.out, ...(stats ? { stats } : {}) });
  }
  const { filtered, out, dropped, failed } = pipeline.totals;
  post({ type: 'final', totals: { filtered, out, dropped, failed }, plugins, outputWriteFailures: pipeline.outputWriteFailures });
  port.close();
  // Timers and handles a plugin keeps (a refresh interval, the ruby VM) must not keep the thread alive.
  process.exit(0);
}

main().catch((e: unknown) => post({ type: 'failed', message: (e as Error).message }));
