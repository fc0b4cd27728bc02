// A minimal runtime around one input: a codec that turns each datagram into one event, a push
// that can be held to simulate a slow pipeline, and a logger that records lines.
import { Event } from '../../src/event/event.ts';
import type { Codec, InputContext, Logger, SourceInfo } from '../../src/plugins/types.ts';
import { standaloneContext } from '../../src/plugins/context.ts';

export interface FakeRuntime {
  ctx: InputContext;
  events: Event[];
  logs: { level: string; msg: string; data?: Record<string, unknown> }[];
  abort(): void;
  /** While held, push() returns a promise that settles on release(). */
  hold(): void;
  release(): void;
}

/** One event per datagram: message = payload text, [@metadata][port] = sender port. Throws on "boom". */
export const textCodec = (): Codec => ({
  decode(data: Buffer, source: SourceInfo, emit: (e: Event) => void): void {
    const text = data.toString('latin1');
    if (text.startsWith('boom')) throw new Error('cannot decode boom');
    emit(new Event({ message: text }, { port: source.port ?? -1, from: source.host ?? '' }));
  },
  encode: (e: Event) => JSON.stringify(e.toObject()),
});

export function fakeRuntime(codec: Codec = textCodec(), debug = false): FakeRuntime {
  const events: Event[] = [];
  const logs: FakeRuntime['logs'] = [];
  const ac = new AbortController();
  let held: { promise: Promise<void>; resolve: () => void } | undefined;
  const log = (level: string) => (msg: string, data?: Record<string, unknown>) => logs.push({ level, msg, data });
  const logger: Logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    isEnabled: (l) => debug || l !== 'debug',
  };
  const ctx: InputContext = {
    ...standaloneContext(),
    log: logger,
    createCodec: () => codec,
    codec,
    decorate: (e) => {
      if (e.get('type') === undefined) e.set('type', 'flows');
    },
    push: (batch) => {
      events.push(...batch);
      return held?.promise;
    },
    signal: ac.signal,
  };
  return {
    ctx,
    events,
    logs,
    abort: () => ac.abort(),
    hold: () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      held = { promise, resolve };
    },
    release: () => {
      const h = held;
      held = undefined;
      h?.resolve();
    },
  };
}

export { until } from '../e2e/helpers.ts';
