// The single list of plugins: schemas (src/plugins/schemas) joined with the factories flowstash
// runs (src/plugins/implementations.ts). Validation, `--help` text and error messages come from here.
import type { PluginKind } from '../config/ast.ts';
import type { OptionSpec, PluginImplementation, PluginSchema } from './types.ts';
import { IMPLEMENTATIONS } from './implementations.ts';
import { CODEC_SCHEMAS } from './schemas/codecs.ts';
import { FILTER_SCHEMAS } from './schemas/filters.ts';
import { INPUT_SCHEMAS } from './schemas/inputs.ts';
import { OUTPUT_SCHEMAS } from './schemas/outputs.ts';
import { arr, bool, codec, deprecated, hash, obsolete, str } from './schemas/dsl.ts';

export interface RegisteredPlugin {
  kind: PluginKind;
  name: string;
  schema: PluginSchema;
  /** The plugin's own options plus the common options of its kind (plugin's own win). */
  options: Record<string, OptionSpec>;
  /** Present when flowstash runs this plugin. */
  implementation?: PluginImplementation;
}

const OBSOLETE_INPUT = 'This setting is no longer supported by inputs.';
const OBSOLETE_OUTPUT = 'You can achieve this same behavior with the new conditionals, like: `if [type] == "sometype" { output_name {} }`.';

/** Options every plugin of a kind accepts (Logstash's base classes). */
export function commonOptions(kind: PluginKind, defaultCodec = 'plain'): Record<string, OptionSpec> {
  const base: Record<string, OptionSpec> = {
    id: str(),
    enable_metric: bool(true),
    ecs_compatibility: str(),
  };
  switch (kind) {
    case 'input':
      return {
        ...base,
        type: str(),
        tags: arr(),
        add_field: hash({}),
        codec: codec(defaultCodec),
        debug: obsolete(OBSOLETE_INPUT),
        format: obsolete('You should use the newer `codec` setting instead.'),
        charset: obsolete('Use the codec setting instead. For example: input { %PLUGIN% { codec => plain { charset => "UTF-8" } } }'),
        message_format: obsolete('You can achieve the same behavior with the `line` codec.'),
      };
    case 'filter':
      return {
        ...base,
        add_field: hash({}),
        add_tag: arr([]),
        remove_field: arr([]),
        remove_tag: arr([]),
        periodic_flush: bool(false),
      };
    case 'output':
      return {
        ...base,
        codec: codec(defaultCodec),
        workers: deprecated({ type: 'number', default: 1 }, 'The `workers` setting is ignored; outputs now use pipeline.workers.'),
        type: obsolete(OBSOLETE_OUTPUT),
        tags: obsolete(OBSOLETE_OUTPUT),
        exclude_tags: obsolete(OBSOLETE_OUTPUT),
      };
    case 'codec':
      return base;
  }
}

export const SCHEMAS: readonly PluginSchema[] = [...INPUT_SCHEMAS, ...FILTER_SCHEMAS, ...OUTPUT_SCHEMAS, ...CODEC_SCHEMAS];

let table: Map<string, RegisteredPlugin> | undefined;

function key(kind: PluginKind, name: string): string {
  return `${kind}/${name}`;
}

function build(): Map<string, RegisteredPlugin> {
  const map = new Map<string, RegisteredPlugin>();
  for (const schema of SCHEMAS) {
    map.set(key(schema.kind, schema.name), {
      kind: schema.kind,
      name: schema.name,
      schema,
      options: { ...commonOptions(schema.kind, schema.defaultCodec), ...schema.options },
    });
  }
  for (const impl of IMPLEMENTATIONS) {
    const entry = map.get(key(impl.kind, impl.name));
    if (!entry) throw new Error(`implementation for ${impl.kind} '${impl.name}' has no schema in src/plugins/schemas`);
    entry.implementation = impl;
  }
  return map;
}

function registry(): Map<string, RegisteredPlugin> {
  table ??= build();
  return table;
}

export function findPlugin(kind: PluginKind, name: string): RegisteredPlugin | undefined {
  return registry().get(key(kind, name));
}

export function pluginsOfKind(kind: PluginKind): RegisteredPlugin[] {
  return [...registry().values()].filter((p) => p.kind === kind);
}

export function isEmulated(kind: PluginKind, name: string): boolean {
  return findPlugin(kind, name)?.implementation !== undefined;
}
