// Which pipelines `--threads N` can run. Each thread has its own instances of the filters and outputs
// and sees a share of the events, so a plugin whose result depends on seeing every event (a task's
// events together, a rate over all events) or on one shared object (the pipeline bus, one DLQ writer)
// cannot be split; such a pipeline is refused with the reason rather than run wrong.

/** A filter or output of the pipeline and where it is written. */
export interface PlacedPlugin {
  kind: 'input' | 'filter' | 'output';
  name: string;
  where: string;
}

/** Why each plugin cannot run split over threads. */
const NEEDS_EVERY_EVENT: Record<string, string> = {
  'filter/aggregate': "correlates a task's events, which threads would see apart (Logstash: pipeline.workers 1)",
  'filter/elapsed': 'pairs start and end events, which threads would see apart',
  'filter/throttle': 'counts events over all of them; each thread would count its share',
  'input/pipeline': 'is fed by other pipelines of this process through one address',
  'output/pipeline': "sends to other pipelines of this process, whose address is in the main thread",
};

export interface ThreadingContext {
  /** The config knows the texts it came from (a thread loads them again). */
  hasOrigin: boolean;
  /** dead_letter_queue.enable in a run that writes it. */
  deadLetterQueue: boolean;
  /** The test bench's hooks and stand-ins (they live in this thread). */
  overrides: boolean;
}

/** Why the pipeline cannot run on threads, or undefined when it can. */
export function threadsRefusal(plugins: readonly PlacedPlugin[], ctx: ThreadingContext): string | undefined {
  if (ctx.overrides) return 'not with the test bench: its hooks and stand-in outputs run in this thread';
  if (!ctx.hasOrigin) return 'this pipeline was not loaded from config text, which each thread must load again';
  if (ctx.deadLetterQueue) return 'not with dead_letter_queue.enable: the queue has one writer';
  for (const p of plugins) {
    const why = NEEDS_EVERY_EVENT[`${p.kind}/${p.name}`];
    if (why) return `the ${p.name} ${p.kind} at ${p.where} ${why}; run without --threads`;
  }
  return undefined;
}
