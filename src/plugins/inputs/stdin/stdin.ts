// The stdin input: reads standard input through its codec (line by default; plain → line and
// json → json_lines as Logstash switches them), decorates each event and sets the host name
// (`[host][hostname]` under ECS, `host` with ecs_compatibility => disabled). Stops at EOF or
// when the pipeline shuts down; a line still unterminated at that moment is flushed, not lost.
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import type { Event } from '../../../event/event.ts';
import type { Input, InputContext, PluginContext, ResolvedOptions } from '../../types.ts';
import { FieldEnricher } from '../enrich.ts';

export class StdinInput implements Input {
  private readonly hostField: string;
  private readonly host = hostname();
  events = 0;
  bytes = 0;

  constructor(
    options: ResolvedOptions,
    private readonly stream: Readable = process.stdin,
  ) {
    this.hostField = options['ecs_compatibility'] === 'disabled' ? 'host' : '[host][hostname]';
  }

  run(ctx: InputContext): Promise<void> {
    const stream = this.stream;
    const source = { host: this.host };
    const enrich = new FieldEnricher(ctx.log);
    return new Promise<void>((resolve) => {
      let done = false;
      const deliver = (events: Event[]): void => {
        if (events.length === 0) return;
        for (const e of events) {
          ctx.decorate(e);
          enrich.set(e, this.hostField, this.host, true);
        }
        this.events += events.length;
        const wait = ctx.push(events);
        if (wait && !done) {
          stream.pause();
          void wait.then(() => {
            if (!done) stream.resume();
          });
        }
      };
      const onData = (chunk: Buffer | string): void => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        this.bytes += buf.length;
        const out: Event[] = [];
        try {
          ctx.codec.decode(buf, source, (e) => out.push(e));
        } catch (e) {
          ctx.log.error('Codec failed to decode stdin data', { exception: (e as Error).message, bytes: buf.length });
        }
        deliver(out);
      };
      const finish = (reason: 'eof' | 'abort' = 'eof'): void => {
        if (done) return;
        done = true;
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.off('error', onError);
        ctx.signal.removeEventListener('abort', onAbort);
        const out: Event[] = [];
        ctx.codec.flush?.(source, (e) => out.push(e));
        if (reason === 'abort' && out.length > 0) {
          ctx.log.warn(`Shutdown interrupted an unterminated line; it is emitted as it stands (${out.length} event)`);
        }
        deliver(out);
        resolve();
      };
      const onEnd = (): void => finish('eof');
      const onError = (e: Error): void => {
        ctx.log.error('Error reading standard input', { exception: e.message });
        finish('eof');
      };
      const onAbort = (): void => {
        // Take what is already buffered in the stream, then stop reading.
        // read() also emits 'data': detach the listener first so each chunk is decoded once.
        stream.off('data', onData);
        stream.pause();
        let chunk: Buffer | string | null;
        while ((chunk = stream.read() as Buffer | string | null) !== null) onData(chunk);
        finish('abort');
        if (stream === process.stdin) process.stdin.destroy();
      };
      if (ctx.signal.aborted) return onAbort();
      stream.on('data', onData);
      stream.once('end', onEnd);
      stream.once('error', onError);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  stats(): Record<string, number> {
    return { events: this.events, bytes: this.bytes };
  }
}

export function create(options: ResolvedOptions, _ctx: PluginContext): Input {
  return new StdinInput(options);
}
