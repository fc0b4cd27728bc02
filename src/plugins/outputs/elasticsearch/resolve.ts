// What an elasticsearch output does with its options once it knows the cluster's major version:
// data streams or indices (data_stream_support.rb: `auto` resolves from the options the user gave),
// ILM or not (ilm.rb: `auto` uses ILM on 7+ when the index is the default or a rollover alias is
// given), the index name, and the template to install (template_manager.rb: name and endpoint).
import type { EcsCompatibility } from '../../types.ts';
import { ES_DEFAULTS, type ElasticsearchOptions } from './schema.ts';
import type { DataStreamSettings } from './actions.ts';

/** Options Logstash's data-stream check accepts alongside `data_stream` (api_configs.rb and the base output's). */
const DATA_STREAM_COMPATIBLE = new Set([
  'hosts', 'user', 'password', 'api_key', 'cloud_id', 'cloud_auth', 'path', 'bulk_path', 'parameters', 'proxy', 'timeout',
  'pool_max', 'pool_max_per_route', 'resurrect_delay', 'validate_after_inactivity', 'http_compression', 'compression_level',
  'custom_headers', 'sniffing', 'sniffing_delay', 'sniffing_path', 'healthcheck_path', 'retry_initial_interval', 'retry_max_interval',
  'document_id', 'routing', 'pipeline', 'dlq_custom_codes', 'dlq_on_failed_indexname_interpolation', 'silence_errors_in_log',
  'failure_type_logging_whitelist', 'ssl', 'ssl_certificate_verification', 'cacert', 'keystore', 'keystore_password', 'truststore',
  'truststore_password', 'id', 'enable_metric', 'codec', 'workers', 'ecs_compatibility', 'data_stream',
]);

export class EsConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EsConfigurationError';
  }
}

export interface IlmPlan {
  rolloverAlias: string;
  pattern: string;
  policy: string;
  /** The default policy is installed when it does not exist; a named one must exist already. */
  installDefaultPolicy: boolean;
}

export interface TemplatePlan {
  name: string;
  /** `_index_template` (composable, ES 8+ under `auto`) or `_template` (legacy). */
  endpoint: '_index_template' | '_template';
  /** The user's template file, or undefined for flowstash's default template. */
  file?: string;
  overwrite: boolean;
}

export interface OutputPlan {
  dataStream?: DataStreamSettings;
  ilm?: IlmPlan;
  /** The index (sprintf template) events go to; for data streams the default stream name. */
  index: string;
  template?: TemplatePlan;
  /** Lines logged at info when the plan is made (Logstash logs the same decisions). */
  notes: string[];
}

/** The options given explicitly: an option without a schema default is present only when given. */
function given(options: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(options).filter((k) => options[k] !== undefined);
}

const explicitDataStreamOptions = (names: string[]): string[] => names.filter((n) => n.startsWith('data_stream_'));

function incompatibleWithDataStreams(options: Readonly<Record<string, unknown>>, names: string[]): string[] {
  return names.filter((name) => {
    if (name.startsWith('data_stream_') || name.startsWith('ssl_') || DATA_STREAM_COMPATIBLE.has(name)) return false;
    if (name === 'action') return options['action'] !== 'create';
    if (name === 'manage_template') return options['manage_template'] !== false;
    return true;
  });
}

/** Decides data streams before any connection (it only depends on the options and the ECS mode). */
export function resolveDataStream(options: ElasticsearchOptions, ecs: EcsCompatibility, notes: string[]): DataStreamSettings | undefined {
  const raw = options as unknown as Readonly<Record<string, unknown>>;
  const names = given(raw);
  const invalid = incompatibleWithDataStreams(raw, names);
  let use: boolean;
  if (options.data_stream === 'true') {
    if (invalid.length > 0) throw new EsConfigurationError(`Invalid data stream configuration: [${invalid.join(', ')}]`);
    if (ecs === 'disabled') throw new EsConfigurationError('Invalid data stream configuration: `ecs_compatibility => disabled`');
    use = true;
  } else if (options.data_stream === 'false') {
    use = false;
  } else if (ecs === 'disabled') {
    notes.push('Not eligible for data streams because ecs_compatibility is not enabled.');
    use = false;
  } else if (invalid.length > 0) {
    notes.push(`Not eligible for data streams because config contains one or more settings that are not compatible with data streams: ${invalid.join(', ')}`);
    use = false;
  } else {
    use = true;
  }
  if (options.data_stream === 'auto') notes.push(`Data streams auto configuration (\`data_stream => auto\` or unset) resolved to \`${use}\``);
  if (!use) {
    const dsOptions = explicitDataStreamOptions(names);
    if (dsOptions.length > 0) {
      throw new EsConfigurationError(`Ambiguous configuration; data stream settings must not be present when data streams are disabled: [${dsOptions.join(', ')}]`);
    }
    return undefined;
  }
  return {
    type: options.data_stream_type ?? ES_DEFAULTS.data_stream_type,
    dataset: options.data_stream_dataset ?? ES_DEFAULTS.data_stream_dataset,
    namespace: options.data_stream_namespace ?? ES_DEFAULTS.data_stream_namespace,
    autoRouting: options.data_stream_auto_routing ?? ES_DEFAULTS.data_stream_auto_routing,
    syncFields: options.data_stream_sync_fields ?? ES_DEFAULTS.data_stream_sync_fields,
  };
}

const defaultIndex = (ecs: EcsCompatibility): string => (ecs === 'disabled' ? 'logstash-%{+yyyy.MM.dd}' : 'ecs-logstash-%{+yyyy.MM.dd}');
const defaultRolloverAlias = (ecs: EcsCompatibility): string => (ecs === 'disabled' ? 'logstash' : 'ecs-logstash');
export const defaultTemplateName = defaultRolloverAlias;

/**
 * The whole plan for a cluster of the given major version. `ilmAvailable`: the cluster answers
 * `_ilm` (every 7+ cluster with the default distribution).
 */
export function resolvePlan(options: ElasticsearchOptions, ecs: EcsCompatibility, majorVersion: number, ilmAvailable = true): OutputPlan {
  const notes: string[] = [];
  const dataStream = resolveDataStream(options, ecs, notes);
  if (dataStream) {
    return { dataStream, index: `${dataStream.type}-${dataStream.dataset}-${dataStream.namespace}`, notes };
  }
  const ilmSetting = options.ilm_enabled ?? ES_DEFAULTS.ilm_enabled;
  const rolloverGiven = options.ilm_rollover_alias !== undefined;
  const aliasSet = options.index === undefined || rolloverGiven;
  let ilmInUse = false;
  if (ilmSetting === 'true') {
    if (!ilmAvailable) throw new EsConfigurationError('Index Lifecycle Management is set to enabled in Logstash, but is not available on this Elasticsearch cluster');
    ilmInUse = aliasSet;
  } else if (ilmSetting === 'auto') {
    ilmInUse = majorVersion >= 7 && ilmAvailable && aliasSet;
  }
  let ilm: IlmPlan | undefined;
  let index = options.index ?? defaultIndex(ecs);
  if (ilmInUse) {
    const policy = options.ilm_policy ?? ES_DEFAULTS.ilm_policy;
    ilm = {
      rolloverAlias: options.ilm_rollover_alias ?? defaultRolloverAlias(ecs),
      pattern: options.ilm_pattern ?? ES_DEFAULTS.ilm_pattern,
      policy,
      installDefaultPolicy: policy === ES_DEFAULTS.ilm_policy,
    };
    if (options.index !== undefined) notes.push(`Overwriting supplied index ${options.index} with rollover alias ${ilm.rolloverAlias}`);
    index = ilm.rolloverAlias;
  }
  let template: TemplatePlan | undefined;
  if (options.manage_template ?? ES_DEFAULTS.manage_template) {
    const api = options.template_api ?? ES_DEFAULTS.template_api;
    const composable = api === 'composable' || (api === 'auto' && majorVersion >= 8);
    const name = ilm && options.template_name === undefined ? ilm.rolloverAlias : (options.template_name ?? defaultTemplateName(ecs));
    template = {
      name,
      endpoint: composable ? '_index_template' : '_template',
      ...(options.template !== undefined ? { file: options.template } : {}),
      overwrite: options.template_overwrite ?? ES_DEFAULTS.template_overwrite,
    };
  }
  return { ...(ilm ? { ilm } : {}), index, ...(template ? { template } : {}), notes };
}
