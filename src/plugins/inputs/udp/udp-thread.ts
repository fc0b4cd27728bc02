// Starts the udp input's receiver thread (udp-receiver.ts) and speaks its message protocol.
import { Worker } from 'node:worker_threads';
import { workerBootstrapSource } from '../../../util/worker-bootstrap.ts';

export interface ReceiverInit {
  host: string;
  port: number;
  receiveBufferBytes?: number;
  bufferSize: number;
  queueSize: number;
}

export interface ReceiverCounters {
  received: number;
  bytes: number;
  truncated: number;
  droppedQueueFull: number;
}

/** What the receiver thread gets as workerData: the options plus the shared count of decoded datagrams. */
export interface ReceiverWorkerData extends ReceiverInit {
  /** Int32 at index 0: datagrams the pipeline thread has decoded (wrapping), added to with Atomics. */
  decoded: SharedArrayBuffer;
}

export type ToReceiver = { type: 'close' };

export type FromReceiver =
  | { type: 'ready'; address: string; port: number; warning?: string }
  | { type: 'failed'; message: string }
  | { type: 'batch'; data: ArrayBuffer; lengths: Uint32Array; hosts: string[]; ports: number[] }
  | { type: 'stats'; counters: ReceiverCounters }
  | { type: 'closed'; counters: ReceiverCounters };

export interface ReceivedBatch {
  payloads: Buffer[];
  hosts: string[];
  ports: number[];
}

export interface ReceiverHandlers {
  onBatch(batch: ReceivedBatch): void;
  onStats(counters: ReceiverCounters): void;
}

export interface ReceiverThread {
  /** Bound address and port, and the receive-buffer warning if any. */
  address: string;
  port: number;
  warning?: string;
  /** The pipeline thread has decoded this many more datagrams: room in the queue again. */
  ack(count: number): void;
  /** Stops receiving; resolves with the final counters after the last batch was delivered. */
  close(): Promise<ReceiverCounters>;
}


export function startReceiverThread(init: ReceiverInit, handlers: ReceiverHandlers): Promise<ReceiverThread> {
  // Acks go through shared memory, not messages: one postMessage per decoded burst cost the pipeline thread ~5%.
  const decoded = new SharedArrayBuffer(4);
  const decodedCount = new Int32Array(decoded);
  const workerData: ReceiverWorkerData = { ...init, decoded };
  const worker = new Worker(workerBootstrapSource(new URL('./udp-receiver.ts', import.meta.url), 'udp input: receiver thread: '), { eval: true, workerData });
  return new Promise((resolve, reject) => {
    let closedResolve: ((c: ReceiverCounters) => void) | undefined;
    let finalCounters: ReceiverCounters | undefined;
    let started = false;
    worker.on('message', (m: FromReceiver) => {
      switch (m.type) {
        case 'ready':
          started = true;
          resolve({
            address: m.address,
            port: m.port,
            warning: m.warning,
            ack: (count) => void Atomics.add(decodedCount, 0, count),
            close: () =>
              new Promise<ReceiverCounters>((res) => {
                if (finalCounters) return res(finalCounters);
                closedResolve = res;
                worker.postMessage({ type: 'close' } satisfies ToReceiver);
              }),
          });
          break;
        case 'failed':
          void worker.terminate();
          // Same shape as UdpListenError: the input cannot run, the process should exit 1.
          reject(Object.assign(new Error(m.message), { name: 'UdpListenError', exitCode: 1 }));
          break;
        case 'batch': {
          const data = Buffer.from(m.data);
          const payloads: Buffer[] = new Array(m.lengths.length);
          let at = 0;
          for (let i = 0; i < m.lengths.length; i++) {
            const len = m.lengths[i]!;
            payloads[i] = data.subarray(at, at + len);
            at += len;
          }
          handlers.onBatch({ payloads, hosts: m.hosts, ports: m.ports });
          break;
        }
        case 'stats':
          handlers.onStats(m.counters);
          break;
        case 'closed':
          finalCounters = m.counters;
          handlers.onStats(m.counters);
          void worker.terminate();
          closedResolve?.(m.counters);
          break;
      }
    });
    worker.on('error', (err) => {
      if (!started) reject(new Error(`udp input: receiver thread: ${err.message}`));
    });
    worker.on('exit', () => {
      if (!started) reject(new Error('udp input: receiver thread exited before listening'));
      // A thread that dies after starting still lets close() finish with what it reported.
      closedResolve?.(finalCounters ?? { received: 0, bytes: 0, truncated: 0, droppedQueueFull: 0 });
    });
  });
}
