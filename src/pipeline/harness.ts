// Runs a loaded pipeline in-process on a given input and captures what reaches its outputs: the
// test bench's way into the real runtime (flowstash verify). The pipeline is built by Pipeline.build
// from a *view* of the config: its inputs are replaced by one test input, each output plugin by a
// capture, and — only when branch hooks are wanted — a probe is placed at the head of every
// conditional branch body (plus an explicit `else` holding only a probe where none was written).
// Filters, conditions, flushes and the output conditionals are the runtime's own compiled code.
//
// The runtime instantiates plugins through the registry, so the test input, captures and probes are
// posed as registered plugins (generator/pcap, null, drop) whose instance methods are replaced
// after the build, found by id in Pipeline.plugins. Nothing here evaluates a condition.
import type { BranchNode, PluginNode, SourceLocation, Statement } from '../config/ast.ts';
import type { PipelineConfig, ValidatedPlugin } from '../config/pipeline-config.ts';
import { findPlugin } from '../plugins/registry.ts';
import type { Filter, Input, InputContext, Output } from '../plugins/types.ts';
import type { Event } from './event.ts';
import { type LogLevel, PipelineLogger } from './log.ts';
import { Pipeline, type PipelineTotals } from './pipeline.ts';

/** Where the test events come from. */
export type HarnessSource =
  | { kind: 'lines'; lines: string[] }
  | { kind: 'capture'; path: string; filter?: string };

export interface HarnessInput {
  /** The input codec: a registered codec name or a validated codec plugin. */
  codec: ValidatedPlugin | string;
  source: HarnessSource;
  /**
   * Options of the input being stood in for, applied as that input would: `type`, `tags`,
   * `add_field`, and for a capture `ecs_compatibility` / `source_ip_fieldname` (where the
   * exporter address goes).
   */
  options?: Record<string, unknown>;
  /** Applied to every event after the input's own decoration, before the source address is set. */
  decorate?: (event: Event) => void;
}

/** One arm of an if / else if / else chain (or the implicit else of a chain that has none). */
export interface BranchArm {
  /** Stable across loads of the same text: `file:line:column#arm`. */
  key: string;
  section: 'filter' | 'output';
  kind: 'if' | 'else if' | 'else' | 'implicit else';
  /** Where the arm starts (the `if`/`else if` keyword position, the `else`, or the chain's `if` for an implicit else). */
  loc: SourceLocation;
}

export interface HarnessOptions {
  /** Called each time an event enters a branch arm. */
  onBranch?: (arm: BranchArm) => void;
  /** Minimum level of the log lines kept in the result (default warn). */
  logLevel?: LogLevel;
  batchSize?: number;
}

export interface CapturedOutput {
  id: string;
  name: string;
  events: Event[];
}

export interface HarnessResult {
  /** Every distinct event that reached at least one output, in the order it left the filters. */
  events: Event[];
  /** Per output plugin of the config (none when the config has no output: then every event is captured). */
  outputs: CapturedOutput[];
  totals: PipelineTotals;
  /** Set when the test input failed (codec exception, unreadable capture, bad filter expression). */
  inputError?: string;
  /** Log lines the pipeline wrote at or above the log level. */
  log: string[];
}

/** The arms of every conditional in the filter and output sections, in source order. */
export function conditionalArms(config: Pick<PipelineConfig, 'filters' | 'outputs'>): BranchArm[] {
  const arms: BranchArm[] = [];
  const walk = (stmts: Statement[], section: 'filter' | 'output'): void => {
    for (const s of stmts) {
      if (s.type !== 'branch') continue;
      armsOf(s, section).forEach((a) => arms.push(a));
      for (const c of s.clauses) walk(c.body, section);
      if (s.elseBody) walk(s.elseBody, section);
    }
  };
  walk(config.filters, 'filter');
  walk(config.outputs, 'output');
  return arms;
}

function armsOf(b: BranchNode, section: 'filter' | 'output'): BranchArm[] {
  const at = (loc: SourceLocation): string => `${loc.file}:${loc.line}:${loc.column}`;
  const base = at(b.loc);
  const arms: BranchArm[] = b.clauses.map((c, i) => ({
    key: `${base}#${i}`,
    section,
    kind: i === 0 ? 'if' : 'else if',
    loc: c.loc,
  }));
  arms.push({
    key: `${base}#${b.clauses.length}`,
    section,
    kind: b.elseBody ? 'else' : 'implicit else',
    loc: b.elseBody ? (b.elseLoc ?? b.loc) : b.loc,
  });
  return arms;
}

const POSE_PREFIX = '__flowstash_harness_';

interface Poses {
  plugins: Map<PluginNode, ValidatedPlugin>;
  probes: Map<string, BranchArm>;
  captures: Map<string, ValidatedPlugin | undefined>;
  orderProbe: string;
  inputId: string;
}

function defaults(kind: 'input' | 'filter' | 'output', name: string): Record<string, unknown> {
  const entry = findPlugin(kind, name);
  if (!entry?.implementation) throw new Error(`the ${kind} plugin '${name}' is not available in this build of flowstash`);
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(entry.options)) if (o.default !== undefined) out[k] = o.default;
  return out;
}

function syntheticNode(kind: 'input' | 'filter' | 'output', name: string, loc: SourceLocation): PluginNode {
  return { type: 'plugin', kind, name, attributes: [], loc };
}

class ConfigView {
  readonly poses: Poses;
  private n = 0;

  constructor(
    private readonly config: PipelineConfig,
    private readonly input: HarnessInput,
    private readonly withProbes: boolean,
  ) {
    this.poses = { plugins: new Map(), probes: new Map(), captures: new Map(), orderProbe: '', inputId: '' };
  }

  private pose(kind: 'input' | 'filter' | 'output', name: string, loc: SourceLocation, options: Record<string, unknown>): { node: PluginNode; id: string } {
    const id = `${POSE_PREFIX}${kind}_${this.n++}`;
    const node = syntheticNode(kind, name, loc);
    this.poses.plugins.set(node, { kind, name, id, options, node, emulated: true });
    return { node, id };
  }

  build(): PipelineConfig {
    const loc: SourceLocation = { file: '<test input>', line: 1, column: 1, offset: 0 };
    const src = this.input.source;
    const inputName = src.kind === 'capture' ? 'pcap' : 'generator';
    const inputOptions: Record<string, unknown> = { ...defaults('input', inputName), codec: this.input.codec };
    for (const k of ['type', 'tags', 'add_field', 'ecs_compatibility', 'source_ip_fieldname']) {
      const v = this.input.options?.[k];
      if (v !== undefined) inputOptions[k] = v;
    }
    if (src.kind === 'capture') {
      inputOptions['path'] = src.path;
      if (src.filter !== undefined) inputOptions['filter'] = src.filter;
    }
    const input = this.pose('input', inputName, loc, inputOptions);
    this.poses.inputId = input.id;

    const order = this.pose('filter', 'drop', loc, defaults('filter', 'drop'));
    this.poses.orderProbe = order.id;
    const filters = [...this.rewrite(this.config.filters, 'filter'), order.node];
    let outputs = this.rewrite(this.config.outputs, 'output');
    if (this.poses.captures.size === 0) {
      const all = this.pose('output', 'null', loc, defaults('output', 'null'));
      this.poses.captures.set(all.id, undefined);
      outputs = [all.node];
    }
    const plugins = this.poses.plugins;
    const config = this.config;
    return {
      sources: config.sources,
      inputs: [input.node],
      filters,
      outputs,
      warnings: config.warnings,
      plugin: (node) => plugins.get(node) ?? config.plugin(node),
      condition: (c) => config.condition(c),
    };
  }

  private rewrite(stmts: Statement[], section: 'filter' | 'output'): Statement[] {
    return stmts.map((s) => {
      if (s.type === 'plugin') {
        if (section === 'filter') return s;
        const original = this.config.plugin(s);
        const capture = this.pose('output', 'null', s.loc, defaults('output', 'null'));
        this.poses.captures.set(capture.id, original);
        return capture.node;
      }
      const arms = armsOf(s, section);
      const probed = (body: Statement[], arm: BranchArm): Statement[] => {
        const inner = this.rewrite(body, section);
        if (!this.withProbes) return inner;
        const probe = this.pose(section, section === 'filter' ? 'drop' : 'null', arm.loc, defaults(section, section === 'filter' ? 'drop' : 'null'));
        this.poses.probes.set(probe.id, arm);
        return [probe.node, ...inner];
      };
      const clauses = s.clauses.map((c, i) => ({ ...c, body: probed(c.body, arms[i]!) }));
      const last = arms[arms.length - 1]!;
      const elseBody = s.elseBody ? probed(s.elseBody, last) : this.withProbes ? probed([], last) : undefined;
      const branch: BranchNode = { ...s, clauses };
      if (elseBody) branch.elseBody = elseBody;
      return branch;
    });
  }
}

/**
 * Runs `config`'s filters and output conditionals on the events of `input` (one worker, so event
 * order is the input order) and returns what reached the outputs. Throws PipelineBuildError when
 * the pipeline cannot be built (e.g. a filter plugin flowstash does not emulate).
 */
export async function runPipelineHarness(config: PipelineConfig, input: HarnessInput, options: HarnessOptions = {}): Promise<HarnessResult> {
  const view = new ConfigView(config, input, options.onBranch !== undefined);
  const viewConfig = view.build();
  const poses = view.poses;
  const log: string[] = [];
  const logger = new PipelineLogger('verify', options.logLevel ?? 'warn', { write: (line) => void log.push(line.replace(/\n$/, '')) });
  const pipeline = Pipeline.build(viewConfig, {
    workers: 1,
    batchSize: Math.max(1, options.batchSize ?? 1000),
    batchDelayMs: 0,
    log: logger,
  });

  const order = new WeakMap<Event, number>();
  let sequence = 0;
  const outputs: CapturedOutput[] = [];
  const captured = new Set<Event>();
  let inputError: string | undefined;

  const patched = new Set<string>();
  for (const c of pipeline.plugins) {
    patched.add(c.id);
    if (c.id === poses.inputId) {
      wrapInput(c.instance as Input, input, (message) => (inputError ??= message));
      continue;
    }
    if (c.id === poses.orderProbe) {
      (c.instance as Filter).filter = (event) => {
        if (!order.has(event)) order.set(event, sequence++);
        return [event];
      };
      continue;
    }
    const arm = poses.probes.get(c.id);
    if (arm) {
      const hook = options.onBranch!;
      if (c.kind === 'filter') {
        (c.instance as Filter).filter = (event) => {
          hook(arm);
          return [event];
        };
      } else {
        (c.instance as Output).write = (events) => {
          for (let i = 0; i < events.length; i++) hook(arm);
        };
      }
      continue;
    }
    if (poses.captures.has(c.id)) {
      const original = poses.captures.get(c.id);
      const sink: CapturedOutput = { id: original?.id ?? 'all', name: original?.name ?? '(all events)', events: [] };
      if (original) outputs.push(sink);
      (c.instance as Output).write = (events) => {
        for (const e of events) {
          sink.events.push(e);
          captured.add(e);
        }
      };
    }
  }

  // Every posed plugin must have been found, or events would silently go uncaptured.
  const posed = [poses.inputId, poses.orderProbe, ...poses.captures.keys(), ...poses.probes.keys()];
  const missing = posed.filter((id) => !patched.has(id));
  if (missing.length > 0) throw new Error(`pipeline harness: the runtime did not instantiate ${missing.join(', ')}`);

  pipeline.start();
  await pipeline.done;
  const last = Number.MAX_SAFE_INTEGER;
  const events = [...captured].sort((a, b) => (order.get(a) ?? last) - (order.get(b) ?? last));
  const result: HarnessResult = { events, outputs, totals: { ...pipeline.totals }, log };
  if (inputError !== undefined) result.inputError = inputError;
  return result;
}

/** The test input's run(): lines through the codec, or the real pcap input with the extra decoration. */
function wrapInput(instance: Input, input: HarnessInput, fail: (message: string) => void): void {
  const extra = input.decorate;
  const withExtra = (ctx: InputContext): InputContext =>
    extra
      ? {
          ...ctx,
          decorate: (e) => {
            ctx.decorate(e);
            extra(e);
          },
        }
      : ctx;
  const src = input.source;
  if (src.kind === 'capture') {
    const original = instance.run.bind(instance);
    instance.run = async (ctx) => {
      // The pcap input reports a failing capture only through its log: watch for it too.
      const watched: InputContext = { ...withExtra(ctx), log: watchErrors(ctx.log, fail) };
      try {
        await original(watched);
      } catch (e) {
        fail((e as Error).message);
        throw e;
      }
    };
    return;
  }
  instance.run = async (ctx) => {
    const c = withExtra(ctx);
    const source = {};
    for (let i = 0; i < src.lines.length; i++) {
      const out: Event[] = [];
      const emit = (e: Event): void => {
        c.decorate(e);
        out.push(e);
      };
      try {
        c.codec.decode(Buffer.from(src.lines[i]!, 'utf8'), source, emit);
        c.codec.flush?.(source, emit);
      } catch (e) {
        fail(`input line ${i + 1}: the codec failed: ${(e as Error).message}`);
      }
      if (out.length > 0) await c.push(out);
    }
  };
}

function watchErrors(log: InputContext['log'], fail: (message: string) => void): InputContext['log'] {
  return {
    trace: (m, d) => log.trace(m, d),
    debug: (m, d) => log.debug(m, d),
    info: (m, d) => log.info(m, d),
    warn: (m, d) => log.warn(m, d),
    error: (m, d) => {
      fail(d && typeof d['exception'] === 'string' ? `${m}: ${d['exception']}` : m);
      log.error(m, d);
    },
    isEnabled: (l) => log.isEnabled(l),
  };
}
