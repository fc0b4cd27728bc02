// logstash-output-http: each event is one request (json: the event, or `mapping` sprintf'd; form:
// the same as x-www-form-urlencoded; message: `message` sprintf'd), or a whole batch is one JSON
// array (json_batch); url and header values are sprintf'd per event. A response in
// retryable_codes (429, 5xx by default) or a connection error is retried with exponential backoff
// (1 s doubling to 60 s) while retry_failed; ignorable_codes count as success; any other non-2xx
// is logged ("[HTTP Output Failure]") and the event dropped and counted. --dry-run prints the
// requests instead.
import { gzipSync } from 'node:zlib';
import type { Event } from '../../../event/event.ts';
import { jsonMap, jsonValue } from '../../../event/json.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { valueToString } from '../../../event/stringify.ts';
import type { FieldValue } from '../../../event/values.ts';
import type { Output, PluginContext } from '../../types.ts';
import { writeFully } from '../stdout/stdout.ts';
import type { HttpOutputOptions } from './schema.ts';

const CONTENT_TYPES = { json: 'application/json', json_batch: 'application/json', form: 'application/x-www-form-urlencoded', message: 'text/plain' } as const;

interface Request {
  url: string;
  headers: Record<string, string>;
  body: string;
  events: number;
}

/** Maps a `mapping` hash through sprintf, recursively (strings interpolated, containers walked). */
function mapValue(event: Event, v: unknown): FieldValue {
  if (typeof v === 'string') return sprintf(event, v);
  if (Array.isArray(v)) return v.map((x) => mapValue(event, x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapValue(event, x)])) as FieldValue;
  return v as FieldValue;
}

function formEncode(map: Record<string, FieldValue>): string {
  return Object.entries(map)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : valueToString(v))}`)
    .join('&');
}

export class HttpOutput implements Output {
  sent = 0;
  failed = 0;
  retries = 0;
  private readonly closing = new AbortController();
  /** Seconds → a wait (tests shorten it). */
  sleep = (seconds: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, seconds * 1000);
      this.closing.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });

  constructor(
    private readonly o: HttpOutputOptions,
    private readonly ctx: PluginContext,
  ) {}

  private headers(event: Event | undefined): Record<string, string> {
    const h: Record<string, string> = { 'content-type': this.o.content_type ?? CONTENT_TYPES[this.o.format] };
    for (const [k, v] of Object.entries(this.o.headers ?? {})) h[k.toLowerCase()] = event ? sprintf(event, String(v)) : String(v);
    if (this.o.user !== undefined) h['authorization'] = `Basic ${Buffer.from(`${this.o.user}:${String(this.o.password ?? '')}`).toString('base64')}`;
    return h;
  }

  private body(event: Event): string {
    const mapped = this.o.mapping ? (mapValue(event, this.o.mapping) as Record<string, FieldValue>) : undefined;
    switch (this.o.format) {
      case 'message':
        return sprintf(event, this.o.message ?? '');
      case 'form':
        return formEncode(mapped ?? (event.data as Record<string, FieldValue>));
      default:
        return mapped ? jsonValue(mapped) : jsonMap(event.data);
    }
  }

  private requests(events: Event[]): Request[] {
    if (this.o.format === 'json_batch') {
      const body = `[${events.map((e) => (this.o.mapping ? jsonValue(mapValue(e, this.o.mapping)) : jsonMap(e.data))).join(',')}]`;
      return [{ url: this.o.url, headers: this.headers(undefined), body, events: events.length }];
    }
    return events.map((e) => ({ url: sprintf(e, this.o.url), headers: this.headers(e), body: this.body(e), events: 1 }));
  }

  async write(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    for (const r of this.requests(events)) {
      if (this.ctx.dryRun) {
        await writeFully(process.stdout, `${this.o.http_method.toUpperCase()} ${r.url}\n${r.body}\n`);
        this.sent += r.events;
        continue;
      }
      await this.send(r);
    }
  }

  private async send(r: Request): Promise<void> {
    const method = this.o.http_method.toUpperCase();
    const gzip = this.o.http_compression;
    const body = method === 'GET' || method === 'HEAD' ? undefined : gzip ? gzipSync(r.body) : r.body;
    const headers = gzip ? { ...r.headers, 'content-encoding': 'gzip' } : r.headers;
    const retryable = new Set((this.o.retryable_codes ?? [429, 500, 502, 503, 504]).map(Number));
    const ignorable = new Set((this.o.ignorable_codes ?? []).map(Number));
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let problem: string;
      try {
        const res = await fetch(r.url, { method, headers, body, redirect: this.o.follow_redirects ? 'follow' : 'manual', signal: AbortSignal.timeout(this.o.request_timeout * 1000) });
        await res.arrayBuffer();
        status = res.status;
        if ((status >= 200 && status <= 299) || ignorable.has(status)) {
          this.sent += r.events;
          return;
        }
        problem = `HTTP ${status}`;
      } catch (e) {
        problem = (e as Error).message;
      }
      const retry = this.o.retry_failed && (status === undefined || retryable.has(status)) && !this.closing.signal.aborted;
      if (!retry) {
        this.failed += r.events;
        this.ctx.log.error('[HTTP Output Failure] Encountered non-2xx HTTP code', { response_code: status ?? null, url: r.url, event_count: r.events, problem });
        return;
      }
      this.retries++;
      const wait = Math.min(2 ** (attempt - 1), 60);
      this.ctx.log.warn('HTTP request failed, will retry', { url: r.url, problem, attempt, will_retry_in_seconds: wait });
      await this.sleep(wait);
    }
  }

  close(): void {
    this.closing.abort();
  }

  stats(): Record<string, number> {
    return { sent: this.sent, failed: this.failed, retries: this.retries };
  }
}

export function create(options: HttpOutputOptions, ctx: PluginContext): Output {
  return new HttpOutput(options, ctx);
}
