// Plugin option validation against the registry's schemas, in Logstash's words (config/mixin.rb):
// unknown settings, missing required settings, wrong types, enums, obsolete and deprecated
// settings — plus a "did you mean" for near misses, which Logstash does not give.
import type { PluginKind, PluginNode } from './ast.ts';
import type { OptionSpec } from '../plugins/types.ts';
import { findPlugin, pluginsOfKind } from '../plugins/registry.ts';
import { rubyInspect } from './literals.ts';
import { suggest } from './suggest.ts';
import { clipName } from './errors.ts';

/** A configuration value after evaluation: what Logstash's compiler hands the plugin. */
export type ConfigValue = string | number | bigint | ConfigValue[] | ConfigHash | CodecRef;
export interface ConfigHash {
  [key: string]: ConfigValue;
}
/** A codec written as a plugin (`codec => json { … }`), validated separately. */
export interface CodecRef {
  codecNode: PluginNode;
}

export function isCodecRef(v: unknown): v is CodecRef {
  return typeof v === 'object' && v !== null && 'codecNode' in v;
}

function isHash(v: unknown): v is ConfigHash {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isCodecRef(v);
}

export interface Problem {
  /** The message, Logstash's wording first. */
  message: string;
  node: PluginNode;
  attribute?: string;
}

export interface OptionCheck {
  /** Validated values, defaults filled; codec values stay as names/CodecRefs for the caller. */
  options: Record<string, unknown>;
  problems: Problem[];
  /** Deprecated settings in use (same shape as problems, so they can point at the attribute). */
  warnings: Problem[];
}

const DISCUSS = 'If you have any questions about this, you are invited to visit https://discuss.elastic.co/c/logstash and ask.';

export function unknownPluginMessage(kind: PluginKind, name: string): string {
  let msg =
    `Couldn't find any ${kind} plugin named '${clipName(name)}'. Are you sure this is correct? ` +
    `Trying to load the ${clipName(name)} ${kind} plugin resulted in this error: ` +
    `Unable to load the requested plugin named ${clipName(name)} of type ${kind}. The plugin is not installed.`;
  const near = suggest(name, pluginsOfKind(kind).map((p) => p.name));
  if (near) msg += ` Did you mean '${near}'?`;
  return msg;
}

/** The block Logstash prints for a missing or invalid setting. */
function settingBlock(kind: PluginKind, plugin: string, lines: string[]): string {
  return [`  ${kind} {`, `    ${plugin} {`, ...lines.map((l) => `      ${l}`), '      ...', '    }', '  }'].join('\n');
}

function typeLabel(spec: OptionSpec): string {
  if (spec.enum) return rubyInspect([...spec.enum]);
  return spec.type;
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

/** Logstash's `hash_or_array`: hashes stay, everything else becomes an array. */
function asList(value: ConfigValue): ConfigValue[] | ConfigHash {
  if (Array.isArray(value)) return value;
  if (isHash(value)) return value;
  return [value];
}

const BYTE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4,
};

/** Coerces one value to a `:validate` type the way config/mixin.rb's validate_value does. */
export function coerce(value: ConfigValue, spec: OptionSpec): Coerced {
  // mixin.rb's process_parameter_value: a `:list` option validates each item (an enum list takes several values).
  if (spec.list && spec.type !== 'array') {
    const items = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    for (const item of items) {
      const r = coerce(item, { ...spec, list: false });
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (spec.enum) {
    const list = Array.isArray(value) ? value : [value];
    const shown = rubyInspect([...spec.enum]);
    if (list.length !== 1 || !spec.enum.includes(scalarText(list[0]!))) {
      return { ok: false, message: `Expected one of ${shown}, got ${rubyInspect(list.map(plain))}` };
    }
    return { ok: true, value: scalarText(list[0]!) };
  }
  const v = asList(value);
  switch (spec.type) {
    case 'any':
      return { ok: true, value: plain(value) };
    case 'codec':
      return { ok: true, value: Array.isArray(v) ? v[0] : v };
    case 'hash': {
      if (isHash(v)) return { ok: true, value: plain(v) };
      if (v.length % 2 === 1) return { ok: false, message: `This field must contain an even number of items, got ${v.length}` };
      const out: Record<string, unknown> = {};
      for (let i = 0; i < v.length; i += 2) out[scalarText(v[i]!)] = plain(v[i + 1]!);
      return { ok: true, value: out };
    }
    case 'array':
      return { ok: true, value: isHash(v) ? [plain(v)] : v.map(plain) };
    case 'string':
    case 'field_reference':
      if (isHash(v) || v.length > 1) return { ok: false, message: `Expected string, got ${rubyInspect(plain(value))}` };
      if (isHash(v[0]) || Array.isArray(v[0])) return { ok: false, message: `Expected string, got ${rubyInspect(plain(value))}` };
      return { ok: true, value: scalarText(v[0]!) };
    case 'number': {
      if (isHash(v) || v.length > 1) return { ok: false, message: `Expected number, got ${rubyInspect(plain(value))} (type ${rubyClass(value)})` };
      const n = v[0]!;
      if (typeof n === 'number' || typeof n === 'bigint') return { ok: true, value: n };
      if (typeof n !== 'string') return { ok: false, message: `Expected number, got ${rubyInspect(plain(n))} (type ${rubyClass(n)})` };
      const asInt = rubyToI(n);
      const asFloat = rubyToF(n);
      if (formatRubyFloat(asFloat) !== n && String(asInt) !== n) {
        return { ok: false, message: `Expected number, got ${rubyInspect(n)} (type String)` };
      }
      return { ok: true, value: n.includes('.') ? asFloat : asInt };
    }
    case 'boolean': {
      if (isHash(v) || v.length > 1) return { ok: false, message: `Expected boolean, got ${rubyInspect(plain(value))}` };
      const b = v[0]!;
      if (typeof b === 'string' && /^(true|false)$/m.test(b)) return { ok: true, value: b === 'true' };
      return { ok: false, message: `Expected boolean 'true' or 'false', got ${rubyInspect(plain(b))}` };
    }
    case 'password':
    case 'uri':
    case 'path':
      if (isHash(v) || v.length > 1) {
        return { ok: false, message: spec.type === 'path' ? `Expected path (one value), got ${isHash(v) ? 1 : v.length}` : `Expected ${spec.type} (one value), got ${isHash(v) ? 1 : v.length} values?` };
      }
      return { ok: true, value: scalarText(v[0]!) };
    case 'bytes': {
      const first = isHash(v) ? undefined : v[0];
      if (typeof first === 'number') return { ok: true, value: first };
      const m = typeof first === 'string' ? /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(first) : null;
      const unit = m ? (m[2] ?? '').toLowerCase() || 'b' : '';
      if (!m || BYTE_UNITS[unit] === undefined) {
        return { ok: false, message: `Unparseable filesize: ${first === undefined ? '' : scalarText(first)}. possible units (KiB, MiB, ...) e.g. '10 KiB'. doc reference: http://www.elastic.co/guide/en/logstash/current/configuration.html#bytes` };
      }
      return { ok: true, value: Math.trunc(Number(m[1]) * BYTE_UNITS[unit]!) };
    }
    case 'ipaddr': {
      const first = isHash(v) ? undefined : v[0];
      const text = first === undefined ? '' : scalarText(first);
      if (!isIp(text)) return { ok: false, message: `Invalid IP address, got ${rubyInspect(text)}` };
      return { ok: true, value: text };
    }
  }
}

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}

function rubyClass(v: ConfigValue): string {
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (typeof v === 'bigint') return 'Integer';
  if (Array.isArray(v)) return 'Array';
  return 'Hash';
}

/** Ruby String#to_i: leading integer, else 0. */
function rubyToI(s: string): number | bigint {
  const m = /^\s*([-+]?[0-9]+(?:_[0-9]+)*)/.exec(s);
  if (!m) return 0;
  const b = BigInt(m[1]!.replace(/_/g, ''));
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

/** Ruby String#to_f. */
function rubyToF(s: string): number {
  const m = /^\s*([-+]?(?:[0-9]+(?:_[0-9]+)*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(s);
  return m ? Number(m[1]!.replace(/_/g, '')) : 0;
}

/** Ruby Float#to_s. */
function formatRubyFloat(f: number): string {
  if (Number.isInteger(f) && Math.abs(f) < 1e16) return f.toFixed(1);
  const s = String(f);
  if (s.includes('e')) {
    const [mant, exp] = s.split('e');
    return `${mant!.includes('.') ? mant : mant + '.0'}e${exp!.startsWith('-') ? exp : '+' + exp!.replace('+', '')}`;
  }
  return s;
}

function scalarText(v: ConfigValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return rubyInspect(plain(v));
}

/** The plain JS form of a config value (codec refs become their name). */
export function plain(v: ConfigValue): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isCodecRef(v)) return v.codecNode.name;
  if (isHash(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = plain(val);
    return out;
  }
  return v;
}

function ecsProblem(value: ConfigValue): string | undefined {
  const list = Array.isArray(value) ? value : [value];
  const text = list.length === 1 ? scalarText(list[0]!) : undefined;
  if (text !== undefined && (text === 'disabled' || /^v[0-9]+$/.test(text))) return undefined;
  return `Expected a v-prefixed integer major-version number (e.g., \`v1\`) or the literal \`disabled\`, got ${rubyInspect(list.map(plain))}`;
}

function cloneDefault(v: unknown): unknown {
  return v === undefined ? undefined : structuredClone(v);
}

/**
 * Checks a plugin's (merged) attributes against its schema. `attributes` maps option names to
 * evaluated values in source order; `unevaluated` names attributes whose value already failed
 * (an undefined ${VAR}, a bad number) so they are not reported missing as well.
 */
export function checkOptions(node: PluginNode, attributes: Map<string, ConfigValue>, unevaluated: ReadonlySet<string> = new Set()): OptionCheck {
  const kind = node.kind;
  const name = node.name;
  const registered = findPlugin(kind, name);
  if (!registered) return { options: {}, problems: [{ message: unknownPluginMessage(kind, name), node }], warnings: [] };
  const specs = registered.options;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const options: Record<string, unknown> = {};

  for (const [key, value] of attributes) {
    const spec = specs[key];
    if (spec?.obsolete) {
      problems.push({
        message: `The setting \`${key}\` in plugin \`${name}\` is obsolete and is no longer available. ${spec.obsolete.replace('%PLUGIN%', name)} ${DISCUSS}`,
        node,
        attribute: key,
      });
      continue;
    }
    if (!spec) {
      const near = suggest(key, Object.keys(specs).filter((k) => !specs[k]!.obsolete));
      problems.push({ message: `Unknown setting '${clipName(key)}' for ${name}${near ? ` (did you mean '${near}'?)` : ''}`, node, attribute: key });
      continue;
    }
    if (spec.deprecated) {
      warnings.push({
        message: `You are using a deprecated config setting ${rubyInspect(key)} set in ${name}. Deprecated settings will continue to work, but are scheduled for removal from logstash in the future. ${spec.deprecated}`,
        node,
        attribute: key,
      });
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.required && !attributes.has(key) && !unevaluated.has(key)) {
      problems.push({
        message: `Missing a required setting for the ${name} ${kind} plugin:\n\n${settingBlock(kind, name, [`${key} => # SETTING MISSING`])}`,
        node,
        attribute: key,
      });
    }
  }
  for (const [key, value] of attributes) {
    const spec = specs[key];
    if (!spec || spec.obsolete) continue;
    const result: Coerced = key === 'ecs_compatibility' ? ecsCoerce(value) : coerce(value, spec);
    if (!result.ok) {
      problems.push({
        message: `Invalid setting for ${name} ${kind} plugin:\n\n${settingBlock(kind, name, [
          `# This setting must be a ${typeLabel(spec)}`,
          `# ${result.message}`,
          `${key} => ${rubyInspect(plain(value))}`,
        ])}`,
        node,
        attribute: key,
      });
      continue;
    }
    options[key] = result.value;
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (!(key in options) && spec.default !== undefined && !spec.obsolete) options[key] = cloneDefault(spec.default);
  }
  return { options, problems, warnings };
}

function ecsCoerce(value: ConfigValue): Coerced {
  const problem = ecsProblem(value);
  if (problem) return { ok: false, message: problem };
  return { ok: true, value: scalarText(Array.isArray(value) ? value[0]! : value) };
}
