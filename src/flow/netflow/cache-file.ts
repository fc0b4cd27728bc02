// The template cache files in the Logstash codec's JSON format (`{"<domain>|<template id>": [BinData
// field tuples]}`), so a cache written by either can be read by the other. Written atomically by cache-writer.ts.
import { existsSync, readFileSync, accessSync, constants, statSync } from 'node:fs';
import { specFromLogstashTuple, type FieldSpec, type LogstashTuple } from './field-spec.ts';

export const NETFLOW_CACHE_FILE = 'netflow_templates.cache';
export const IPFIX_CACHE_FILE = 'ipfix_templates.cache';

export interface CachedTemplate {
  domain: number;
  id: number;
  specs: FieldSpec[];
}

export class CacheFileError extends Error {}

/** Checks the directory at startup, like the Logstash codec does when it registers. */
export function checkCacheDirectory(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new CacheFileError(`netflow codec: cache_save_path ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new CacheFileError(`netflow codec: cache_save_path ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CacheFileError(`LogStash::Codecs::Netflow: Template cache directory ${dir} not writable`);
  }
}

/** Reads a cache file; entries that cannot be represented are reported through `problems`. */
export function readCacheFile(file: string, version: 9 | 10, problems: string[]): CachedTemplate[] {
  if (!existsSync(file)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`Template Cache could not be loaded: ${file}: ${(e as Error).message}`);
    return [];
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`Template Cache could not be loaded: ${file}: the top level is not an object`);
    return [];
  }
  const out: CachedTemplate[] = [];
  for (const [key, fields] of Object.entries(doc as Record<string, unknown>)) {
    // "<domain>|<id>", or the metadata form "<domain>|<id>|<host>|<port>".
    const parts = key.split('|');
    const domain = Number(parts[0]);
    const id = Number(parts[1]);
    if (parts.length < 2 || !Number.isInteger(domain) || !Number.isInteger(id) || !Array.isArray(fields)) {
      problems.push(`Template Cache ${file}: entry ${JSON.stringify(key)} is not "<domain>|<template id>": [fields]`);
      continue;
    }
    const specs: FieldSpec[] = [];
    let ok = true;
    for (const t of fields) {
      const s = Array.isArray(t) ? specFromLogstashTuple(t, version) : undefined;
      if (!s) {
        problems.push(`Template Cache ${file}: entry ${key} has an unsupported field ${JSON.stringify(t)}`);
        ok = false;
        break;
      }
      specs.push(s);
    }
    if (ok) out.push({ domain, id, specs });
  }
  return out;
}
