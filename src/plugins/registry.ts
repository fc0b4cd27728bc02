// The single list of plugins: schemas (src/plugins/schemas) joined with the factories flowstash
// runs (src/plugins/catalog.ts). Validation, `--help` text and error messages come from here.
import type { PluginKind } from '../config/ast.ts';
import type { OptionSpec, PluginImplementation, PluginSchema } from './types.ts';
import { CATALOG } from './catalog.ts';
import { commonOptions } from './define.ts';
import { CODEC_SCHEMAS } from './schemas/codecs.ts';
import { FILTER_SCHEMAS } from './schemas/filters.ts';
import { INPUT_SCHEMAS } from './schemas/inputs.ts';
import { OUTPUT_SCHEMAS } from './schemas/outputs.ts';

export { commonOptions };

export interface RegisteredPlugin {
  kind: PluginKind;
  name: string;
  schema: PluginSchema;
  /** The plugin's own options plus the common options of its kind (plugin's own win). */
  options: Record<string, OptionSpec>;
  /** Present when flowstash runs this plugin (its module loads on first use). */
  implementation?: PluginImplementation;
}

/** Every schema: the validated-only tables and the catalog's runnable plugins. */
export const SCHEMAS: readonly PluginSchema[] = [
  ...INPUT_SCHEMAS,
  ...FILTER_SCHEMAS,
  ...OUTPUT_SCHEMAS,
  ...CODEC_SCHEMAS,
  ...CATALOG.map((c) => c.schema),
];

let table: Map<string, RegisteredPlugin> | undefined;

function key(kind: PluginKind, name: string): string {
  return `${kind}/${name}`;
}

function build(): Map<string, RegisteredPlugin> {
  const map = new Map<string, RegisteredPlugin>();
  for (const schema of SCHEMAS) {
    if (map.has(key(schema.kind, schema.name))) throw new Error(`${schema.kind} '${schema.name}' is declared twice (catalog and src/plugins/schemas)`);
    map.set(key(schema.kind, schema.name), {
      kind: schema.kind,
      name: schema.name,
      schema,
      options: { ...commonOptions(schema.kind, schema.defaultCodec), ...schema.options },
    });
  }
  for (const { implementation } of CATALOG) map.get(key(implementation.kind, implementation.name))!.implementation = implementation;
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
