// Options of the netflow decoder: the Logstash codec's, with its defaults, plus flowstash's additions.
// Declared once, here: the values below are the defaults, their types are the options' types, and the
// codec's schema (src/plugins/codecs/netflow/schema.ts) takes its defaults from this object.

export type UnknownElementPolicy = 'decode' | 'drop_template';

export const NETFLOW_DEFAULTS = {
  /** Accepted versions; others are warned `Ignoring Netflow version v<N>` and dropped. */
  versions: [5, 9, 10] as number[],
  /** Key the flow fields go under. */
  target: 'netflow',
  /** Template lifetime in seconds. */
  cache_ttl: 4000,
  /** IPFIX: add [target][flowset_id] (v9 always has it). */
  include_flowset_id: false,
  /** Hold data sets that arrive before their template and decode them when it comes. */
  pending_data: false,
  /** Bounds of the held data: total bytes and age in seconds. */
  pending_data_bytes: 4 * 1024 * 1024,
  pending_data_seconds: 60,
  /**
   * 'decode': elements nobody defines are decoded as `ie<ID>` / `pen<PEN>_ie<ID>` (hex).
   * 'drop_template': the Logstash codec's behaviour, the whole template is rejected.
   */
  unknown_elements: 'decode' as UnknownElementPolicy,
  /** Memory bounds. */
  max_templates_per_exporter: 4096,
  max_fields_per_template: 1024,
  max_list_depth: 4,
};

/** Options without a default. */
interface NetflowPaths {
  /** Directory for netflow_templates.cache / ipfix_templates.cache (Logstash's JSON format). */
  cache_save_path?: string;
  /** YAML in the Logstash codec's format merged over the built-in definitions. */
  ipfix_definitions?: string;
  netflow_definitions?: string;
}

export type NetflowOptions = typeof NETFLOW_DEFAULTS & NetflowPaths;

const COUNTS = ['cache_ttl', 'pending_data_bytes', 'pending_data_seconds', 'max_templates_per_exporter', 'max_fields_per_template', 'max_list_depth'] as const;

/**
 * The defaults with the given options over them (undefined leaves the default). Types are the
 * schema's business when options come from a config; this checks what a type cannot say.
 */
export function resolveNetflowOptions(given: Partial<NetflowOptions> = {}): NetflowOptions {
  const o: NetflowOptions = { ...NETFLOW_DEFAULTS, versions: [...NETFLOW_DEFAULTS.versions] };
  for (const [k, v] of Object.entries(given)) if (v !== undefined && v !== null) (o as unknown as Record<string, unknown>)[k] = v;
  for (const k of COUNTS) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw new Error(`netflow codec: option ${k} must be a non-negative number, got ${JSON.stringify(o[k])}`);
  }
  for (const x of o.versions) if (!Number.isInteger(x)) throw new Error(`netflow codec: versions must be integers, got ${JSON.stringify(x)}`);
  if (o.unknown_elements !== 'decode' && o.unknown_elements !== 'drop_template') {
    throw new Error(`netflow codec: unknown_elements must be "decode" or "drop_template", got ${JSON.stringify(o.unknown_elements)}`);
  }
  return o;
}
