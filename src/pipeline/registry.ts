// The pipelines running in this process, by pipeline.id: the runner adds each one when it starts and
// removes it when it has finished, so pipeline-to-pipeline inputs and outputs can find their peers.
import type { Pipeline } from './pipeline.ts';

export class RunningPipelines {
  private readonly byId = new Map<string, Pipeline>();

  add(id: string, pipeline: Pipeline): void {
    this.byId.set(id, pipeline);
  }

  /** Removes the entry only if it is still this pipeline (a reload may have replaced it). */
  remove(id: string, pipeline: Pipeline): void {
    if (this.byId.get(id) === pipeline) this.byId.delete(id);
  }

  get(id: string): Pipeline | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}

/** The process-wide registry the runner fills. */
export const runningPipelines = new RunningPipelines();
