// Reads a translate dictionary file the way logstash-filter-translate does: the format comes from
// the extension (`.yml`/`.yaml`, `.json`, `.csv`; lib/logstash/filters/dictionary/file.rb), a UTF-8
// BOM is skipped, and each format keeps its Ruby reader's rules:
//   YAML one_shot  — Psych (YAML 1.1 scalars: yes/no/on/off booleans, 0x/0b/octal/sexagesimal
//                    integers; unquoted 100 is the Integer 100 and so never matches a looked-up
//                    string), limited to yaml_dictionary_code_point_limit code points;
//   YAML streaming — streaming_yaml_parser.rb: plain scalars null/~/'' → nil, true/false,
//                    -?\d+ integers, -?\d+.\d+ floats, everything else a string;
//   JSON           — one object, keys are strings, values kept as Logstash's JSON reader types them;
//   CSV            — line by line, the first column is the key and the second the value.
// Flat YAML mappings of one-line scalars (every ElastiFlow dictionary) take a line scanner; any
// other YAML goes through the `yaml` package's full parser.
import { readFile } from 'node:fs/promises';
import { parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { parseJsonValue, JsonParseError } from '../../../event/json-parse.ts';
import { Float, isFieldMap, type FieldMap, type FieldValue, setOwn } from '../../../event/values.ts';

export type DictionaryFormat = 'yaml' | 'json' | 'csv';
export type YamlLoadStrategy = 'one_shot' | 'streaming';

/** logstash-filter-translate's default yaml_dictionary_code_point_limit (128M one-byte code points). */
export const DEFAULT_YAML_CODE_POINT_LIMIT = 134_217_728;

/** A dictionary file that cannot be read into a dictionary: the file, the line when known, and why. */
export class DictionaryFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DictionaryFileError';
  }

  /** `file:line: reason`, what `-t` prints. */
  get located(): string {
    return `${this.file}${this.line !== undefined ? `:${this.line}` : ''}: ${this.reason}`;
  }
}

/** Entries in file order. Keys a Ruby reader would not make strings (YAML `100: x`) are kept apart: they never match. */
export interface DictionaryEntries {
  entries: [string, FieldValue][];
  nonStringKeys: { text: string; line: number | undefined }[];
}

export interface DictionaryReadOptions {
  yamlLoadStrategy?: YamlLoadStrategy;
  yamlCodePointLimit?: number;
}

/** The format of a dictionary path (translate's `File.create`); undefined when the extension is none of them. */
export function dictionaryFormat(path: string): DictionaryFormat | undefined {
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.csv')) return 'csv';
  return undefined;
}

export async function readDictionaryFile(path: string, options: DictionaryReadOptions = {}): Promise<DictionaryEntries> {
  const format = dictionaryFormat(path);
  if (format === undefined) throw new DictionaryFileError(path, undefined, `Dictionary ${path} has a non valid format`);
  const text = stripBom(await readFile(path, 'utf8'));
  return parseDictionaryText(text, format, path, options);
}

export function parseDictionaryText(text: string, format: DictionaryFormat, file: string, options: DictionaryReadOptions = {}): DictionaryEntries {
  switch (format) {
    case 'yaml':
      return parseYamlDictionary(text, file, options.yamlLoadStrategy ?? 'one_shot', options.yamlCodePointLimit ?? DEFAULT_YAML_CODE_POINT_LIMIT);
    case 'json':
      return parseJsonDictionary(text, file);
    case 'csv':
      return parseCsvDictionary(text, file);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------- JSON

function parseJsonDictionary(text: string, file: string): DictionaryEntries {
  const out: DictionaryEntries = { entries: [], nonStringKeys: [] };
  if (text.length === 0) return out;
  let value: FieldValue;
  try {
    value = parseJsonValue(text);
  } catch (e) {
    if (e instanceof JsonParseError) throw new DictionaryFileError(file, lineAt(text, e.offset), e.message);
    throw e;
  }
  if (!isFieldMap(value)) throw new DictionaryFileError(file, 1, `no implicit conversion of ${rubyClassOf(value)} into Hash`);
  for (const key of Object.keys(value)) out.entries.push([key, value[key]!]);
  return out;
}

function rubyClassOf(v: FieldValue): string {
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return v ? 'TrueClass' : 'FalseClass';
  if (v === null) return 'NilClass';
  if (v instanceof Float) return 'Float';
  return 'Integer';
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ----------------------------------------------------------------------------------------------- CSV

/** Ruby's CSV on one line (csv_file.rb feeds it line by line): `,` separates, `"` quotes, `""` escapes. */
function parseCsvDictionary(text: string, file: string): DictionaryEntries {
  const out: DictionaryEntries = { entries: [], nonStringKeys: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const fields = csvFields(line, file, i + 1);
    const key = fields[0] ?? null;
    if (key === null) continue; // Ruby stores it under nil, which no looked-up string equals
    out.entries.push([key, fields[1] ?? null]);
  }
  return out;
}

function csvFields(line: string, file: string, lineNo: number): (string | null)[] {
  const fields: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new DictionaryFileError(file, lineNo, `Unclosed quoted field in line ${lineNo}.`);
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== 44) throw new DictionaryFileError(file, lineNo, `Any value after quoted field isn't allowed in line ${lineNo}.`);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) throw new DictionaryFileError(file, lineNo, `Illegal quoting in line ${lineNo}.`);
      fields.push(value.length === 0 ? null : value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------- YAML

type ScalarResolver = (plain: string) => FieldValue;

const YAML_RESOLVERS: Record<YamlLoadStrategy, ScalarResolver> = { one_shot: psychScalar, streaming: streamingScalar };

function parseYamlDictionary(text: string, file: string, strategy: YamlLoadStrategy, codePointLimit: number): DictionaryEntries {
  if (text.length > codePointLimit && countCodePoints(text) > codePointLimit) {
    throw new DictionaryFileError(file, undefined, `The incoming YAML document exceeds the limit: ${codePointLimit} code points.`);
  }
  const resolve = YAML_RESOLVERS[strategy];
  return scanFlatYaml(text, resolve) ?? parseYamlDocument(text, file, resolve);
}

function countCodePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Psych's ScalarScanner#tokenize for a plain (unquoted) scalar: YAML 1.1 core types. */
export function psychScalar(s: string): FieldValue {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  const c = s.charCodeAt(0);
  // Fast exit: most values start with a letter that cannot begin a bool/null.
  if (!/^[-+.:0-9ytonfYTONF]/.test(s)) return s;
  if (/^(?:yes|true|on)$/i.test(s)) return true;
  if (/^(?:no|false|off)$/i.test(s)) return false;
  if (c !== 43 && c !== 45 && c !== 46 && (c < 48 || c > 57)) return s;
  if (/^[-+]?(?:0b[01_,]+|0[0-7_,]+|(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|0x[0-9a-fA-F_,]+)$/.test(s)) return rubyInteger(s.replace(/[,_]/g, ''));
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/.test(s)) return sexagesimal(s, false);
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/.test(s)) return sexagesimal(s, true);
  if (/^(?:[-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(s) && s !== '.') {
    const lower = s.toLowerCase();
    if (lower.endsWith('.inf')) return new Float(lower.startsWith('-') ? -Infinity : Infinity);
    if (lower === '.nan') return new Float(NaN);
    return new Float(Number(s.replace(/[,_]/g, '')));
  }
  return s;
}

/** Ruby's Integer("0x1f" / "0b101" / "017" / "-42"): prefixes select the base, a leading 0 means octal. */
function rubyInteger(s: string): number | bigint {
  const negative = s.startsWith('-');
  const digits = s.replace(/^[-+]/, '');
  let big: bigint;
  if (/^0x/i.test(digits)) big = BigInt(digits);
  else if (/^0b/i.test(digits)) big = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) big = BigInt('0o' + digits.slice(1));
  else big = BigInt(digits);
  if (negative) big = -big;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function sexagesimal(s: string, float: boolean): FieldValue {
  const negative = s.startsWith('-');
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').replace(/_/g, '').split(':')) total = total * 60 + Number(part);
  if (negative) total = -total;
  return float ? new Float(total) : total;
}

/** streaming_yaml_parser.rb#parse_scalar for a plain scalar. */
export function streamingScalar(s: string): FieldValue {
  if (s === 'null' || s === '' || s === '~') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+$/.test(s)) return rubyInteger(s.replace(/^(-?)0+(?=\d)/, '$1'));
  if (/^-?\d+\.\d+$/.test(s)) return new Float(Number(s));
  return s;
}

const PLAIN_START_FORBIDDEN = new Set([...'-?:,[]{}#&*!|>\'"%@`']);

/**
 * The line scanner: a top-level mapping of `key: value` lines, each key and value a quoted string
 * without escapes or a one-line plain scalar. Returns undefined for anything else (nesting, flow
 * collections, anchors, multi-line scalars…), which then goes to the full parser.
 */
function scanFlatYaml(text: string, resolve: ScalarResolver): DictionaryEntries | undefined {
  const out: DictionaryEntries = { entries: [], nonStringKeys: [] };
  let pos = 0;
  let lineNo = 0;
  let sawContent = false;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(pos, end);
    pos = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const first = line.charCodeAt(0);
    if (line.length === 0 || first === 35 /* # */) continue;
    if (first === 32 || first === 9) {
      if (/^[ \t]*(?:#.*)?$/.test(line)) continue;
      return undefined;
    }
    if (line === '---' && !sawContent) continue;
    sawContent = true;
    const key = scanScalar(line, 0, true);
    if (key === undefined) return undefined;
    let i = key.end;
    while (line.charCodeAt(i) === 32) i++;
    if (line.charCodeAt(i) !== 58 /* : */) return undefined;
    i++;
    if (i < line.length && line.charCodeAt(i) !== 32) return undefined;
    while (line.charCodeAt(i) === 32) i++;
    let value: FieldValue;
    if (i >= line.length || line.charCodeAt(i) === 35) {
      value = resolve('');
    } else {
      const v = scanScalar(line, i, false);
      if (v === undefined) return undefined;
      let j = v.end;
      while (line.charCodeAt(j) === 32) j++;
      if (j < line.length && line.charCodeAt(j) !== 35) return undefined;
      value = v.quoted ? v.text : resolve(v.text);
    }
    const k = key.quoted ? key.text : resolve(key.text);
    if (typeof k === 'string') out.entries.push([k, value]);
    else out.nonStringKeys.push({ text: key.text, line: lineNo });
  }
  return out;
}

interface ScannedScalar {
  text: string;
  quoted: boolean;
  end: number;
}

function scanScalar(line: string, start: number, isKey: boolean): ScannedScalar | undefined {
  const c = line[start]!;
  if (c === '"') {
    let close = line.indexOf('"', start + 1);
    while (close > 0 && isEscaped(line, close)) close = line.indexOf('"', close + 1);
    if (close < 0) return undefined;
    const raw = line.slice(start + 1, close);
    const text = raw.includes('\\') ? unescapeDoubleQuoted(raw) : raw;
    if (text === undefined) return undefined;
    return { text, quoted: true, end: close + 1 };
  }
  if (c === "'") {
    let text = '';
    let j = start + 1;
    for (;;) {
      const q = line.indexOf("'", j);
      if (q < 0) return undefined;
      text += line.slice(j, q);
      if (line[q + 1] === "'") {
        text += "'";
        j = q + 2;
        continue;
      }
      return { text, quoted: true, end: q + 1 };
    }
  }
  if (PLAIN_START_FORBIDDEN.has(c)) return undefined;
  // A plain scalar runs to `: ` / a final `:` (keys), or to ` #` (a comment); `: ` inside a value is an error for the real parser to report.
  let end = line.length;
  const comment = line.indexOf(' #', start);
  if (comment >= 0) end = comment;
  const colon = line.indexOf(': ', start);
  if (isKey) {
    let keyEnd = colon >= 0 && colon < end ? colon : -1;
    if (keyEnd < 0 && line.endsWith(':') && line.length - 1 < end) keyEnd = line.length - 1;
    if (keyEnd < 0) return undefined;
    end = keyEnd;
  } else if ((colon >= 0 && colon < end) || line.slice(start, end).trimEnd().endsWith(':')) {
    return undefined;
  }
  const text = line.slice(start, end).replace(/[ \t]+$/, '');
  if (text.includes('\t') || (isKey && text.length === 0)) return undefined;
  return { text, quoted: false, end: start + text.length };
}

function isEscaped(line: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && line.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

const YAML_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** YAML 1.1 double-quoted escapes on one line; undefined for anything else (the full parser reports it). */
function unescapeDoubleQuoted(raw: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) return undefined;
    const simple = YAML_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = raw.slice(i + 1, i + 1 + width);
    if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += width;
  }
  return out;
}

function parseYamlDocument(text: string, file: string, resolve: ScalarResolver): DictionaryEntries {
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new DictionaryFileError(file, line, err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  const out: DictionaryEntries = { entries: [], nonStringKeys: [] };
  const root = doc.contents;
  if (!isMap(root)) return out;
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = keyNode === null ? null : toValue(keyNode, doc, resolve, 0);
    const value = pair.value === null ? resolve('') : toValue(pair.value as YamlNode, doc, resolve, 0);
    if (typeof key === 'string') out.entries.push([key, value]);
    else out.nonStringKeys.push({ text: String(keyNode ?? ''), line: keyNode?.range ? lineAt(text, keyNode.range[0]) : undefined });
  }
  return out;
}

function toValue(node: YamlNode, doc: Document, resolve: ScalarResolver, depth: number): FieldValue {
  if (depth > 200) throw new DictionaryFileError('', undefined, 'YAML nesting too deep');
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ? toValue(target as YamlNode, doc, resolve, depth + 1) : null;
  }
  if (isScalar(node)) {
    const raw = node.value === null || node.value === undefined ? '' : String(node.value);
    const tag = node.tag ?? '';
    if (tag.endsWith(':str') || tag === '!') return raw;
    if (node.type === 'PLAIN' || /:(?:int|float|bool|null)$/.test(tag)) return resolve(raw);
    return raw;
  }
  if (isSeq(node)) return node.items.map((item) => (item === null ? null : toValue(item as YamlNode, doc, resolve, depth + 1)));
  if (isMap(node)) {
    const map: FieldMap = {};
    for (const pair of node.items) {
      const k = pair.key === null ? '' : toValue(pair.key as YamlNode, doc, resolve, depth + 1);
      setOwn(map, typeof k === 'string' ? k : String(k), pair.value === null ? null : toValue(pair.value as YamlNode, doc, resolve, depth + 1));
    }
    return map;
  }
  return null;
}
