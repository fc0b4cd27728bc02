// The pipeline output: sends each batch to every address of send_to on the pipeline bus (each gets
// copies). With ensure_delivery (the default) it waits for an address nobody listens on yet,
// logging Logstash's warning each second; without it those events are dropped and counted.
import type { Event } from '../../../event/event.ts';
import { pipelineBus } from '../../../pipeline/bus.ts';
import type { Output, PluginContext } from '../../types.ts';
import type { PipelineOutputOptions } from './schema.ts';

export class PipelineOutput implements Output {
  sent = 0;
  dropped = 0;
  private readonly closing = new AbortController();
  private readonly addresses: string[];

  constructor(
    private readonly options: PipelineOutputOptions,
    private readonly ctx: PluginContext,
  ) {
    this.addresses = (Array.isArray(options.send_to) ? options.send_to : [options.send_to]).map(String);
  }

  async write(events: Event[]): Promise<void> {
    const r = await pipelineBus.send(this.addresses, events, {
      ensureDelivery: this.options.ensure_delivery,
      signal: this.closing.signal,
      onWait: (address) =>
        this.ctx.log.warn(`Attempted to send event to '${address}' but that address was unavailable. Maybe the destination pipeline is down or stopping? Will Retry.`),
    });
    this.sent += r.delivered;
    if (r.dropped > 0) {
      this.dropped += r.dropped;
      if (!this.options.ensure_delivery) this.ctx.log.warn(`Attempted to send events to addresses with no listening pipeline input (ensure_delivery => false): ${r.dropped} dropped`, { send_to: this.addresses });
    }
  }

  close(): void {
    this.closing.abort();
  }

  stats(): Record<string, number> {
    return { sent: this.sent, dropped: this.dropped };
  }
}

export function create(options: PipelineOutputOptions, ctx: PluginContext): Output {
  return new PipelineOutput(options, ctx);
}
