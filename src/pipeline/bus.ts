// The pipeline bus (Logstash's PipelineBus): `pipeline { address => … }` inputs listen on a name,
// `pipeline { send_to => […] }` outputs send to names, across the pipelines of one process. Each
// receiving address gets its own copy of the events. With ensure_delivery a send to an address no
// input listens on waits until one does (or the sender closes); without it the events are dropped
// and counted.
import type { Event } from '../event/event.ts';

export interface BusReceiver {
  /** The pipeline the listening input belongs to (for messages). */
  pipelineId: string;
  /** Takes the events (already copies); a promise while the receiving pipeline's queue is full. */
  receive(events: Event[]): Promise<void> | void;
}

export class AddressInUseError extends Error {
  constructor(address: string, pipelineId: string) {
    super(`Cannot listen on pipeline address '${address}': the pipeline '${pipelineId}' already listens on it`);
    this.name = 'AddressInUseError';
  }
}

export interface SendOptions {
  ensureDelivery: boolean;
  /** Aborted when the sender closes: a send still waiting for its address gives up. */
  signal?: AbortSignal;
  /** Called once per second while waiting for an address. */
  onWait?: (address: string) => void;
}

export interface SendResult {
  /** Events handed to an input, summed over the addresses. */
  delivered: number;
  /** Events not handed to an address (no listener without ensure_delivery, or the sender closed while waiting). */
  dropped: number;
}

export class PipelineBus {
  private readonly listeners = new Map<string, BusReceiver>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Starts listening on an address; returns the function that stops it. */
  listen(address: string, receiver: BusReceiver): () => void {
    const current = this.listeners.get(address);
    if (current) throw new AddressInUseError(address, current.pipelineId);
    this.listeners.set(address, receiver);
    for (const wake of this.waiters.get(address) ?? []) wake();
    this.waiters.delete(address);
    return () => {
      if (this.listeners.get(address) === receiver) this.listeners.delete(address);
    };
  }

  isListening(address: string): boolean {
    return this.listeners.has(address);
  }

  async send(addresses: readonly string[], events: readonly Event[], o: SendOptions): Promise<SendResult> {
    const result: SendResult = { delivered: 0, dropped: 0 };
    if (events.length === 0) return result;
    for (const address of addresses) {
      let receiver = this.listeners.get(address);
      while (!receiver && o.ensureDelivery && !o.signal?.aborted) {
        o.onWait?.(address);
        await this.waitFor(address, 1000, o.signal);
        receiver = this.listeners.get(address);
      }
      if (!receiver) {
        result.dropped += events.length;
        continue;
      }
      // Copies: the sending pipeline's other outputs still hold the events.
      const batch = events.map((e) => e.clone());
      const pending = receiver.receive(batch);
      if (pending) await pending;
      result.delivered += batch.length;
    }
    return result;
  }

  private waitFor(address: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(address);
      if (!set) this.waiters.set(address, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        set!.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The process-wide bus. */
export const pipelineBus = new PipelineBus();
