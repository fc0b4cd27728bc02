// The elasticsearch output: each batch becomes one bulk request (split at 20 MiB) sent through the
// official client with Logstash's retry semantics. Like Logstash, register() does not wait for the
// cluster: it checks the settings, then connects in the background (retrying with backoff), reads
// the cluster version, installs the template and the ILM policy/alias, and writes wait for that.
// With --dry-run nothing is contacted: the bulk lines are printed on stdout as NDJSON (the plan is
// made for an Elasticsearch 8 cluster with ILM, the version flowstash targets).
import type { Event } from '../../../event/event.ts';
import { type BatchLease, JsonBatchWriter } from '../../../event/json-writer.ts';
import type { CheckContext, CheckResult, Logger, Output, PluginContext } from '../../types.ts';
import { writeFully } from '../stdout/stdout.ts';
import { ActionBuilder, type BulkAction, type BulkActionName, EventMappingError, VALID_ACTIONS } from './actions.ts';
import { BulkSender, type SenderStats } from './bulk-sender.ts';
import type { EsConnection } from './connection.ts';
import type { DeadLetterQueue } from './dead-letter.ts';
import { EsConfigurationError, type OutputPlan, resolveDataStream, resolvePlan } from './resolve.ts';
import { ES_DEFAULTS, type ElasticsearchOptions } from './schema.ts';
import { DEFAULT_ILM_POLICY, templateBody } from './template.ts';

const EMPTY = Buffer.alloc(0);
/** The Elasticsearch major version a dry run plans for. */
const DRY_RUN_MAJOR_VERSION = 8;
/** Logstash's DOC_DLQ_CODES, DOC_SUCCESS_CODES and DOC_CONFLICT_CODE. */
const DLQ_CODES = [400, 404];
const SUCCESS_CODES = [200, 201];
const CONFLICT_CODE = 409;

/** register's dlq_custom_codes checks (check_dlq_custom_codes), with Logstash's messages. */
function checkDlqCustomCodes(codes: number[], dlqEnabled: boolean): void {
  if (!dlqEnabled) {
    if (codes.length > 0) throw new EsConfigurationError('DLQ feature (dlq_custom_codes) is configured while DLQ is not enabled');
    return;
  }
  const among = (set: number[]): string => `[${codes.filter((c) => set.includes(c)).join(', ')}]`;
  if (codes.some((c) => DLQ_CODES.includes(c))) throw new EsConfigurationError(`${among(DLQ_CODES)} are already defined as standard DLQ error codes`);
  if (codes.some((c) => SUCCESS_CODES.includes(c))) throw new EsConfigurationError(`${among(SUCCESS_CODES)} are success codes which cannot be redefined in dlq_custom_codes`);
  if (codes.includes(CONFLICT_CODE)) throw new EsConfigurationError(`[${CONFLICT_CODE}] are error codes already defined as conflict which cannot be redefined in dlq_custom_codes`);
}

/** Settings errors Logstash raises at register (ConfigurationError). */
function checkSettings(options: ElasticsearchOptions, ctx: { ecsCompatibility: PluginContext['ecsCompatibility'] }): void {
  const action = options.action;
  if (action !== undefined) {
    if (action === '') throw new EsConfigurationError('No action specified!');
    if (!/%\{.+\}/.test(action) && !(VALID_ACTIONS as readonly string[]).includes(action)) {
      throw new EsConfigurationError(`Action '${action}' is invalid! Pick one of ${VALID_ACTIONS.join(', ')} or use a sprintf style statement`);
    }
    if (action === 'update' && options.document_id === undefined) throw new EsConfigurationError("Specifying action => 'update' needs a document_id.");
  }
  resolveDataStream(options, ctx.ecsCompatibility, []);
}

export class ElasticsearchOutput implements Output {
  private builder?: ActionBuilder;
  private sender?: BulkSender;
  private connection?: EsConnection;
  private ready?: Promise<void>;
  private readonly closing = new AbortController();
  private readonly log: Logger;
  private mappingFailures = 0;
  private printed = 0;
  /** Dry run: batches' bulk lines are written here (two batches may be in flight: each takes its own lease). */
  private dryRunWriter?: JsonBatchWriter;
  /** Batches' bulk lines, lent to the sender until they are sent (retries included) or given up on. */
  private bulkWriter?: JsonBatchWriter;
  private readonly dlq?: DeadLetterQueue;

  constructor(
    private readonly options: ElasticsearchOptions,
    private readonly ctx: PluginContext,
    dlq?: DeadLetterQueue,
  ) {
    this.log = ctx.log;
    if (dlq) this.dlq = dlq;
  }

  private get dlqCustomCodes(): number[] {
    return (this.options.dlq_custom_codes ?? []).map(Number);
  }

  async register(): Promise<void> {
    checkSettings(this.options, this.ctx);
    // A dry run sends nothing, so nothing can be refused: the DLQ is neither opened nor checked.
    if (!this.ctx.dryRun) checkDlqCustomCodes(this.dlqCustomCodes, this.dlq !== undefined);
    if (this.ctx.dryRun) {
      const plan = resolvePlan(this.options, this.ctx.ecsCompatibility, DRY_RUN_MAJOR_VERSION);
      await this.describeManagement(plan);
      this.builder = this.builderFor(plan);
      return;
    }
    this.ready = this.connect();
    // A connection that never comes is reported by the loop; writes wait on it.
    this.ready.catch(() => undefined);
  }

  private builderFor(plan: OutputPlan): ActionBuilder {
    const o = this.options;
    return new ActionBuilder({
      action: o.action ?? ES_DEFAULTS.action,
      index: plan.index,
      ...(o.document_id !== undefined ? { documentId: o.document_id } : {}),
      ...(o.routing !== undefined ? { routing: o.routing } : {}),
      ...(o.pipeline !== undefined ? { pipeline: o.pipeline } : {}),
      ...(o.parent !== undefined ? { parent: o.parent } : {}),
      ...(o.join_field !== undefined ? { joinField: o.join_field } : {}),
      ...(o.version !== undefined ? { version: o.version } : {}),
      ...(o.version_type !== undefined ? { versionType: o.version_type } : {}),
      docAsUpsert: o.doc_as_upsert ?? ES_DEFAULTS.doc_as_upsert,
      upsert: o.upsert ?? ES_DEFAULTS.upsert,
      retryOnConflict: o.retry_on_conflict ?? ES_DEFAULTS.retry_on_conflict,
      script: {
        script: o.script ?? ES_DEFAULTS.script,
        scriptType: o.script_type ?? ES_DEFAULTS.script_type,
        scriptLang: o.script_lang ?? ES_DEFAULTS.script_lang,
        scriptVarName: o.script_var_name ?? ES_DEFAULTS.script_var_name,
        scriptedUpsert: o.scripted_upsert ?? ES_DEFAULTS.scripted_upsert,
      },
      dlqOnFailedIndexnameInterpolation: o.dlq_on_failed_indexname_interpolation,
      ...(plan.dataStream ? { dataStream: plan.dataStream } : {}),
    });
  }

  /** Dry run: what template/ILM management would do, logged (stdout carries only bulk lines). */
  private async describeManagement(plan: OutputPlan): Promise<void> {
    for (const note of plan.notes) this.log.info(note);
    if (plan.template) {
      try {
        const body = await templateBody(plan.template, this.ctx.ecsCompatibility, DRY_RUN_MAJOR_VERSION, plan.ilm);
        this.log.info(`Dry run: would install template to ${plan.template.endpoint}/${plan.template.name}`, { overwrite: plan.template.overwrite, bytes: JSON.stringify(body).length });
      } catch (e) {
        this.log.error('Failed to install template', { message: (e as Error).message });
      }
    }
    if (plan.ilm) this.log.info(`Dry run: would use ILM policy ${plan.ilm.policy} and rollover alias ${plan.ilm.rolloverAlias}`);
    this.log.info(`Dry run: bulk requests are printed on stdout instead of being sent (index ${plan.index})`);
  }

  /** Connects (retrying with backoff until it succeeds or the output closes), then manages templates/ILM. */
  private async connect(): Promise<void> {
    const { EsConnection } = await import('./connection.ts');
    const connection = await EsConnection.open(this.options);
    this.connection = connection;
    let interval = this.options.retry_initial_interval;
    let version: string;
    for (;;) {
      try {
        version = await connection.version();
        break;
      } catch (e) {
        this.log.warn('Attempted to resurrect connection to dead ES instance, but got an error', { message: (e as Error).message, will_retry_in_seconds: interval });
        if (!(await this.sleep(interval))) throw new Error('closed before Elasticsearch was reachable');
        interval = Math.min(interval * 2, this.options.retry_max_interval);
      }
    }
    const major = Number(version.split('.')[0]);
    this.log.info('Elasticsearch version determined', { es_version: major });
    const plan = resolvePlan(this.options, this.ctx.ecsCompatibility, major, await this.ilmAvailable(connection, major));
    for (const note of plan.notes) this.log.info(note);
    await this.manage(connection, plan, major);
    this.builder = this.builderFor(plan);
    this.sender = new BulkSender(connection, {
      retryInitialInterval: this.options.retry_initial_interval,
      retryMaxInterval: this.options.retry_max_interval,
      dlqCodes: new Set([...DLQ_CODES, ...(this.dlq ? this.dlqCustomCodes : [])]),
      silenced: new Set([...(this.options.silence_errors_in_log ?? []), ...(this.options.failure_type_logging_whitelist ?? [])].map(String)),
      // compression_level (default 1) gzips request bodies, 0 turns it off; the deprecated http_compression => true means at least 1.
      compressionLevel: this.options.http_compression ? Math.max(1, this.options.compression_level) : Math.max(0, Math.min(9, this.options.compression_level)),
      log: this.log,
      ...(this.dlq ? { dlq: this.dlq } : {}),
    });
  }

  private async ilmAvailable(connection: EsConnection, major: number): Promise<boolean> {
    if (major < 7) return false;
    try {
      const info = (await connection.get('/_xpack')) as { features?: { ilm?: { available?: boolean; enabled?: boolean } } };
      return info.features?.ilm?.available !== false && info.features?.ilm?.enabled !== false;
    } catch {
      return false;
    }
  }

  /** Template, ILM policy and rollover alias; failures are logged and do not stop the output (as in Logstash). */
  private async manage(connection: EsConnection, plan: OutputPlan, major: number): Promise<void> {
    if (plan.template) {
      const t = plan.template;
      try {
        const body = await templateBody(t, this.ctx.ecsCompatibility, major, plan.ilm);
        const path = `/${t.endpoint}/${encodeURIComponent(t.name)}`;
        if (!t.overwrite && (await connection.exists(path))) {
          this.log.debug('Found existing Elasticsearch template, skipping template management', { name: t.name });
        } else {
          this.log.info(`Installing Elasticsearch template ${t.name}`);
          await connection.put(path, body);
        }
      } catch (e) {
        this.log.error('Failed to install template', { message: (e as Error).message });
      }
    }
    if (plan.ilm) {
      const ilm = plan.ilm;
      try {
        if (ilm.installDefaultPolicy && !(await connection.exists(`/_ilm/policy/${encodeURIComponent(ilm.policy)}`))) {
          this.log.info(`Installing ILM policy ${ilm.policy}`);
          await connection.put(`/_ilm/policy/${encodeURIComponent(ilm.policy)}`, DEFAULT_ILM_POLICY);
        }
        if (!(await connection.exists(`/${encodeURIComponent(ilm.rolloverAlias)}`))) {
          this.log.info(`Creating rollover alias ${ilm.rolloverAlias}`);
          const target = `<${ilm.rolloverAlias}-${ilm.pattern}>`;
          await connection.put(`/${encodeURIComponent(target)}`, { aliases: { [ilm.rolloverAlias]: { is_write_index: true } } });
        }
      } catch (e) {
        this.log.error('Failed to set up index lifecycle management', { message: (e as Error).message });
      }
    }
  }

  private sleep(seconds: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), seconds * 1000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      }, { once: true });
    });
  }

  /**
   * Events → bulk actions, their lines written into bytes lent by `w` (released once the actions are
   * done with); those that cannot be mapped go to the DLQ or the log (handle_event_mapping_errors).
   */
  private map(events: Event[], w: JsonBatchWriter): { actions: BulkAction[]; lease: BatchLease } {
    const actions: BulkAction[] = [];
    const ends: number[] = [];
    this.writeBatch(events, w, (event, action) => {
      actions.push({ action, ndjson: EMPTY, event });
      ends.push(w.batchLength);
    });
    const lease = w.lease();
    let start = 0;
    for (let i = 0; i < actions.length; i++) {
      actions[i]!.ndjson = lease.data.subarray(start, ends[i]!);
      start = ends[i]!;
    }
    return { actions, lease };
  }

  /**
   * Each event's bulk lines written into `w` (reset first), `written` told after each; events that
   * cannot be mapped go to the DLQ or the log, then the batch's warnings are logged.
   */
  private writeBatch(events: Event[], w: JsonBatchWriter, written: (event: Event, action: BulkActionName) => void): void {
    const builder = this.builder!;
    const failedBefore = this.mappingFailures;
    w.reset();
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      try {
        written(event, builder.writeLines(event, w));
      } catch (e) {
        this.mappingFailed(event, e);
      }
    }
    this.mapped(failedBefore);
  }

  /** An event that cannot be indexed: to the DLQ, else logged. Errors other than mapping errors propagate. */
  private mappingFailed(event: Event, e: unknown): void {
    if (!(e instanceof EventMappingError)) throw e;
    this.mappingFailures++;
    const message = `${e.message}; event: \`${JSON.stringify({ ...event.data, '@metadata': event.metadata })}\``;
    if (this.dlq) this.dlq.write(event, message);
    else this.log.warn(message);
  }

  /** After a batch was mapped: the DLQ count and the builder's warnings. */
  private mapped(failedBefore: number): void {
    if (this.dlq && this.mappingFailures > failedBefore) this.log.warn(`Events could not be indexed and routing to DLQ, count: ${this.mappingFailures - failedBefore}`);
    const warnings = this.builder!.warnings;
    if (warnings.length > 0) for (const w of warnings.splice(0)) this.log.warn(w);
  }

  /** Dry run: the batch's bulk lines written straight into bytes, printed with one write. */
  private async print(events: Event[]): Promise<void> {
    const w = (this.dryRunWriter ??= new JsonBatchWriter());
    let printed = 0;
    this.writeBatch(events, w, () => printed++);
    const lease = w.lease();
    if (printed === 0) {
      lease.release();
      return;
    }
    this.printed += printed;
    try {
      await writeFully(process.stdout, lease.data);
    } finally {
      // The write's callback has run: the stream holds no reference to the bytes any more.
      lease.release();
    }
  }

  async write(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    if (this.ctx.dryRun) return this.print(events);
    try {
      await this.ready;
    } catch {
      this.log.error('Dropping events: the output closed before Elasticsearch was reachable', { count: events.length });
      return;
    }
    if (!this.sender) return;
    const { actions, lease } = this.map(events, (this.bulkWriter ??= new JsonBatchWriter()));
    try {
      await this.sender.submit(actions);
    } finally {
      // Sent, dropped or abandoned: nothing refers to the bytes any more.
      lease.release();
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.sender?.stop();
    await this.ready?.catch(() => undefined);
    await this.connection?.close();
  }

  stats(): Record<string, number> {
    const s: Partial<SenderStats> = this.sender?.stats ?? {};
    return {
      ...(this.ctx.dryRun ? { printed: this.printed } : s),
      mapping_failures: this.mappingFailures,
      ...(this.dlq ? { dlq_written: this.dlq.written } : {}),
    } as Record<string, number>;
  }
}

export function create(options: ElasticsearchOptions, ctx: PluginContext): Output {
  return new ElasticsearchOutput(options, ctx, ctx.dryRun ? undefined : ctx.deadLetterQueue);
}

/** `-t`: the settings errors Logstash raises at register. */
export function check(options: ElasticsearchOptions, ctx: CheckContext): CheckResult {
  try {
    checkSettings(options, ctx);
    return { errors: [] };
  } catch (e) {
    return { errors: [`${ctx.where}: ${(e as Error).message}`] };
  }
}
