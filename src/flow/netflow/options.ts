// Options of the netflow codec: the Logstash codec's, with its defaults, plus flowstash's additions.

export type UnknownElementPolicy = 'decode' | 'drop_template';

export interface NetflowOptions {
  /** Accepted versions; others are warned `Ignoring Netflow version v<N>` and dropped. */
  versions: number[];
  /** Key the flow fields go under. */
  target: string;
  /** Template lifetime in seconds. */
  cache_ttl: number;
  /** Directory for netflow_templates.cache / ipfix_templates.cache (Logstash's JSON format). */
  cache_save_path?: string;
  /** IPFIX: add [target][flowset_id] (v9 always has it). */
  include_flowset_id: boolean;
  /** YAML in the Logstash codec's format merged over the built-in definitions. */
  ipfix_definitions?: string;
  netflow_definitions?: string;
  /** Hold data sets that arrive before their template and decode them when it comes. */
  pending_data: boolean;
  /** Bounds of the held data: total bytes and age in seconds. */
  pending_data_bytes: number;
  pending_data_seconds: number;
  /**
   * 'decode' (default): elements nobody defines are decoded as `ie<ID>` / `pen<PEN>_ie<ID>` (hex).
   * 'drop_template': the Logstash codec's behaviour, the whole template is rejected.
   */
  unknown_elements: UnknownElementPolicy;
  /** Memory bounds. */
  max_templates_per_exporter: number;
  max_fields_per_template: number;
  max_list_depth: number;
}

export const DEFAULT_OPTIONS: NetflowOptions = {
  versions: [5, 9, 10],
  target: 'netflow',
  cache_ttl: 4000,
  include_flowset_id: false,
  pending_data: false,
  pending_data_bytes: 4 * 1024 * 1024,
  pending_data_seconds: 60,
  unknown_elements: 'decode',
  max_templates_per_exporter: 4096,
  max_fields_per_template: 1024,
  max_list_depth: 4,
};

/** Fills in defaults and coerces what a config file may give as strings. */
export function resolveNetflowOptions(given: Partial<Record<keyof NetflowOptions, unknown>> = {}): NetflowOptions {
  const o: NetflowOptions = { ...DEFAULT_OPTIONS, versions: [...DEFAULT_OPTIONS.versions] };
  const num = (k: keyof NetflowOptions, v: unknown): number => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`netflow codec: option ${k} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined || v === null) continue;
    switch (k) {
      case 'versions': {
        const list = Array.isArray(v) ? v : [v];
        o.versions = list.map((x) => {
          const n = Number(x);
          if (!Number.isInteger(n)) throw new Error(`netflow codec: versions must be integers, got ${JSON.stringify(x)}`);
          return n;
        });
        break;
      }
      case 'target':
      case 'cache_save_path':
      case 'ipfix_definitions':
      case 'netflow_definitions':
        (o as unknown as Record<string, unknown>)[k] = String(v);
        break;
      case 'include_flowset_id':
      case 'pending_data':
        (o as unknown as Record<string, unknown>)[k] = v === true || v === 'true';
        break;
      case 'unknown_elements':
        if (v !== 'decode' && v !== 'drop_template') {
          throw new Error(`netflow codec: unknown_elements must be "decode" or "drop_template", got ${JSON.stringify(v)}`);
        }
        o.unknown_elements = v;
        break;
      case 'cache_ttl':
      case 'pending_data_bytes':
      case 'pending_data_seconds':
      case 'max_templates_per_exporter':
      case 'max_fields_per_template':
      case 'max_list_depth':
        (o as unknown as Record<string, unknown>)[k] = num(k, v);
        break;
      default:
        break;
    }
  }
  return o;
}
