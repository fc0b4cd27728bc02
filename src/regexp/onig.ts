// Oniguruma (vscode-oniguruma, WebAssembly) loaded once, on first need: the engine whose semantics
// are Logstash's (Joni is Oniguruma's Java port). Loading also lowers Oniguruma's retry limit per
// match attempt (a static in the module's data, 10,000,000 by default ≈ 1 s of backtracking) so that
// a runaway pattern gives up after a fraction of a second instead of holding the thread.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type * as OnigModule from 'vscode-oniguruma';

export type Onig = typeof OnigModule;

/** Backtracking steps one match attempt may take before Oniguruma gives up (see runaway detection in regexp.ts). */
export const RETRY_LIMIT_IN_MATCH = 1_000_000;
const DEFAULT_RETRY_LIMIT_IN_MATCH = 10_000_000;

let loaded: Onig | undefined;
let loading: Promise<Onig> | undefined;
let retryLimit = DEFAULT_RETRY_LIMIT_IN_MATCH;

/** Loads the engine (once); every later call resolves at once. */
export function ensureRegexpEngine(): Promise<Onig> {
  if (loaded) return Promise.resolve(loaded);
  return (loading ??= load());
}

/** The engine when loaded, else undefined (compiling a pattern that needs it then throws). */
export function loadedEngine(): Onig | undefined {
  return loaded;
}

/** The retry limit in force (1,000,000 once lowered; Oniguruma's default when the module layout was not recognised). */
export function retryLimitInMatch(): number {
  return retryLimit;
}

async function load(): Promise<Onig> {
  const require = createRequire(import.meta.url);
  const onig = require('vscode-oniguruma') as Onig;
  const wasmPath = require.resolve('vscode-oniguruma/release/onig.wasm');
  const bytes = await readFile(wasmPath);
  const limitAddress = findRetryLimitAddress(bytes);
  let memory: WebAssembly.Memory | undefined;
  await onig.loadWASM({
    instantiator: async (imports) => {
      const source = await WebAssembly.instantiate(bytes, imports);
      memory = source.instance.exports['memory'] as WebAssembly.Memory | undefined;
      return source;
    },
  });
  if (memory && limitAddress !== undefined) {
    const view = new DataView(memory.buffer);
    if (view.getUint32(limitAddress, true) === DEFAULT_RETRY_LIMIT_IN_MATCH) {
      view.setUint32(limitAddress, RETRY_LIMIT_IN_MATCH, true);
      retryLimit = RETRY_LIMIT_IN_MATCH;
    }
  }
  warmUp(onig);
  loaded = onig;
  return onig;
}

/**
 * The address of Oniguruma's RetryLimitInMatch static: the one 32-bit word equal to its default in
 * the module's active data segments. Undefined unless exactly one is found.
 */
function findRetryLimitAddress(wasm: Uint8Array): number | undefined {
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = wasm[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const found: number[] = [];
  while (pos < wasm.length) {
    const id = wasm[pos++]!;
    const size = leb();
    const end = pos + size;
    if (id === 11) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const flags = leb();
        let base: number | undefined;
        if (flags === 0 && wasm[pos] === 0x41) {
          pos++;
          base = leb();
          if (wasm[pos++] !== 0x0b) return undefined;
        } else if (flags === 0 || flags === 2) return undefined;
        const length = leb();
        if (base !== undefined) {
          const data = new DataView(wasm.buffer, wasm.byteOffset + pos, length);
          for (let j = (4 - (base % 4)) % 4; j + 4 <= length; j += 4) {
            if (data.getUint32(j, true) === DEFAULT_RETRY_LIMIT_IN_MATCH) found.push(base + j);
          }
        }
        pos += length;
      }
    }
    pos = end;
  }
  return found.length === 1 ? found[0] : undefined;
}

/** The first searches run through lazily compiled code (tens of ms): do them here, not on an event's clock. */
function warmUp(onig: Onig): void {
  const scanner = new onig.OnigScanner(['(?<x>(?>a+)b|c)(?m:.)\\z'], { syntax: 10 as never });
  for (let i = 0; i < 3; i++) {
    for (const text of ['aab\n', 'aaa', 'é😀c.']) {
      const s = new onig.OnigString(text);
      scanner.findNextMatchSync(s, 0);
      s.dispose();
    }
  }
  scanner.dispose();
}
