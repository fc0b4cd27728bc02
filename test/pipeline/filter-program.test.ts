// The filter section as a flat program: which filters an event meets, in which order, through
// nested if / else if / else; what continues after a filter that drops, splits, throws or answers
// later; where flushed events continue; a condition that cannot be evaluated.
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';
import { Event } from '../../src/event/event.ts';
import { compileCondition, ConditionEvaluationError, prepareConditions } from '../../src/pipeline/conditions.ts';
import { FilterProgram, type CompiledFilter } from '../../src/pipeline/filter-program.ts';
import type { Filter } from '../../src/plugins/types.ts';

/** Each mutate's id names what the stand-in filter does; every filter appends its id to [seen]. */
type Behaviour = (event: Event, id: string) => Event | Event[] | Promise<Event[]>;

function visit(event: Event, id: string): void {
  const seen = event.get('seen');
  event.set('seen', [...(Array.isArray(seen) ? seen : []), id]);
}

const BEHAVIOURS: Record<string, Behaviour> = {
  pass: (e, id) => (visit(e, id), e),
  list: (e, id) => (visit(e, id), [e]),
  drop: (e, id) => (visit(e, id), []),
  split: (e, id) => {
    visit(e, id);
    const copy = new Event({ ...e.data, seen: [...(e.get('seen') as string[])], copy: true });
    return [e, copy];
  },
  later: (e, id) =>
    new Promise((resolve) =>
      setTimeout(() => {
        visit(e, id);
        resolve([e]);
      }, 1),
    ),
  throws: (e, id) => {
    visit(e, id);
    throw new Error('boom');
  },
  rejects: (e, id) => (visit(e, id), Promise.reject(new Error('later boom'))),
};

interface Built {
  program: FilterProgram<string>;
  ended: Event[];
  arms: string[];
  failures: string[];
  dropped: number;
  counters: Map<string, { in: number; out: number }>;
  flushers: Map<string, Filter>;
}

async function build(filterSection: string, withArms = false): Promise<Built> {
  const config = await loadPipelineConfig({ configString: `filter {\n${filterSection}\n}` });
  await prepareConditions(config);
  const built: Built = { program: undefined!, ended: [], arms: [], failures: [], dropped: 0, counters: new Map(), flushers: new Map() };
  built.program = new FilterProgram<string>(config.filters, {
    filter: (node): CompiledFilter => {
      const id = config.plugin(node).id;
      const kind = id.replace(/\d+$/, '');
      const behaviour = BEHAVIOURS[kind];
      if (!behaviour) throw new Error(`no stand-in for ${id}`);
      const filter: Filter = { filter: (e) => behaviour(e, id) };
      if (kind === 'pass') filter.flush = () => [new Event({ flushed: id })];
      built.flushers.set(id, filter);
      const counters = { in: 0, out: 0 };
      built.counters.set(id, counters);
      return {
        filter,
        counters,
        failed: (e, event) => {
          built.failures.push(`${id}: ${(e as Error).message}`);
          return [event];
        },
      };
    },
    condition: (clause) => compileCondition(config.condition(clause.condition)),
    arms: (stmt) => (withArms ? [...stmt.clauses.map((c) => `line ${c.loc.line}`), stmt.elseBody ? 'else' : 'implicit else'] : undefined),
    ...(withArms ? { onBranch: (arm: string) => void built.arms.push(arm) } : {}),
    conditionFailed: (e, event) => {
      if (!(e instanceof ConditionEvaluationError)) throw e;
      built.failures.push(`condition: ${String(event.get('x'))}`);
    },
    end: (e) => void built.ended.push(e),
    dropped: () => void built.dropped++,
  });
  return built;
}

async function run(b: Built, ...data: Record<string, unknown>[]): Promise<unknown[][]> {
  b.ended.length = 0;
  await Promise.all(data.map((d) => b.program.start(new Event(d as never))));
  return b.ended.map((e) => e.get('seen') as unknown[]);
}

const CHAIN = `
  mutate { id => "pass1" }
  if [x] == 1 {
    mutate { id => "pass2" }
  } else if [x] == 2 {
    mutate { id => "pass3" }
    if [y] { mutate { id => "pass4" } } else { mutate { id => "pass5" } }
    mutate { id => "pass6" }
  } else if [x] == 3 {
  } else {
    mutate { id => "pass7" }
  }
  if [x] > 0 { mutate { id => "pass8" } }
  mutate { id => "pass9" }
`;

describe('FilterProgram', () => {
  it('takes each event through the arms its conditions choose, nested ones included, then on to what follows', async () => {
    const b = await build(CHAIN);
    expect(await run(b, { x: 1 })).toEqual([['pass1', 'pass2', 'pass8', 'pass9']]);
    expect(await run(b, { x: 2, y: true })).toEqual([['pass1', 'pass3', 'pass4', 'pass6', 'pass8', 'pass9']]);
    expect(await run(b, { x: 2 })).toEqual([['pass1', 'pass3', 'pass5', 'pass6', 'pass8', 'pass9']]);
    expect(await run(b, { x: 3 })).toEqual([['pass1', 'pass8', 'pass9']]);
    expect(await run(b, { x: 0 })).toEqual([['pass1', 'pass7', 'pass9']]);
    expect(b.counters.get('pass1')).toEqual({ in: 5, out: 5 });
    expect(b.counters.get('pass8')).toEqual({ in: 4, out: 4 });
  });

  it('reports each arm entered, the empty one and the implicit else included, only when asked', async () => {
    const b = await build(CHAIN, true);
    await run(b, { x: 3 });
    expect(b.arms).toEqual(['line 10', 'line 14']);
    b.arms.length = 0;
    await run(b, { x: -1 });
    expect(b.arms).toEqual(['else', 'implicit else']);
  });

  it('continues every event a filter gives back after that filter, and ends none it dropped', async () => {
    const b = await build(`
      mutate { id => "pass1" }
      if [x] == 1 { mutate { id => "split1" } mutate { id => "list1" } }
      if [copy] { mutate { id => "drop1" } }
      mutate { id => "pass2" }
    `);
    expect(await run(b, { x: 1 })).toEqual([['pass1', 'split1', 'list1', 'pass2']]);
    expect(b.ended.map((e) => e.get('copy') ?? false)).toEqual([false]);
    expect(b.dropped).toBe(1);
    expect(b.counters.get('split1')).toEqual({ in: 1, out: 2 });
    expect(b.counters.get('list1')).toEqual({ in: 2, out: 2 });
    expect(b.counters.get('drop1')).toEqual({ in: 1, out: 0 });
  });

  it('continues after a filter that answers later, from where that filter is', async () => {
    const b = await build(`
      if [x] == 1 { mutate { id => "later1" } mutate { id => "pass1" } } else { mutate { id => "pass2" } }
      mutate { id => "pass3" }
    `);
    const done = b.program.start(new Event({ x: 1 }));
    expect(done).toBeInstanceOf(Promise);
    expect(b.ended).toEqual([]);
    await done;
    expect(b.ended.map((e) => e.get('seen'))).toEqual([['later1', 'pass1', 'pass3']]);
  });

  it('lets an event a filter failed on (threw, or its promise rejected) continue unchanged after it', async () => {
    const b = await build(`mutate { id => "throws1" } mutate { id => "rejects1" } mutate { id => "pass1" }`);
    expect(await run(b, { x: 1 })).toEqual([['throws1', 'rejects1', 'pass1']]);
    expect(b.failures).toEqual(['throws1: boom', 'rejects1: later boom']);
  });

  it('drops an event whose condition cannot be evaluated, and goes on with the others', async () => {
    const b = await build(`mutate { id => "pass1" } if [x] > 0 { mutate { id => "pass2" } } mutate { id => "pass3" }`);
    // Ordering an absent field against a number cannot be evaluated (Logstash drops the event with a warning).
    expect(await run(b, { y: 1 }, { x: 1 })).toEqual([['pass1', 'pass2', 'pass3']]);
    expect(b.failures).toEqual(['condition: undefined']);
    expect(b.counters.get('pass3')).toEqual({ in: 1, out: 1 });
  });

  it("sends a filter's flushed events on from the instruction after it", async () => {
    const b = await build(`
      mutate { id => "pass1" }
      if [x] == 1 { mutate { id => "pass2" } } else { mutate { id => "pass3" } }
      mutate { id => "pass4" }
    `);
    for (const [id, after] of [
      ['pass2', ['pass4']],
      ['pass1', ['pass3', 'pass4']],
      ['pass4', undefined],
    ] as const) {
      b.ended.length = 0;
      const flusher = b.flushers.get(id)!;
      for (const e of flusher.flush!(true)) await b.program.flushTargets.get(flusher)!(e);
      expect(b.ended.map((e) => [e.get('flushed'), e.get('seen')])).toEqual([[id, after]]);
    }
  });
});
