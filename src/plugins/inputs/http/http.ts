// logstash-input-http: each request body goes through the codec its Content-Type selects
// (additional_codecs, default application/json → json; else the input's codec, plain), and every
// event gets the request headers (CGI-style names: content_type, content_length, request_method,
// request_path, http_version, http_<header>) and the client address — ECS off: `headers` / `host`;
// ECS on: [@metadata][input][http][request][headers], [host][ip], and the ECS http/url/user_agent
// fields — then decoration. Answers response_code with response_headers and body "ok" once the
// events are queued (the pipeline's back-pressure holds the answer); 401 without the basic-auth
// credentials, 413 above max_content_length, 400 when the codec fails.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Event } from '../../../event/event.ts';
import type { FieldMap } from '../../../event/values.ts';
import type { Codec, Input, InputContext, PluginContext } from '../../types.ts';
import type { HttpInputOptions } from './schema.ts';

export interface HttpInputCounters {
  requests: number;
  events: number;
  unauthorized: number;
  too_large: number;
  decode_failures: number;
}

/** The header map Logstash's Netty handler builds (HTTP_* keys like a CGI environment). */
export function requestHeaders(req: http.IncomingMessage): FieldMap {
  const out: FieldMap = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase().replace(/-/g, '_');
    const key = name === 'content_type' || name === 'content_length' ? name : `http_${name}`;
    out[key] = req.rawHeaders[i + 1]!;
  }
  out['request_method'] = req.method ?? 'GET';
  out['request_path'] = req.url ?? '/';
  out['http_version'] = `HTTP/${req.httpVersion}`;
  return out;
}

/** get_domain_port: `host:port` or `[v6]:port` → [domain, port]; anything else is the domain. */
export function domainPort(httpHost: string | undefined): [string | undefined, number | undefined] {
  if (httpHost === undefined) return [undefined, undefined];
  const m = /^(([^:]+)|\[(.*)\]):(\d+)$/.exec(httpHost);
  return m ? [m[2] ?? m[3], Number(m[4])] : [httpHost, undefined];
}

export class HttpInput implements Input {
  readonly counters: HttpInputCounters = { requests: 0, events: 0, unauthorized: 0, too_large: 0, decode_failures: 0 };
  readonly listening: Promise<number>;
  private resolveListening!: (port: number) => void;
  private readonly ecs: boolean;
  private readonly codecs = new Map<string, Codec>();
  private readonly auth?: string;

  constructor(
    private readonly o: HttpInputOptions,
    private readonly pctx: PluginContext,
  ) {
    this.ecs = pctx.ecsCompatibility !== 'disabled';
    this.listening = new Promise((r) => (this.resolveListening = r));
    if (o.user !== undefined && o.password !== undefined) this.auth = `Basic ${Buffer.from(`${o.user}:${String(o.password)}`).toString('base64')}`;
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  private codecFor(ctx: InputContext, contentType: string | undefined): Codec {
    const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const name = (this.o.additional_codecs ?? {})[mime];
    if (name === undefined) return ctx.codec;
    let codec = this.codecs.get(mime);
    if (!codec) {
      codec = this.pctx.createCodec(name);
      this.codecs.set(mime, codec);
    }
    return codec;
  }

  private annotate(e: Event, headers: FieldMap, remote: string): void {
    if (this.ecs) {
      const set = (field: string, v: unknown): void => void (v !== undefined && e.set(field, v as string));
      set('[http][version]', headers['http_version']);
      set('[user_agent][original]', headers['http_user_agent']);
      const [domain, port] = domainPort(headers['http_host'] as string | undefined);
      set('[url][domain]', domain);
      set('[url][port]', port);
      set('[http][method]', headers['request_method']);
      set('[url][path]', headers['request_path']);
      set('[http][request][body][bytes]', headers['content_length']);
      set('[http][request][mime_type]', headers['content_type']);
    }
    e.set(this.o.request_headers_target_field ?? (this.ecs ? '[@metadata][input][http][request][headers]' : 'headers'), { ...headers });
    e.set(this.o.remote_host_target_field ?? (this.ecs ? '[host][ip]' : 'host'), remote);
  }

  private async handle(ctx: InputContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.counters.requests++;
    const reply = (code: number, body: string, headers: Record<string, string> = {}): void => void res.writeHead(code, headers).end(body);
    if (this.auth !== undefined && req.headers['authorization'] !== this.auth) {
      this.counters.unauthorized++;
      return reply(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="logstash"' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > this.o.max_content_length) {
        this.counters.too_large++;
        return reply(413, 'Payload Too Large', { connection: 'close' });
      }
      chunks.push(c);
    }
    const body = Buffer.concat(chunks, size);
    const headers = requestHeaders(req);
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const events: Event[] = [];
    try {
      const codec = this.codecFor(ctx, req.headers['content-type']);
      const source = { host: remote, port: req.socket.remotePort ?? 0 };
      codec.decode(body, source, (e) => events.push(e));
      codec.flush?.(source, (e) => events.push(e));
    } catch (e) {
      this.counters.decode_failures++;
      ctx.log.error('unable to process event.', { message: (e as Error).message, class: (e as Error).name });
      return reply(400, 'Bad Request');
    }
    for (const e of events) {
      this.annotate(e, headers, remote);
      ctx.decorate(e);
    }
    if (events.length > 0) {
      this.counters.events += events.length;
      const pending = ctx.push(events);
      if (pending) await pending;
    }
    const responseHeaders = Object.fromEntries(Object.entries(this.o.response_headers ?? {}).map(([k, v]) => [k, String(v)]));
    reply(Number(this.o.response_code), Number(this.o.response_code) === 204 ? '' : 'ok', responseHeaders);
  }

  async run(ctx: InputContext): Promise<void> {
    const o = this.o as unknown as Record<string, unknown>;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(ctx, req, res).catch((e: Error) => {
        ctx.log.error('http input: request failed', { message: e.message });
        if (!res.headersSent) res.writeHead(500).end();
      });
    };
    const ssl = Boolean(o['ssl_enabled'] ?? o['ssl']);
    const server = ssl
      ? https.createServer({ cert: readFileSync(String(o['ssl_certificate'])), key: readFileSync(String(o['ssl_key'])), ...(o['ssl_key_passphrase'] !== undefined ? { passphrase: String(o['ssl_key_passphrase']) } : {}) }, handler)
      : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    ctx.log.info('Starting http input listener', { address: `${this.o.host}:${port}`, ssl });
    this.resolveListening(port);
    await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}

export function create(options: HttpInputOptions, ctx: PluginContext): Input {
  return new HttpInput(options, ctx);
}
