// Sends bulk actions with Logstash's retry semantics (common.rb retrying_submit / submit / safe_bulk):
// a request that fails as a whole (network, 429, 5xx, any non-200) is retried with exponential
// backoff; per item, 2xx succeeds, 409 is dropped with a warning, the DLQ codes (400, 404 and
// dlq_custom_codes) go to the dead letter queue or are dropped with a warning, anything else (429,
// 5xx …) is retried with backoff until it succeeds or the output closes. Requests stay under 20 MiB.
import { gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from '../../types.ts';
import type { BulkAction } from './actions.ts';
import type { DeadLetterQueue } from './dead-letter.ts';
import { actionInspect, responseInspect } from './failure-report.ts';

const gzipAsync = promisify(gzip);

/** Logstash's TARGET_BULK_BYTES: a batch larger than this is split into several requests. */
export const TARGET_BULK_BYTES = 20 * 1024 * 1024;
/**
 * Bodies up to this size are gzipped on the event loop: for a batch of a few hundred documents the
 * thread pool's hand-off costs about as much CPU as the compression itself. Larger ones go to the
 * pool so the loop is not held for long.
 */
const INLINE_GZIP_BYTES = 1024 * 1024;
/** The body buffer kept between requests grows up to this; larger bodies get one of their own. */
const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;

export interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string } & Record<string, unknown>;
}

export interface BulkResponse {
  errors: boolean;
  items: Array<Record<string, BulkItemResult>>;
}

/** One POST to the bulk endpoint; rejects with a BulkRequestError when the request as a whole fails. */
export interface BulkTransport {
  send(body: Buffer, gzipped: boolean): Promise<BulkResponse>;
}

export class BulkRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, undefined for network errors (unreachable, timeout). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BulkRequestError';
  }
}

export interface SenderSettings {
  retryInitialInterval: number;
  retryMaxInterval: number;
  dlqCodes: ReadonlySet<number>;
  /** Error types (e.g. version_conflict_engine_exception) not to log. */
  silenced: ReadonlySet<string>;
  /** gzip level for request bodies; 0 sends them uncompressed. */
  compressionLevel: number;
  log: Logger;
  dlq?: DeadLetterQueue;
}

export interface SenderStats {
  indexed: number;
  conflicts: number;
  dropped: number;
  dlqRouted: number;
  retriedItems: number;
  retriedRequests: number;
  /** Given up on because the output closed while they were still being retried. */
  abandoned: number;
}

const SUCCESS = new Set([200, 201]);
const CONFLICT = 409;

export class BulkSender {
  readonly stats: SenderStats = { indexed: 0, conflicts: 0, dropped: 0, dlqRouted: 0, retriedItems: 0, retriedRequests: 0, abandoned: 0 };
  private readonly stopping = new AbortController();
  /** Bodies are assembled here (action by action: no request-sized string), then compressed or copied out. */
  private scratch = Buffer.allocUnsafe(0);

  constructor(
    private readonly transport: BulkTransport,
    private readonly s: SenderSettings,
  ) {}

  /** Stops retrying: pending submits give up (their remaining actions are counted as abandoned). */
  stop(): void {
    this.stopping.abort();
  }

  /** retrying_submit: resolves once every action succeeded or was dropped, or the sender stopped. */
  async submit(actions: BulkAction[]): Promise<void> {
    let pending = actions;
    let interval = this.s.retryInitialInterval;
    while (pending.length > 0) {
      try {
        pending = await this.submitOnce(pending);
        if (pending.length > 0) {
          this.s.log.info('Retrying individual bulk actions that failed or were rejected by the previous bulk request', { count: pending.length });
        }
      } catch (e) {
        const status = e instanceof BulkRequestError ? e.status : undefined;
        this.stats.retriedRequests++;
        if (status === undefined) {
          this.s.log.error('Attempted to send a bulk request but Elasticsearch appears to be unreachable or down', { message: (e as Error).message, will_retry_in_seconds: interval });
        } else if (status === 429) {
          this.s.log.debug('Encountered a retryable error (will retry with exponential backoff)', { code: status, message: (e as Error).message });
        } else {
          this.s.log.error('Encountered a retryable error (will retry with exponential backoff)', { code: status, message: (e as Error).message });
        }
      }
      if (pending.length === 0) break;
      if (!(await this.sleep(interval))) {
        this.stats.abandoned += pending.length;
        this.s.log.warn('Aborting the batch due to shutdown request while retrying', { count: pending.length });
        return;
      }
      interval = Math.min(interval * 2, this.s.retryMaxInterval);
    }
  }

  /** Sends the actions (split at TARGET_BULK_BYTES); returns those to retry. */
  private async submitOnce(actions: BulkAction[]): Promise<BulkAction[]> {
    const retry: BulkAction[] = [];
    let start = 0;
    while (start < actions.length) {
      const end = requestEnd(actions, start);
      const chunk = start === 0 && end === actions.length ? actions : actions.slice(start, end);
      const [body, gzipped] = await this.encode(chunk);
      const response = await this.transport.send(body, gzipped);
      retry.push(...this.handleResponse(chunk, response));
      start = end;
    }
    return retry;
  }

  /** The actions' NDJSON as one UTF-8 body, gzipped at compression_level unless it is 0. */
  private encode(chunk: BulkAction[]): [Buffer, boolean] | Promise<[Buffer, boolean]> {
    const level = this.s.compressionLevel;
    // Lines already written as bytes, one after another in the same memory (a batch written by the
    // output's JSON writer, lent until submit() resolves): the body is that memory, not a copy.
    const contiguous = adjacentBytes(chunk);
    if (contiguous !== undefined) {
      if (level <= 0) return [contiguous, false];
      if (contiguous.length <= INLINE_GZIP_BYTES) return [gzipSync(contiguous, { level }), true];
      return gzipAsync(contiguous, { level }).then((gzipped) => [gzipped, true]);
    }
    let bound = 0;
    for (const action of chunk) bound += sizeBound(action.ndjson);
    let buf: Buffer;
    if (bound > MAX_SCRATCH_BYTES) buf = Buffer.allocUnsafe(bound);
    else {
      if (this.scratch.length < bound) this.scratch = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, Math.max(bound, 2 * this.scratch.length)));
      buf = this.scratch;
    }
    let size = 0;
    for (const action of chunk) {
      const lines = action.ndjson;
      if (typeof lines === 'string') size += buf.write(lines, size, 'utf8');
      else size += lines.copy(buf, size);
    }
    const body = buf.subarray(0, size);
    // The scratch is reused by the next request: a body still needed after this call returns (sent
    // as it is, or gzipped in the thread pool) is copied out of it.
    const own = (): Buffer => (buf === this.scratch ? Buffer.from(body) : body);
    if (level <= 0) return [own(), false];
    if (size <= INLINE_GZIP_BYTES) return [gzipSync(body, { level }), true];
    return gzipAsync(own(), { level }).then((gzipped) => [gzipped, true]);
  }

  private handleResponse(actions: BulkAction[], response: BulkResponse): BulkAction[] {
    if (!response.errors) {
      this.stats.indexed += actions.length;
      return [];
    }
    const retry: BulkAction[] = [];
    actions.forEach((action, i) => {
      const item = response.items[i];
      const result = item ? Object.values(item)[0] : undefined;
      if (!result || typeof result.status !== 'number') {
        // Elasticsearch answered fewer items than it was sent: the missing ones are retried.
        this.stats.retriedItems++;
        retry.push(action);
        return;
      }
      const status = result.status;
      const errorType = result.error?.type;
      const logged = errorType === undefined || !this.s.silenced.has(errorType);
      if (SUCCESS.has(status)) {
        this.stats.indexed++;
      } else if (status === CONFLICT) {
        this.stats.conflicts++;
        if (logged) this.s.log.warn('Failed action', { status, action: actionInspect(action), response: responseInspect(item) });
      } else if (this.s.dlqCodes.has(status)) {
        const message = 'Could not index event to Elasticsearch.';
        if (this.s.dlq) {
          this.stats.dlqRouted++;
          this.s.dlq.write(action.event, `${message} status: ${status}, action: ${actionInspect(action).text}, response: ${responseInspect(item).text}`);
        } else {
          this.stats.dropped++;
          if (logged) this.s.log.warn(message, { status, action: actionInspect(action), response: responseInspect(item) });
        }
      } else {
        this.stats.retriedItems++;
        if (logged) this.s.log.info('Retrying failed action', { status, action: actionInspect(action), error: responseInspect(result.error) });
        retry.push(action);
      }
    });
    return retry;
  }

  /** Waits `seconds`; false when the sender was stopped meanwhile. */
  private sleep(seconds: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, seconds * 1000);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** At least the UTF-8 size of an action's lines: a UTF-16 unit takes at most 3 bytes. */
function sizeBound(lines: string | Buffer): number {
  return typeof lines === 'string' ? lines.length * 3 : lines.length;
}

function byteSize(lines: string | Buffer): number {
  return typeof lines === 'string' ? Buffer.byteLength(lines, 'utf8') : lines.length;
}

/** The actions' lines as one view when they are all bytes lying back to back in one buffer. */
function adjacentBytes(chunk: BulkAction[]): Buffer | undefined {
  const first = chunk[0]?.ndjson;
  if (first === undefined || typeof first === 'string') return undefined;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < chunk.length; i++) {
    const lines = chunk[i]!.ndjson;
    if (typeof lines === 'string' || lines.buffer !== first.buffer || lines.byteOffset !== end) return undefined;
    end += lines.length;
  }
  return chunk.length === 1 ? first : Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

/**
 * Where the request starting at `start` ends: as many actions as fit in TARGET_BULK_BYTES (at least
 * one). Exact UTF-8 sizes are only counted near the limit.
 */
function requestEnd(actions: BulkAction[], start: number): number {
  let bound = 0;
  let end = start;
  while (end < actions.length && bound + sizeBound(actions[end]!.ndjson) <= TARGET_BULK_BYTES) bound += sizeBound(actions[end++]!.ndjson);
  if (end === actions.length) return end;
  let bytes = 0;
  for (let i = start; i < end; i++) bytes += byteSize(actions[i]!.ndjson);
  while (end < actions.length) {
    const size = byteSize(actions[end]!.ndjson);
    if (end > start && bytes + size > TARGET_BULK_BYTES) break;
    bytes += size;
    end++;
  }
  return end;
}

