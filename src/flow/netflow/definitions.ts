// The Logstash codec's field definitions (names + YAML decoding types): built in from the generated
// information model, optionally merged with user YAML files the way the Logstash codec merges them
// (netflow_definitions: per element id; ipfix_definitions: a PEN in the file replaces that whole PEN).
import { readFileSync, existsSync } from 'node:fs';
import YAML from 'yaml';
import { allIpfixElements, allV9Elements, LOGSTASH_TYPES, type LogstashType } from './infomodel.ts';

export interface Definition {
  type: LogstashType;
  /** For bare-integer v9 types: the default length. */
  length: number;
  /** '' for unnamed (consumed, not emitted). */
  name: string;
}

export interface Definitions {
  ipfix: Map<number, Map<number, Definition>>;
  v9: Map<number, Definition>;
}

export class DefinitionsError extends Error {}

let builtin: Definitions | undefined;

/** The Logstash codec's own definitions (ipfix.yaml + netflow.yaml) as captured in the information model. */
export function builtinDefinitions(): Definitions {
  if (builtin) return builtin;
  const ipfix = new Map<number, Map<number, Definition>>();
  for (const e of allIpfixElements()) {
    if (e.logstashType === '') continue;
    let pen = ipfix.get(e.pen);
    if (!pen) ipfix.set(e.pen, (pen = new Map()));
    pen.set(e.id, { type: e.logstashType, length: e.logstashLength, name: e.name });
  }
  const v9 = new Map<number, Definition>();
  for (const e of allV9Elements()) v9.set(e.id, { type: e.logstashType, length: e.logstashLength, name: e.name });
  builtin = { ipfix, v9 };
  return builtin;
}

function parseEntry(file: string, where: string, v: unknown): Definition {
  if (!Array.isArray(v) || v.length === 0) {
    throw new DefinitionsError(`netflow codec: definitions file ${file}: ${where} must be a list like [":uint32", ":name"]`);
  }
  const sym = (x: unknown): unknown => (typeof x === 'string' && x.startsWith(':') ? x.slice(1) : x);
  const t = sym(v[0]);
  const name = v.length > 1 && v[1] !== null ? String(sym(v[1])) : '';
  if (typeof t === 'number' && Number.isInteger(t) && t > 0) return { type: 'uint', length: t, name };
  // `- :4` (ElastiFlow's netflow.yml) is the symbol :"4", which BinData cannot build: read as the bare
  // integer it stands for (unsigned, 4 bytes by default) instead of failing every template that uses it.
  if (typeof t === 'string' && /^[1-9][0-9]?$/.test(t)) return { type: 'uint', length: Number(t), name };
  if (typeof t !== 'string' || !(LOGSTASH_TYPES as readonly string[]).includes(t) || t === '' || t === 'uint') {
    throw new DefinitionsError(`netflow codec: definitions file ${file}: ${where} has unsupported type ${JSON.stringify(v[0])}`);
  }
  return { type: t as LogstashType, length: 0, name };
}

function loadYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new DefinitionsError(`LogStash::Codecs::Netflow: definitions file ${file} does not exist`);
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'), { uniqueKeys: false });
  } catch (e) {
    throw new DefinitionsError(`LogStash::Codecs::Netflow: Bad syntax in definitions file ${file}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DefinitionsError(`LogStash::Codecs::Netflow: Bad syntax in definitions file ${file}: the top level must be a map`);
  }
  return doc as Record<string, unknown>;
}

function intKey(file: string, k: string, what: string): number {
  const n = Number(k);
  if (!Number.isInteger(n) || n < 0) throw new DefinitionsError(`netflow codec: definitions file ${file}: ${what} ${JSON.stringify(k)} is not an integer`);
  return n;
}

export function loadDefinitions(netflowFile?: string, ipfixFile?: string): Definitions {
  const base = builtinDefinitions();
  if (!netflowFile && !ipfixFile) return base;
  const v9 = new Map(base.v9);
  const ipfix = new Map(base.ipfix);
  if (netflowFile) {
    for (const [k, v] of Object.entries(loadYaml(netflowFile))) {
      const id = intKey(netflowFile, k, 'element id');
      v9.set(id, parseEntry(netflowFile, `element ${id}`, v));
    }
  }
  if (ipfixFile) {
    for (const [penKey, elements] of Object.entries(loadYaml(ipfixFile))) {
      const pen = intKey(ipfixFile, penKey, 'enterprise number');
      const map = new Map<number, Definition>();
      if (elements && typeof elements === 'object' && !Array.isArray(elements)) {
        for (const [k, v] of Object.entries(elements as Record<string, unknown>)) {
          const id = intKey(ipfixFile, k, `PEN ${pen} element id`);
          map.set(id, parseEntry(ipfixFile, `PEN ${pen} element ${id}`, v));
        }
      }
      ipfix.set(pen, map);
    }
  }
  return { v9, ipfix };
}
