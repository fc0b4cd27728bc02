// How a plugin declares itself: its schema (options typed through the dsl shorthands) and, in the
// catalog, the lazy loader of its implementation. The common options of each kind are declared once
// here (Logstash's base classes: inputs/base.rb, filters/base.rb, outputs/base.rb).
import type { PluginKind } from '../config/ast.ts';
import type { OptionSpec, PluginInstance, PluginContext, PluginModule, PluginSchema, CheckContext, CheckResult, PluginImplementation } from './types.ts';
import { arr, bool, codec, deprecated, hash, obsolete, str, type OptionsOf } from './schemas/dsl.ts';

const OBSOLETE_INPUT = 'This setting is no longer supported by inputs.';
const OBSOLETE_OUTPUT = 'You can achieve this same behavior with the new conditionals, like: `if [type] == "sometype" { output_name {} }`.';

const BASE_OPTIONS = {
  id: str(),
  enable_metric: bool(true),
  ecs_compatibility: str(),
};

export const COMMON_INPUT_OPTIONS = {
  ...BASE_OPTIONS,
  type: str(),
  tags: arr(),
  add_field: hash({}),
  codec: codec('plain'),
  debug: obsolete(OBSOLETE_INPUT),
  format: obsolete('You should use the newer `codec` setting instead.'),
  charset: obsolete('Use the codec setting instead. For example: input { %PLUGIN% { codec => plain { charset => "UTF-8" } } }'),
  message_format: obsolete('You can achieve the same behavior with the `line` codec.'),
};

export const COMMON_FILTER_OPTIONS = {
  ...BASE_OPTIONS,
  add_field: hash({}),
  add_tag: arr([]),
  remove_field: arr([]),
  remove_tag: arr([]),
  periodic_flush: bool(false),
};

export const COMMON_OUTPUT_OPTIONS = {
  ...BASE_OPTIONS,
  codec: codec('plain'),
  workers: deprecated({ type: 'number', default: 1 } as ReturnType<typeof str>, 'The `workers` setting is ignored; outputs now use pipeline.workers.'),
  type: obsolete(OBSOLETE_OUTPUT),
  tags: obsolete(OBSOLETE_OUTPUT),
  exclude_tags: obsolete(OBSOLETE_OUTPUT),
};

export const COMMON_CODEC_OPTIONS = BASE_OPTIONS;

interface CommonByKind {
  input: typeof COMMON_INPUT_OPTIONS;
  filter: typeof COMMON_FILTER_OPTIONS;
  output: typeof COMMON_OUTPUT_OPTIONS;
  codec: typeof COMMON_CODEC_OPTIONS;
}

/** Options every plugin of a kind accepts; inputs and outputs get their own default codec. */
export function commonOptions(kind: PluginKind, defaultCodec = 'plain'): Record<string, OptionSpec> {
  switch (kind) {
    case 'input':
      return { ...COMMON_INPUT_OPTIONS, codec: codec(defaultCodec) };
    case 'filter':
      return COMMON_FILTER_OPTIONS;
    case 'output':
      return { ...COMMON_OUTPUT_OPTIONS, codec: codec(defaultCodec) };
    case 'codec':
      return COMMON_CODEC_OPTIONS;
  }
}

/** A schema that remembers its kind and option table, so its implementation's options are typed. */
export interface TypedSchema<K extends PluginKind, S extends Record<string, OptionSpec>> extends PluginSchema {
  kind: K;
  options: S;
}

/** The options object a plugin's `create` receives: its own options and its kind's common ones, defaults filled. */
export type OptionsFor<T> = T extends TypedSchema<infer K, infer S> ? OptionsOf<Omit<CommonByKind[K], keyof S> & S> : never;

export const defineInput = <S extends Record<string, OptionSpec>>(name: string, description: string, options: S, defaultCodec = 'plain'): TypedSchema<'input', S> => ({
  kind: 'input', name, description, options, defaultCodec,
});
export const defineFilter = <S extends Record<string, OptionSpec>>(name: string, description: string, options: S): TypedSchema<'filter', S> => ({
  kind: 'filter', name, description, options,
});
export const defineOutput = <S extends Record<string, OptionSpec>>(name: string, description: string, options: S, defaultCodec = 'plain'): TypedSchema<'output', S> => ({
  kind: 'output', name, description, options, defaultCodec,
});
export const defineCodec = <S extends Record<string, OptionSpec>>(name: string, description: string, options: S): TypedSchema<'codec', S> => ({
  kind: 'codec', name, description, options,
});

/** What an implementation module exports, typed by its schema. */
export interface TypedPluginModule<T extends PluginSchema> {
  create(options: OptionsFor<T>, ctx: PluginContext): PluginInstance;
  check?(options: OptionsFor<T>, ctx: CheckContext): Promise<CheckResult> | CheckResult;
}

/** One catalog line: the schema (loaded eagerly, cheap) and the implementation (loaded on first use). */
export interface CatalogEntry {
  schema: PluginSchema;
  implementation: PluginImplementation;
}

/** `checks`: the module exports check(), which `-t` runs (it then loads the module). */
export function plugin<T extends PluginSchema>(schema: T, load: () => Promise<TypedPluginModule<T>>, extra: { checks?: boolean } = {}): CatalogEntry {
  let loaded: Promise<PluginModule> | undefined;
  return {
    schema,
    implementation: {
      kind: schema.kind,
      name: schema.name,
      load: () => (loaded ??= load() as unknown as Promise<PluginModule>),
      ...(extra.checks ? { checks: true } : {}),
    },
  };
}
