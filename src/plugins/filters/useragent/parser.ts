// ua-parser over a regexes.yaml (uap-core's, from the `uap-core` npm package, or the `regexes`
// file), with the matching rules of the Java parser Logstash's filter ships
// (org.logstash.uaparser): the first pattern that finds a match wins; family from the replacement
// ($1 substituted) or group 1; versions from v1/v2 replacements or groups 2–4 (user agent) and
// 2–5 (OS); device from device_replacement ($1…$9 substituted, trimmed) or group 1; "Other" when
// nothing matches. Version replacements holding `$1`…`$9` (uap-core's specification, used by its
// current regexes.yaml) get the groups substituted, as uap-core's reference parser does; Logstash's
// Java parser took them literally, which its older bundled regexes.yaml never needed. uap-core's patterns are written for its JavaScript reference implementation,
// so they compile as JavaScript RegExps; a file whose pattern does not is refused at register().
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';

export interface UserAgentParts {
  family: string;
  major?: string;
  minor?: string;
  patch?: string;
}

export interface OsParts extends UserAgentParts {
  patchMinor?: string;
}

export interface Client {
  userAgent: UserAgentParts;
  os: OsParts;
  device: string;
}

export class RegexesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexesError';
  }
}

type Entry = Record<string, unknown>;

interface Compiled {
  re: RegExp;
  groups: number;
  entry: Record<string, string | undefined>;
}

function groupCount(re: RegExp): number {
  // A regexp with n groups matches the empty string with n + 1 slots when tried against an alternative.
  return new RegExp(`${re.source}|`, re.flags).exec('')!.length - 1;
}

function compile(section: string, list: unknown, file: string): Compiled[] {
  if (!Array.isArray(list)) throw new RegexesError(`${section} is missing from yaml (${file})`);
  return list.map((raw: unknown, i) => {
    const entry = (raw ?? {}) as Entry;
    const regex = entry['regex'];
    if (typeof regex !== 'string') throw new RegexesError(`${section}[${i}] is missing regex (${file})`);
    const strings: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(entry)) strings[k] = v === null || v === undefined ? undefined : String(v);
    let re: RegExp;
    try {
      re = new RegExp(regex, section === 'device_parsers' && strings['regex_flag'] === 'i' ? 'i' : '');
    } catch (e) {
      throw new RegexesError(`${section}[${i}] in ${file}: ${(e as Error).message}`);
    }
    return { re, groups: groupCount(re), entry: strings };
  });
}

const group = (m: RegExpExecArray, i: number, count: number): string | undefined => (count >= i ? m[i] : undefined);

/** A version replacement: literal, or with `$N` placeholders filled (missing groups empty; blank → none). */
function version(replacement: string | undefined, m: RegExpExecArray, fallback: number, count: number): string | undefined {
  if (replacement === undefined) return group(m, fallback, count);
  if (!replacement.includes('$')) return replacement;
  const v = replacement.replace(/\$(\d)/g, (_, n: string) => (count >= Number(n) ? m[Number(n)] : undefined) ?? '').trim();
  return v === '' ? undefined : v;
}

export class UaParser {
  private readonly ua: Compiled[];
  private readonly os: Compiled[];
  private readonly device: Compiled[];

  constructor(yamlText: string, file: string) {
    let doc: unknown;
    try {
      doc = parseYaml(yamlText);
    } catch (e) {
      throw new RegexesError(`${file} is not YAML: ${(e as Error).message}`);
    }
    const map = (doc ?? {}) as Record<string, unknown>;
    this.ua = compile('user_agent_parsers', map['user_agent_parsers'], file);
    this.os = compile('os_parsers', map['os_parsers'], file);
    this.device = compile('device_parsers', map['device_parsers'], file);
  }

  static fromFile(file: string): UaParser {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RegexesError(`cannot read regexes file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return new UaParser(text, file);
  }

  parse(agent: string): Client {
    return { userAgent: this.parseUserAgent(agent), os: this.parseOs(agent), device: this.parseDevice(agent) };
  }

  parseUserAgent(agent: string): UserAgentParts {
    for (const { re, groups, entry } of this.ua) {
      const m = re.exec(agent);
      if (!m) continue;
      let family: string | undefined;
      const replacement = entry['family_replacement'];
      if (replacement !== undefined) {
        const g1 = group(m, 1, groups);
        family = replacement.includes('$1') && g1 !== undefined ? replacement.replace('$1', () => g1) : replacement;
      } else family = group(m, 1, groups);
      if (family === undefined) continue;
      const major = version(entry['v1_replacement'], m, 2, groups);
      let minor: string | undefined;
      let patch: string | undefined;
      if (entry['v2_replacement'] !== undefined) minor = version(entry['v2_replacement'], m, 3, groups);
      else if (groups >= 3) {
        minor = m[3];
        if (groups >= 4) patch = m[4];
      }
      return { family, major, minor, patch };
    }
    return { family: 'Other' };
  }

  parseOs(agent: string): OsParts {
    for (const { re, groups, entry } of this.os) {
      const m = re.exec(agent);
      if (!m) continue;
      let family: string | undefined;
      const replacement = entry['os_replacement'];
      if (replacement !== undefined) {
        // Java's replaceAll with group 1 (which throws when the group did not take part).
        if (groups >= 1) {
          const g1 = m[1];
          if (g1 === undefined) throw new Error(`os_replacement ${JSON.stringify(replacement)} needs group 1, which did not match`);
          family = replacement.split('$1').join(g1);
        } else family = replacement;
      } else family = group(m, 1, groups);
      if (family === undefined) continue;
      return {
        family,
        major: version(entry['os_v1_replacement'], m, 2, groups),
        minor: version(entry['os_v2_replacement'], m, 3, groups),
        patch: version(entry['os_v3_replacement'], m, 4, groups),
        patchMinor: group(m, 5, groups),
      };
    }
    return { family: 'Other' };
  }

  parseDevice(agent: string): string {
    for (const { re, groups, entry } of this.device) {
      const m = re.exec(agent);
      if (!m) continue;
      const replacement = entry['device_replacement'];
      let device: string | undefined;
      if (replacement !== undefined) {
        if (replacement.includes('$')) {
          device = replacement;
          for (const sub of replacement.match(/\$\d/g) ?? []) {
            const i = Number(sub.slice(1));
            const value = (groups >= i ? m[i] : undefined) ?? '';
            device = device.replace(sub, () => value);
          }
          device = device.trim();
        } else device = replacement;
      } else if (groups >= 1) device = m[1];
      if (device !== undefined) return device;
    }
    return 'Other';
  }
}

let bundled: UaParser | undefined;

/** uap-core's regexes.yaml from the installed `uap-core` package (parsed once per process). */
export function bundledParser(): { parser: UaParser; file: string } {
  const file = createRequire(import.meta.url).resolve('uap-core/regexes.yaml');
  bundled ??= UaParser.fromFile(file);
  return { parser: bundled, file };
}
