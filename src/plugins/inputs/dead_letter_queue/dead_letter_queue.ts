// The dead_letter_queue input (logstash-input-dead_letter_queue): reads the entries a pipeline's
// dead letter queue holds at <path>/<pipeline_id>/ — the original event, data and @metadata — and
// adds [@metadata][dead_letter_queue] {plugin_type, plugin_id, reason, entry_time} as the plugin
// does. It never finishes on its own: at the end of the queue it waits for segments the writer
// seals later, until the pipeline stops. Where to start: the sincedb position when there is one
// and no start_timestamp (whatever commit_offsets says, as in the plugin), else the first entry
// written at or after start_timestamp, else the beginning. The position is saved at shutdown when
// commit_offsets is true; with clean_consumed, segments read to their end are deleted (checked
// every 100 entries, as the plugin does) and the position saved then too.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import type { Timestamp } from '../../../event/timestamp.ts';
import { parseIso8601 } from '../../../event/datetime-pattern.ts';
import { systemZone } from '../../../event/timezone.ts';
import { DeadLetterQueueReader, type QueueProblem } from '../../../pipeline/dlq/queue-reader.ts';
import type { DlqEntry } from '../../../pipeline/dlq/entry.ts';
import type { Input, InputContext, PluginContext } from '../../types.ts';
import { isDirectory } from '../../../util/fs-kind.ts';
import { InputCannotRunError } from '../input-errors.ts';
import { readDlqSincedb, writeDlqSincedb, SincedbError } from './sincedb.ts';
import { DirectoryWakeup } from './directory-wakeup.ts';
import type { DeadLetterQueueInputOptions } from './schema.ts';

/** DeadLetterQueueInputPlugin's MAX_FLUSH_READS: clean_consumed deletes finished segments this often. */
const MAX_FLUSH_READS = 100;
/** Without directory notifications, how often to look for new segments (DeadLetterQueueReader#pollEntry(100)). */
const POLL_MS = 100;
/** With notifications, a slow look all the same (a change the watcher missed). */
const WATCHED_POLL_MS = 2000;
/** How often a missing queue directory is looked for (Logstash restarts the failed input). */
const MISSING_DIR_RETRY_MS = 1000;
const BATCH = 128;

export class DeadLetterQueueInputError extends InputCannotRunError {
  override readonly name = 'DeadLetterQueueInputError';
}

/** The plugin's default: <path.data>/plugins/inputs/dead_letter_queue/<pipeline_id>/.sincedb_<md5 of path>. */
export function defaultDlqSincedbPath(dlqPath: string, pipelineId: string, dataPath = path.resolve('data')): string {
  return path.join(dataPath, 'plugins', 'inputs', 'dead_letter_queue', pipelineId, `.sincedb_${createHash('md5').update(dlqPath).digest('hex')}`);
}

export class DeadLetterQueueInput implements Input {
  readonly counters = { events: 0, damaged_entries: 0, undecodable_entries: 0, unreadable_segments: 0, deleted_segments: 0, deleted_entries: 0 };
  private readonly queuePath: string;
  private readonly sincedbPath: string;
  private startTimestamp: Timestamp | undefined;
  private readonly logged = new Set<QueueProblem>();

  constructor(
    private readonly options: DeadLetterQueueInputOptions,
    private readonly pctx: PluginContext,
  ) {
    this.queuePath = path.join(options.path, options.pipeline_id);
    this.sincedbPath = options.sincedb_path ?? defaultDlqSincedbPath(options.path, options.pipeline_id, pctx.dataPath);
  }

  register(): void {
    const o = this.options;
    if (o.sincedb_path !== undefined && isDirectory(o.sincedb_path)) {
      throw new DeadLetterQueueInputError(`The "sincedb_path" argument must point to a file, received a directory: "${o.sincedb_path}"`);
    }
    if (o.clean_consumed && !o.commit_offsets) {
      throw new DeadLetterQueueInputError('clean_consumed requires that also commit_offsets is enabled to work properly');
    }
    if (o.start_timestamp !== undefined) {
      // org.logstash.Timestamp(String): a time without a zone is in the machine's zone.
      this.startTimestamp = parseIso8601(o.start_timestamp, systemZone(), true);
      if (!this.startTimestamp) throw new DeadLetterQueueInputError(`start_timestamp: Invalid ISO8601 input \`${o.start_timestamp}\` (for example 2017-04-04T23:40:37)`);
    }
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  async run(ctx: InputContext): Promise<void> {
    if (!(await this.waitForQueueDirectory(ctx))) return;
    let reader: DeadLetterQueueReader;
    try {
      reader = new DeadLetterQueueReader(this.queuePath, { cleanConsumed: this.options.clean_consumed, onProblem: (kind, detail) => this.problem(kind, detail) });
    } catch (e) {
      throw new DeadLetterQueueInputError((e as Error).message);
    }
    let readerHasState = false;
    // Only sealed segments matter: the writer's appends to N.log.tmp do not wake the reader.
    const wakeup = new DirectoryWakeup(this.queuePath, (name) => /^\d+\.log$/.test(name));
    try {
      readerHasState = this.setInitialState(reader);
      let reads = 0;
      while (!ctx.signal.aborted) {
        const batch: Event[] = [];
        let entry: DlqEntry | undefined;
        while (batch.length < BATCH && (entry = reader.next())) {
          batch.push(this.toEvent(entry, ctx));
          if (this.options.clean_consumed && ++reads >= MAX_FLUSH_READS) {
            reads = 0;
            if (reader.markForDelete()) this.savePosition(reader);
          }
        }
        this.syncCounters(reader);
        if (batch.length > 0) {
          readerHasState = true;
          this.counters.events += batch.length;
          await ctx.push(batch);
          continue;
        }
        await wakeup.wait(wakeup.watching ? WATCHED_POLL_MS : POLL_MS, ctx.signal);
        reader.refresh();
      }
    } finally {
      wakeup.close();
      if (this.options.commit_offsets && readerHasState) this.savePosition(reader);
      this.syncCounters(reader);
      reader.close();
    }
  }

  /** DeadLetterQueueInputPlugin#setInitialReaderState; true when a sincedb position was applied. */
  private setInitialState(reader: DeadLetterQueueReader): boolean {
    if (this.startTimestamp === undefined && existsSync(this.sincedbPath)) {
      let saved;
      try {
        saved = readDlqSincedb(this.sincedbPath);
      } catch (e) {
        throw new DeadLetterQueueInputError(e instanceof SincedbError ? e.message : `cannot read the sincedb ${this.sincedbPath}: ${(e as Error).message}`);
      }
      if (!saved) return false;
      reader.setPosition(saved.segment, saved.offset);
      this.pctx.log.debug('resuming the dead letter queue from the sincedb', { segment: saved.segment, offset: saved.offset });
      return true;
    }
    if (this.startTimestamp !== undefined) reader.seekToTimestamp(this.startTimestamp);
    return false;
  }

  private toEvent(entry: DlqEntry, ctx: InputContext): Event {
    const event = entry.event;
    event.set('[@metadata][dead_letter_queue][plugin_type]', entry.pluginType);
    event.set('[@metadata][dead_letter_queue][plugin_id]', entry.pluginId);
    event.set('[@metadata][dead_letter_queue][reason]', entry.reason);
    event.set('[@metadata][dead_letter_queue][entry_time]', entry.entryTime);
    ctx.decorate(event);
    return event;
  }

  private savePosition(reader: DeadLetterQueueReader): void {
    const state = reader.state;
    if (!state) return;
    try {
      writeDlqSincedb(this.sincedbPath, { segment: state.segment, offset: state.position });
    } catch (e) {
      this.pctx.log.error(`failed to write DLQ offset state to ${this.sincedbPath}`, { exception: (e as Error).message });
    }
  }

  private syncCounters(reader: DeadLetterQueueReader): void {
    const c = reader.counters;
    this.counters.damaged_entries = c.damaged_entries;
    this.counters.undecodable_entries = c.undecodable_entries;
    this.counters.unreadable_segments = c.unreadable_segments;
    this.counters.deleted_segments = c.deleted_segments;
    this.counters.deleted_entries = c.deleted_entries;
  }

  /** The first problem of each kind is logged; the rest are counted (the exit summary shows them). */
  private problem(kind: QueueProblem, detail: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    const what = {
      damaged_entries: 'DLQ entry skipped, its records are damaged',
      undecodable_entries: 'DLQ entry skipped, it does not decode',
      unreadable_segments: 'DLQ segment skipped, it cannot be read',
    }[kind];
    this.pctx.log.warn(`${what}: ${detail} (further ones are counted as ${kind}, not logged)`);
  }

  /** Logstash's input fails while <path>/<pipeline_id> is missing and is restarted; here it waits for it. */
  private async waitForQueueDirectory(ctx: InputContext): Promise<boolean> {
    let warned = false;
    while (!ctx.signal.aborted) {
      if (existsSync(this.queuePath)) {
        if (isDirectory(this.queuePath)) return true;
        throw new DeadLetterQueueInputError(`DLQ sub-path ${this.queuePath} is not a directory`);
      }
      if (!warned) {
        warned = true;
        ctx.log.warn(`DLQ sub-path ${this.queuePath} does not exist (waiting for it)`);
      }
      await sleep(MISSING_DIR_RETRY_MS, ctx.signal);
    }
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function create(options: DeadLetterQueueInputOptions, ctx: PluginContext): DeadLetterQueueInput {
  return new DeadLetterQueueInput(options, ctx);
}
