// The ruby filter (logstash-filter-ruby 3.1) on CRuby compiled to WebAssembly. The events of a
// worker batch reach filter() in the same tick: they are collected and sent to Ruby as one JSON
// text on the next microtask; Ruby runs the code on each and answers what it did to each event
// (the sets, removes and tags, in order — replayed here on flowstash's own Event, so a set from
// Ruby is the same operation as a set from mutate), whether it was cancelled, the events it made
// and the exception it raised. Errors in user code tag the event and are logged with the config
// file and line of the ruby block; the pipeline goes on.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { Event, deepClone } from '../../../event/event.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import type { FieldMap, FieldValue } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Logger, PluginContext } from '../../types.ts';
import type { RubyFilterOptions } from './schema.ts';
import type { RubyReply, RubyVm } from './vm.ts';
import { WireWriter, fromWire } from './wire.ts';
import { AnswerKeys } from './answer-key.ts';
import { prepareRow, replayPrepared, type PreparedRow, type RubyError, type Row } from './row.ts';
import { project, projectMetadata, readReferences } from './projection.ts';
import { pureCode, simpleInit } from './purity.ts';

const EXCLUSIVE = 'You must either use an inline script with the "code" option or a script file using "path".';

interface Pending {
  event: Event;
  resolve(events: Event[]): void;
  /** The event's answer key, when filter() already made it. */
  key: string | undefined;
}

export class RubyConfigError extends Error {
  constructor(where: string, why: string) {
    super(`ruby filter at ${where}: ${why}`);
    this.name = 'RubyConfigError';
  }
}

let instances = 0;

export class RubyFilter extends FilterBase<RubyFilterOptions> {
  private vm?: RubyVm;
  private readonly rubyId: string;
  private pending: Pending[] = [];
  private readonly exceptionCounter = { exceptions: 0, created: 0, cancelled: 0, batches: 0 };

  /** The fields inline code can read, when its text shows them (only those cross into Ruby). */
  private readonly paths: string[][] | undefined;
  /**
   * Set when the code is a pure function of the fields it reads (purity.ts): the @metadata paths it
   * reads (only those cross), and answers are reused for events whose read fields are the same.
   */
  private readonly metadataPaths: string[][] | undefined;
  /** The code and init are pure (purity.ts): loading them leaves the VM untainted. */
  private readonly vouched: boolean;
  private answers = new Map<string, PreparedRow>();
  /** The answer keys of events (set with metadataPaths). */
  private readonly answerKeys: AnswerKeys | undefined;
  private answersGeneration = -1;

  constructor(options: RubyFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.rubyId = `${ctx.id}#${++instances}`;
    const refs = options.code !== undefined ? readReferences(options.code, options.init) : undefined;
    this.paths = refs?.data;
    this.vouched = options.code !== undefined && pureCode(options.code) && simpleInit(options.init);
    if (refs && this.vouched) {
      this.metadataPaths = refs.metadata;
      // Pure code reads @timestamp only through a reference that names it; without one, leaving it
      // out lets events of different times share an answer.
      if (!/timestamp/.test(options.code!)) this.paths = refs.data.filter((p) => !(p.length === 1 && p[0] === '@timestamp'));
      this.answerKeys = new AnswerKeys(this.paths!, this.metadataPaths);
    }
  }

  async register(): Promise<void> {
    const { code, path } = this.options;
    if ((code === undefined) === (path === undefined)) throw new RubyConfigError(this.ctx.where, EXCLUSIVE);
    const { sharedRubyVm } = await import('./vm.ts');
    this.vm = await sharedRubyVm();
    this.ctx.log.debug('Ruby interpreter ready', { start_ms: Math.round(this.vm.startMillis) });
    this.callRuby('create_filter', [this.rubyId], true);
    if (code !== undefined) {
      this.callRuby('call', [this.rubyId, '__register_inline', JSON.stringify([this.options.init ?? null, code])], this.vouched);
    } else {
      const content = await readScript(path!, this.ctx.where);
      this.callRuby('call', [this.rubyId, '__register_script', JSON.stringify([path, content, this.options.script_params ?? {}])]);
    }
  }

  filter(event: Event): Event | Event[] | Promise<Event[]> {
    let key: string | undefined;
    if (this.pending.length === 0 && this.metadataPaths !== undefined && this.vm && !this.vm.tainted && this.answersGeneration === this.vm.generation) {
      // An answer already known, with nothing waiting before this event: applied now, no crossing, no promise.
      key = this.keyOf(event);
      const known = key.length <= ANSWER_KEY_LIMIT ? this.answers.get(key) : undefined;
      if (known) return this.applyRow(event, known, false);
    }
    return this.later(event, key);
  }

  /** The event's answer after the next crossing (a method of its own: filter() captures nothing, so allocates no context per call). */
  private later(event: Event, key: string | undefined): Promise<Event[]> {
    return new Promise((resolve) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flushPending());
      this.pending.push({ event, resolve, key });
    });
  }

  close(): void {
    if (this.vm) this.callRuby('remove_filter', [this.rubyId], true);
  }

  stats(): Record<string, number> {
    return { ...super.stats(), ...this.exceptionCounter };
  }

  /** One crossing into Ruby for every event collected since the last one (none for answers reused). */
  private flushPending(): void {
    const batch = this.pending;
    this.pending = [];
    const vm = this.vm!;
    const reuse = this.metadataPaths !== undefined && !vm.tainted;
    if (reuse && this.answersGeneration !== vm.generation) {
      this.answers = new Map();
      this.answersGeneration = vm.generation;
    }
    // Rows are prepared (values out of their wire form); `owned`: the event may take the row's values as they are.
    const rows: PreparedRow[] = new Array(batch.length);
    const owned: boolean[] = new Array(batch.length).fill(false);
    // Events whose answer is not known yet (one per distinct input when answers are reused).
    const ask: number[] = [];
    const keys: string[] = [];
    const sameAs: [index: number, asked: number][] = [];
    if (reuse) {
      const asked = new Map<string, number>();
      for (let i = 0; i < batch.length; i++) {
        const key = batch[i]!.key ?? this.keyOf(batch[i]!.event);
        keys[i] = key;
        if (key.length > ANSWER_KEY_LIMIT) {
          // A large input (a whole message) is asked every time: keeping it would hold its text.
          ask.push(i);
          continue;
        }
        const known = this.answers.get(key);
        if (known) rows[i] = known;
        else {
          const first = asked.get(key);
          if (first === undefined) {
            asked.set(key, i);
            ask.push(i);
          } else sameAs.push([i, first]);
        }
      }
    } else for (let i = 0; i < batch.length; i++) ask.push(i);
    if (ask.length > 0) {
      this.exceptionCounter.batches++;
      let answered: Row[] | undefined;
      try {
        answered = this.runBatch(ask.map((i) => this.wireOf(batch[i]!.event)));
      } catch (e) {
        const error: RubyError = ['RuntimeError', (e as Error).message, []];
        for (const i of ask) rows[i] = [[], false, null, error, true];
      }
      if (answered) {
        if (reuse && this.answers.size + ask.length > ANSWERS_LIMIT) this.answers = new Map();
        for (let k = 0; k < ask.length; k++) {
          const i = ask[k]!;
          const row = prepareRow(answered[k]!);
          rows[i] = row;
          if (reuse && keys[i]!.length <= ANSWER_KEY_LIMIT) this.answers.set(keys[i]!, row);
          else owned[i] = true;
        }
      }
      // Events of the batch with the same input as one asked now share its answer (kept, so not owned).
      for (const [i, first] of sameAs) rows[i] = rows[first]!;
    }
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!.event;
      const out = this.applyRow(event, rows[i]!, owned[i]!);
      batch[i]!.resolve(out === event ? [event] : (out as Event[]));
    }
  }

  /** The answer key of an event (answer-key.ts): what would cross into Ruby, without the wire text. */
  private keyOf(event: Event): string {
    return this.answerKeys!.keyOf(event.data, event.metadata);
  }

  /** An event as it crosses: "flag\x01data\x01metadata" (flag '1': Timestamps below the top level). */
  private wireOf(event: Event): string {
    const writer = new WireWriter();
    const fields = event.data;
    const data = writer.event(this.paths ? project(fields, this.paths) : fields);
    const meta = writer.map(this.metadataPaths ? projectMetadata(event.metadata, this.metadataPaths) : event.metadata);
    return (writer.nested ? '1' : '0') + '\x01' + data + '\x01' + meta;
  }

  private runBatch(wires: string[]): Row[] {
    // "flags\x01[data…]\x01[metadata…]": one flag per event.
    let flags = '';
    let data = '[';
    let meta = '[';
    for (let i = 0; i < wires.length; i++) {
      const w = wires[i]!;
      const second = w.indexOf('\x01', 2);
      flags += w[0];
      data += (i ? ',' : '') + w.slice(2, second);
      meta += (i ? ',' : '') + w.slice(second + 1);
    }
    const text = flags + '\x01' + data + ']\x01' + meta + ']';
    const reply = parseJsonValue(this.vm!.callRaw('run', this.rubyId, text)) as FieldMap;
    this.drainLog(reply['log'] as FieldValue[]);
    if (reply['error']) {
      const [cls, message] = reply['error'] as string[];
      throw new Error(`${message} (${cls})`);
    }
    return reply['ok'] as unknown as Row[];
  }

  /**
   * Applies a prepared row; unless `owned`, the event gets copies of the row's values (a kept answer
   * is shared). The event itself when it is all that comes out (the usual answer: no array made).
   */
  private applyRow(event: Event, row: PreparedRow, owned: boolean): Event | Event[] {
    const cancelled = row[1];
    const added = row[2];
    let error = row[3];
    try {
      replayPrepared(event, row[0], owned);
    } catch (e) {
      error ??= [(e as Error).name, (e as Error).message, []];
    }
    if (error) {
      this.reportException(event, error);
      if (cancelled) event.cancelled = true;
      return event.cancelled ? [] : event;
    }
    this.filterMatched(event);
    const kept = !cancelled && row[4];
    if (kept && (added === null || added.length === 0)) return event;
    const out: Event[] = [];
    if (!kept) {
      event.cancelled = true;
      this.exceptionCounter.cancelled++;
    } else out.push(event);
    for (const wire of added ?? []) {
      const made = eventFromWire(owned ? wire : (deepClone(wire) as FieldValue[]));
      this.exceptionCounter.created++;
      if (!made.cancelled) out.push(made);
    }
    return out;
  }

  private reportException(event: Event, [cls, message, backtrace]: RubyError): void {
    this.exceptionCounter.exceptions++;
    // The first frame in user code (the prelude's own frames are named "eval").
    const line = backtrace.find((l) => !l.startsWith('eval:') && !l.startsWith('<internal:')) ?? backtrace[0] ?? '';
    const where = { where: this.ctx.where, class: cls, backtrace: line };
    if (this.options.path !== undefined) this.log.error(`Could not process event: ${message}`, { script_path: this.options.path, ...where });
    else this.log.error(`Ruby exception occurred: ${message}`, where);
    const tag = this.options.tag_on_exception;
    if (this.options.tag_with_exception_message) event.tag(`${tag}: ${message}`);
    this.tagFailure(event, tag);
  }

  /** `vouched`: the call loads no code, or only code purity.ts vouched for (the VM stays untainted). */
  private callRuby(method: string, args: string[], vouched = false): FieldValue | undefined {
    const [id, ...rest] = args;
    const reply = vouched ? this.vm!.callVouched<FieldValue>(method, id!, ...rest) : this.vm!.call<FieldValue>(method, id!, ...rest);
    this.drainLog(reply.log as unknown as FieldValue[]);
    if (reply.error) {
      const [cls, message, backtrace] = reply.error;
      throw new RubyConfigError(this.ctx.where, `${message} (${cls})${backtrace[0] ? ` at ${backtrace[0]}` : ''}`);
    }
    return reply.ok;
  }

  private drainLog(entries: FieldValue[] | undefined): void {
    drainInto(this.log, entries);
  }
}

/** Answers kept per filter for reuse (cleared when full: inputs that never repeat must not grow it). */
const ANSWERS_LIMIT = 10_000;
/** Inputs longer than this (characters of their wire text) are not kept. */
const ANSWER_KEY_LIMIT = 2048;

export function drainInto(log: Logger, entries: FieldValue[] | undefined): void {
  for (const entry of entries ?? []) {
    const [level, , message, data] = entry as [string, string, string, FieldMap | undefined];
    const write = level === 'trace' || level === 'debug' || level === 'info' || level === 'warn' ? log[level] : log.error;
    write.call(log, message, data ? (fromWire(data) as Record<string, unknown>) : undefined);
  }
}

/** The operations Ruby made on an event, made again on flowstash's Event (same order). */
export function replay(event: Event, ops: FieldValue[][]): void {
  for (const op of ops) {
    const ref = op[1] as string;
    if (op[0] === 's') event.set(ref, fromWire(op[2]!));
    else if (op[0] === 'r') event.remove(ref);
    else event.tag(ref);
  }
}

export function eventFromWire([data, meta, cancelled]: FieldValue[]): Event {
  const event = new Event(fromWire(data!) as FieldMap, fromWire(meta!) as FieldMap);
  event.cancelled = cancelled === true;
  return event;
}

async function readScript(path: string, where: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new RubyConfigError(where, `cannot read the script file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function create(options: RubyFilterOptions, ctx: PluginContext): RubyFilter {
  return new RubyFilter(options, ctx);
}

/**
 * `-t`: the options must name code or path (not both); a script file must load and its `test`
 * blocks pass (Logstash runs them when it builds the filter). Each test result is printed.
 */
export async function check(options: RubyFilterOptions, ctx: CheckContext): Promise<CheckResult> {
  if ((options.code === undefined) === (options.path === undefined)) return { errors: [`ruby filter at ${ctx.where}: ${EXCLUSIVE}`] };
  if (options.path === undefined) return { errors: [] };
  const path = options.path;
  // A missing file is reported like every other missing `:path` setting: -t still validates the rest.
  if (!existsSync(path)) {
    return { errors: [], notes: [`[WARN ] ruby filter at ${ctx.where}: the script file ${path} does not exist here: its test blocks were not run (Logstash would refuse to start without it)`] };
  }
  const { sharedRubyVm } = await import('./vm.ts');
  const vm = await sharedRubyVm();
  const id = `check:${ctx.id}#${++instances}`;
  const errors: string[] = [];
  const notes: string[] = [];
  try {
    const content = await readScript(path, ctx.where);
    vm.call('create_filter', id);
    const reply: RubyReply<[Array<[string, string, string, string | null]>, Record<string, number>]> = vm.call('call', id, '__script_tests', JSON.stringify([path, content]));
    drainInto(ctx.log, reply.log as unknown as FieldValue[]);
    if (reply.error) return { errors: [`ruby filter at ${ctx.where}: ${reply.error[1]}`], notes };
    const [rows, totals] = reply.ok!;
    for (const [test, expectation, outcome, detail] of rows) {
      notes.push(`ruby script ${path}: test "${test}" expect "${expectation}": ${outcome}`);
      if (outcome !== 'passed') errors.push(`ruby filter at ${ctx.where}: ${path}: ***TEST FAILURE FOR: '${test}' expected '${expectation}'***${detail ? ` ${detail}` : ''}`);
    }
    notes.push(`ruby script ${path}: Test run complete: passed=${totals['passed']} failed=${totals['failed']} errored=${totals['errored']}`);
    const failing = (totals['failed'] ?? 0) + (totals['errored'] ?? 0);
    if (failing > 0) errors.push(`ruby filter at ${ctx.where}: Script '${path}' had ${failing} failing tests! Check the error log for details.`);
  } catch (e) {
    errors.push((e as Error).message);
  } finally {
    vm.call('remove_filter', id);
  }
  return { errors, notes };
}
