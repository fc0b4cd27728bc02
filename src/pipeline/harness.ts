// Runs a loaded pipeline in-process on a given input and captures what reaches its outputs: the
// test bench's way into the real runtime (flowstash verify). Pipeline.build gets overrides: the
// test input replaces the configured inputs, one sink stands in for every configured output (none
// of them is created), and the onBranch / onFiltered hooks report the arm each event entered and
// the order events left the filters. Filters, conditions, flushes and the output conditionals are
// the runtime's own compiled code; nothing here evaluates a condition.
import type { BranchNode, PluginNode, SourceLocation, Statement } from '../config/ast.ts';
import type { PipelineConfig, ValidatedPlugin } from '../config/pipeline-config.ts';
import { findPlugin } from '../plugins/registry.ts';
import type { EcsCompatibility, Input, InputContext } from '../plugins/types.ts';
import type { Event } from '../event/event.ts';
import { type LogLevel, PipelineLogger } from './log.ts';
import { type BranchArmHit, Pipeline, type PipelineOverrides, type PipelineTotals } from './pipeline.ts';

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
  /** `pipeline.ecs_compatibility` for the plugins that do not set their own (default v8). */
  ecsCompatibility?: EcsCompatibility;
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

function defaults(kind: 'input' | 'filter' | 'output', name: string): Record<string, unknown> {
  const entry = findPlugin(kind, name);
  if (!entry?.implementation) throw new Error(`the ${kind} plugin '${name}' is not available in this build of flowstash`);
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(entry.options)) if (o.default !== undefined) out[k] = o.default;
  return out;
}

/** The common input options the runtime's ctx.decorate applies. */
const DECORATING_OPTIONS = ['type', 'tags', 'add_field'];
/** Options of the stood-in input that the pcap input understands too (where the exporter address goes). */
const CAPTURE_OPTIONS = ['ecs_compatibility', 'source_ip_fieldname'];

function pick(options: Record<string, unknown> | undefined, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of names) if (options?.[k] !== undefined) out[k] = options[k];
  return out;
}

function outputPlugins(stmts: Statement[]): PluginNode[] {
  return stmts.flatMap((s) => (s.type === 'plugin' ? [s] : [...s.clauses.flatMap((c) => outputPlugins(c.body)), ...outputPlugins(s.elseBody ?? [])]));
}

/** Maps the runtime's arm objects (one per arm, reused) to the harness's keyed arms. */
function armResolver(config: Pick<PipelineConfig, 'filters' | 'outputs'>): (hit: BranchArmHit) => BranchArm {
  const byPlace = new Map<string, BranchArm>();
  const place = (section: string, kind: string, loc: { file: string; line: number; column: number }): string =>
    `${section} ${kind} ${loc.file}:${loc.line}:${loc.column}`;
  for (const arm of conditionalArms(config)) byPlace.set(place(arm.section, arm.kind, arm.loc), arm);
  const seen = new Map<BranchArmHit, BranchArm>();
  return (hit) => {
    let arm = seen.get(hit);
    if (!arm) {
      arm = byPlace.get(place(hit.section, hit.kind, hit));
      if (!arm) throw new Error(`pipeline harness: the runtime reported an arm the config does not have: ${place(hit.section, hit.kind, hit)}`);
      seen.set(hit, arm);
    }
    return arm;
  };
}

/**
 * Runs `config`'s filters and output conditionals on the events of `input` (one worker, so event
 * order is the input order) and returns what reached the outputs. Throws PipelineBuildError when
 * the pipeline cannot be built (e.g. a filter plugin flowstash does not emulate).
 */
export async function runPipelineHarness(config: PipelineConfig, input: HarnessInput, options: HarnessOptions = {}): Promise<HarnessResult> {
  const log: string[] = [];
  const logger = new PipelineLogger('verify', options.logLevel ?? 'warn', { write: (line) => void log.push(line.replace(/\n$/, '')) });

  const order = new Map<Event, number>();
  const captured = new Set<Event>();
  const outputs = new Map<string, CapturedOutput>();
  for (const node of outputPlugins(config.outputs)) {
    const p = config.plugin(node);
    if (!outputs.has(p.id)) outputs.set(p.id, { id: p.id, name: p.name, events: [] });
  }
  const captureAll = outputs.size === 0;
  let inputError: string | undefined;

  const overrides: PipelineOverrides = {
    inputs: [
      {
        input: testInput(input, (message) => (inputError ??= message), options.ecsCompatibility),
        name: input.source.kind === 'capture' ? 'pcap' : 'lines',
        id: 'test_input',
        codec: input.codec,
        options: pick(input.options, DECORATING_OPTIONS),
      },
    ],
    outputs: (id, events) => {
      const sink = outputs.get(id)!;
      for (const e of events) {
        sink.events.push(e);
        captured.add(e);
      }
    },
    onFiltered: (event) => {
      if (!order.has(event)) order.set(event, order.size);
      if (captureAll) captured.add(event);
    },
  };
  if (options.onBranch) {
    const hook = options.onBranch;
    const resolve = armResolver(config);
    overrides.onBranch = (hit) => hook(resolve(hit));
  }
  const pipeline = await Pipeline.build(
    config,
    { workers: 1, batchSize: Math.max(1, options.batchSize ?? 1000), batchDelayMs: 0, log: logger, ...(options.ecsCompatibility ? { ecsCompatibility: options.ecsCompatibility } : {}) },
    overrides,
  );
  pipeline.start();
  await pipeline.done;
  const last = Number.MAX_SAFE_INTEGER;
  const events = [...captured].sort((a, b) => (order.get(a) ?? last) - (order.get(b) ?? last));
  const result: HarnessResult = { events, outputs: [...outputs.values()], totals: { ...pipeline.totals }, log };
  if (inputError !== undefined) result.inputError = inputError;
  return result;
}

/** The test input: lines through the codec, or the real pcap input reading the capture; both add the extra decoration. */
function testInput(input: HarnessInput, fail: (message: string) => void, ecsCompatibility?: EcsCompatibility): Input {
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
    // The stood-in input's own ecs_compatibility wins over the pipeline's, as it would in the real pipeline.
    const pipelineEcs = ecsCompatibility ? { ecs_compatibility: ecsCompatibility } : {};
    const pcapOptions: Record<string, unknown> = { ...defaults('input', 'pcap'), ...pipelineEcs, ...pick(input.options, CAPTURE_OPTIONS), path: src.path };
    if (src.filter !== undefined) pcapOptions['filter'] = src.filter;
    return {
      run: async (ctx) => {
        // The pcap input reports a failing capture only through its log: watch for it too.
        const watched: InputContext = { ...withExtra(ctx), log: watchErrors(ctx.log, fail) };
        try {
          const pcap = (await findPlugin('input', 'pcap')!.implementation!.load()).create(pcapOptions, watched) as Input;
          await pcap.run(watched);
        } catch (e) {
          fail((e as Error).message);
          throw e;
        }
      },
    };
  }
  return {
    run: async (ctx) => {
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
    },
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
