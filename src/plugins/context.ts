// A plugin context for running a plugin outside a pipeline (fuzz, bench, synth checks, tests):
// no nested codecs unless given, ECS mode v8 (Logstash 8's default), no dry run.
import type { Logger, PluginContext } from './types.ts';

const SILENT: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isEnabled: () => false,
};

export function standaloneContext(overrides: Partial<PluginContext> = {}): PluginContext {
  return {
    log: SILENT,
    createCodec: () => {
      throw new Error('this plugin was created outside a pipeline: nested codecs are not available');
    },
    ecsCompatibility: 'v8',
    id: 'standalone',
    where: '<standalone>',
    pipelineId: 'main',
    dryRun: false,
    ...overrides,
  };
}
