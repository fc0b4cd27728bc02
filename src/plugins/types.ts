// What a plugin is: a declarative schema (the source of -t validation, --help text and error
// messages) plus, for plugins flowstash emulates, a factory for the running instance.
import type { Event } from '../event/event.ts';
import type { PluginKind } from '../config/ast.ts';

/** Logstash's `:validate` kinds. */
export type OptionType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'array'
  | 'hash'
  | 'codec'
  | 'path'
  | 'password'
  | 'uri'
  | 'bytes'
  | 'field_reference'
  | 'ipaddr'
  | 'any';

export interface OptionSpec {
  type: OptionType;
  /** Logstash `:list => true`: the value may be given as one item or an array of them. */
  list?: boolean;
  /** Allowed values (Logstash `:validate => ["a", "b"]`). */
  enum?: readonly string[];
  default?: unknown;
  required?: boolean;
  /** Deprecated: accepted with a warning carrying this text. */
  deprecated?: string;
  /** Obsolete: an error carrying this text. */
  obsolete?: string;
  description?: string;
}

export interface PluginSchema {
  name: string;
  kind: PluginKind;
  /** Plugin-specific options; the common options of its kind are added by the registry. */
  options: Record<string, OptionSpec>;
  /** One line shown by --help / docs. */
  description: string;
  /** Default codec for inputs/outputs (stdin: line, stdout: rubydebug, others: plain). */
  defaultCodec?: string;
}

/** Options after validation: defaults filled in, types coerced. */
export type ResolvedOptions = Record<string, unknown>;

/** Where a datagram or line came from, handed to codecs (the netflow codec scopes templates by it). */
export interface SourceInfo {
  host?: string;
  port?: number;
}

export interface Codec {
  /** Prepares what the codec needs (compiled patterns …) before the first event. */
  register?(): Promise<void> | void;
  /** Decode one unit of input (a datagram, a chunk of a stream); events are handed to `emit` in order. */
  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void;
  /** Emit whatever is buffered (a line codec's unterminated tail). */
  flush?(source: SourceInfo, emit: (event: Event) => void): void;
  /** Render one event for output. */
  encode(event: Event): string | Buffer;
  /** Render a whole batch at once (same bytes as encode() of each event, concatenated); outputs use it when present. */
  encodeBatch?(events: readonly Event[]): string | Buffer;
  /** Counters for the exit summary (decode failures, lost records, ...). */
  stats?(): Record<string, number>;
  close?(): Promise<void> | void;
}

/** Logstash's `pipeline.ecs_compatibility` values (per plugin: the `ecs_compatibility` option). */
export type EcsCompatibility = 'disabled' | 'v1' | 'v8';

export interface PluginContext {
  /** Logger with Logstash's shape ([LEVEL][flowstash.<plugin>]). */
  log: Logger;
  /** Resolves a codec option value (a name or a codec plugin node) to a running codec. */
  createCodec(spec: unknown): Codec;
  /** The plugin's `ecs_compatibility` option, else the pipeline's setting (Logstash 8 default: v8). */
  ecsCompatibility: EcsCompatibility;
  /** The plugin's id (explicit or generated) and where it is declared (`file:line:col`), for messages. */
  id: string;
  where: string;
  /** The pipeline's id (`main` unless pipelines.yml names it). */
  pipelineId: string;
  /** `--dry-run`: network outputs print what they would send instead of sending it. */
  dryRun: boolean;
  /** `path.data`, absolute: where plugins keep state (sincedb files) unless told otherwise. */
  dataPath?: string;
  /** The pipeline's worker count (`-w`), when the plugin runs in a pipeline (aggregate warns above 1). */
  pipelineWorkers?: number;
  /**
   * The pipeline's dead letter queue (Logstash's execution_context.dlq_writer), present only when
   * `dead_letter_queue.enable` is true for the pipeline (and not in a dry run).
   */
  deadLetterQueue?: PluginDeadLetterQueue;
}

/** A plugin's writer into its pipeline's dead letter queue: entries carry the plugin's type and id. */
export interface PluginDeadLetterQueue {
  /** Writes the event with why it was refused; the queue's storage policy may drop it (counted there). */
  write(event: Event, reason: string): void;
  /** Entries this plugin got into the queue. */
  readonly written: number;
}

export interface Logger {
  trace(msg: string, data?: Record<string, unknown>): void;
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  isEnabled(level: 'trace' | 'debug' | 'info' | 'warn' | 'error'): boolean;
}

/** What the runtime hands an input when it starts it. */
export interface InputContext extends PluginContext {
  /** The input's codec (its `codec` option, or the input's default). */
  codec: Codec;
  /** Applies the common input options (type if unset, tags, add_field) — call before setting host. */
  decorate(event: Event): void;
  /** Hands events to the pipeline queue; returns a promise while the queue is full (back-pressure). */
  push(events: Event[]): Promise<void> | void;
  /** Aborted on shutdown or reload: the input must stop reading and resolve run(). */
  signal: AbortSignal;
}

export interface Input {
  register?(): Promise<void> | void;
  /** Reads until finished (EOF, count reached, capture read) or until ctx.signal aborts. */
  run(ctx: InputContext): Promise<void>;
  stats?(): Record<string, number>;
}

export interface Filter {
  /** Loads what the filter needs (a database, a dictionary) before the first event; a rejection stops the start. */
  register?(): Promise<void> | void;
  /**
   * Returns the events that continue: [] drops it, more than one adds events (clone, split). A
   * filter that waits on I/O (dns, http, a batched interpreter call) returns a promise: the worker
   * hands it the other events of the batch meanwhile and keeps their order on output. Returning
   * the given event itself means `[event]` without the array (most filters, on every event).
   */
  filter(event: Event): Event | Event[] | Promise<Event[]>;
  /**
   * Events held back (aggregate-style): called every 5 s while running (final = false) when
   * `periodicFlush` is true, and once at shutdown (final = true).
   */
  flush?(final: boolean): Event[];
  periodicFlush?: boolean;
  stats?(): Record<string, number>;
  close?(): Promise<void> | void;
}

export interface Output {
  /** Connects/opens what the output needs before the first event; a rejection stops the start. */
  register?(): Promise<void> | void;
  write(events: Event[]): Promise<void> | void;
  /** Flush and release; resolves once everything written has reached its sink. */
  close(): Promise<void> | void;
}

export type PluginInstance = Input | Filter | Output | Codec;

/** What a plugin's implementation module exports (loaded lazily, only when a pipeline runs the plugin). */
export interface PluginModule {
  create(options: ResolvedOptions, ctx: PluginContext): PluginInstance;
  /**
   * Checks `-t` runs beyond the schema (a dictionary that does not parse, a script's test blocks):
   * each returned string is one problem, phrased with the file and line it concerns.
   */
  check?(options: ResolvedOptions, ctx: CheckContext): Promise<CheckResult> | CheckResult;
}

export interface CheckContext {
  log: Logger;
  ecsCompatibility: EcsCompatibility;
  id: string;
  where: string;
}

export interface CheckResult {
  errors: string[];
  /** Lines `-t` prints even when the check passes (a script's test results). */
  notes?: string[];
}

/** A plugin flowstash runs: its schema plus how to load the implementation. */
export interface PluginImplementation {
  kind: PluginKind;
  name: string;
  load(): Promise<PluginModule>;
  /** True when the module exports `check`: `-t` then loads it for the plugins a config uses. */
  checks?: boolean;
}
