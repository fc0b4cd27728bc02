// Runs a pipeline to completion: signals (first SIGINT/SIGTERM drains, a second forces exit and
// reports what was abandoned), `-r` reload (a changed valid config replaces the running pipeline
// after the old one drained; an invalid one is reported and the old one keeps running), logging
// in Logstash's shape, and a summary of the counters at exit. Returns the exit code.
import type { PipelineConfig } from '../config/pipeline-config.ts';
import type { EcsCompatibility } from '../plugins/types.ts';
import { type LogSink, PipelineLogger, parseLogLevel } from './log.ts';
import { Pipeline, PipelineBuildError, type PipelineSettings } from './pipeline.ts';
import type { DeadLetterQueueSettings } from './dead-letter-queue.ts';
import { runningPipelines } from './registry.ts';

export interface RunPipelineOptions {
  workers: number;
  /** --threads: filter/output threads (default 1). */
  threads?: number;
  batchSize: number;
  batchDelayMs: number;
  logLevel: string;
  /** pipeline.ecs_compatibility (default v8). */
  ecsCompatibility?: EcsCompatibility;
  /** --dry-run: network outputs print what they would send. */
  dryRun?: boolean;
  /** pipeline.id (default main). */
  pipelineId?: string;
  /** dead_letter_queue.* when enabled for this pipeline. */
  deadLetterQueue?: DeadLetterQueueSettings;
  /** path.data, absolute. */
  dataPath?: string;
  /** Tag the summary line with the pipeline.id (one of several pipelines). */
  tagSummary?: boolean;
  reload?: { intervalMs: number; load: () => Promise<PipelineConfig> };
  /** Where log lines go (default stderr). */
  logSink?: LogSink;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
  /** Called on a forced (second-signal) shutdown; default: process.exit(code). */
  forceExit?: (code: number) => void;
  /** Receives each pipeline as it starts (tests, and the CLI's own stop handling). */
  onStart?: (control: PipelineControl) => void;
}

/** A handle to stop the running pipeline from outside (what a signal does). */
export interface PipelineControl {
  /** First call: graceful drain. Second call: forced; returns the number of events abandoned. */
  interrupt(signal?: string): number | undefined;
}

/** Fingerprint of a config's statements (locations ignored) to tell a real change from a re-read. */
function fingerprint(config: PipelineConfig): string {
  return JSON.stringify([config.sources, config.inputs, config.filters, config.outputs], (k, v: unknown) =>
    k === 'loc' || k === 'elseLoc' || k === 'end' ? undefined : v,
  );
}

/**
 * SIGINT/SIGTERM as Logstash answers them: the first drains (`stop`), a second forces the exit and
 * reports what was abandoned. `release()` removes the handlers once the run is over.
 */
function interruptHandling(
  root: PipelineLogger,
  opts: Pick<RunPipelineOptions, 'handleSignals' | 'forceExit'>,
  what: { stop(): void; abandon(): number },
): { control: PipelineControl; forcedExit: Promise<void>; forced(): boolean; release(): void } {
  let count = 0;
  let forced = false;
  let onForced: () => void = () => undefined;
  const forcedExit = new Promise<void>((resolve) => (onForced = resolve));
  const control: PipelineControl = {
    interrupt(signal = 'SIGINT') {
      count++;
      if (count === 1) {
        root.warn(`${signal} received. Shutting down.`);
        what.stop();
        return undefined;
      }
      const abandoned = what.abandon();
      root.fatal(`${signal} received again: forced exit, ${abandoned} events abandoned (read but not written to every output)`);
      forced = true;
      onForced();
      (opts.forceExit ?? ((code: number) => process.exit(code)))(1);
      return abandoned;
    },
  };
  const onSigint = (): void => void control.interrupt('SIGINT');
  const onSigterm = (): void => void control.interrupt('SIGTERM');
  if (opts.handleSignals !== false) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
  return {
    control,
    forcedExit,
    forced: () => forced,
    release: () => {
      if (opts.handleSignals === false) return;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}

/** Exit code of a run in which an output failed to write events (README: "Exit codes"). */
export const OUTPUT_FAILURE_EXIT = 3;

export async function runPipeline(config: PipelineConfig, opts: RunPipelineOptions): Promise<number> {
  const level = parseLogLevel(opts.logLevel);
  const root = new PipelineLogger('runner', level, opts.logSink);
  const id = opts.pipelineId ?? 'main';
  const settings = pipelineSettings({ ...opts, id, ecsCompatibility: opts.ecsCompatibility ?? 'v8' }, root, opts);
  // The initial config's warnings are printed by the CLI that loaded it; reloaded ones are ours.

  let current: Pipeline;
  try {
    current = await Pipeline.build(config, settings);
  } catch (e) {
    root.error(`Pipeline failed to start: ${(e as Error).message}`, { 'pipeline.id': id });
    return 1;
  }
  const finished: Pipeline[] = [];
  let shuttingDown = false;
  let swapping: Promise<void> | undefined;
  let exitCode = 0;
  const interrupts = interruptHandling(root, opts, {
    stop: () => {
      shuttingDown = true;
      current.stop();
    },
    abandon: () => {
      shuttingDown = true;
      exitCode = 1;
      return current.abandon();
    },
  });
  const { control, forcedExit } = interrupts;

  const startPipeline = (p: Pipeline): void => {
    p.start();
    runningPipelines.add(id, p);
    void p.done.then(() => runningPipelines.remove(id, p));
    root.info('Pipeline started', { 'pipeline.id': id, 'pipeline.workers': settings.workers, 'pipeline.batch.size': settings.batchSize, ...(settings.threads ? { threads: settings.threads } : {}) });
    opts.onStart?.(control);
  };
  startPipeline(current);

  let reloadTimer: NodeJS.Timeout | undefined;
  if (opts.reload) {
    const reload = opts.reload;
    let lastPrint = fingerprint(config);
    let lastError = '';
    let checking = false;
    const check = async (): Promise<void> => {
      if (checking || shuttingDown) return;
      checking = true;
      try {
        let next: PipelineConfig;
        try {
          next = await reload.load();
        } catch (e) {
          const msg = (e as Error).message;
          if (msg !== lastError) {
            root.error(`The given configuration is invalid, keeping the running pipeline. Reason: ${msg}`);
            lastError = msg;
          }
          return;
        }
        lastError = '';
        const print = fingerprint(next);
        if (print === lastPrint || shuttingDown) return;
        lastPrint = print;
        if (!current.reloadable) {
          root.error('Cannot reload pipeline, because the existing pipeline is not reloadable (it reads stdin)');
          return;
        }
        let replacement: Pipeline;
        try {
          replacement = await Pipeline.build(next, settings);
        } catch (e) {
          const msg = e instanceof PipelineBuildError ? e.message : String(e);
          root.error(`Failed to reload the pipeline, keeping the running one. Reason: ${msg}`);
          return;
        }
        for (const w of next.warnings) root.warn(w);
        root.info('Reloading pipeline', { 'pipeline.id': id });
        const old = current;
        swapping = (async () => {
          old.stop();
          await old.done;
          finished.push(old);
          current = replacement;
          startPipeline(replacement);
        })();
        await swapping;
        swapping = undefined;
      } finally {
        checking = false;
      }
    };
    reloadTimer = setInterval(() => void check(), Math.max(50, reload.intervalMs));
  }

  try {
    for (;;) {
      await Promise.race([current.done, forcedExit]);
      if (interrupts.forced()) break;
      if (swapping) {
        await swapping;
        continue;
      }
      // With -r Logstash keeps running after its pipeline finished, waiting for a new config.
      if (opts.reload && !shuttingDown) {
        const before = current;
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (current !== before || shuttingDown) {
              clearInterval(poll);
              resolve();
            }
          }, 100);
        });
        if (current !== before) continue;
      }
      break;
    }
  } finally {
    if (reloadTimer) clearInterval(reloadTimer);
    interrupts.release();
  }
  finished.push(current);
  if (!interrupts.forced()) logSummary(root, finished, id, opts.tagSummary ?? false);
  for (const p of finished) exitCode = Math.max(exitCode, p.inputExitCode);
  const unwritten = finished.reduce((n, p) => n + p.outputWriteFailures, 0);
  if (unwritten > 0) {
    // Logstash stops a pipeline whose output raises; flowstash keeps going, counts, and says so in the exit code.
    root.error(`${unwritten} events could not be written by an output (reasons logged above): exiting with code ${OUTPUT_FAILURE_EXIT}`);
    exitCode = Math.max(exitCode, OUTPUT_FAILURE_EXIT);
  }
  return exitCode;
}

function logSummary(log: PipelineLogger, pipelines: Pipeline[], id: string, tagged = false): void {
  const t = { in: 0, filtered: 0, out: 0, dropped: 0, failed: 0 };
  for (const p of pipelines) {
    t.in += p.totals.in;
    t.filtered += p.totals.filtered;
    t.out += p.totals.out;
    t.dropped += p.totals.dropped;
    t.failed += p.totals.failed;
  }
  log.info('Pipeline terminated', { 'pipeline.id': id });
  log.info(`Summary: events in=${t.in} filtered=${t.filtered} out=${t.out} dropped=${t.dropped} failed=${t.failed}`, tagged ? { 'pipeline.id': id } : undefined);
  const last = pipelines[pipelines.length - 1]!;
  const order = { input: 0, filter: 1, output: 2 };
  const plugins = last.pluginStats().sort((a, b) => order[a.counters.kind] - order[b.counters.kind]);
  for (const { counters: c, stats } of plugins) {
    const counts = c.kind === 'input' ? `out=${c.out}` : c.kind === 'filter' ? `in=${c.in} out=${c.out}` : `in=${c.in} written=${c.out}`;
    const shown = new Set(['in', 'out', 'written', 'events']);
    const rest = Object.entries(stats ?? {}).filter(([k]) => !shown.has(k));
    const extra = rest.length > 0 ? ' ' + rest.map(([k, v]) => `${k}=${v}`).join(' ') : '';
    log.info(`  ${c.kind} ${c.name} (${c.id}): ${counts}${extra}`);
  }
  for (const { input, stats } of last.inputCodecStats()) {
    const nonZero = Object.entries(stats).filter(([, v]) => v !== 0);
    if (nonZero.length > 0) log.info(`  codec of input ${input}: ${nonZero.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
}

/** One pipeline of pipelines.yml, with its own settings. */
export interface PipelineRun {
  id: string;
  config: PipelineConfig;
  workers: number;
  batchSize: number;
  batchDelayMs: number;
  ecsCompatibility: EcsCompatibility;
  /** dead_letter_queue.* when enabled for this pipeline. */
  deadLetterQueue?: DeadLetterQueueSettings;
}

export type RunPipelinesOptions = Pick<RunPipelineOptions, 'logLevel' | 'dryRun' | 'logSink' | 'handleSignals' | 'forceExit' | 'onStart' | 'dataPath' | 'threads'>;

/**
 * Several pipelines in one process (pipelines.yml): each built and started with its own settings
 * and pipeline.id; one that fails to start is reported and the others run (as Logstash's agent
 * does); a signal drains them all; the summary is printed per pipeline. Returns the exit code.
 */
export async function runPipelines(runs: readonly PipelineRun[], opts: RunPipelinesOptions): Promise<number> {
  const root = new PipelineLogger('runner', parseLogLevel(opts.logLevel), opts.logSink);
  let exitCode = 0;
  const started: { id: string; pipeline: Pipeline }[] = [];
  for (const run of runs) {
    const settings = pipelineSettings(run, root, opts);
    try {
      started.push({ id: run.id, pipeline: await Pipeline.build(run.config, settings) });
    } catch (e) {
      root.error(`Pipeline failed to start: ${(e as Error).message}`, { 'pipeline.id': run.id });
      exitCode = 1;
      continue;
    }
    const { pipeline } = started[started.length - 1]!;
    pipeline.start();
    runningPipelines.add(run.id, pipeline);
    void pipeline.done.then(() => runningPipelines.remove(run.id, pipeline));
    root.info('Pipeline started', { 'pipeline.id': run.id, 'pipeline.workers': settings.workers, 'pipeline.batch.size': settings.batchSize, ...(settings.threads ? { threads: settings.threads } : {}) });
  }
  if (started.length === 0) return 1;
  root.info('Pipelines running', { count: started.length, running_pipelines: started.map((s) => s.id) });

  const interrupts = interruptHandling(root, opts, {
    stop: () => {
      for (const s of started) s.pipeline.stop();
    },
    abandon: () => started.reduce((n, s) => n + s.pipeline.abandon(), 0),
  });
  const { control, forcedExit } = interrupts;
  opts.onStart?.(control);
  try {
    await Promise.race([Promise.all(started.map((s) => s.pipeline.done)), forcedExit]);
  } finally {
    interrupts.release();
  }
  if (interrupts.forced()) return 1;
  for (const { id, pipeline } of started) {
    logSummary(root, [pipeline], id, true);
    exitCode = Math.max(exitCode, pipeline.inputExitCode);
  }
  return exitCode;
}

/** What Pipeline.build gets for one pipeline: its own settings, the process-wide ones (dry run, path.data). */
function pipelineSettings(
  run: Pick<PipelineRun, 'id' | 'workers' | 'batchSize' | 'batchDelayMs' | 'ecsCompatibility' | 'deadLetterQueue'>,
  log: PipelineLogger,
  shared: { dryRun?: boolean; dataPath?: string; threads?: number },
): PipelineSettings {
  return {
    workers: Math.max(1, Math.floor(run.workers)),
    batchSize: Math.max(1, Math.floor(run.batchSize)),
    batchDelayMs: Math.max(0, run.batchDelayMs),
    log,
    ecsCompatibility: run.ecsCompatibility,
    dryRun: shared.dryRun ?? false,
    pipelineId: run.id,
    ...(run.deadLetterQueue ? { deadLetterQueue: run.deadLetterQueue } : {}),
    ...(shared.dataPath ? { dataPath: shared.dataPath } : {}),
    ...(shared.threads !== undefined && shared.threads > 1 ? { threads: shared.threads } : {}),
  };
}
