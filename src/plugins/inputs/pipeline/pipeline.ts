// The pipeline input: listens on its address on the pipeline bus; events sent there are decorated
// (type, tags, add_field) and queued like any input's, with the receiving queue's back-pressure
// reaching the sender. A second input on the same address is an error at start, as in Logstash.
import { pipelineBus } from '../../../pipeline/bus.ts';
import type { Input, InputContext, PluginContext } from '../../types.ts';
import type { PipelineInputOptions } from './schema.ts';

export class PipelineInput implements Input {
  received = 0;

  constructor(
    private readonly options: PipelineInputOptions,
    private readonly pctx: PluginContext,
  ) {}

  stats(): Record<string, number> {
    return { received: this.received };
  }

  async run(ctx: InputContext): Promise<void> {
    const stop = pipelineBus.listen(this.options.address, {
      pipelineId: this.pctx.pipelineId,
      receive: (events) => {
        for (const e of events) ctx.decorate(e);
        this.received += events.length;
        return ctx.push(events);
      },
    });
    ctx.log.info('Pipeline input listening', { address: this.options.address });
    try {
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      stop();
    }
  }
}

export function create(options: PipelineInputOptions, ctx: PluginContext): Input {
  return new PipelineInput(options, ctx);
}
