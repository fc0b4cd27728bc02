// Shorthands for writing plugin schemas the way Logstash plugins declare `config :name, :validate => …`.
// Each shorthand also carries the option's TypeScript type, so a plugin's options are typed from its
// schema (OptionsOf): an option with a default or marked required is always present, others may be undefined.
import type { OptionSpec, OptionType } from '../types.ts';
import type { ValidatedPlugin } from '../../config/pipeline-config.ts';

type Extra = Omit<OptionSpec, 'type'>;

/** An OptionSpec that remembers the JS type of its value and whether a value is always present. */
export interface Opt<T, Present extends boolean> extends OptionSpec {
  readonly __value?: T;
  readonly __present?: Present;
}

/** A codec option's value after validation: a codec name or a validated codec plugin. */
export type CodecSetting = ValidatedPlugin | string;

/** The typed options object of a schema's option table. */
export type OptionsOf<S> = {
  readonly [K in keyof S]: S[K] extends Opt<infer T, infer P> ? (P extends true ? T : T | undefined) : unknown;
};

function opt(type: OptionType, def?: unknown, extra: Extra = {}): OptionSpec {
  return def === undefined ? { type, ...extra } : { type, default: def, ...extra };
}

type Maker<T> = {
  (def: T, extra?: Extra): Opt<T, true>;
  (def?: undefined, extra?: Extra): Opt<T, false>;
};
const maker = <T>(type: OptionType): Maker<T> => ((def?: T, extra?: Extra) => opt(type, def, extra)) as Maker<T>;

export const str = maker<string>('string');
export const num = maker<number>('number');
export const bool = maker<boolean>('boolean');
export const arr = maker<unknown[]>('array');
export const hash = maker<Record<string, unknown>>('hash');
export const path = maker<string>('path');
export const password = maker<string>('password');
export const uri = maker<string>('uri');
export const bytes = (def?: string | number, extra?: Extra): Opt<number, boolean> => opt('bytes', def, extra);
export const codec = (def?: string): Opt<CodecSetting, true> => opt('codec', def);
export const any = maker<unknown>('any');
export const fieldRef = maker<string>('field_reference');
/** `:validate => ["a", "b"]` */
export function oneOf<V extends string>(values: readonly V[], def: V, extra?: Extra): Opt<V, true>;
export function oneOf<V extends string>(values: readonly V[], def?: undefined, extra?: Extra): Opt<V, false>;
export function oneOf(values: readonly string[], def?: string, extra?: Extra): OptionSpec {
  return opt('string', def, { enum: values, ...extra });
}
/** `:list => true`: one item or an array of them, always an array after validation. */
export const list = <T, P extends boolean>(spec: Opt<T, P>): Opt<T[], P> => ({ ...spec, list: true }) as Opt<T[], P>;
export const required = <T>(spec: Opt<T, boolean>): Opt<T, true> => ({ ...spec, required: true }) as Opt<T, true>;
export const deprecated = <T, P extends boolean>(spec: Opt<T, P>, why: string): Opt<T, P> => ({ ...spec, deprecated: why }) as Opt<T, P>;
export const obsolete = (why: string): Opt<never, false> => ({ type: 'any', obsolete: why });

/** The ssl_* options shared by the TLS-capable network plugins (server side). */
export function sslServerOptions() {
  return {
    ssl_enabled: bool(false),
    ssl_certificate: path(),
    ssl_key: path(),
    ssl_key_passphrase: password(),
    ssl_certificate_authorities: arr([]),
    ssl_client_authentication: oneOf(['none', 'optional', 'required'], 'none'),
    ssl_cipher_suites: arr(),
    ssl_supported_protocols: arr([]),
    ssl_handshake_timeout: num(10000),
  };
}

/** The ssl_* options of HTTP/Kafka client plugins. */
export function sslClientOptions() {
  return {
    ssl_enabled: bool(),
    ssl_certificate: path(),
    ssl_key: path(),
    ssl_certificate_authorities: arr(),
    ssl_cipher_suites: arr(),
    ssl_supported_protocols: arr([]),
    ssl_verification_mode: oneOf(['full', 'none'], 'full'),
    ssl_keystore_path: path(),
    ssl_keystore_password: password(),
    ssl_keystore_type: str(),
    ssl_truststore_path: path(),
    ssl_truststore_password: password(),
    ssl_truststore_type: str(),
  };
}

/** Security settings the kafka input and output share (logstash-integration-kafka). */
export function kafkaSecurityOptions() {
  return {
    jaas_path: path(),
    kerberos_config: path(),
    sasl_jaas_config: str(),
    sasl_kerberos_service_name: str(),
    sasl_mechanism: str('GSSAPI'),
    security_protocol: oneOf(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], 'PLAINTEXT'),
    ssl_endpoint_identification_algorithm: str('https'),
    ssl_key_password: password(),
    ssl_keystore_location: path(),
    ssl_keystore_password: password(),
    ssl_keystore_type: str(),
    ssl_truststore_location: path(),
    ssl_truststore_password: password(),
    ssl_truststore_type: str(),
  };
}
