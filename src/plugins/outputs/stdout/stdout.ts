// The stdout output: each batch encoded by the codec (rubydebug by default) and written as one
// chunk; the write is awaited until the stream drains so a pipe receives everything.
import type { Writable } from 'node:stream';
import type { Event } from '../../../event/event.ts';
import type { Codec, Output, PluginContext, ResolvedOptions } from '../../types.ts';

/**
 * Resolves once the data has been handed to the OS, rejects with the write's own error (ENOSPC,
 * EACCES, EPIPE, a destroyed stream): the write callback reports every outcome, so a failed stream
 * can never leave the caller waiting for a 'drain' that will not come.
 */
export function writeFully(stream: Writable, data: string | Buffer): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    stream.write(data, (e) => (e ? reject(e) : resolve()));
  });
}

export function encodeBatch(codec: Codec, events: Event[]): string | Buffer {
  if (codec.encodeBatch) return codec.encodeBatch(events);
  let text = '';
  let buffers: Buffer[] | undefined;
  for (const e of events) {
    const out = codec.encode(e);
    if (typeof out === 'string') {
      if (buffers) buffers.push(Buffer.from(out));
      else text += out;
    } else {
      buffers ??= [Buffer.from(text)];
      buffers.push(out);
    }
  }
  return buffers ? Buffer.concat(buffers) : text;
}

/** A codec that lends its output memory for one write (json_lines) and reuses it once given back. */
interface LendingCodec {
  encodeBatchLease(events: readonly Event[]): { readonly data: Buffer; release(): void };
}

function lends(codec: Codec): codec is Codec & LendingCodec {
  return typeof (codec as Partial<LendingCodec>).encodeBatchLease === 'function';
}

export class StdoutOutput implements Output {
  written = 0;
  constructor(
    private readonly codec: Codec,
    private readonly stream: Writable = process.stdout,
  ) {}

  async write(events: Event[]): Promise<void> {
    if (lends(this.codec)) {
      const lease = this.codec.encodeBatchLease(events);
      try {
        await writeFully(this.stream, lease.data);
      } finally {
        // The write's callback has run: the stream holds no reference to the bytes any more.
        lease.release();
      }
    } else await writeFully(this.stream, encodeBatch(this.codec, events));
    this.written += events.length;
  }

  async close(): Promise<void> {
    await this.codec.close?.();
  }
}

export function create(options: ResolvedOptions, ctx: PluginContext): Output {
  return new StdoutOutput(ctx.createCodec(options['codec'] ?? 'rubydebug'));
}
