// `flowstash [run]`: Logstash's command line (-f/-e/-t/-r/-w/-b/-u/--log.level …, with the long
// dotted names too). `-t` validates and exits; otherwise the pipeline runs in src/pipeline/runner.ts.
import os from 'node:os';
import { ConfigError, loadPipelineConfig, type LoadOptions, type PipelineConfig, type ValidatedPlugin } from '../config/pipeline-config.ts';
import type { PluginKind, PluginNode, Statement, Value } from '../config/ast.ts';
import { pluginsOfKind } from '../plugins/registry.ts';
import type { EcsCompatibility } from '../plugins/types.ts';
import { dataPathSetting, deadLetterQueueSetting, pipelinesYmlPath, readLogstashYml, readPipelinesYml, SettingsError, type AppliedSettings } from '../config/settings.ts';
import { existsSync } from 'node:fs';
import type { PipelineRun as PipelineRunSettings } from '../pipeline/runner.ts';

type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

interface RunArgs {
  paths: string[];
  configString?: string;
  testAndExit: boolean;
  reload: boolean;
  reloadIntervalMs: number;
  logLevel: LogLevelName;
  workers: number;
  /** --threads: filter/output threads (1: everything on the main thread). */
  threads: number;
  batchSize: number;
  batchDelayMs: number;
  supportEscapes: boolean;
  help: boolean;
  ecsCompatibility: EcsCompatibility;
  dryRun: boolean;
  /** --path.settings: where logstash.yml and pipelines.yml are read. */
  settingsDir?: string;
  /** pipeline.id (logstash.yml; default main). */
  pipelineId?: string;
  /** Settings given on the command line (they win over logstash.yml). */
  given: Set<string>;
}

export class UsageError extends Error {}

const USAGE = `Usage: flowstash [run] (-f PATH | -e STRING) [options]

  -f, --path.config PATH           config file, glob or directory (dir/*, sorted by name)
  -e, --config.string STRING       config text; missing input/output get stdin / stdout rubydebug
  -t, --config.test_and_exit       check the configuration and exit (prints "Configuration OK")
  -r, --config.reload.automatic    reload the configuration when the files change
      --config.reload.interval D   how often to check for changes (default 3s)
      --config.support_escapes     process \\n \\t \\" … in quoted strings (default off)
      --log.level LEVEL            fatal, error, warn, info (default), debug, trace
  -w, --pipeline.workers N         filter/output workers (default: number of CPU cores)
      --threads N                  run the filters and outputs on N threads, each with its own plugin
                                   instances (default 1); batches may leave in another order
  -b, --pipeline.batch.size N      events per worker batch (default 125)
  -u, --pipeline.batch.delay MS    max wait for a batch to fill (default 50)
      --pipeline.ecs_compatibility M  disabled, v1 or v8 (default v8): field layout of ECS-aware plugins
      --dry-run                    network outputs print what they would send (elasticsearch: bulk lines)
      --path.settings DIR          read DIR/logstash.yml; without -f/-e, run the pipelines of DIR/pipelines.yml
  -h, --help                       this text
`;

/** Logstash TimeValue: `3s`, `500ms`, `1m`, `2h`, `100micros`, `10nanos`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(nanos|ns|micros|us|ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new UsageError(`Invalid value for config.reload.interval: '${text}' (expected a duration like 3s, 500ms, 1m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor: Record<string, number> = { nanos: 1e-6, ns: 1e-6, micros: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return n * factor[unit]!;
}

function positiveInt(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new UsageError(`Invalid value for ${flag}: '${text}' (expected a positive integer)`);
  return Number(text);
}

const ALIASES: Record<string, string> = {
  '-f': 'path.config',
  '-e': 'config.string',
  '-t': 'config.test_and_exit',
  '-r': 'config.reload.automatic',
  '-w': 'pipeline.workers',
  '-b': 'pipeline.batch.size',
  '-u': 'pipeline.batch.delay',
  '-h': 'help',
  '-l': 'path.logs',
};
const BOOLEAN_FLAGS = new Set(['config.test_and_exit', 'config.reload.automatic', 'config.support_escapes', 'help', 'dry-run']);
const VALUE_FLAGS = new Set([
  'path.config',
  'config.string',
  'config.reload.interval',
  'log.level',
  'pipeline.workers',
  'pipeline.batch.size',
  'pipeline.batch.delay',
  'pipeline.ecs_compatibility',
  'path.settings',
  'threads',
]);
const ECS_MODES: readonly EcsCompatibility[] = ['disabled', 'v1', 'v8'];

export function parseRunArgs(argv: string[]): RunArgs {
  const args: RunArgs = {
    paths: [],
    testAndExit: false,
    reload: false,
    reloadIntervalMs: 3000,
    logLevel: 'info',
    workers: os.availableParallelism(),
    threads: 1,
    batchSize: 125,
    batchDelayMs: 50,
    supportEscapes: false,
    help: false,
    ecsCompatibility: 'v8',
    dryRun: false,
    given: new Set(),
  };
  let configStringGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
    } else if (ALIASES[token] !== undefined) {
      name = ALIASES[token]!;
    } else if (/^-[a-z]./.test(token) && ALIASES[token.slice(0, 2)] !== undefined) {
      name = ALIASES[token.slice(0, 2)]!;
      inline = token.slice(2);
    } else {
      throw new UsageError(`Unrecognised argument '${token}'`);
    }
    let value: string;
    args.given.add(name);
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined && !/^(true|false)$/.test(inline)) throw new UsageError(`Invalid value for --${name}: '${inline}' (expected true or false)`);
      const on = inline === undefined || inline === 'true';
      if (name === 'config.test_and_exit') args.testAndExit = on;
      else if (name === 'config.reload.automatic') args.reload = on;
      else if (name === 'config.support_escapes') args.supportEscapes = on;
      else if (name === 'dry-run') args.dryRun = on;
      else args.help = on;
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`Unrecognised option '--${name}'`);
    if (inline !== undefined) value = inline;
    else {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`Option --${name} needs a value`);
      value = next;
    }
    switch (name) {
      case 'path.config':
        args.paths.push(value);
        break;
      case 'config.string':
        args.configString = value;
        configStringGiven = true;
        break;
      case 'config.reload.interval':
        args.reloadIntervalMs = parseDuration(value);
        break;
      case 'log.level':
        if (!LOG_LEVELS.includes(value as LogLevelName)) throw new UsageError(`Invalid value for log.level: '${value}' (expected one of ${LOG_LEVELS.join(', ')})`);
        args.logLevel = value as LogLevelName;
        break;
      case 'pipeline.workers':
        args.workers = positiveInt('pipeline.workers', value);
        break;
      case 'threads':
        args.threads = positiveInt('threads', value);
        break;
      case 'pipeline.batch.size':
        args.batchSize = positiveInt('pipeline.batch.size', value);
        break;
      case 'pipeline.batch.delay':
        if (!/^[0-9]+$/.test(value)) throw new UsageError(`Invalid value for pipeline.batch.delay: '${value}' (expected milliseconds)`);
        args.batchDelayMs = Number(value);
        break;
      case 'pipeline.ecs_compatibility':
        if (!ECS_MODES.includes(value as EcsCompatibility)) {
          throw new UsageError(`Invalid value for pipeline.ecs_compatibility: '${value}' (expected one of ${ECS_MODES.join(', ')})`);
        }
        args.ecsCompatibility = value as EcsCompatibility;
        break;
      case 'path.settings':
        args.settingsDir = value;
        break;
    }
  }
  if (args.help) return args;
  if (args.paths.length > 0 && configStringGiven) {
    throw new UsageError("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.");
  }
  if (args.reload && configStringGiven) throw new UsageError("Configuration reloading can't be used with 'config.string' (-e).");
  if (args.paths.length === 0 && !configStringGiven && args.settingsDir === undefined) {
    throw new UsageError('No configuration given: use -f PATH, -e STRING or --path.settings DIR (its pipelines.yml)');
  }
  return args;
}

/** Plugins (by name, in order of use) that are validated but not run by flowstash. */
export function notEmulated(config: PipelineConfig): string[] {
  const names: string[] = [];
  const note = (p: ValidatedPlugin | undefined): void => {
    if (p && !p.emulated && !names.includes(p.name)) names.push(p.name);
  };
  const visitValue = (v: Value): void => {
    if (v.type === 'plugin') visitPlugin(v);
    else if (v.type === 'array') v.items.forEach(visitValue);
    else if (v.type === 'hash') v.entries.forEach((e) => visitValue(e.value));
  };
  const visitPlugin = (node: PluginNode): void => {
    const validated = config.plugin(node);
    note(validated);
    // A codec given by name or by default has no node of its own among the attributes.
    const codec = validated.options.codec as ValidatedPlugin | undefined;
    if (codec && !node.attributes.some((a) => a.value === codec.node)) note(codec);
    node.attributes.forEach((a) => visitValue(a.value));
  };
  const visit = (s: Statement): void => {
    if (s.type === 'plugin') visitPlugin(s);
    else {
      s.clauses.forEach((c) => c.body.forEach(visit));
      s.elseBody?.forEach(visit);
    }
  };
  [...config.inputs, ...config.filters, ...config.outputs].forEach(visit);
  return names;
}

/** The plugins -t knows, from the registry's schemas (`*` = flowstash runs it). */
function pluginList(): string {
  const kinds: PluginKind[] = ['input', 'filter', 'output', 'codec'];
  const lines = kinds.map((kind) => {
    const names = pluginsOfKind(kind).map((p) => (p.implementation ? `${p.name}*` : p.name));
    return `  ${`${kind}s:`.padEnd(9)} ${names.join(', ')}`;
  });
  return `\nPlugins (validated by -t; * = also run by flowstash):\n${lines.join('\n')}\n`;
}

function warn(message: string, category = 'config'): void {
  process.stderr.write(`[WARN ][flowstash.${category}] ${message}\n`);
}

function fatal(message: string): void {
  process.stderr.write(`[FATAL][flowstash.runner] The given configuration is invalid. Reason: ${message}\n`);
}

export async function run(argv: string[]): Promise<number> {
  let args: RunArgs;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ERROR: ${e.message}\n\n${USAGE}`);
      return 1;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(USAGE + pluginList());
    return 0;
  }
  // logstash.yml as read: the dead letter queue settings are resolved per pipeline from it.
  let ymlSettings: AppliedSettings = {};
  if (args.settingsDir !== undefined) {
    try {
      const yml = readLogstashYml(args.settingsDir);
      for (const w of yml.warnings) warn(w, 'settings');
      applySettings(args, yml.settings);
      ymlSettings = yml.settings;
    } catch (e) {
      if (e instanceof SettingsError || e instanceof UsageError || e instanceof ConfigError) {
        process.stderr.write(`ERROR: ${e.message}\n\n${USAGE}`);
        return 1;
      }
      throw e;
    }
    if (args.paths.length === 0 && args.configString === undefined) return runPipelinesYml(args, args.settingsDir, ymlSettings);
    if (existsSync(pipelinesYmlPath(args.settingsDir))) warn("Ignoring the 'pipelines.yml' file because modules or command line options are specified", 'settings');
  }
  const loadOptions: LoadOptions = {
    supportEscapes: args.supportEscapes,
    ...(args.configString !== undefined ? { configString: args.configString } : { paths: args.paths }),
  };
  let config: PipelineConfig;
  try {
    config = await loadPipelineConfig(loadOptions);
  } catch (e) {
    if (e instanceof ConfigError) {
      fatal(e.message);
      return 1;
    }
    throw e;
  }
  for (const w of config.warnings) warn(w);
  if (args.testAndExit) {
    const { runChecks } = await import('../plugins/checks.ts');
    const checked = await runChecks(config, args.ecsCompatibility);
    for (const note of checked.notes) process.stderr.write(`${note}\n`);
    if (checked.errors.length > 0) {
      fatal(checked.errors.join('; '));
      return 1;
    }
    const skipped = notEmulated(config);
    process.stdout.write('Configuration OK\n');
    if (skipped.length > 0) process.stdout.write(`validated, not emulated: ${skipped.join(', ')}\n`);
    return 0;
  }
  // Loaded only when running, so `-t` does not pay for the runtime's modules.
  const { runPipeline } = await import('../pipeline/runner.ts');
  const deadLetterQueue = deadLetterQueueSetting({}, ymlSettings);
  return runPipeline(config, {
    ...(deadLetterQueue ? { deadLetterQueue } : {}),
    dataPath: dataPathSetting(ymlSettings),
    workers: args.workers,
    threads: args.threads,
    batchSize: args.batchSize,
    batchDelayMs: args.batchDelayMs,
    logLevel: args.logLevel,
    ecsCompatibility: args.ecsCompatibility,
    dryRun: args.dryRun,
    ...(args.pipelineId !== undefined ? { pipelineId: args.pipelineId } : {}),
    ...(args.reload ? { reload: { intervalMs: args.reloadIntervalMs, load: () => loadPipelineConfig(loadOptions) } } : {}),
  });
}

/** logstash.yml under the command line: a setting given as a flag wins, the file fills the rest. */
function applySettings(args: RunArgs, s: AppliedSettings): void {
  const unset = (name: string): boolean => !args.given.has(name);
  if (unset('path.config') && unset('config.string')) {
    if (s['path.config'] !== undefined && s['config.string'] !== undefined) {
      throw new UsageError("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.");
    }
    if (s['path.config'] !== undefined) args.paths = [s['path.config']];
    if (s['config.string'] !== undefined) args.configString = s['config.string'];
  }
  if (s['pipeline.workers'] !== undefined && unset('pipeline.workers')) args.workers = s['pipeline.workers'];
  if (s['pipeline.batch.size'] !== undefined && unset('pipeline.batch.size')) args.batchSize = s['pipeline.batch.size'];
  if (s['pipeline.batch.delay'] !== undefined && unset('pipeline.batch.delay')) args.batchDelayMs = s['pipeline.batch.delay'];
  if (s['pipeline.ecs_compatibility'] !== undefined && unset('pipeline.ecs_compatibility')) args.ecsCompatibility = s['pipeline.ecs_compatibility'];
  if (s['config.reload.automatic'] !== undefined && unset('config.reload.automatic')) args.reload = s['config.reload.automatic'];
  if (s['config.reload.interval'] !== undefined && unset('config.reload.interval')) args.reloadIntervalMs = parseDuration(s['config.reload.interval']);
  if (s['config.support_escapes'] !== undefined && unset('config.support_escapes')) args.supportEscapes = s['config.support_escapes'];
  if (s['config.test_and_exit'] !== undefined && unset('config.test_and_exit')) args.testAndExit = s['config.test_and_exit'];
  if (s['log.level'] !== undefined && unset('log.level')) args.logLevel = s['log.level'] as LogLevelName;
  if (s['pipeline.id'] !== undefined) args.pipelineId = s['pipeline.id'];
  if (args.reload && args.configString !== undefined) throw new UsageError("Configuration reloading can't be used with 'config.string' (-e).");
}

/** No -f/-e: every pipeline of pipelines.yml, each with its settings over logstash.yml's and the flags'. */
async function runPipelinesYml(args: RunArgs, dir: string, ymlSettings: AppliedSettings): Promise<number> {
  let entries;
  try {
    const yml = readPipelinesYml(dir);
    for (const w of yml.warnings) warn(w, 'settings');
    entries = yml.pipelines;
  } catch (e) {
    if (e instanceof SettingsError || e instanceof ConfigError) {
      process.stderr.write(`ERROR: ${e.message}\n\n${USAGE}`);
      return 1;
    }
    throw e;
  }
  const { runChecks } = args.testAndExit ? await import('../plugins/checks.ts') : { runChecks: undefined };
  const runs: (PipelineRunSettings & { loadOptions: LoadOptions })[] = [];
  let failed = false;
  for (const { id, settings: s } of entries) {
    const ecs = s['pipeline.ecs_compatibility'] ?? args.ecsCompatibility;
    let config: PipelineConfig;
    const loadOptions: LoadOptions = {
      supportEscapes: s['config.support_escapes'] ?? args.supportEscapes,
      ...(s['config.string'] !== undefined ? { configString: s['config.string'] } : { paths: [s['path.config']!] }),
    };
    try {
      config = await loadPipelineConfig(loadOptions);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (args.testAndExit) {
        fatal(`pipeline "${id}": ${e.message}`);
        return 1;
      }
      process.stderr.write(`[ERROR][flowstash.agent] Failed to execute action {:action=>"Create/pipeline_id:${id}", :exception=>"ConfigurationError", :message=>${JSON.stringify(e.message)}}\n`);
      failed = true;
      continue;
    }
    for (const w of config.warnings) warn(`pipeline "${id}": ${w}`);
    if (runChecks) {
      const checked = await runChecks(config, ecs);
      for (const note of checked.notes) process.stderr.write(`${note}\n`);
      if (checked.errors.length > 0) {
        fatal(`pipeline "${id}": ${checked.errors.join('; ')}`);
        return 1;
      }
      const skipped = notEmulated(config);
      if (skipped.length > 0) process.stdout.write(`pipeline "${id}": validated, not emulated: ${skipped.join(', ')}\n`);
      continue;
    }
    const deadLetterQueue = deadLetterQueueSetting(s, ymlSettings);
    runs.push({
      ...(deadLetterQueue ? { deadLetterQueue } : {}),
      id,
      config,
      workers: s['pipeline.workers'] ?? args.workers,
      batchSize: s['pipeline.batch.size'] ?? args.batchSize,
      batchDelayMs: s['pipeline.batch.delay'] ?? args.batchDelayMs,
      ecsCompatibility: ecs,
      loadOptions,
    });
  }
  if (args.testAndExit) {
    process.stdout.write('Configuration OK\n');
    return 0;
  }
  if (runs.length === 0) return 1;
  const { runPipeline, runPipelines } = await import('../pipeline/runner.ts');
  const dataPath = dataPathSetting(ymlSettings);
  if (args.reload) {
    // Each pipeline reloads its own config when it changes (pipelines.yml itself is read once).
    const codes = await Promise.all(
      runs.map((run) =>
        runPipeline(run.config, {
          workers: run.workers,
          threads: args.threads,
          batchSize: run.batchSize,
          batchDelayMs: run.batchDelayMs,
          logLevel: args.logLevel,
          ecsCompatibility: run.ecsCompatibility,
          dryRun: args.dryRun,
          pipelineId: run.id,
          ...(run.deadLetterQueue ? { deadLetterQueue: run.deadLetterQueue } : {}),
          dataPath,
          tagSummary: true,
          reload: { intervalMs: args.reloadIntervalMs, load: () => loadPipelineConfig(run.loadOptions) },
        }),
      ),
    );
    return Math.max(failed ? 1 : 0, ...codes);
  }
  const code = await runPipelines(runs, { logLevel: args.logLevel, dryRun: args.dryRun, dataPath, threads: args.threads });
  return failed ? Math.max(code, 1) : code;
}
