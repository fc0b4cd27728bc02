// WASI's poll_oneoff for the Ruby VM, in place of Node's: after the VM's memory has grown, Node 20's
// own poll_oneoff writes through a stale view of it and the process dies (SIGSEGV or a V8 fatal
// error) — which Ruby's `sleep` and `IO.select` reach through clock_nanosleep. There is nothing to
// wait for in the VM but time (it has no sockets, and its files are always ready, as POSIX says of
// regular files), so this waits for the earliest clock and reports what is due.
const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;
const EVENTTYPE_CLOCK = 0;
const SUBCLOCKFLAG_ABSTIME = 1;
const CLOCK_REALTIME = 0;
const ERRNO_SUCCESS = 0;
const ERRNO_INVAL = 28;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function nowNs(clock: number): bigint {
  return clock === CLOCK_REALTIME ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
}

/** Blocks the thread for at least `ns` nanoseconds (Atomics.wait, allowed on Node's main thread too, may wake early). */
function blockFor(ns: bigint): void {
  const end = process.hrtime.bigint() + ns;
  for (let left = ns; left > 0n; left = end - process.hrtime.bigint()) Atomics.wait(sleeper, 0, 0, Number(left) / 1e6);
}

/** poll_oneoff(in, out, nsubscriptions, nevents_out) over the memory `memory()` returns at each call. */
export function pollOneoff(memory: () => WebAssembly.Memory): (inPtr: number, outPtr: number, count: number, neventsPtr: number) => number {
  return (inPtr, outPtr, count, neventsPtr) => {
    if (count === 0) return ERRNO_INVAL;
    let view = new DataView(memory().buffer);
    // When each clock subscription is due, relative to now; fd subscriptions are ready at once.
    const due: (bigint | undefined)[] = [];
    let earliest: bigint | undefined;
    let anyFd = false;
    for (let i = 0; i < count; i++) {
      const s = inPtr + i * SUBSCRIPTION_SIZE;
      if (view.getUint8(s + 8) !== EVENTTYPE_CLOCK) {
        anyFd = true;
        due.push(undefined);
        continue;
      }
      const clock = view.getUint32(s + 16, true);
      const timeout = view.getBigUint64(s + 24, true);
      const flags = view.getUint16(s + 40, true);
      const wait = flags & SUBCLOCKFLAG_ABSTIME ? timeout - nowNs(clock) : timeout;
      due.push(wait);
      if (earliest === undefined || wait < earliest) earliest = wait;
    }
    if (!anyFd && earliest !== undefined) blockFor(earliest);
    view = new DataView(memory().buffer);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const wait = due[i];
      const ready = wait === undefined || (!anyFd && wait <= earliest!);
      if (!ready) continue;
      const s = inPtr + i * SUBSCRIPTION_SIZE;
      const e = outPtr + n * EVENT_SIZE;
      view.setBigUint64(e, view.getBigUint64(s, true), true);
      view.setUint16(e + 8, ERRNO_SUCCESS, true);
      view.setUint8(e + 10, view.getUint8(s + 8));
      view.setBigUint64(e + 16, 0n, true);
      view.setUint16(e + 24, 0, true);
      n++;
    }
    view.setUint32(neventsPtr, n, true);
    return ERRNO_SUCCESS;
  };
}
