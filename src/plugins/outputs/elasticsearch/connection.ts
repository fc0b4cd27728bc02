// The elasticsearch output's connection: its options turned into @elastic/elasticsearch client
// options (hosts with Logstash's defaults — http, port 9200, `path` prefix —, cloud_id/cloud_auth,
// user/password, api_key, ssl_*, proxy, custom_headers, timeout, sniffing), and the few calls the
// output makes through the client: the cluster version, template / ILM management and `_bulk`.
// The client is loaded lazily (only a running elasticsearch output pays for it).
import { readFileSync } from 'node:fs';
import { stringify } from 'node:querystring';
import type { Client, ClientOptions } from '@elastic/elasticsearch';
import type { ElasticsearchOptions } from './schema.ts';
import { BulkRequestError, type BulkResponse, type BulkTransport } from './bulk-sender.ts';
import { EsConfigurationError } from './resolve.ts';

type Raw = Readonly<Record<string, unknown>>;

/** The scheme ssl_enabled (or the deprecated ssl) asks for, if any. */
function explicitScheme(o: Raw): 'http' | 'https' | undefined {
  const enabled = o['ssl_enabled'] ?? o['ssl'];
  return enabled === undefined ? undefined : enabled ? 'https' : 'http';
}

/** hosts → node URLs (host_to_url): scheme, port 9200 and the `path` option filled where the host has none. */
export function nodeUrls(options: ElasticsearchOptions): string[] {
  const o = options as unknown as Raw;
  const scheme = explicitScheme(o);
  const prefix = options.path;
  const hosts: unknown[] = Array.isArray(options.hosts) ? options.hosts : [options.hosts ?? '//127.0.0.1'];
  return hosts.map((host) => {
    const text = String(host);
    const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
    let url: URL;
    try {
      url = new URL(hasScheme ? text : `${scheme ?? 'http'}://${text.replace(/^\/\//, '')}`);
    } catch {
      throw new EsConfigurationError(`Invalid host '${text}' in hosts`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EsConfigurationError(`Bad scheme '${url.protocol.slice(0, -1)}' found should be one of http/https`);
    if (hasScheme && scheme !== undefined && url.protocol !== `${scheme}:`) {
      throw new EsConfigurationError(`SSL option was explicitly set to ${scheme === 'https'} but a URL was also declared with a scheme of '${url.protocol.slice(0, -1)}'. Please reconcile this`);
    }
    if (url.username || url.password) {
      throw new EsConfigurationError("We do not support setting the user password in the URL directly as this may be logged to disk thus leaking credentials. Use the 'user' and 'password' options respectively");
    }
    // An explicit port (even the scheme's default, which URL hides) is kept; none means 9200.
    const explicitPort = /^(?:[a-z][a-z0-9+.-]*:)?(?:\/\/)?(?:\[[^\]]*\]|[^/:?#]*):\d+/i.test(text);
    if (url.port === '' && !explicitPort) url.port = '9200';
    if (prefix !== undefined && prefix !== '' && (url.pathname === '/' || url.pathname === '')) {
      url.pathname = prefix.startsWith('/') ? prefix : `/${prefix}`;
    } else if (prefix !== undefined && prefix !== '' && url.pathname !== '/' && url.pathname !== prefix) {
      throw new EsConfigurationError(`A path '${url.pathname}' has been explicitly specified in the url '${url.origin}${url.pathname}', but you also specified a path of '${prefix}'. This is probably a mistake, please remove one setting.`);
    }
    return url.toString();
  });
}

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new EsConfigurationError(`${option}: cannot read '${file}' (${(e as Error).message})`);
  }
}

/** ssl_* (and their deprecated names) → Node TLS options. JKS stores have no Node equivalent. */
function tlsOptions(o: Raw): ClientOptions['tls'] {
  const tls: NonNullable<ClientOptions['tls']> = {};
  const cas = [...((o['ssl_certificate_authorities'] as string[] | undefined) ?? []), ...(o['cacert'] ? [o['cacert'] as string] : [])];
  if (cas.length > 0) tls.ca = cas.map((f) => readPem(f, 'ssl_certificate_authorities'));
  if (o['ssl_verification_mode'] === 'none' || o['ssl_certificate_verification'] === false) tls.rejectUnauthorized = false;
  if (o['ssl_certificate'] !== undefined) tls.cert = readPem(o['ssl_certificate'] as string, 'ssl_certificate');
  if (o['ssl_key'] !== undefined) tls.key = readPem(o['ssl_key'] as string, 'ssl_key');
  const keystore = (o['ssl_keystore_path'] ?? o['keystore']) as string | undefined;
  if (keystore !== undefined) {
    if (/\.jks$/i.test(keystore) || o['ssl_keystore_type'] === 'jks') throw new EsConfigurationError(`ssl_keystore_path: JKS keystores are not supported by flowstash ('${keystore}'); use a PKCS#12 file or ssl_certificate/ssl_key`);
    tls.pfx = readPem(keystore, 'ssl_keystore_path');
    const pass = o['ssl_keystore_password'] ?? o['keystore_password'];
    if (pass !== undefined) tls.passphrase = String(pass);
  }
  const truststore = (o['ssl_truststore_path'] ?? o['truststore']) as string | undefined;
  if (truststore !== undefined) throw new EsConfigurationError(`ssl_truststore_path: truststores are not supported by flowstash ('${truststore}'); give the CA certificates in PEM form with ssl_certificate_authorities`);
  const protocols = (o['ssl_supported_protocols'] as string[] | undefined) ?? [];
  if (protocols.length > 0) {
    const versions = protocols.map((p) => p).sort() as Array<'TLSv1.2' | 'TLSv1.3'>;
    tls.minVersion = versions[0];
    tls.maxVersion = versions[versions.length - 1];
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/** Client options for the output's settings. */
export function clientOptions(options: ElasticsearchOptions): ClientOptions {
  const o = options as unknown as Raw;
  const client: ClientOptions = {
    requestTimeout: options.timeout * 1000,
    // Retries are the output's own (Logstash's backoff and per-item semantics), not the client's.
    maxRetries: 0,
    compression: false,
    name: 'flowstash',
  };
  if (options.cloud_id !== undefined) client.cloud = { id: options.cloud_id };
  else client.nodes = nodeUrls(options);
  if (options.api_key !== undefined) {
    if (options.user !== undefined || options.cloud_auth !== undefined) throw new EsConfigurationError('Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key');
    client.auth = { apiKey: Buffer.from(String(options.api_key)).toString('base64') };
  } else if (options.cloud_auth !== undefined) {
    const [username, ...rest] = String(options.cloud_auth).split(':');
    client.auth = { username: username!, password: rest.join(':') };
  } else if (options.user !== undefined) {
    if (options.password === undefined) throw new EsConfigurationError('User setting is set but password is missing');
    client.auth = { username: options.user, password: String(options.password) };
  }
  const tls = tlsOptions(o);
  if (tls) client.tls = tls;
  if (options.proxy !== undefined && options.proxy !== '') client.proxy = options.proxy;
  if (options.custom_headers) client.headers = Object.fromEntries(Object.entries(options.custom_headers).map(([k, v]) => [k, String(v)]));
  if (options.sniffing) {
    client.sniffOnStart = true;
    client.sniffInterval = options.sniffing_delay * 1000;
    if (options.sniffing_path !== undefined) client.sniffEndpoint = options.sniffing_path;
  }
  return client;
}

/** The response filter Logstash asks `_bulk` for: only what the per-item handling reads. */
export const BULK_FILTER_PATH = 'filter_path=errors,items.*.error,items.*.status';

/**
 * The bulk request's path and query (http_client_builder.rb: bulk_path, default `/_bulk`, gets
 * BULK_FILTER_PATH unless it carries a filter_path of its own; manticore_adapter.rb's format_url
 * puts the `parameters` first, then the path's query).
 */
export function bulkRequestTarget(options: ElasticsearchOptions): { path: string; querystring: string } {
  const bulkPath = options.bulk_path !== undefined ? `/${options.bulk_path}`.replace(/\/+/g, '/') : '/_bulk';
  const q = bulkPath.indexOf('?');
  const path = q === -1 ? bulkPath : bulkPath.slice(0, q);
  let query = q === -1 ? '' : bulkPath.slice(q + 1);
  if (!/(?:[&|?])filter_path=/.test(bulkPath)) query = query === '' ? BULK_FILTER_PATH : `${query}&${BULK_FILTER_PATH}`;
  const parameters = stringify(parametersOf(options));
  return { path, querystring: parameters === '' ? query : query === '' ? parameters : `${parameters}&${query}` };
}

function parametersOf(options: ElasticsearchOptions): Record<string, string> {
  return Object.fromEntries(Object.entries(options.parameters ?? {}).map(([k, v]) => [k, String(v)]));
}

function statusOf(e: unknown): number | undefined {
  const meta = (e as { meta?: { statusCode?: number } }).meta;
  return typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
}

/** The cluster as the output sees it: the official client with the output's request settings. */
export class EsConnection implements BulkTransport {
  private readonly querystring: Record<string, string>;
  private readonly bulk: { path: string; querystring: string };

  private constructor(
    readonly client: Client,
    options: ElasticsearchOptions,
  ) {
    this.querystring = parametersOf(options);
    this.bulk = bulkRequestTarget(options);
  }

  static async open(options: ElasticsearchOptions): Promise<EsConnection> {
    const { Client: ClientClass } = await import('@elastic/elasticsearch');
    return new EsConnection(new ClientClass(clientOptions(options)), options);
  }

  /** The cluster's version number (`GET /`). */
  async version(): Promise<string> {
    const info = await this.client.info();
    return info.version.number;
  }

  async exists(path: string): Promise<boolean> {
    try {
      // The transport answers a HEAD with true/false (404 is not an error for HEAD).
      return (await this.client.transport.request({ method: 'HEAD', path, querystring: this.querystring })) !== false;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async get(path: string): Promise<unknown> {
    return this.client.transport.request({ method: 'GET', path, querystring: this.querystring });
  }

  async put(path: string, body: unknown): Promise<unknown> {
    return this.client.transport.request({ method: 'PUT', path, body: JSON.stringify(body), querystring: this.querystring }, { headers: { 'content-type': 'application/json' } });
  }

  async send(body: Buffer, gzipped: boolean): Promise<BulkResponse> {
    try {
      const headers: Record<string, string> = gzipped ? { 'content-encoding': 'gzip' } : {};
      // A prebuilt NDJSON Buffer: the client sends it as it is (no re-serialization).
      return (await this.client.transport.request({ method: 'POST', path: this.bulk.path, bulkBody: body, querystring: this.bulk.querystring }, { headers })) as BulkResponse;
    } catch (e) {
      throw new BulkRequestError((e as Error).message, statusOf(e));
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

