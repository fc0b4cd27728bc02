// A sending thread of `flowstash replay`: takes batches of datagrams from the main thread, waits
// for each one's due time (spinning here blocks neither reading nor the main thread's GC), and
// sends it on its exporter's socket. Each exporter belongs to exactly one thread, so the datagrams
// of an exporter leave in capture order.
import { parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop, setTimeout as sleepMs } from 'node:timers/promises';
import { BatchReader } from './batch.ts';
import { hrClock } from './pacer.ts';
import { DatagramSender, type OpenSocket } from './sender.ts';
import type { FromSendWorker, RouteDefinition, SendWorkerInit, ToSendWorker } from './send-protocol.ts';
import type { UdpDatagram } from '../packet/types.ts';

interface Route {
  dg: UdpDatagram;
  socket?: OpenSocket;
  opening?: Promise<OpenSocket>;
  error?: Error;
}

const LONG_WAIT_STEP_MS = 50;

const port = parentPort!;
const init = workerData as SendWorkerInit;
const post = (m: FromSendWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);
const clock = hrClock(init.originNs);
const sender = new DatagramSender({
  to: init.to,
  exporters: init.exporters,
  onSocket: (info) => post({ type: 'socket', info }),
  onWarning: (message) => post({ type: 'warning', message }),
  loopbackFor: (exporter) => loopbacks.get(exporter) ?? '127.0.0.1',
});
const loopbacks = new Map<string, string>();
const routes = new Map<number, Route>();
const queue: { data: ArrayBuffer; length: number }[] = [];
let deadlineNs = Infinity;
let closing = false;
let aborted = false;
let running = false;
let handled = 0;
let dropped = 0;
let lastSendNs = 0;
/** Time spent opening sockets while datagrams were due: the rest of this thread's schedule moves by it. */
let setupShiftNs = 0;
let lateness = new Float64Array(init.measure ? 4096 : 0);
let latenessCount = 0;

function recordLateness(ns: number): void {
  if (latenessCount === lateness.length) {
    const grown = new Float64Array(lateness.length * 2);
    grown.set(lateness);
    lateness = grown;
  }
  lateness[latenessCount++] = ns;
}

function defineRoute(r: RouteDefinition): void {
  if (r.loopback) loopbacks.set(r.src, r.loopback);
  const dg: UdpDatagram = {
    packetNumber: 0, tsSec: 0, tsNsec: 0, family: r.family,
    src: r.src, srcPort: r.srcPort, dst: r.dst, dstPort: r.dstPort,
    payload: Buffer.alloc(0), wireBytes: 0,
  };
  const route: Route = { dg };
  routes.set(r.id, route);
  // Opened now, while earlier datagrams are still being sent.
  const opened = sender.open(dg);
  if (opened instanceof Promise) {
    route.opening = opened.then(
      (s) => (route.socket = s),
      (err: Error) => {
        route.error = err;
        throw err;
      },
    );
    route.opening.catch(() => undefined);
  } else route.socket = opened;
}

async function socketOf(route: Route): Promise<OpenSocket | undefined> {
  if (route.socket) return route.socket;
  if (route.error) return undefined;
  try {
    return await route.opening;
  } catch {
    return undefined;
  }
}

async function sendBatch(data: ArrayBuffer, length: number): Promise<number> {
  const reader = new BatchReader(data, length);
  const measure = init.measure;
  let n = 0;
  for (let rec = reader.next(); rec; rec = reader.next()) {
    n++;
    if (aborted) {
      dropped++;
      continue;
    }
    const route = routes.get(rec.keyId);
    if (!route) throw new Error(`replay sending thread: datagram for undefined route ${rec.keyId}`);
    let socket = route.socket;
    if (!socket) {
      const t0 = clock.now();
      socket = await socketOf(route);
      if (!Number.isNaN(rec.dueNs)) setupShiftNs += clock.now() - t0;
      if (!socket) {
        sender.countOpenFailure(route.error ?? new Error('socket could not be opened'));
        handled++;
        continue;
      }
    }
    if (!Number.isNaN(rec.dueNs)) {
      const due = rec.dueNs + setupShiftNs;
      if (due >= deadlineNs) {
        dropped++;
        continue;
      }
      // `rec` is only rewritten by reader.next(), so it survives the waits.
      for (let left = due - clock.now(); left > 0 && !aborted; left = due - clock.now()) {
        // Long gaps are slept in steps, so that an interruption is noticed within LONG_WAIT_STEP_MS.
        if (left > 2 * LONG_WAIT_STEP_MS * 1e6) await sleepMs(LONG_WAIT_STEP_MS);
        else await clock.waitUntil(due);
      }
      if (aborted) {
        dropped++;
        continue;
      }
      if (measure) recordLateness(clock.now() - due);
    } else if (deadlineNs !== Infinity && clock.now() >= deadlineNs) {
      dropped++;
      continue;
    }
    sender.sendOn(socket, rec.payload, rec.wireBytes);
    handled++;
    lastSendNs = clock.now();
  }
  return n;
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length > 0) {
      const b = queue.shift()!;
      const n = await sendBatch(b.data, b.length);
      // Send callbacks, refusals and control messages get their turn between batches.
      await yieldToLoop();
      // The buffer goes back for reuse only when no send still reads from it.
      if (sender.pendingSends === 0) post({ type: 'batch-done', handled: n, data: b.data }, [b.data]);
      else post({ type: 'batch-done', handled: n });
    }
    if (closing) await finish();
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message });
  } finally {
    running = false;
  }
}

let finished = false;
async function finish(): Promise<void> {
  if (finished) return;
  finished = true;
  await sender.close();
  const out = init.measure ? lateness.slice(0, latenessCount) : undefined;
  post(
    {
      type: 'closed',
      report: { counters: sender.counters, handled, dropped, lastSendNs, sockets: sender.socketCount },
      lateness: out,
    },
    out ? [out.buffer as ArrayBuffer] : [],
  );
  port.close();
}

port.on('message', (m: ToSendWorker) => {
  switch (m.type) {
    case 'route':
      defineRoute(m.route);
      break;
    case 'batch':
      queue.push({ data: m.data, length: m.length });
      void drain();
      break;
    case 'deadline':
      deadlineNs = m.atNs;
      break;
    case 'abort':
      aborted = true;
      for (const b of queue.splice(0)) {
        const reader = new BatchReader(b.data, b.length);
        while (reader.next()) dropped++;
      }
      closing = true;
      if (!running) void finish();
      break;
    case 'close':
      closing = true;
      if (!running) void finish();
      break;
  }
});
post({ type: 'ready' });
