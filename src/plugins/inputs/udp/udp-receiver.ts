// The udp input's receiver thread: owns the socket and nothing else, so the kernel buffer is
// drained even while the pipeline thread is busy decoding, filtering or writing. Datagrams wait in
// a queue of `queue_size`; when the pipeline falls that far behind, new ones are dropped and counted.
import { parentPort, workerData } from 'node:worker_threads';
import type { RemoteInfo } from 'node:dgram';
import { listenUdp, senderAddress, UdpListenError, type BoundUdpSocket } from './udp-socket.ts';
import type { ReceiverCounters, ReceiverWorkerData, ToReceiver } from './udp-thread.ts';

const port = parentPort;
if (!port) throw new Error('udp-receiver.ts runs only as a worker thread');
const init = workerData as ReceiverWorkerData;
/** Datagrams the pipeline thread has decoded so far (it adds with Atomics; wraps at 2^31 like `posted`). */
const decoded = new Int32Array(init.decoded);

const counters: ReceiverCounters = { received: 0, bytes: 0, truncated: 0, droppedQueueFull: 0 };
const BATCH_MAX = 512;
const BATCH_BYTES = 1 << 20;
const FLUSH_MS = 4;
/** Datagrams handed to the pipeline thread so far (wrapping int32, compared with `decoded`). */
let posted = 0;
let payloads: Buffer[] = [];
let hosts: string[] = [];
let ports: number[] = [];
let batchBytes = 0;
let flushScheduled = false;
let bound: BoundUdpSocket | undefined;

function flush(): void {
  flushScheduled = false;
  if (payloads.length === 0) return;
  const data = new ArrayBuffer(batchBytes);
  const view = new Uint8Array(data);
  const lengths = new Uint32Array(payloads.length);
  let at = 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    view.set(p, at);
    lengths[i] = p.length;
    at += p.length;
  }
  posted = (posted + payloads.length) | 0;
  port!.postMessage({ type: 'batch', data, lengths, hosts, ports }, [data, lengths.buffer]);
  payloads = [];
  hosts = [];
  ports = [];
  batchBytes = 0;
}

function onMessage(msg: Buffer, rinfo: RemoteInfo): void {
  counters.received++;
  counters.bytes += msg.length;
  const outstanding = (posted - Atomics.load(decoded, 0)) | 0;
  if (outstanding + payloads.length >= init.queueSize) {
    counters.droppedQueueFull++;
    return;
  }
  if (msg.length > init.bufferSize) {
    counters.truncated++;
    msg = msg.subarray(0, init.bufferSize);
  }
  payloads.push(msg);
  hosts.push(senderAddress(rinfo));
  ports.push(rinfo.port);
  batchBytes += msg.length;
  if (payloads.length >= BATCH_MAX || batchBytes >= BATCH_BYTES) flush();
  else if (!flushScheduled) {
    // Datagrams gathered for a few ms travel as one message: each message costs the pipeline
    // thread far more than a datagram does (and the pipeline batches for 50 ms anyway).
    flushScheduled = true;
    setTimeout(flush, FLUSH_MS);
  }
}

const statsTimer = setInterval(() => port.postMessage({ type: 'stats', counters }), 1000);

port.on('message', (m: ToReceiver) => {
  if (m.type === 'close') {
    clearInterval(statsTimer);
    const done = (): void => {
      flush();
      port.postMessage({ type: 'closed', counters });
      port.close();
    };
    if (bound) bound.socket.close().then(done, done);
    else done();
  }
});

try {
  bound = await listenUdp(
    { host: init.host, port: init.port, receiveBufferBytes: init.receiveBufferBytes },
    onMessage,
  );
  port.postMessage({ type: 'ready', address: bound.address, port: bound.port, warning: bound.warning });
} catch (e) {
  clearInterval(statsTimer);
  const err = e instanceof UdpListenError ? e.message : `udp input: ${(e as Error).message}`;
  port.postMessage({ type: 'failed', message: err });
  port.close();
}
