// The filter section compiled to a flat program that one loop steps an event through: a filter
// instruction runs a plugin, a branch instruction jumps to the arm its conditions choose. (Nested
// continuation closures, one per plugin and branch, cost a call frame each and ~170 of them per
// ElastiFlow flow.) An event leaves the loop only where a filter answers later (a promise) or with
// other events (split, clone, drop): each event it gives back continues at the next instruction.
import type { BranchNode, IfClause, PluginNode, Statement } from '../config/ast.ts';
import { Event } from '../event/event.ts';
import type { Filter } from '../plugins/types.ts';
import { ownCode } from './own-code.ts';

/** Where an event goes next; a promise when a filter on its way waits on I/O. */
export type Sink = (event: Event) => void | Promise<void>;

export interface FilterCounters {
  in: number;
  out: number;
}

/** What the pipeline prepares for one filter statement. */
export interface CompiledFilter {
  filter: Filter;
  counters: FilterCounters;
  /** A filter that threw: counts and logs it, and answers what continues (the event, unchanged). */
  failed(e: unknown, event: Event): Event[];
}

export interface FilterProgramHooks<Arm> {
  filter(node: PluginNode): CompiledFilter;
  condition(clause: IfClause): (event: Event) => boolean;
  /** The arms of a chain as the onBranch hook reports them (clauses, then the else); undefined without the hook. */
  arms(stmt: BranchNode): Arm[] | undefined;
  onBranch?(arm: Arm): void;
  /** A condition threw: drops the event (with Logstash's warning) or rethrows a bug. */
  conditionFailed(e: unknown, event: Event): void;
  /** Events filtered to the end of the section. */
  end: Sink;
  /** Counts events a filter dropped (answered with none). */
  dropped(): void;
}

const FILTER = 0;
const BRANCH = 1;
const JUMP = 2;
const END = 3;

/** One instruction; every kind has every field, so the loop reads one object shape. */
interface Instruction<Arm> {
  kind: typeof FILTER | typeof BRANCH | typeof JUMP | typeof END;
  compiled: CompiledFilter | undefined;
  /** FILTER: compiled.filter.filter(event), from a call site of its own (own-code.ts). */
  step: ((event: Event) => Event | Event[] | Promise<Event[]>) | undefined;
  tests: ((event: Event) => boolean)[];
  /** BRANCH: the arm of each test; JUMP: targets[0]. */
  targets: number[];
  /** BRANCH: where the event goes when no test holds (the else arm, or past the chain). */
  otherwise: number;
  arms: Arm[] | undefined;
}

export class FilterProgram<Arm = unknown> {
  private readonly code: Instruction<Arm>[] = [];
  private readonly onBranch: ((arm: Arm) => void) | undefined;

  constructor(
    stmts: Statement[],
    private readonly hooks: FilterProgramHooks<Arm>,
  ) {
    this.onBranch = hooks.onBranch?.bind(hooks);
    this.emitAll(stmts);
    this.emit(END);
  }

  /** The sink that runs an event from the start of the section. */
  readonly start: Sink = (event) => this.run(event, 0);

  /** Filters whose flush() gives events: where those events continue (the instruction after the filter). */
  readonly flushTargets = new Map<Filter, Sink>();

  private emit(kind: Instruction<Arm>['kind'], compiled?: CompiledFilter): Instruction<Arm> {
    const ins: Instruction<Arm> = { kind, compiled, step: compiled && ownCode<Instruction<Arm>['step']>({ f: compiled.filter }, 'return f.filter(e);'), tests: [], targets: [], otherwise: -1, arms: undefined };
    this.code.push(ins);
    return ins;
  }

  private emitAll(stmts: Statement[]): void {
    for (const s of stmts) {
      if (s.type === 'branch') this.emitBranch(s);
      else {
        const compiled = this.hooks.filter(s);
        this.emit(FILTER, compiled);
        const next = this.code.length;
        if (compiled.filter.flush) this.flushTargets.set(compiled.filter, (e) => this.run(e, next));
      }
    }
  }

  private emitBranch(stmt: BranchNode): void {
    const branch = this.emit(BRANCH);
    branch.tests = stmt.clauses.map((c) => this.hooks.condition(c));
    branch.arms = this.hooks.arms(stmt);
    const exits: Instruction<Arm>[] = [];
    const bodies: Statement[][] = stmt.clauses.map((c) => c.body);
    if (stmt.elseBody) bodies.push(stmt.elseBody);
    bodies.forEach((body, i) => {
      const at = this.code.length;
      if (i < stmt.clauses.length) branch.targets.push(at);
      else branch.otherwise = at;
      this.emitAll(body);
      // The last arm falls through to what follows the chain.
      if (i < bodies.length - 1) exits.push(this.emit(JUMP));
    });
    const after = this.code.length;
    if (!stmt.elseBody) branch.otherwise = after;
    for (const j of exits) j.targets.push(after);
  }

  /** Steps the event from instruction `pc` until it reaches the end, leaves, or waits on a filter. */
  private run(event: Event, pc: number): void | Promise<void> {
    const code = this.code;
    for (;;) {
      const ins = code[pc]!;
      switch (ins.kind) {
        case FILTER: {
          const compiled = ins.compiled!;
          compiled.counters.in++;
          let results: Event | Event[] | Promise<Event[]>;
          try {
            results = ins.step!(event);
          } catch (e) {
            results = compiled.failed(e, event);
          }
          if (results === event) {
            compiled.counters.out++;
            pc++;
            continue;
          }
          if (Array.isArray(results)) return this.deliver(compiled, event, results, pc + 1);
          if (results instanceof Event) return this.deliver(compiled, event, [results], pc + 1);
          return this.deliverLater(compiled, event, results, pc + 1);
        }
        case BRANCH: {
          const tests = ins.tests;
          let chosen = tests.length;
          try {
            for (let i = 0; i < tests.length; i++) {
              if (tests[i]!(event)) {
                chosen = i;
                break;
              }
            }
          } catch (e) {
            this.hooks.conditionFailed(e, event);
            return;
          }
          if (ins.arms !== undefined) this.onBranch!(ins.arms[chosen]!);
          pc = chosen < tests.length ? ins.targets[chosen]! : ins.otherwise;
          continue;
        }
        case JUMP:
          pc = ins.targets[0]!;
          continue;
        default:
          return this.hooks.end(event);
      }
    }
  }

  /** A filter's answer other than the event itself: each event given back continues at `next`. */
  private deliver(compiled: CompiledFilter, event: Event, results: Event[], next: number): void | Promise<void> {
    compiled.counters.out += results.length;
    if (results.length === 0) {
      this.hooks.dropped();
      return;
    }
    if (results.length === 1 && results[0] === event) return this.run(event, next);
    let pending: Promise<void>[] | undefined;
    for (const r of results) {
      // Events a filter creates keep their origin's place in the batch (clone, split).
      r.seq = event.seq;
      const p = this.run(r, next);
      if (p) (pending ??= []).push(p);
    }
    return pending && Promise.all(pending).then(() => undefined);
  }

  private deliverLater(compiled: CompiledFilter, event: Event, later: Promise<Event[]>, next: number): Promise<void> {
    return later.then(
      (r) => this.deliver(compiled, event, r, next),
      (e: unknown) => this.deliver(compiled, event, compiled.failed(e, event), next),
    );
  }
}
