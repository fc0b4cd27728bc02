// Shorthands for writing plugin schemas the way Logstash plugins declare `config :name, :validate => …`.
import type { OptionSpec, OptionType } from '../types.ts';

type Extra = Omit<OptionSpec, 'type'>;

function opt(type: OptionType, def?: unknown, extra: Extra = {}): OptionSpec {
  return def === undefined ? { type, ...extra } : { type, default: def, ...extra };
}

export const str = (def?: string, extra?: Extra): OptionSpec => opt('string', def, extra);
export const num = (def?: number, extra?: Extra): OptionSpec => opt('number', def, extra);
export const bool = (def?: boolean, extra?: Extra): OptionSpec => opt('boolean', def, extra);
export const arr = (def?: unknown[], extra?: Extra): OptionSpec => opt('array', def, extra);
export const hash = (def?: Record<string, unknown>, extra?: Extra): OptionSpec => opt('hash', def, extra);
export const path = (def?: string, extra?: Extra): OptionSpec => opt('path', def, extra);
export const password = (def?: string, extra?: Extra): OptionSpec => opt('password', def, extra);
export const uri = (def?: string, extra?: Extra): OptionSpec => opt('uri', def, extra);
export const bytes = (def?: string | number, extra?: Extra): OptionSpec => opt('bytes', def, extra);
export const codec = (def?: string): OptionSpec => opt('codec', def);
export const any = (def?: unknown, extra?: Extra): OptionSpec => opt('any', def, extra);
export const fieldRef = (def?: string, extra?: Extra): OptionSpec => opt('field_reference', def, extra);
/** `:validate => ["a", "b"]` */
export const oneOf = (values: readonly string[], def?: string, extra?: Extra): OptionSpec =>
  opt('string', def, { enum: values, ...extra });
export const required = (spec: OptionSpec): OptionSpec => ({ ...spec, required: true });
export const deprecated = (spec: OptionSpec, why: string): OptionSpec => ({ ...spec, deprecated: why });
export const obsolete = (why: string): OptionSpec => ({ type: 'any', obsolete: why });

/** The ssl_* options shared by the TLS-capable network plugins (server side). */
export function sslServerOptions(): Record<string, OptionSpec> {
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
export function sslClientOptions(): Record<string, OptionSpec> {
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
export function kafkaSecurityOptions(): Record<string, OptionSpec> {
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
