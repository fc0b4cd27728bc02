// The aggregate filter (logstash-filter-aggregate 2.10). Events with the same task id (the
// `task_id` sprintf) share a map that the Ruby `code` updates with `event` and `map` (and
// `map_meta`, `new_event_block`), in the process's Ruby VM (ruby/vm.ts) where the maps live —
// see aggregate-rb.ts. map_action chooses whether an event may create and/or update a map;
// end_of_task drops it; maps older than `timeout` or idle longer than `inactivity_timeout`
// expire on the periodic flush (or, with timeout_timestamp_field, by event time) and with
// push_map_as_event_on_timeout / push_previous_map_as_event come back as events (timeout_code,
// timeout_task_id_field, timeout_tags). aggregate_maps_path saves the maps at close and reloads
// them at register. Like Logstash, it needs a single pipeline worker.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Event } from '../../../event/event.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import type { FieldMap, FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { drainInto, eventFromWire, replay } from '../ruby/ruby.ts';
import type { RubyVm } from '../ruby/vm.ts';
import { WireWriter } from '../ruby/wire.ts';
import { AGGREGATE_RUBY } from './aggregate-rb.ts';
import type { AggregateFilterOptions } from './schema.ts';

/** Row of one event: what Ruby did to it, the events to add, whether the code ran without error, whether a map was used. */
type Row = [ops: FieldValue[][], cancelled: boolean, added: FieldValue[][], ok: boolean, handled: boolean];

export class AggregateConfigError extends Error {
  constructor(where: string, why: string) {
    super(`aggregate filter at ${where}: ${why}`);
    this.name = 'AggregateConfigError';
  }
}

export interface AggregateClock {
  /** Seconds since the epoch (fractional). */
  now(): number;
}

const systemClock: AggregateClock = { now: () => Date.now() / 1000 };
let instances = 0;

export class AggregateFilter extends FilterBase<AggregateFilterOptions> {
  readonly periodicFlush = true;
  private vm?: RubyVm;
  private readonly rubyId: string;
  private readonly taskId: Interpolator;
  private readonly counts = { code_errors: 0, pushed_events: 0 };
  private pending: { event: Event; resolve(events: Event[]): void }[] = [];

  constructor(
    options: AggregateFilterOptions,
    ctx: PluginContext,
    private readonly clock: AggregateClock = systemClock,
  ) {
    super(options, ctx);
    this.rubyId = `aggregate:${ctx.id}#${++instances}`;
    this.taskId = compileSprintf(options.task_id);
    if (!/%\{.+\}/.test(options.task_id)) {
      throw new AggregateConfigError(ctx.where, `Aggregate plugin: task_id pattern '${options.task_id}' must contain a dynamic expression like '%{field}'`);
    }
    const workers = ctx.pipelineWorkers ?? 1;
    if (workers > 1) {
      this.log.warn(`Aggregate plugin needs pipeline.workers => 1 to see the events of a task in order (here ${workers}): run with -w 1`);
    }
  }

  async register(): Promise<void> {
    const { sharedRubyVm } = await import('../ruby/vm.ts');
    this.vm = await sharedRubyVm();
    this.vm.define('aggregate', AGGREGATE_RUBY);
    this.call('create_aggregate', []);
    const o = this.options;
    this.call('call', ['__register', JSON.stringify([{ ...o, pipeline_id: this.ctx.pipelineId, aggregate_maps_path: o.aggregate_maps_path !== undefined }])]);
    const file = o.aggregate_maps_path;
    if (file !== undefined && existsSync(file)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new AggregateConfigError(this.ctx.where, `cannot read aggregate_maps_path ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      this.call('call', ['__load', JSON.stringify([text])]);
      await rm(file, { force: true });
      this.log.info(`Aggregate maps loaded from : ${file}`);
    }
  }

  /** Events of a worker batch reach filter() in the same tick: they go to Ruby together, in order, on the next microtask. */
  filter(event: Event): Promise<Event[]> {
    return new Promise((resolve) => {
      if (this.pending.length === 0) queueMicrotask(() => this.runPending());
      this.pending.push({ event, resolve });
    });
  }

  private runPending(): void {
    const batch = this.pending;
    this.pending = [];
    const taskIds: (string | null)[] = [];
    let flags = '';
    let data = '[';
    let meta = '[';
    for (const { event } of batch) {
      const taskId = this.taskId(event);
      // Logstash skips an event whose task_id did not interpolate (the pattern comes back unchanged).
      taskIds.push(taskId === this.options.task_id ? null : taskId);
      const writer = new WireWriter();
      data += (data.length > 1 ? ',' : '') + writer.event(event.data);
      meta += (meta.length > 1 ? ',' : '') + writer.map(event.metadata);
      flags += writer.nested ? '1' : '0';
    }
    const text = [String(this.clock.now()), flags, JSON.stringify(taskIds), data + ']', meta + ']'].join('\x01');
    const reply = parseJsonValue(this.vm!.callRaw('run_aggregate', this.rubyId, text)) as FieldMap;
    drainInto(this.log, reply['log'] as FieldValue[]);
    const rows = reply['ok'] as unknown as Row[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const { event, resolve } = batch[i]!;
      if (rows) resolve(this.applyRow(event, rows[i]!));
      else {
        const [cls, message] = reply['error'] as string[];
        this.log.error(`Aggregate exception occurred: ${message} (${cls})`, { where: this.ctx.where });
        event.tag('_aggregateexception');
        this.counts.code_errors++;
        resolve([event]);
      }
    }
  }

  private applyRow(event: Event, [ops, cancelled, added, ok, handled]: Row): Event[] {
    if (!handled) return [event];
    try {
      replay(event, ops);
    } catch (e) {
      this.log.error(`Aggregate exception occurred: ${(e as Error).message}`, { where: this.ctx.where });
      event.tag('_aggregateexception');
    }
    if (ok) this.filterMatched(event);
    else this.counts.code_errors++;
    if (cancelled) event.cancelled = true;
    const out = event.cancelled ? [] : [event];
    for (const wire of added) {
      const made = eventFromWire(wire);
      this.counts.pushed_events++;
      if (!made.cancelled) out.push(made);
    }
    return out;
  }

  flush(final: boolean): Event[] {
    if (!this.vm) return [];
    const wires = this.call('call', ['__flush', JSON.stringify([this.clock.now(), final])]) as FieldValue[][];
    this.counts.pushed_events += wires.length;
    return wires.map((w) => eventFromWire(w));
  }

  /** The task maps of this filter's task_id pattern (for tests and diagnostics). */
  maps(): Record<string, FieldValue> {
    return (this.call('call', ['__maps', '[]']) as FieldMap) ?? {};
  }

  async close(): Promise<void> {
    if (!this.vm) return;
    const file = this.options.aggregate_maps_path;
    if (file !== undefined) {
      const dump = this.vm.callRaw('call', this.rubyId, '__dump', '[]');
      const maps = (parseJsonValue(dump) as FieldMap)['ok'] as string;
      if (maps !== '{}') {
        await writeFile(file, maps);
        this.log.info(`Aggregate maps stored to : ${file}`);
      }
    }
    this.call('call', ['__close', '[]']);
    this.call('remove_filter', []);
  }

  stats(): Record<string, number> {
    return { ...super.stats(), ...this.counts };
  }

  private call(method: string, args: string[]): FieldValue | undefined {
    const reply = parseJsonValue(this.vm!.callRaw(method, this.rubyId, ...args)) as FieldMap;
    drainInto(this.log, reply['log'] as FieldValue[]);
    if (reply['error']) {
      const [cls, message] = reply['error'] as string[];
      throw new AggregateConfigError(this.ctx.where, cls === 'LogStash::ConfigurationError' ? message! : `${message} (${cls})`);
    }
    return reply['ok'];
  }
}

export function create(options: AggregateFilterOptions, ctx: PluginContext): Filter {
  return new AggregateFilter(options, ctx);
}
