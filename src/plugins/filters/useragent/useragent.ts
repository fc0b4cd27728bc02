// The useragent filter (logstash-filter-useragent 3.3): parses the `source` user agent with the
// ua-parser regexes and writes, in the legacy layout, `name`, `device`, `major`/`minor`/`patch`,
// `version`, `os_major`/`os_minor`/`os_patch`, `os_version`, `os_name`, `os`, `os_full` (prefixed by
// `prefix`, under `target` or at the root); with ECS on, `[user_agent]` (or `target`) gets `name`,
// `device.name`, `version`, `os.version`, `os.name`, `os.full`, and the version parts go to
// `[@metadata][filter][user_agent]`. A missing or empty source does nothing (no tag); results are
// kept in an LRU cache of `lru_cache_size` user agents.
import type { Event } from '../../../event/event.ts';
import { LruCache } from '../../../util/lru-cache.ts';
import { FilterBase } from '../../filter-base.ts';
import type { CheckContext, CheckResult, Filter, PluginContext } from '../../types.ts';
import { bundledParser, RegexesError, UaParser, type Client, type UserAgentParts } from './parser.ts';
import type { UseragentFilterOptions } from './schema.ts';

interface Fields {
  name: string;
  device: string;
  major: string;
  minor: string;
  patch: string;
  version: string;
  osMajor: string;
  osMinor: string;
  osPatch: string;
  osVersion: string;
  osName: string;
  legacyOs?: string;
  osFull: string;
}

/** Where each value goes (useragent.rb's initialize). */
export function fieldReferences(target: string | undefined, prefix: string, ecs: boolean): Fields {
  let t = target ?? (ecs ? '[user_agent]' : '');
  if (t !== '' && !/^\[[^[\]]+\]$/.test(t)) t = `[${t}]`;
  const meta = '[@metadata][filter][user_agent]';
  if (ecs) {
    return {
      name: `${t}[name]`,
      device: `${t}[device][name]`,
      major: `${meta}[version][major]`,
      minor: `${meta}[version][minor]`,
      patch: `${meta}[version][patch]`,
      version: `${t}[version]`,
      osMajor: `${meta}[os][version][major]`,
      osMinor: `${meta}[os][version][minor]`,
      osPatch: `${meta}[os][version][patch]`,
      osVersion: `${t}[os][version]`,
      osName: `${t}[os][name]`,
      osFull: `${t}[os][full]`,
    };
  }
  const at = (name: string): string => `${t}[${prefix}${name}]`;
  return {
    name: at('name'),
    device: at('device'),
    major: at('major'),
    minor: at('minor'),
    patch: at('patch'),
    version: at('version'),
    osMajor: at('os_major'),
    osMinor: at('os_minor'),
    osPatch: at('os_patch'),
    osVersion: at('os_version'),
    osName: at('os_name'),
    legacyOs: at('os'),
    osFull: at('os_full'),
  };
}

/** check_and_adjust_version: a fourth version part present in the string but not captured is added back. */
function adjustVersion(source: string, version: string): string {
  let i = source.indexOf(version);
  if (i < 0) return version;
  i += version.length;
  if (source[i] === '.') {
    const space = source.indexOf(' ', i + 1);
    if (space >= 0) {
      const patchMinor = source.slice(i + 1, space);
      if (/^(0|-?[1-9]\d*)$/.test(patchMinor)) return `${version}.${patchMinor}`;
    }
  }
  return version;
}

function uaVersion(source: string, ua: UserAgentParts): string | undefined {
  if (ua.major === undefined) return undefined;
  let version = ua.major;
  if (ua.minor !== undefined) {
    version += `.${ua.minor}`;
    if (ua.patch !== undefined) version = adjustVersion(source, `${version}.${ua.patch}`);
  }
  return version;
}

/** build_os_version: a non-numeric major (`Vista`, `XP`) is followed by a space, not a dot. */
function osVersion(os: Client['os']): string | undefined {
  const major = os.major;
  if (major === undefined) return undefined;
  let version = major;
  const sep = /^(0|-?[1-9]\d*)$/.test(major) ? '.' : ' ';
  if (os.minor !== undefined) {
    version += `${sep}${os.minor}`;
    if (os.patch !== undefined) {
      version += `.${os.patch}`;
      if (os.patchMinor !== undefined) version += `.${os.patchMinor}`;
    }
  }
  return version;
}

export class UseragentFilter extends FilterBase<UseragentFilterOptions> {
  private parser?: UaParser;
  private readonly fields: Fields;
  private readonly cache: LruCache<string, Client>;
  readonly lookups = { parsed: 0, cached: 0, errors: 0 };

  constructor(options: UseragentFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    const ecs = ctx.ecsCompatibility !== 'disabled';
    this.fields = fieldReferences(options.target, options.prefix, ecs);
    this.cache = new LruCache(options.lru_cache_size);
    if (ecs && options.prefix) this.log.warn(`Field prefix isn't supported in ECS compatibility mode, please remove \`prefix => ${JSON.stringify(options.prefix)}\``);
  }

  register(): void {
    if (this.options.regexes === undefined) this.parser = bundledParser().parser;
    else {
      this.log.debug('Using user agent regexes', { regexes: this.options.regexes });
      this.parser = UaParser.fromFile(this.options.regexes);
    }
  }

  filter(event: Event): Event[] {
    let ua = event.get(this.options.source);
    if (Array.isArray(ua)) ua = ua[0];
    if (ua === undefined || ua === null || ua === '') return [event];
    if (typeof ua !== 'string') {
      // Logstash raises on a non-string (NoMethodError) and stops; flowstash logs and goes on.
      this.lookups.errors++;
      this.log.error('Unknown error while parsing user agent data', { field: this.options.source, message: `not a string: ${JSON.stringify(ua)}` });
      return [event];
    }
    let client = this.cache.get(ua);
    if (client === undefined) {
      try {
        client = this.parser!.parse(ua);
      } catch (e) {
        this.lookups.errors++;
        this.log.error('Unknown error while parsing user agent data', { field: this.options.source, message: (e as Error).message });
        return [event];
      }
      this.lookups.parsed++;
      this.cache.set(ua, client);
    } else this.lookups.cached++;
    if (this.options.target === this.options.source) event.remove(this.options.source);
    this.write(event, ua, client);
    this.filterMatched(event);
    return [event];
  }

  private write(event: Event, source: string, { userAgent: ua, os, device }: Client): void {
    const f = this.fields;
    event.set(f.name, ua.family);
    event.set(f.device, device);
    if (ua.major !== undefined) event.set(f.major, ua.major);
    if (ua.minor !== undefined) event.set(f.minor, ua.minor);
    if (ua.patch !== undefined) event.set(f.patch, ua.patch);
    const version = uaVersion(source, ua);
    if (version !== undefined) event.set(f.version, version);
    if (os.major !== undefined) event.set(f.osMajor, os.major);
    if (os.minor !== undefined) event.set(f.osMinor, os.minor);
    if (os.patch !== undefined) event.set(f.osPatch, os.patch);
    const osv = osVersion(os);
    if (osv !== undefined) event.set(f.osVersion, osv);
    event.set(f.osName, os.family);
    if (f.legacyOs) event.set(f.legacyOs, os.family);
    event.set(f.osFull, osv !== undefined ? `${os.family} ${osv}` : os.family);
  }

  stats(): Record<string, number> {
    return { ...this.counters, ...this.lookups };
  }
}

export function create(options: UseragentFilterOptions, ctx: PluginContext): Filter {
  return new UseragentFilter(options, ctx);
}

/** `-t`: a `regexes` file that cannot be read, is not YAML or holds a pattern that does not compile. */
export function check(options: UseragentFilterOptions, ctx: CheckContext): CheckResult {
  if (options.regexes === undefined) return { errors: [] };
  try {
    UaParser.fromFile(options.regexes);
    return { errors: [] };
  } catch (e) {
    if (!(e instanceof RegexesError)) throw e;
    return { errors: [`filter useragent at ${ctx.where}: ${e.message}`] };
  }
}
