// One running pipeline: inputs → bounded queue → workers running the compiled filter chain on
// batches → outputs. The filter section is compiled once into a flat program (filter-program.ts),
// output conditionals into closures: no AST walking per event. Shutdown drains: every event an input
// handed over reaches every output its conditionals allow before the outputs are closed.
import type { BranchNode, IfClause, PluginKind, PluginNode, SourceLocation, Statement } from '../config/ast.ts';
import { FilterProgram, type Sink } from './filter-program.ts';
import type { PipelineConfig, ValidatedPlugin } from '../config/pipeline-config.ts';
import { findPlugin } from '../plugins/registry.ts';
import type { Codec, EcsCompatibility, Filter, Input, InputContext, Output, PluginContext, PluginInstance, PluginModule } from '../plugins/types.ts';
import { ConditionEvaluationError, compileCondition, prepareConditions } from './conditions.ts';
import { inputDecorator } from '../plugins/common-options.ts';
import type { Event } from '../event/event.ts';
import type { PipelineLogger } from './log.ts';
import { BoundedQueue } from './queue.ts';
import { acquireDeadLetterQueue, type DeadLetterQueueHandle, type DeadLetterQueueSettings } from './dead-letter-queue.ts';
import { FilterThreads } from './threads/filter-threads.ts';
import { threadsRefusal } from './threads/threadable.ts';

export interface PipelineSettings {
  workers: number;
  batchSize: number;
  batchDelayMs: number;
  log: PipelineLogger;
  /** `pipeline.ecs_compatibility` (default v8, Logstash 8's); a plugin's `ecs_compatibility` option wins. */
  ecsCompatibility?: EcsCompatibility;
  /** `pipeline.id` (default main). */
  pipelineId?: string;
  /** `--dry-run`: network outputs print what they would send. */
  dryRun?: boolean;
  /** Period of the filters' periodic flush (Logstash: 5 s). */
  flushIntervalMs?: number;
  /** `dead_letter_queue.enable` with its path and bounds; absent when disabled. Not opened in a dry run. */
  deadLetterQueue?: DeadLetterQueueSettings;
  /** `path.data`, absolute (plugins' state such as sincedb files). */
  dataPath?: string;
  /** `--threads N`: filters and outputs run on N threads (threads/), the inputs here. Default 1: all on this thread. */
  threads?: number;
  /** Called after each batch went through the filters and outputs, with its number of events. */
  onBatchDone?: (events: number) => void;
}

export interface PluginCounters {
  kind: 'input' | 'filter' | 'output';
  name: string;
  id: string;
  in: number;
  out: number;
  instance: PluginInstance;
}

export interface PipelineTotals {
  in: number;
  filtered: number;
  out: number;
  dropped: number;
  failed: number;
}

/** The pipeline cannot be built (plugin not emulated, bad option value, invalid condition). */
export class PipelineBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineBuildError';
  }
}

/** One arm of an if / else if / else chain as the onBranch hook reports it: one object per arm, built once. */
export interface BranchArmHit {
  /** Where the arm starts: the `if`/`else if` keyword, the `else`, or the chain's `if` for an implicit else. */
  file: string;
  line: number;
  column: number;
  kind: 'if' | 'else if' | 'else' | 'implicit else';
  section: 'filter' | 'output';
}

/** An input run in place of the configured ones. */
export interface InputOverride {
  input: Input;
  /** Name and id in the counters and log lines (default: the replaced input's, else 'override'). */
  name?: string;
  id?: string;
  /** Handed to run() as ctx.codec: a codec name or a validated codec plugin (default: the replaced input's, else plain). */
  codec?: ValidatedPlugin | string;
  /** Id of a configured input whose codec and common options (type, tags, add_field) this one takes. */
  replaces?: string;
  /** Common options applied by ctx.decorate (type, tags, add_field), over the replaced input's. */
  options?: Record<string, unknown>;
}

/** Receives, by configured output id, what that output would have written (the output is never instantiated). */
export type OutputSink = (id: string, events: Event[]) => Promise<void> | void;

/** What Pipeline.build runs instead of (or beside) the config: the test bench's way in. Hooks cost nothing when absent. */
export interface PipelineOverrides {
  /** Replace every configured input. */
  inputs?: InputOverride[];
  /** One sink standing in for every configured output, or an Output per configured output id (others run as configured). */
  outputs?: OutputSink | Record<string, Output>;
  /** Called each time an event enters a conditional arm (an implicit else included). */
  onBranch?: (arm: BranchArmHit) => void;
  /** Called with every event leaving the filters (flushed ones included), before the output conditionals. */
  onFiltered?: (event: Event) => void;
}

const ECS_MODES: readonly string[] = ['disabled', 'v1', 'v8'];

interface RunningInput {
  counters: PluginCounters;
  input: Input;
  codec: Codec;
  options: Record<string, unknown>;
  context: PluginContext;
}

interface RunningOutput {
  counters: PluginCounters;
  output: Output;
}

interface FlushingFilter {
  filter: Filter;
  next: Sink;
  id: string;
}

function where(node: PluginNode): string {
  return `${node.loc.file}:${node.loc.line}:${node.loc.column}`;
}

/** Every plugin statement, conditionals' bodies included, in source order. */
function pluginNodes(stmts: Statement[]): PluginNode[] {
  return stmts.flatMap((s) => (s.type === 'plugin' ? [s] : [...s.clauses.flatMap((c) => pluginNodes(c.body)), ...pluginNodes(s.elseBody ?? [])]));
}

/** The arms of a chain as onBranch reports them: one per clause, then the else (written or implicit). */
function branchArms(stmt: BranchNode, section: 'filter' | 'output'): BranchArmHit[] {
  const arm = (loc: SourceLocation, kind: BranchArmHit['kind']): BranchArmHit => ({
    file: loc.file,
    line: loc.line,
    column: loc.column,
    kind,
    section,
  });
  const arms = stmt.clauses.map((c, i) => arm(c.loc, i === 0 ? 'if' : 'else if'));
  arms.push(stmt.elseBody ? arm(stmt.elseLoc ?? stmt.loc, 'else') : arm(stmt.loc, 'implicit else'));
  return arms;
}

export class Pipeline {
  readonly plugins: PluginCounters[] = [];
  readonly totals: PipelineTotals = { in: 0, filtered: 0, out: 0, dropped: 0, failed: 0 };
  /** Highest exit code asked for by an input that could not run (0 when all ran). */
  inputExitCode = 0;
  /** Events an output failed to write (a full disk, a file it cannot open); a closed pipe (EPIPE) is not counted here. */
  outputWriteFailures = 0;
  private readonly inputs: RunningInput[] = [];
  private readonly outputs: RunningOutput[] = [];
  private readonly flushing: FlushingFilter[] = [];
  private readonly closers: (() => unknown)[] = [];
  private readonly queue: BoundedQueue;
  private readonly abort = new AbortController();
  private collect: Event[][] = [];
  private process: Sink = () => undefined;
  private inFlight = 0;
  private started = false;
  private resolveDone!: () => void;
  /** Resolves once the pipeline has drained and closed its outputs. */
  readonly done: Promise<void>;
  /** False when an input cannot be restarted (stdin): -r then keeps the running pipeline. */
  reloadable = true;

  private constructor(
    private readonly config: PipelineConfig,
    private readonly settings: PipelineSettings,
  ) {
    // Logstash's memory queue holds at most workers × batch size events (its "inflight count"). More
    // would only keep decoded events alive longer: every young-generation GC copies them again.
    this.queue = new BoundedQueue(settings.batchSize * settings.workers);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Hooks and stand-ins given to build (none for a normal run). */
  private overrides: PipelineOverrides = {};

  /** Loads the implementations the config uses, creates every plugin and awaits their register(). */
  static async build(config: PipelineConfig, settings: PipelineSettings, overrides?: PipelineOverrides): Promise<Pipeline> {
    const p = new Pipeline(config, settings);
    if (overrides) p.overrides = overrides;
    const threads = settings.threads ?? 1;
    if (threads > 1) {
      const placed = [config.inputs, config.filters, config.outputs].flatMap((section) =>
        pluginNodes(section).map((n) => ({ kind: n.kind as 'input' | 'filter' | 'output', name: n.name, where: where(n) })),
      );
      const refusal = threadsRefusal(placed, {
        hasOrigin: config.origin !== undefined,
        deadLetterQueue: settings.deadLetterQueue !== undefined && !settings.dryRun,
        overrides: overrides !== undefined,
      });
      if (refusal) throw new PipelineBuildError(`--threads ${threads}: ${refusal}`);
    }
    await p.loadModules();
    await prepareConditions(config);
    p.openDeadLetterQueue();
    try {
      p.compile();
    } catch (e) {
      p.closeDeadLetterQueue();
      throw e;
    }
    await p.register();
    if (threads > 1) await p.startThreads(threads);
    return p;
  }

  /** `--threads`: the threads running the filters and outputs (undefined: they run on this thread). */
  private threads: FilterThreads | undefined;
  /** The threads' filters and outputs with their summed counters, once they finished. */
  private threadPlugins: PluginCounters[] = [];

  private async startThreads(count: number): Promise<void> {
    const s = this.settings;
    try {
      this.threads = await FilterThreads.start(
        count,
        {
          origin: this.config.origin!,
          batchSize: s.batchSize,
          batchDelayMs: s.batchDelayMs,
          logLevel: s.log.level,
          ...(s.ecsCompatibility ? { ecsCompatibility: s.ecsCompatibility } : {}),
          ...(s.pipelineId ? { pipelineId: s.pipelineId } : {}),
          dryRun: s.dryRun ?? false,
          ...(s.flushIntervalMs !== undefined ? { flushIntervalMs: s.flushIntervalMs } : {}),
          ...(s.dataPath ? { dataPath: s.dataPath } : {}),
        },
        (message) => s.log.error(message),
      );
    } catch (e) {
      await this.closeAll();
      throw new PipelineBuildError((e as Error).message);
    }
  }

  /** The pipeline's DLQ (Logstash's dlq_writer), shared by every plugin through its context. */
  private dlq?: DeadLetterQueueHandle;

  private openDeadLetterQueue(): void {
    const dlq = this.settings.deadLetterQueue;
    if (!dlq || this.settings.dryRun) return;
    try {
      this.dlq = acquireDeadLetterQueue(this.settings.pipelineId ?? 'main', dlq, this.settings.log.child('dead_letter_queue'));
    } catch (e) {
      throw new PipelineBuildError(`Unable to open the dead letter queue under ${dlq.path}: ${(e as Error).message}`);
    }
  }

  /** Seals the head segment and logs what the queue did (Logstash reports these in its node stats). */
  private closeDeadLetterQueue(): void {
    const dlq = this.dlq;
    if (!dlq) return;
    this.dlq = undefined;
    const { writer } = dlq;
    dlq.release();
    const s = writer.stats();
    this.settings.log.info('Dead letter queue', {
      path: writer.queuePath,
      written: s.written,
      dropped_events: s.dropped_events,
      expired_events: s.expired_events,
      ...(s.already_processed > 0 ? { already_processed: s.already_processed } : {}),
      queue_size_in_bytes: s.queue_size_in_bytes,
      storage_policy: writer.storagePolicy,
      last_error: writer.lastError,
    });
  }

  /** Implementation modules by `kind/name`, loaded before compile() so that building stays synchronous. */
  private readonly modules = new Map<string, PluginModule>();
  private readonly registering: { instance: PluginInstance; label: string }[] = [];

  private async loadModules(): Promise<void> {
    const wanted = new Map<string, { kind: PluginKind; name: string }>();
    const want = (kind: PluginKind, name: string): void => void wanted.set(`${kind}/${name}`, { kind, name });
    const codecsIn = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      const v = value as Partial<ValidatedPlugin>;
      if (v.kind === 'codec' && typeof v.name === 'string' && v.options) {
        want('codec', v.name);
        for (const o of Object.values(v.options)) codecsIn(o);
        return;
      }
      for (const o of Object.values(value)) codecsIn(o);
    };
    for (const section of [this.config.inputs, this.config.filters, this.config.outputs]) {
      for (const node of pluginNodes(section)) {
        const plugin = this.config.plugin(node);
        want(plugin.kind, plugin.name);
        const codec = plugin.options['codec'];
        if (typeof codec === 'string') want('codec', codec);
        codecsIn(plugin.options);
        const def = findPlugin(plugin.kind, plugin.name)?.schema.defaultCodec;
        if (def) want('codec', def);
      }
    }
    for (const o of this.overrides.inputs ?? []) {
      if (typeof o.codec === 'string') want('codec', o.codec);
      else if (o.codec) codecsIn(o.codec);
    }
    // stdin swaps plain → line and json → json_lines; an override without a codec uses plain.
    for (const name of ['plain', 'line', 'json_lines']) want('codec', name);
    await Promise.all(
      [...wanted].map(async ([key, { kind, name }]) => {
        const impl = findPlugin(kind, name)?.implementation;
        if (impl) this.modules.set(key, await impl.load());
      }),
    );
  }

  private module(kind: PluginKind, name: string): PluginModule | undefined {
    return this.modules.get(`${kind}/${name}`);
  }

  private registered = false;

  private async register(): Promise<void> {
    this.registered = true;
    for (const { instance, label } of this.registering) {
      try {
        await (instance as { register?: () => unknown }).register?.();
      } catch (e) {
        await this.closeAll();
        throw new PipelineBuildError(`Unable to start ${label}: ${(e as Error).message}`);
      }
    }
  }

  private ecsMode(options: Record<string, unknown> | undefined): EcsCompatibility {
    const own = options?.['ecs_compatibility'];
    if (typeof own === 'string' && ECS_MODES.includes(own)) return own as EcsCompatibility;
    return this.settings.ecsCompatibility ?? 'v8';
  }

  /** The options with `ecs_compatibility` filled from the pipeline setting when the plugin does not set it. */
  private withEcsMode(options: Record<string, unknown>): Record<string, unknown> {
    if (options['ecs_compatibility'] !== undefined) return options;
    return { ...options, ecs_compatibility: this.settings.ecsCompatibility ?? 'v8' };
  }

  private context(name: string, plugin?: ValidatedPlugin): PluginContext {
    return {
      log: this.settings.log.child(name),
      createCodec: (spec) => this.createCodec(spec),
      ecsCompatibility: this.ecsMode(plugin?.options),
      id: plugin?.id ?? name,
      where: plugin ? where(plugin.node) : '<pipeline>',
      pipelineId: this.settings.pipelineId ?? 'main',
      dryRun: this.settings.dryRun ?? false,
      pipelineWorkers: this.settings.workers,
      ...(this.settings.dataPath ? { dataPath: this.settings.dataPath } : {}),
      ...(this.dlq ? { deadLetterQueue: this.dlq.writer.forPlugin(plugin?.name ?? name, plugin?.id ?? name) } : {}),
    };
  }

  private createCodec(spec: unknown): Codec {
    let name: string;
    let options: Record<string, unknown>;
    if (typeof spec === 'string') {
      name = spec;
      const entry = findPlugin('codec', name);
      options = {};
      for (const [k, o] of Object.entries(entry?.options ?? {})) if (o.default !== undefined) options[k] = o.default;
    } else if (spec && typeof spec === 'object' && 'name' in spec && 'options' in spec) {
      const v = spec as ValidatedPlugin;
      name = v.name;
      options = v.options;
    } else {
      throw new PipelineBuildError(`Invalid codec setting ${JSON.stringify(spec)}`);
    }
    const module = this.module('codec', name);
    if (!module) {
      if (findPlugin('codec', name)?.implementation) throw new PipelineBuildError(`The codec '${name}' was not loaded before the pipeline was built`);
      throw new PipelineBuildError(`The codec '${name}' is validated by flowstash but not emulated: it cannot run here`);
    }
    const codec = module.create(this.withEcsMode(options), this.context(`codecs.${name}`, typeof spec === 'string' ? undefined : (spec as ValidatedPlugin))) as Codec;
    this.closers.push(() => codec.close?.());
    if (codec.register) {
      // A codec created while building is registered with the plugins; one created later by a running plugin, at once.
      if (this.registered) void Promise.resolve(codec.register()).catch((e: unknown) => this.settings.log.error(`Codec ${name} failed to register`, { exception: (e as Error).message }));
      else this.registering.push({ instance: codec, label: `the codec '${name}'` });
    }
    return codec;
  }

  private instantiate(node: PluginNode): { plugin: ValidatedPlugin; instance: PluginInstance } {
    const plugin = this.config.plugin(node);
    const module = this.module(plugin.kind, plugin.name);
    if (!module) {
      throw new PipelineBuildError(
        `The ${plugin.kind} plugin '${plugin.name}' at ${where(node)} is validated by flowstash but not emulated: it cannot run here`,
      );
    }
    try {
      const instance = module.create(this.withEcsMode(plugin.options), this.context(`${plugin.kind}s.${plugin.name}`, plugin)) as PluginInstance;
      if (plugin.kind !== 'codec') this.registering.push({ instance, label: `the ${plugin.kind} plugin '${plugin.name}' (${plugin.id}) at ${where(node)}` });
      return { plugin, instance };
    } catch (e) {
      if (e instanceof PipelineBuildError) throw e;
      throw new PipelineBuildError(`Unable to configure the ${plugin.kind} plugin '${plugin.name}' at ${where(node)}: ${(e as Error).message}`);
    }
  }

  private compile(): void {
    const { inputs, onFiltered } = this.overrides;
    if (inputs) inputs.forEach((o, i) => this.compileInputOverride(o, i));
    else for (const stmt of this.config.inputs) this.compileInput(stmt);
    // With --threads the filters and outputs are built by each thread, not here.
    if ((this.settings.threads ?? 1) > 1) return;
    const fanout = this.compileOutputs(this.config.outputs);
    this.checkOutputOverrides();
    this.collect = this.outputs.map(() => []);
    const total = this.totals;
    const afterFilters: Sink = onFiltered
      ? (e) => {
          total.filtered++;
          onFiltered(e);
          fanout(e);
        }
      : (e) => {
          total.filtered++;
          fanout(e);
        };
    this.process = this.config.filters.length > 0 ? this.compileFilterProgram(this.config.filters, afterFilters).start : afterFilters;
  }

  private compileInputOverride(o: InputOverride, index: number): void {
    let replaced: ValidatedPlugin | undefined;
    if (o.replaces !== undefined) {
      const configured = pluginNodes(this.config.inputs).map((n) => this.config.plugin(n));
      replaced = configured.find((p) => p.id === o.replaces);
      if (!replaced) {
        const ids = configured.map((p) => `'${p.id}' (${p.name})`).join(', ') || 'none';
        throw new PipelineBuildError(
          `Input override #${index + 1} replaces '${o.replaces}', which is not the id of a configured input; the inputs: ${ids}`,
        );
      }
    }
    const name = o.name ?? replaced?.name ?? 'override';
    const id = o.id ?? replaced?.id ?? `override_${index + 1}`;
    const options: Record<string, unknown> = { ...(replaced?.options ?? {}), ...(o.options ?? {}) };
    const codecSpec = o.codec ?? (options['codec'] as ValidatedPlugin | string | undefined) ?? 'plain';
    const codecName = typeof codecSpec === 'string' ? codecSpec : codecSpec.name;
    if (codecName === 'rubydebug' || codecName === 'dots') {
      throw new PipelineBuildError(`The ${codecName} codec only encodes: it cannot be used on an input (input override '${id}')`);
    }
    const codec = this.createCodec(codecSpec);
    const counters: PluginCounters = { kind: 'input', name, id, in: 0, out: 0, instance: o.input };
    this.plugins.push(counters);
    this.inputs.push({ counters, input: o.input, codec, options, context: this.context(`inputs.${name}`, replaced) });
    this.registering.push({ instance: o.input, label: `input override '${id}'` });
  }

  private compileInput(stmt: Statement): void {
    if (stmt.type !== 'plugin') {
      this.settings.log.warn('Conditionals in the input section are ignored (Logstash does not support them there)');
      for (const c of stmt.clauses) for (const s of c.body) this.compileInput(s);
      for (const s of stmt.elseBody ?? []) this.compileInput(s);
      return;
    }
    const plugin = this.config.plugin(stmt);
    const options = { ...plugin.options };
    // stdin switches plain → line and json → json_lines, as Logstash does.
    if (plugin.name === 'stdin') {
      this.reloadable = false;
      const codec = options['codec'] as ValidatedPlugin | string | undefined;
      const codecName = typeof codec === 'string' ? codec : codec?.name;
      if (codecName === 'plain') options['codec'] = typeof codec === 'string' ? 'line' : { ...codec!, name: 'line' };
      if (codecName === 'json') options['codec'] = typeof codec === 'string' ? 'json_lines' : { ...codec!, name: 'json_lines' };
    }
    const codecSpec = options['codec'] as ValidatedPlugin | string | undefined;
    const codecName = typeof codecSpec === 'string' ? codecSpec : codecSpec?.name;
    if (codecName === 'rubydebug' || codecName === 'dots') {
      throw new PipelineBuildError(`The ${codecName} codec of the ${plugin.name} input at ${where(stmt)} only encodes: it cannot be used on an input`);
    }
    const { instance } = this.instantiate(stmt);
    const codec = this.createCodec(options['codec'] ?? findPlugin('input', plugin.name)?.schema.defaultCodec ?? 'plain');
    const counters: PluginCounters = { kind: 'input', name: plugin.name, id: plugin.id, in: 0, out: 0, instance };
    this.plugins.push(counters);
    this.inputs.push({ counters, input: instance as Input, codec, options, context: this.context(`inputs.${plugin.name}`, plugin) });
  }

  /** The filter section as a flat program (filter-program.ts); its plugins are created in source order. */
  private compileFilterProgram(stmts: Statement[], end: Sink): FilterProgram<BranchArmHit> {
    const log = this.settings.log;
    const totals = this.totals;
    const onBranch = this.overrides.onBranch;
    const program = new FilterProgram<BranchArmHit>(stmts, {
      filter: (node) => {
        const { plugin, instance } = this.instantiate(node);
        const filter = instance as Filter;
        const counters: PluginCounters = { kind: 'filter', name: plugin.name, id: plugin.id, in: 0, out: 0, instance };
        this.plugins.push(counters);
        if (filter.close) this.closers.push(() => filter.close?.());
        return {
          filter,
          counters,
          // A filter bug must not lose the event: it continues unchanged, and is counted.
          failed: (e, event) => {
            totals.failed++;
            log.error(`Filter ${plugin.name} (${plugin.id}) failed; the event continues unfiltered`, { exception: (e as Error).message });
            return [event];
          },
        };
      },
      condition: (clause) => this.compileClauseCondition(clause),
      arms: (stmt) => (onBranch ? branchArms(stmt, 'filter') : undefined),
      ...(onBranch ? { onBranch } : {}),
      conditionFailed: (e, event) => this.conditionFailed(e, event),
      end,
      dropped: () => {
        totals.dropped++;
      },
    });
    for (const counters of this.plugins) {
      if (counters.kind !== 'filter') continue;
      const filter = counters.instance as Filter;
      const next = program.flushTargets.get(filter);
      if (next) this.flushing.push({ filter, next, id: counters.id });
    }
    return program;
  }

  private compileClauseCondition(c: IfClause): (event: Event) => boolean {
    try {
      return compileCondition(this.config.condition(c.condition), { onRunaway: (m) => this.settings.log.warn(m) });
    } catch (e) {
      throw new PipelineBuildError(
        `Invalid condition at ${c.condition.loc.file}:${c.condition.loc.line}:${c.condition.loc.column}: ${(e as Error).message}`,
      );
    }
  }

  /** An output-section conditional as a closure (the filter section runs as a FilterProgram). */
  private compileOutputBranch(stmt: BranchNode, body: (stmts: Statement[]) => Sink, fallthrough: Sink): Sink {
    const clauses = stmt.clauses.map((c) => ({ test: this.compileClauseCondition(c), run: body(c.body) }));
    const otherwise = stmt.elseBody ? body(stmt.elseBody) : fallthrough;
    const onBranch = this.overrides.onBranch;
    if (onBranch) return this.hookedBranch(clauses, otherwise, branchArms(stmt, 'output'), onBranch);
    return (event) => {
      let chosen: Sink = otherwise;
      try {
        for (const c of clauses) {
          if (c.test(event)) {
            chosen = c.run;
            break;
          }
        }
      } catch (e) {
        this.conditionFailed(e, event);
        return;
      }
      return chosen(event);
    };
  }

  /** compileOutputBranch's closure plus the onBranch call: a separate closure so that runs without the hook pay nothing. */
  private hookedBranch(
    clauses: { test: (event: Event) => boolean; run: Sink }[],
    otherwise: Sink,
    arms: BranchArmHit[],
    onBranch: (arm: BranchArmHit) => void,
  ): Sink {
    const otherwiseArm = arms[clauses.length]!;
    return (event) => {
      let chosen: Sink = otherwise;
      let arm = otherwiseArm;
      try {
        for (let i = 0; i < clauses.length; i++) {
          if (clauses[i]!.test(event)) {
            chosen = clauses[i]!.run;
            arm = arms[i]!;
            break;
          }
        }
      } catch (e) {
        this.conditionFailed(e, event);
        return;
      }
      onBranch(arm);
      return chosen(event);
    };
  }

  /** A condition that cannot be evaluated drops the event with Logstash's WARN; anything else is a bug and propagates. */
  private conditionFailed(e: unknown, event: Event): void {
    if (!(e instanceof ConditionEvaluationError)) throw e;
    this.totals.failed++;
    const log = this.settings.log;
    log.warn(`${e.message}. Event was dropped, enable debug logging to see the event's payload`);
    if (log.isEnabled('debug')) log.debug('Dropped event', { event: event.data });
  }

  /** The stand-in for a configured output, when the overrides give one (the configured plugin is then never created). */
  private outputOverride(stmt: PluginNode): { plugin: ValidatedPlugin; instance: Output } | undefined {
    const replacement = this.overrides.outputs;
    if (replacement === undefined) return undefined;
    const plugin = this.config.plugin(stmt);
    if (typeof replacement === 'function') {
      return { plugin, instance: { write: (events) => replacement(plugin.id, events), close: () => undefined } };
    }
    const instance = Object.prototype.hasOwnProperty.call(replacement, plugin.id) ? replacement[plugin.id] : undefined;
    return instance ? { plugin, instance } : undefined;
  }

  /** An Output given for an id no output has is a typo that would silently capture nothing. */
  private checkOutputOverrides(): void {
    const replacement = this.overrides.outputs;
    if (replacement === undefined || typeof replacement === 'function') return;
    const ids = new Set(pluginNodes(this.config.outputs).map((n) => this.config.plugin(n).id));
    const unknown = Object.keys(replacement).filter((id) => !ids.has(id));
    if (unknown.length > 0) {
      const known = [...ids].map((id) => `'${id}'`).join(', ') || 'none';
      const given = unknown.map((id) => `'${id}'`).join(', ');
      throw new PipelineBuildError(`Output override for ${given}: no configured output has that id; the outputs: ${known}`);
    }
  }

  private compileOutputs(stmts: Statement[]): Sink {
    const sinks = stmts.map((s) => this.compileOutputStatement(s));
    if (sinks.length === 1) return sinks[0]!;
    return (event) => {
      for (const s of sinks) void s(event);
    };
  }

  private compileOutputStatement(stmt: Statement): Sink {
    if (stmt.type === 'branch') return this.compileOutputBranch(stmt, (body) => this.compileOutputs(body), () => undefined);
    const { plugin, instance } = this.outputOverride(stmt) ?? this.instantiate(stmt);
    const counters: PluginCounters = { kind: 'output', name: plugin.name, id: plugin.id, in: 0, out: 0, instance };
    this.plugins.push(counters);
    const index = this.outputs.length;
    this.outputs.push({ counters, output: instance as Output });
    return (event) => {
      this.collect[index]!.push(event);
    };
  }

  /** Starts the inputs and the workers; `done` resolves after the drain. */
  start(): void {
    if (this.started) throw new Error('pipeline already started');
    this.started = true;
    const inputsDone = Promise.all(this.inputs.map((i) => this.runInput(i)));
    void inputsDone.then(() => this.queue.close());
    const threads = this.threads;
    if (threads) {
      void this.feedThreads(threads)
        .then(() => this.finishThreads(threads))
        .then(() => this.closeAll())
        .catch((e: unknown) => this.settings.log.error('Pipeline worker failed', { exception: (e as Error).message }))
        .finally(() => this.resolveDone());
      return;
    }
    const workers = Array.from({ length: Math.max(1, this.settings.workers) }, () => this.worker());
    const flushTimer = this.startPeriodicFlush();
    void Promise.all(workers)
      .then(() => {
        if (flushTimer) clearInterval(flushTimer);
        return this.periodicFlushing;
      })
      .then(() => this.finish())
      .catch((e: unknown) => this.settings.log.error('Pipeline worker failed', { exception: (e as Error).message }))
      .finally(() => this.resolveDone());
  }

  /** Graceful stop: inputs stop reading; everything already read is still processed. */
  stop(): void {
    this.abort.abort();
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Forced stop: drops what is queued; returns how many events were abandoned (queued + in flight). */
  abandon(): number {
    this.abort.abort();
    const inThreads = this.threads?.inFlight ?? 0;
    void this.threads?.terminate();
    return this.queue.discard() + this.inFlight + inThreads;
  }

  /** --threads: the memory queue's batches go to the threads until the inputs are done and it is empty. */
  private async feedThreads(threads: FilterThreads): Promise<void> {
    const { batchSize, batchDelayMs } = this.settings;
    for (;;) {
      const batch = await this.queue.take(batchSize, batchDelayMs);
      if (batch.length === 0) return;
      await threads.send(batch, this.unsendable);
    }
  }

  private unsendableReported = false;

  /** An event a filter thread cannot be given (a value no field can hold): counted as failed, said once. */
  private readonly unsendable = (event: Event, e: Error): void => {
    this.totals.failed++;
    if (this.unsendableReported) return;
    this.unsendableReported = true;
    this.settings.log.error('An event could not be handed to a filter thread and was dropped; further cases are only counted', {
      exception: e.message,
    });
  };

  /** --threads: every thread drains and closes; their counters become this pipeline's. */
  private async finishThreads(threads: FilterThreads): Promise<void> {
    const r = await threads.finish();
    this.totals.filtered += r.totals.filtered;
    this.totals.out += r.totals.out;
    this.totals.dropped += r.totals.dropped;
    this.totals.failed += r.totals.failed + r.lost;
    this.outputWriteFailures += r.outputWriteFailures;
    this.threadPlugins = r.plugins.map((p) => {
      const stats = p.stats;
      return { kind: p.kind, name: p.name, id: p.id, in: p.in, out: p.out, instance: stats ? { stats: () => stats } : {} } as PluginCounters;
    });
  }

  private async runInput(ri: RunningInput): Promise<void> {
    const name = ri.counters.name;
    const log = this.settings.log.child(`inputs.${name}`);
    const totals = this.totals;
    const applyOptions = inputDecorator(ri.options);
    let decorateWarned = false;
    // type/tags/add_field can collide with what the codec produced ([a][b] on a string):
    // the event goes on undecorated, counted, warned about once.
    const decorate = (event: Event): void => {
      try {
        applyOptions(event);
      } catch (e) {
        totals.failed++;
        if (!decorateWarned) {
          decorateWarned = true;
          log.warn(`Could not apply the common options of input ${name} to an event (further cases are only counted)`, {
            exception: (e as Error).message,
          });
        }
      }
    };
    const queue = this.queue;
    const ctx: InputContext = {
      ...ri.context,
      log,
      codec: ri.codec,
      decorate,
      signal: this.abort.signal,
      push: (events) => {
        if (queue.isClosed) {
          totals.failed += events.length;
          log.error(`Input ${name} pushed ${events.length} events after it finished; they were not processed`);
          return;
        }
        ri.counters.out += events.length;
        totals.in += events.length;
        return queue.push(events);
      },
    };
    try {
      await ri.input.run(ctx);
    } catch (e) {
      const code = (e as { exitCode?: unknown }).exitCode;
      if (typeof code === 'number' && code > 0) {
        // The input already phrased a user-facing reason (e.g. a port in use): say only that, and fail the run.
        log.error((e as Error).message);
        this.inputExitCode = Math.max(this.inputExitCode, code);
      } else {
        log.error(`Input ${name} (${ri.counters.id}) failed and stopped`, { exception: (e as Error).message });
      }
    }
  }

  private async worker(): Promise<void> {
    const { batchSize, batchDelayMs } = this.settings;
    for (;;) {
      const batch = await this.queue.take(batchSize, batchDelayMs);
      if (batch.length === 0) return;
      this.inFlight += batch.length;
      const waiting = this.processAll(batch);
      if (waiting) await waiting;
      await this.writeCollected(waiting !== undefined);
      this.inFlight -= batch.length;
      this.settings.onBatchDone?.(batch.length);
      // A full queue hands out batches in microtasks only: let signals and timers in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Runs events through the filters; a promise when some wait on I/O (their order is restored on output). */
  private processAll(events: Event[]): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    const failed = (err: unknown): void => {
      // A bug in a condition or plugin must cost this event, not the pipeline.
      this.totals.failed++;
      this.settings.log.error('Event processing failed; the event was dropped', { exception: (err as Error).message });
    };
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      e.seq = i;
      try {
        const p = this.process(e);
        if (p) (pending ??= []).push(p.catch(failed));
      } catch (err) {
        failed(err);
      }
    }
    return pending && Promise.all(pending).then(() => undefined);
  }

  private periodicFlushing: Promise<void> = Promise.resolve();

  /** Logstash flushes filters every 5 s (aggregate timeouts, throttle windows …). */
  private startPeriodicFlush(): NodeJS.Timeout | undefined {
    const periodic = this.flushing.filter((f) => f.filter.periodicFlush);
    if (periodic.length === 0) return undefined;
    const timer = setInterval(() => {
      this.periodicFlushing = this.periodicFlushing.then(() => this.flushFilters(periodic, false));
    }, this.settings.flushIntervalMs ?? 5000);
    timer.unref();
    return timer;
  }

  private async flushFilters(filters: FlushingFilter[], final: boolean): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const f of filters) {
      try {
        for (const e of f.filter.flush!(final)) {
          const p = f.next(e);
          if (p) pending.push(p);
        }
      } catch (e) {
        this.settings.log.error(`Filter flush failed (${f.id})`, { exception: (e as Error).message });
      }
    }
    await Promise.all(pending);
    await this.writeCollected(false);
  }

  /** Hands each output what the batch produced for it (swapped out synchronously, then awaited). */
  private async writeCollected(reorder: boolean): Promise<void> {
    const buffers = this.collect;
    this.collect = this.outputs.map(() => []);
    if (reorder) for (const b of buffers) b.sort((x, y) => x.seq - y.seq);
    if (this.outputs.length === 1) {
      // One output (the common case): what it took is what got out, no per-event bookkeeping.
      const events = buffers[0]!;
      if (await this.writeTo(this.outputs[0]!, events)) this.totals.out += events.length;
      return;
    }
    const delivered = new Set<Event>();
    await Promise.all(
      this.outputs.map(async (o, i) => {
        const events = buffers[i]!;
        if (await this.writeTo(o, events)) for (const e of events) delivered.add(e);
      }),
    );
    this.totals.out += delivered.size;
  }

  /** One output's share of a batch; false when it failed (counted and reported) or was empty. */
  private async writeTo(o: RunningOutput, events: Event[]): Promise<boolean> {
    if (events.length === 0) return false;
    o.counters.in += events.length;
    try {
      await o.output.write(events);
      o.counters.out += events.length;
      return true;
    } catch (e) {
      this.totals.failed += events.length;
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') this.outputWriteFailures += events.length;
      this.outputFailed(o, events.length, e as NodeJS.ErrnoException);
      return false;
    }
  }

  private readonly reportedFailures = new Set<string>();

  /** Logs an output failure once per output and message; a closed pipe (EPIPE) stops the inputs. */
  private outputFailed(o: RunningOutput, count: number, e: NodeJS.ErrnoException): void {
    const key = `${o.counters.id}\u0000${e.message}`;
    if (!this.reportedFailures.has(key)) {
      this.reportedFailures.add(key);
      this.settings.log.error(`Output ${o.counters.name} (${o.counters.id}) failed to write ${count} events; further failures like this are only counted`, {
        exception: e.message,
      });
    }
    if (e.code === 'EPIPE' && !this.abort.signal.aborted) {
      this.settings.log.warn(`Output ${o.counters.name} lost its reader (EPIPE): stopping the inputs`);
      this.stop();
    }
  }

  private async finish(): Promise<void> {
    await this.flushFilters(this.flushing, true);
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    for (const o of this.outputs) {
      try {
        await o.output.close();
      } catch (e) {
        this.settings.log.error(`Output ${o.counters.name} (${o.counters.id}) failed to close`, { exception: (e as Error).message });
      }
    }
    for (const close of this.closers) {
      try {
        await close();
      } catch (e) {
        this.settings.log.error('Plugin failed to close', { exception: (e as Error).message });
      }
    }
    this.closeDeadLetterQueue();
  }

  /** Codec/plugin counters for the summary (stats() of every instance that has one). */
  pluginStats(): { counters: PluginCounters; stats?: Record<string, number> }[] {
    return [...this.plugins, ...this.threadPlugins].map((c) => {
      const s = (c.instance as { stats?: () => Record<string, number> }).stats?.();
      return s ? { counters: c, stats: s } : { counters: c };
    });
  }

  inputCodecStats(): { input: string; stats: Record<string, number> }[] {
    return this.inputs.flatMap((i) => {
      const s = i.codec.stats?.();
      return s ? [{ input: i.counters.name, stats: s }] : [];
    });
  }
}
