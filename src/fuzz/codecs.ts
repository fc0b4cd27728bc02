// Creates the codecs under test from their specs, through the plugin list the runtime uses.
import { findPlugin } from '../plugins/registry.ts';
import { standaloneContext } from '../plugins/context.ts';
import type { Codec, Logger, PluginContext, ResolvedOptions } from '../plugins/types.ts';
import type { CodecSpec } from './types.ts';

type CodecFactory = (options: ResolvedOptions, ctx: PluginContext) => Codec;

const catalogFactories = new Map<string, CodecFactory>();

/** The factory of a codec flowstash runs (loaded by loadCodecModules), or undefined. */
export function codecFactory(name: string): CodecFactory | undefined {
  return catalogFactories.get(name);
}

/** Options with the schema's defaults filled in (what the registry would hand the factory). */
export function defaultCodecOptions(name: string, given: Record<string, unknown> = {}): Record<string, unknown> {
  const schema = findPlugin('codec', name)?.schema;
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema?.options ?? {})) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, ...given };
}

export interface LogRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/**
 * A logger that hands error-level messages (a codec reporting an internal failure) to the fuzzer;
 * `onOther` hears that something else was logged.
 */
export function recordingLogger(onError: (msg: string) => void, onOther: () => void = () => {}): Logger {
  const other = (): void => onOther();
  return {
    trace: other,
    debug: other,
    info: other,
    warn: other,
    error: (msg) => onError(msg),
    isEnabled: (level) => level === 'error',
  };
}

const moduleFactories = new Map<string, CodecFactory>();

/** Loads the implementations of the specs' codecs, and their `module` factories (call once before createCodec). */
export async function loadCodecModules(specs: CodecSpec[]): Promise<void> {
  for (const s of specs) {
    const impl = findPlugin('codec', s.name)?.implementation;
    if (!s.module && impl && !catalogFactories.has(s.name)) catalogFactories.set(s.name, (await impl.load()).create as CodecFactory);
    if (!s.module || moduleFactories.has(s.module)) continue;
    const mod = (await import(s.module)) as { create?: CodecFactory };
    if (typeof mod.create !== 'function') throw new Error(`codec module ${s.module} does not export create(options, ctx)`);
    moduleFactories.set(s.module, mod.create);
  }
}

export function createCodec(spec: CodecSpec, log: Logger): Codec {
  const factory = spec.module ? moduleFactories.get(spec.module) : codecFactory(spec.name);
  if (!factory) throw new Error(`codec '${spec.name}' (${spec.origin}) is not implemented by flowstash, so it cannot be fuzzed`);
  const ctx: PluginContext = standaloneContext({
    log,
    createCodec: () => {
      throw new Error('nested codecs are not supported while fuzzing');
    },
  });
  return factory(spec.options, ctx);
}
