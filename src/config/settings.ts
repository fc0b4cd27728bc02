// Logstash's settings files in `--path.settings DIR`:
// - logstash.yml: nested or dotted keys (flattened like Settings#flatten_hash), `${VAR}` replaced in
//   values; the pipeline.* / config.* / path.* settings flowstash applies are read and checked, the
//   Logstash settings it has no use for are reported as ignored, and a key Logstash does not know is
//   reported with Logstash's own "doesn't exist" text. Missing file: Logstash's warning, defaults.
// - pipelines.yml: a list of pipelines (config/source/multi_local.rb): each entry only pipeline
//   settings ("Only pipeline related settings are expected"), pipeline.id default `main`, no
//   duplicate ids, and Logstash's messages for a file that is missing, empty or not a list.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { substituteAll, type Environment } from './env.ts';

/** A settings file Logstash would refuse (the message is Logstash's where it has one). */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export type EcsMode = 'disabled' | 'v1' | 'v8';

/** The settings flowstash applies, as read from a file (absent = not set there). */
export interface AppliedSettings {
  'pipeline.id'?: string;
  'pipeline.workers'?: number;
  'pipeline.batch.size'?: number;
  'pipeline.batch.delay'?: number;
  'pipeline.ecs_compatibility'?: EcsMode;
  'path.config'?: string;
  'config.string'?: string;
  'config.test_and_exit'?: boolean;
  'config.reload.automatic'?: boolean;
  'config.reload.interval'?: string;
  'config.support_escapes'?: boolean;
  'log.level'?: string;
  'path.data'?: string;
  'path.dead_letter_queue'?: string;
  'dead_letter_queue.enable'?: boolean;
  /** Bytes (ByteValue: `1024mb`, or a number). */
  'dead_letter_queue.max_bytes'?: number;
  'dead_letter_queue.storage_policy'?: 'drop_newer' | 'drop_older';
  /** Milliseconds. */
  'dead_letter_queue.flush_interval'?: number;
  /** Milliseconds (`<number>[d,h,m,s]`). */
  'dead_letter_queue.retain.age'?: number;
}

type Kind = 'string' | 'positive' | 'nonnegative' | 'boolean' | 'ecs' | 'duration' | 'loglevel' | 'bytes' | 'storage_policy' | 'age';

const APPLIED: Record<keyof AppliedSettings, Kind> = {
  'pipeline.id': 'string',
  'pipeline.workers': 'positive',
  'pipeline.batch.size': 'positive',
  'pipeline.batch.delay': 'nonnegative',
  'pipeline.ecs_compatibility': 'ecs',
  'path.config': 'string',
  'config.string': 'string',
  'config.test_and_exit': 'boolean',
  'config.reload.automatic': 'boolean',
  'config.reload.interval': 'duration',
  'config.support_escapes': 'boolean',
  'log.level': 'loglevel',
  'path.data': 'string',
  'path.dead_letter_queue': 'string',
  'dead_letter_queue.enable': 'boolean',
  'dead_letter_queue.max_bytes': 'bytes',
  'dead_letter_queue.storage_policy': 'storage_policy',
  'dead_letter_queue.flush_interval': 'nonnegative',
  'dead_letter_queue.retain.age': 'age',
};

/** Logstash 8 settings that exist but mean nothing to flowstash (accepted, reported as ignored). */
const KNOWN_IGNORED = [
  'node.name', 'path.logs', 'path.plugins', 'path.queue', 'path.settings',
  'pipeline.ordered', 'pipeline.unsafe_shutdown', 'pipeline.plugin_classloaders', 'pipeline.separate_logs', 'pipeline.system',
  'pipeline.reloadable', 'pipeline.buffer.type', 'pipeline.batch.metrics.sampling_mode',
  'config.debug', 'config.field_reference.escape_style', 'log.format', 'log.format.json.fix_duplicate_message_fields',
  'modules', 'cloud.id', 'cloud.auth', 'allow_superuser', 'event_api.tags.illegal', 'metric.collect', 'keystore.classname', 'keystore.file',
  'queue.type', 'queue.page_capacity', 'queue.max_events', 'queue.max_bytes', 'queue.checkpoint.acks', 'queue.checkpoint.writes',
  'queue.checkpoint.interval', 'queue.checkpoint.retry', 'queue.drain', 'queue.compression',
  'api.enabled', 'api.environment', 'api.http.host', 'api.http.port', 'api.ssl.enabled',
  'api.ssl.keystore.path', 'api.ssl.keystore.password', 'api.ssl.supported_protocols', 'api.auth.type', 'api.auth.basic.username',
  'api.auth.basic.password', 'api.auth.basic.password_policy.mode', 'http.enabled', 'http.host', 'http.port', 'http.environment',
  'version', 'help', 'interactive', 'config.reload.automatic.paused',
];
const KNOWN_IGNORED_PREFIXES = ['xpack.', 'monitoring.', 'api.auth.basic.password_policy.', 'api.ssl.', 'modules.'];

/** config/source/multi_local → Settings#merge_pipeline_settings: what a pipelines.yml entry may set (PIPELINE_SETTINGS_WHITE_LIST). */
export const PIPELINE_SETTINGS = [
  'config.debug', 'config.support_escapes', 'config.reload.automatic', 'config.reload.interval', 'config.string',
  'dead_letter_queue.enable', 'dead_letter_queue.flush_interval', 'dead_letter_queue.max_bytes', 'dead_letter_queue.storage_policy',
  'dead_letter_queue.retain.age', 'metric.collect', 'pipeline.plugin_classloaders', 'path.config', 'path.dead_letter_queue',
  'path.queue', 'pipeline.batch.delay', 'pipeline.batch.size', 'pipeline.id', 'pipeline.reloadable', 'pipeline.system',
  'pipeline.workers', 'pipeline.ordered', 'pipeline.ecs_compatibility', 'queue.checkpoint.acks', 'queue.checkpoint.interval',
  'queue.checkpoint.writes', 'queue.checkpoint.retry', 'queue.drain', 'queue.max_bytes', 'queue.max_events', 'queue.page_capacity',
  'queue.type',
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export interface LogstashYml {
  file: string;
  found: boolean;
  settings: AppliedSettings;
  warnings: string[];
}

export interface PipelineEntry {
  id: string;
  settings: AppliedSettings;
}

export interface PipelinesYml {
  file: string;
  pipelines: PipelineEntry[];
  warnings: string[];
}

export const LOGSTASH_YML_MISSING =
  'Could not find logstash.yml which is typically located in $LS_HOME/config or /etc/logstash. You can specify the path using --path.settings. Continuing using the defaults';

export function readLogstashYml(dir: string, env: Environment = process.env): LogstashYml {
  const file = path.join(dir, 'logstash.yml');
  if (!existsSync(file)) return { file, found: false, settings: {}, warnings: [LOGSTASH_YML_MISSING] };
  const root = parseYamlFile(file, `Failed to read ${file}`);
  if (root === null || root === undefined) return { file, found: true, settings: {}, warnings: [] };
  if (!isPlainMap(root)) throw new SettingsError(`${file}: expected a mapping of settings, found ${rubyClass(root)}`);
  const warnings: string[] = [];
  const settings: AppliedSettings = {};
  for (const [key, raw] of Object.entries(flatten(root))) {
    const value = substitute(raw, env);
    if (key in APPLIED) {
      assign(settings, key as keyof AppliedSettings, value, file);
    } else if (KNOWN_IGNORED.includes(key) || KNOWN_IGNORED_PREFIXES.some((p) => key.startsWith(p))) {
      warnings.push(`${file}: '${key}' is a Logstash setting flowstash does not use; ignored`);
    } else {
      warnings.push(`${file}: Setting "${key}" doesn't exist. Please check if you haven't made a typo. (Logstash stops on this; flowstash ignores it)`);
    }
  }
  return { file, found: true, settings, warnings };
}

export function pipelinesYmlPath(dir: string): string {
  return path.join(dir, 'pipelines.yml');
}

export function readPipelinesYml(dir: string, env: Environment = process.env): PipelinesYml {
  const file = pipelinesYmlPath(dir);
  if (!existsSync(file)) throw new SettingsError(`Failed to read pipelines yaml file. Location: ${file}`);
  const root = parseYamlFile(file, `Failed to read pipelines yaml file. Location: ${file}`);
  if (root === null || root === undefined || root === false) throw new SettingsError(`Pipelines YAML file is empty. Location: ${file}`);
  if (!Array.isArray(root)) throw new SettingsError(`Pipelines YAML file must contain an array of pipeline configs. Found "${rubyClass(root)}" in ${file}`);
  const warnings: string[] = [];
  const pipelines: PipelineEntry[] = root.map((entry, i) => {
    if (!isPlainMap(entry)) throw new SettingsError(`${file}: pipeline #${i + 1} must be a mapping of settings, found ${rubyClass(entry)}`);
    const settings: AppliedSettings = {};
    for (const [key, raw] of Object.entries(entry)) {
      if (!PIPELINE_SETTINGS.includes(key)) {
        throw new SettingsError(`Only pipeline related settings are expected. Received "${key}". Allowed settings: [${PIPELINE_SETTINGS.map((s) => `"${s}"`).join(', ')}]`);
      }
      const value = substitute(raw, env);
      if (key in APPLIED) assign(settings, key as keyof AppliedSettings, value, file);
      else warnings.push(`${file}: pipeline #${i + 1}: '${key}' is a Logstash setting flowstash does not use; ignored`);
    }
    const id = settings['pipeline.id'] ?? 'main';
    if (settings['path.config'] !== undefined && settings['config.string'] !== undefined) {
      throw new SettingsError(`${file}: pipeline "${id}": Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.`);
    }
    if (settings['path.config'] === undefined && settings['config.string'] === undefined) {
      throw new SettingsError(`${file}: pipeline "${id}" sets neither path.config nor config.string`);
    }
    return { id, settings };
  });
  const seen = new Map<string, number>();
  for (const p of pipelines) seen.set(p.id, (seen.get(p.id) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  if (duplicates.length > 0) {
    throw new SettingsError(`Pipelines YAML file contains duplicate pipeline ids: [${duplicates.map((d) => JSON.stringify(d)).join(', ')}]. Location: ${file}`);
  }
  return { file, pipelines, warnings };
}

function parseYamlFile(file: string, failure: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SettingsError(`${failure}, Exception: ${(e as Error).message}`);
  }
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new SettingsError(`${failure} (${file}${line !== undefined ? `:${line}` : ''}: ${err.message.split('\n')[0]})`);
  }
  return doc.toJS();
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function rubyClass(v: unknown): string {
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (typeof v === 'boolean') return v ? 'TrueClass' : 'FalseClass';
  if (v === null || v === undefined) return 'NilClass';
  return 'Hash';
}

/** Settings#flatten_hash: `{pipeline: {workers: 2}}` → `pipeline.workers`. */
function flatten(map: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(map)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainMap(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

function substitute(value: unknown, env: Environment): unknown {
  if (typeof value === 'string') return substituteAll(value, env);
  if (Array.isArray(value)) return value.map((v) => substitute(v, env));
  return value;
}

function assign(settings: AppliedSettings, key: keyof AppliedSettings, value: unknown, file: string): void {
  const bad = (expected: string): never => {
    throw new SettingsError(`${file}: invalid value for setting "${key}": ${JSON.stringify(value)} (${expected})`);
  };
  const asInt = (): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined);
  const target = settings as Record<string, unknown>;
  switch (APPLIED[key]) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number') bad('expected a string');
      target[key] = String(value);
      break;
    case 'positive': {
      const n = asInt();
      if (n === undefined || n < 1) bad('expected a positive integer');
      target[key] = n;
      break;
    }
    case 'nonnegative': {
      const n = asInt();
      if (n === undefined) bad('expected a number of milliseconds');
      target[key] = n;
      break;
    }
    case 'boolean':
      if (typeof value === 'boolean') target[key] = value;
      else if (value === 'true' || value === 'false') target[key] = value === 'true';
      else bad('expected true or false');
      break;
    case 'ecs':
      if (value !== 'disabled' && value !== 'v1' && value !== 'v8') bad('expected one of disabled, v1, v8');
      target[key] = value;
      break;
    case 'duration':
      if (typeof value === 'number') target[key] = `${value}s`;
      else if (typeof value === 'string') target[key] = value;
      else bad('expected a duration like 3s');
      break;
    case 'loglevel':
      if (typeof value !== 'string' || !LOG_LEVELS.includes(value)) bad(`expected one of ${LOG_LEVELS.join(', ')}`);
      target[key] = value;
      break;
    case 'bytes': {
      const n = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : typeof value === 'string' ? parseByteValue(value) : undefined;
      if (n === undefined) bad('expected a size like 1024mb');
      target[key] = n;
      break;
    }
    case 'storage_policy':
      if (value !== 'drop_newer' && value !== 'drop_older') bad('expected one of drop_newer, drop_older');
      target[key] = value;
      break;
    case 'age': {
      const ms = typeof value === 'string' ? parseRetainAge(value) : undefined;
      if (ms === undefined) bad(`Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [${String(value)}]`);
      target[key] = ms;
      break;
    }
  }
}

/** LogStash::Util::ByteValue.parse: a number and a unit (k/kb … p/pb, b); undefined when Logstash raises. */
export function parseByteValue(text: string): number | undefined {
  const units: [RegExp, number][] = [
    [/(?:k|kb)$/, 2 ** 10],
    [/(?:m|mb)$/, 2 ** 20],
    [/(?:g|gb)$/, 2 ** 30],
    [/(?:t|tb)$/, 2 ** 40],
    [/(?:p|pb)$/, 2 ** 50],
    [/(?:b)$/, 1],
  ];
  const unit = units.find(([re]) => re.test(text));
  if (!unit) return undefined;
  // Ruby's String#to_f: the leading number, 0 when there is none.
  const number = Number(/^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i.exec(text)?.[0] ?? 0);
  return Math.trunc(number * unit[1]);
}

/** AbstractPipelineExt#parseToDuration for dead_letter_queue.retain.age: `<number>[d,h,m,s]`, in ms. */
export function parseRetainAge(text: string): number | undefined {
  const m = /^(\d+)\s*([dhms])$/.exec(text);
  if (!m) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'd' | 'h' | 'm' | 's'];
  return Number(m[1]) * unit;
}

/** The dead letter queue of one pipeline as Logstash resolves it: pipelines.yml entry over logstash.yml over defaults. */
export interface DeadLetterQueueSetting {
  path: string;
  maxBytes: number;
  storagePolicy: 'drop_newer' | 'drop_older';
  flushIntervalMs: number;
  retainAgeMs?: number;
}

/** `path.data` (Logstash: LOGSTASH_HOME/data; flowstash: `data` under the directory it runs in), absolute. */
export function dataPathSetting(global: AppliedSettings, cwd = process.cwd()): string {
  return path.resolve(cwd, global['path.data'] ?? 'data');
}

/**
 * Undefined unless `dead_letter_queue.enable` is true. `path.dead_letter_queue` defaults to
 * `<path.data>/dead_letter_queue`; `path.data` (Logstash: LOGSTASH_HOME/data) to `data` under the
 * directory flowstash runs in.
 */
export function deadLetterQueueSetting(pipeline: AppliedSettings, global: AppliedSettings, cwd = process.cwd()): DeadLetterQueueSetting | undefined {
  const get = <K extends keyof AppliedSettings>(k: K): AppliedSettings[K] => pipeline[k] ?? global[k];
  if (get('dead_letter_queue.enable') !== true) return undefined;
  const dataPath = dataPathSetting(global, cwd);
  const retain = get('dead_letter_queue.retain.age');
  return {
    path: path.resolve(cwd, get('path.dead_letter_queue') ?? path.join(dataPath, 'dead_letter_queue')),
    maxBytes: get('dead_letter_queue.max_bytes') ?? 1024 * 2 ** 20,
    storagePolicy: get('dead_letter_queue.storage_policy') ?? 'drop_newer',
    flushIntervalMs: get('dead_letter_queue.flush_interval') ?? 5000,
    ...(retain !== undefined ? { retainAgeMs: retain } : {}),
  };
}
