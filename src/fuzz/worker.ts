// Runs inside a worker_thread: decodes sequences with fresh codecs and reports exceptions, slow
// datagrams and memory spikes. The main thread watches the heartbeat and terminates real hangs.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createCodec, loadCodecModules, recordingLogger } from './codecs.ts';
import { risenProblemKind, signatureOf } from './signature.ts';
import { HB_BATCH, HB_DATAGRAM, HB_SEQUENCE, HB_TICK, type CodecSpec, type Finding, type WorkerReply, type WorkerRequest } from './types.ts';

const port = parentPort;
if (!port) throw new Error('src/fuzz/worker.ts must run in a worker thread');
const heartbeat = new Int32Array(workerData.heartbeat as SharedArrayBuffer);

let codecs: CodecSpec[] = [];
let slowMs = 100;
let memoryBytes = 64 * 1024 * 1024;

function post(msg: WorkerReply): void {
  port!.postMessage(msg);
}

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'init') {
    codecs = req.codecs;
    slowMs = req.slowMs;
    memoryBytes = req.memoryMb * 1024 * 1024;
    loadCodecModules(codecs)
      .then(() => {
        // Fail early on a codec that cannot be built.
        for (const spec of codecs) createCodec(spec, recordingLogger(() => {}));
        post({ type: 'ready' });
      })
      .catch((e: unknown) => post({ type: 'init-error', message: (e as Error).message }));
    return;
  }
  Atomics.store(heartbeat, HB_BATCH, req.batch);
  let datagrams = 0;
  let events = 0;
  req.sequences.forEach((seq, s) => {
    Atomics.store(heartbeat, HB_SEQUENCE, s);
    for (const spec of codecs) {
      let current = 0;
      const reported = new Set<string>();
      const report = (f: Omit<Finding, 'signature' | 'codec'>, problemKind?: string): void => {
        if (reported.has(f.class)) return; // one finding per class, sequence and codec: the first is the cause
        reported.add(f.class);
        const signature = signatureOf(f.class, spec.name, f.message, f.stack, problemKind);
        post({ type: 'finding', batch: req.batch, sequence: s, finding: { ...f, codec: spec.name, signature } });
      };
      // Codecs that count typed problems (`problem_<kind>` stats) count each one just before logging it:
      // the counter that rose since the previous log call is the kind of the error being logged.
      const problemsSeen = new Map<string, number>();
      const log = recordingLogger(
        (msg) => report({ class: 'exception', message: `logged error: ${msg}`, datagramIndex: current }, risenProblemKind(codec?.stats?.(), problemsSeen)),
        () => risenProblemKind(codec?.stats?.(), problemsSeen),
      );
      let codec: ReturnType<typeof createCodec> | undefined;
      try {
        codec = createCodec(spec, log);
      } catch (e) {
        report({ class: 'exception', message: `creating the codec failed: ${(e as Error).message}`, stack: (e as Error).stack, datagramIndex: -1 });
        continue;
      }
      const heapBefore = process.memoryUsage().heapUsed;
      for (let d = 0; d < seq.payloads.length; d++) {
        current = d;
        Atomics.store(heartbeat, HB_DATAGRAM, d);
        Atomics.add(heartbeat, HB_TICK, 1);
        const payload = Buffer.from(seq.payloads[d]!.buffer, seq.payloads[d]!.byteOffset, seq.payloads[d]!.byteLength);
        const t0 = performance.now();
        try {
          codec.decode(payload, { host: seq.hosts[d], port: seq.ports[d] }, () => {
            events++;
          });
        } catch (e) {
          const err = e instanceof Error ? e : new Error(String(e));
          report({ class: 'exception', message: `${err.name}: ${err.message}`, stack: err.stack, datagramIndex: d });
        }
        const dt = performance.now() - t0;
        if (dt > slowMs) report({ class: 'hang', message: `decoding one datagram took more than ${slowMs} ms`, datagramIndex: d });
        datagrams++;
      }
      const grown = process.memoryUsage().heapUsed - heapBefore;
      if (grown > memoryBytes) {
        report({ class: 'memory', message: `heap grew by more than ${Math.round(memoryBytes / 1048576)} MiB over one sequence`, datagramIndex: seq.payloads.length - 1 });
      }
      try {
        codec.close?.();
      } catch {
        // closing is not under test
      }
    }
  });
  post({ type: 'done', batch: req.batch, datagrams, events });
});
