// The Ruby interpreter: CRuby 3.3 compiled to WebAssembly (@ruby/3.3-wasm-wasi), loaded on the
// first `ruby` filter's register and shared by every ruby filter of the process — as Logstash shares
// one JRuby runtime; each filter is its own Ruby object in it. Calls go through LogStash::Flowstash
// (prelude.ts) with JSON text in and out.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { PRELUDE } from './prelude.ts';

/** What a Ruby call answered: its result, or the Ruby exception; and the lines Ruby code logged. */
export interface RubyReply<T> {
  ok?: T;
  error?: [className: string, message: string, backtrace: string[]];
  log: Array<[level: string, logger: string, message: string, data?: Record<string, unknown>]>;
}

export class RubyUnavailableError extends Error {
  constructor(why: string) {
    super(
      `the ruby filter needs the Ruby interpreter packages @ruby/wasm-wasi and @ruby/3.3-wasm-wasi (${why}); ` +
        'install them with: npm install --save-exact @ruby/wasm-wasi@2.10.1 @ruby/3.3-wasm-wasi@2.10.1',
    );
    this.name = 'RubyUnavailableError';
  }
}

interface RbValue {
  call(method: string, ...args: RbValue[]): RbValue;
  toString(): string;
}
interface VmLike {
  eval(code: string): RbValue;
  wrap(value: unknown): RbValue;
}

export class RubyVm {
  private readonly bridge: RbValue;
  private readonly jsObject: RbValue;
  private readonly transport: { takeJsValue(value: unknown): void };
  private readonly ids = new Map<string, RbValue>();
  private readonly defined = new Set<string>();
  /**
   * Changes each time code is loaded or run outside a ruby filter's batch (a register, an aggregate
   * call, a define): answers a filter kept for reuse (purity.ts) are valid for one generation only.
   */
  generation = 0;
  /** Code that purity.ts did not vouch for has been loaded or run here: no filter may reuse answers. */
  tainted = false;

  private constructor(
    private readonly vm: VmLike,
    /** Milliseconds from the first import to a VM ready with the prelude. */
    readonly startMillis: number,
    /** Of which: compiling the WebAssembly module, and starting Ruby (interpreter init + prelude). */
    readonly phases: { compileMillis: number; initMillis: number },
  ) {
    this.bridge = vm.eval('LogStash::Flowstash');
    // vm.wrap() evaluates `require "js"; JS::Object` on every call (~0.5 ms in WebAssembly): the
    // class is looked up once and values handed over through the VM's own transport.
    this.jsObject = vm.eval('require "js"; JS::Object');
    this.transport = (vm as unknown as { transport: { takeJsValue(value: unknown): void } }).transport;
  }

  /** A JS string as a Ruby JS::Object (the bridge calls to_s on its arguments). */
  private wrap(s: string): RbValue {
    this.transport.takeJsValue(s);
    return this.jsObject.call('__import_from_js');
  }

  /** Filter ids repeat on every call: wrapped once. */
  private wrapId(id: string): RbValue {
    let v = this.ids.get(id);
    if (v === undefined) {
      v = this.wrap(id).call('to_s');
      if (this.ids.size < 10_000) this.ids.set(id, v);
    }
    return v;
  }

  /** Calls LogStash::Flowstash.<method>(id, *strings) and decodes its JSON reply. */
  call<T>(method: string, id: string, ...args: string[]): RubyReply<T> {
    return JSON.parse(this.callRaw(method, id, ...args)) as RubyReply<T>;
  }

  /** Same as call(), for replies whose numbers must keep Ruby's Integer/Float distinction. */
  callRaw(method: string, id: string, ...args: string[]): string {
    // A ruby filter's batch ('run') runs code that was vouched for (or tainted the VM) when it registered.
    if (method !== 'run') {
      this.generation++;
      this.tainted = true;
    }
    return this.invoke(method, id, args);
  }

  /** call() for what loads only code purity.ts vouched for (or none): the VM stays untainted. */
  callVouched<T>(method: string, id: string, ...args: string[]): RubyReply<T> {
    this.generation++;
    return JSON.parse(this.invoke(method, id, args)) as RubyReply<T>;
  }

  private invoke(method: string, id: string, args: string[]): string {
    return this.bridge.call(method, this.wrapId(id), ...args.map((a) => this.wrap(a))).toString();
  }

  /**
   * Evaluates Ruby source once per name (a plugin's own classes beside the prelude: the aggregate
   * filter's task maps). Raises what Ruby raised.
   */
  define(name: string, source: string): void {
    if (this.defined.has(name)) return;
    this.generation++;
    this.tainted = true;
    this.vm.eval(source);
    this.defined.add(name);
  }

  static async start(): Promise<RubyVm> {
    const started = performance.now();
    let vmModule: { RubyVM: { instantiateModule(o: unknown): Promise<{ vm: VmLike }> } };
    let wasmPath: string;
    try {
      vmModule = (await import('@ruby/wasm-wasi/dist/vm')) as unknown as typeof vmModule;
      wasmPath = createRequire(import.meta.url).resolve('@ruby/3.3-wasm-wasi/dist/ruby+stdlib.wasm');
    } catch (e) {
      throw new RubyUnavailableError((e as Error).message.split('\n')[0]!);
    }
    // Node 20 lets optimized WebAssembly call its WASI functions through V8's fast API calls, which
    // corrupt the process once a function has been called a hundred times or so (nodejs/node#53087):
    // `$stderr.puts`, `sleep` or `IO.select` in a ruby filter ended in a SIGSEGV. Turned off before
    // the VM's imports are compiled.
    setFlagsFromString('--no-turbo-fast-api-calls');
    // Node prints an ExperimentalWarning when WASI loads; it says nothing about the pipeline.
    const { WASI } = await withoutWasiWarning(() => import('node:wasi'));
    const compileStart = performance.now();
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const compiled = performance.now();
    const wasi = new WASI({ version: 'preview1', returnOnExit: true, env: rubyEnv(), args: [] });
    const { vm } = await vmModule.RubyVM.instantiateModule({
      module,
      wasip1: wasi,
      // RubyGems is not needed (the stdlib is in the build) and loading it doubles the start time.
      args: ['ruby.wasm', '--disable-gems', '-EUTF-8', '-e_=0'],
    });
    vm.eval(PRELUDE);
    vm.eval(`LogStash::Flowstash.hostname = ${JSON.stringify(hostname())}`);
    const ready = performance.now();
    return new RubyVm(vm, ready - started, { compileMillis: compiled - compileStart, initMillis: ready - compiled });
  }
}

async function withoutWasiWarning<T>(load: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('WASI')) return;
    (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = original;
  }
}

/** RUBY_* variables of the process reach the VM (GC tuning, RUBY_DEBUG...). */
function rubyEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('RUBY_') && v !== undefined) env[k] = v;
  return env;
}

let shared: Promise<RubyVm> | undefined;

/** The process's Ruby VM, started on first use. */
export function sharedRubyVm(): Promise<RubyVm> {
  shared ??= RubyVm.start().catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}
