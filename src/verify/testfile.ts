// Test-case files in logstash-filter-verifier's format (JSON or YAML), plus flowstash's capture
// input and per-testcase env. Parsing checks every key and value and reports problems with the
// file, the testcase and the key, so a typo fails loudly instead of silently testing nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { JsonParseError, parseJsonValue } from '../event/json-parse.ts';
import { isValidFieldReference } from '../event/fieldref.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap } from '../event/values.ts';

/** A problem with a test file: the message names the file (and line:column when known). */
export class TestFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestFileError';
  }
}

export interface CaptureInput {
  /** Absolute path (the file gives it relative to itself). */
  path: string;
  filter?: string;
}

export interface TestCase {
  /** 1-based position in the file. */
  index: number;
  description?: string;
  /** Lines through the codec, or a capture's UDP datagrams. */
  input: { kind: 'lines'; lines: string[] } | { kind: 'capture'; capture: CaptureInput };
  /** File-level fields with this testcase's fields over them. */
  fields: FieldMap;
  /** File-level env with this testcase's env over it. */
  env: Record<string, string>;
  expected: FieldMap[];
}

export interface TestFile {
  path: string;
  /** Config text of the input codec (`json_lines`, `csv { … }`); undefined: LFV's default or the pipeline input's. */
  codec?: string;
  /** Field references removed from actual and expected events before comparing. */
  ignore: string[];
  /** LFV's export_metadata: compare @metadata even when the expected event has none. */
  exportMetadata: boolean;
  /** LFV's export_outputs: add `__lfv_out_passed` (ids of the outputs each event reached). */
  exportOutputs: boolean;
  /** LFV daemon mode's input_plugin: the id of the pipeline input whose codec/settings the capture input copies. */
  inputPlugin?: string;
  testcases: TestCase[];
}

const FILE_KEYS = ['fields', 'codec', 'ignore', 'testcases', 'input_capture', 'input_capture_filter', 'env', 'export_metadata', 'export_outputs', 'input_plugin'];
const CASE_KEYS = ['description', 'input', 'expected', 'fields', 'env', 'input_capture', 'input_capture_filter'];

export const TEST_FILE_EXTENSIONS = ['.json', '.yaml', '.yml'];

export function loadTestFile(file: string): TestFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TestFileError(`${file}: cannot read the test file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTestFile(text, file);
}

/** Parses test-file text; `file` names it in messages and anchors relative capture paths. */
export function parseTestFile(text: string, file: string): TestFile {
  const raw = path.extname(file).toLowerCase() === '.json' ? parseJson(text, file) : parseYaml(text, file);
  return interpret(raw, file);
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

function parseJson(text: string, file: string): FieldValue {
  try {
    return parseJsonValue(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (e instanceof JsonParseError) {
      const msg = e.message.replace(/ at offset \d+$/, '');
      throw new TestFileError(`${file}:${lineColumn(text, e.offset)}: invalid JSON: ${msg}`);
    }
    throw e;
  }
}

function parseYaml(text: string, file: string): FieldValue {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new TestFileError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split('\n')[0]}`);
  }
  return fromYaml(doc.toJS({ maxAliasCount: 1000 }) as unknown, file);
}

/** YAML's JS values as event values: integers (bigint) narrowed when safe. */
function fromYaml(v: unknown, file: string): FieldValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  // With intAsBigInt every YAML integer is a bigint, so a number here was written as a float.
  if (typeof v === 'number') return new Float(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => fromYaml(x, file));
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const out: FieldMap = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromYaml(x, file);
    return out;
  }
  throw new TestFileError(`${file}: unsupported YAML value ${String(v)}`);
}

function describe(v: FieldValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isFieldMap(v)) return 'a map';
  if (v instanceof Float || typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v.valueOf())}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function checkKeys(map: FieldMap, allowed: string[], where: string): void {
  for (const k of Object.keys(map)) {
    if (allowed.includes(k)) continue;
    const close = allowed.find((a) => a.startsWith(k.slice(0, 4)) || k.startsWith(a.slice(0, 4)));
    throw new TestFileError(`${where}: unknown key '${k}'${close ? ` (did you mean '${close}'?)` : ''}; allowed: ${allowed.join(', ')}`);
  }
}

function stringOf(v: FieldValue | undefined, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new TestFileError(`${where} must be a string, not ${describe(v)}`);
  return v;
}

function booleanOf(v: FieldValue | undefined, where: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new TestFileError(`${where} must be true or false, not ${describe(v)}`);
  return v;
}

function fieldsOf(v: FieldValue | undefined, where: string): FieldMap {
  if (v === undefined || v === null) return {};
  if (!isFieldMap(v)) throw new TestFileError(`${where} must be a map of field reference to value, not ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (!isValidFieldReference(k)) throw new TestFileError(`${where}: '${k}' is not a valid field reference`);
  }
  return v;
}

function envOf(v: FieldValue | undefined, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isFieldMap(v)) throw new TestFileError(`${where} must be a map of variable name to value, not ${describe(v)}`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TestFileError(`${where}: '${k}' is not a valid environment variable name`);
    if (Array.isArray(x) || isFieldMap(x) || x === null) throw new TestFileError(`${where}.${k} must be a string, not ${describe(x)}`);
    out[k] = String(x.valueOf());
  }
  return out;
}

/** A testcase's capture; its input_capture_filter alone applies to the file-level capture. */
function captureOf(map: FieldMap, file: string, where: string, fallback?: CaptureInput): CaptureInput | undefined {
  const p = stringOf(map['input_capture'], `${where}: input_capture`);
  const filter = stringOf(map['input_capture_filter'], `${where}: input_capture_filter`);
  if (p === undefined) {
    if (filter === undefined) return fallback;
    if (!fallback) throw new TestFileError(`${where}: input_capture_filter is given without input_capture`);
    return { path: fallback.path, filter };
  }
  const capture: CaptureInput = { path: path.resolve(path.dirname(file), p) };
  if (filter !== undefined) capture.filter = filter;
  return capture;
}

function interpret(raw: FieldValue, file: string): TestFile {
  if (!isFieldMap(raw)) throw new TestFileError(`${file}: the test file must be a map with a 'testcases' list, not ${describe(raw)}`);
  checkKeys(raw, FILE_KEYS, file);
  const ignore = raw['ignore'] ?? [];
  if (!Array.isArray(ignore) || !ignore.every((x) => typeof x === 'string')) {
    throw new TestFileError(`${file}: ignore must be a list of field references, not ${describe(ignore)}`);
  }
  for (const r of ignore) if (!isValidFieldReference(r)) throw new TestFileError(`${file}: ignore: '${r}' is not a valid field reference`);
  const fields = fieldsOf(raw['fields'], `${file}: fields`);
  const env = envOf(raw['env'], `${file}: env`);
  const fileCapture = captureOf(raw, file, file);
  const cases = raw['testcases'];
  if (!Array.isArray(cases)) throw new TestFileError(`${file}: 'testcases' must be a list of test cases, not ${describe(cases)}`);
  const testFile: TestFile = {
    path: file,
    ignore: ['@version', ...ignore.filter((r) => r !== '@version')],
    exportMetadata: booleanOf(raw['export_metadata'], `${file}: export_metadata`),
    exportOutputs: booleanOf(raw['export_outputs'], `${file}: export_outputs`),
    testcases: cases.map((c, i) => interpretCase(c, i + 1, file, fields, env, fileCapture)),
  };
  const codec = stringOf(raw['codec'], `${file}: codec`);
  if (codec !== undefined) testFile.codec = codec;
  const inputPlugin = stringOf(raw['input_plugin'], `${file}: input_plugin`);
  if (inputPlugin !== undefined) testFile.inputPlugin = inputPlugin;
  return testFile;
}

function interpretCase(
  raw: FieldValue,
  index: number,
  file: string,
  fileFields: FieldMap,
  fileEnv: Record<string, string>,
  fileCapture: CaptureInput | undefined,
): TestCase {
  const where = `${file}: testcase #${index}`;
  if (!isFieldMap(raw)) throw new TestFileError(`${where} must be a map (input, expected, ...), not ${describe(raw)}`);
  checkKeys(raw, CASE_KEYS, where);
  const description = stringOf(raw['description'], `${where}: description`);
  const own = raw['input_capture'] !== undefined || raw['input_capture_filter'] !== undefined;
  const capture = captureOf(raw, file, where, fileCapture);
  const lines = raw['input'];
  let input: TestCase['input'];
  if (lines !== undefined && lines !== null) {
    if (own) throw new TestFileError(`${where}: give either input lines or input_capture, not both`);
    const list = Array.isArray(lines) ? lines : [lines];
    if (!list.every((l) => typeof l === 'string')) throw new TestFileError(`${where}: input must be a list of strings (one per input line)`);
    input = { kind: 'lines', lines: list as string[] };
  } else if (capture) {
    input = { kind: 'capture', capture };
  } else {
    throw new TestFileError(`${where} has no input: give 'input' lines, or 'input_capture' here or at the top of the file`);
  }
  const expected = raw['expected'];
  if (!Array.isArray(expected)) {
    throw new TestFileError(`${where}: 'expected' must be a list of events (an empty list when every event is dropped), not ${describe(expected)}`);
  }
  expected.forEach((e, j) => {
    if (!isFieldMap(e)) throw new TestFileError(`${where}: expected event #${j + 1} must be a map of fields, not ${describe(e)}`);
  });
  const tc: TestCase = {
    index,
    input,
    fields: { ...fileFields, ...fieldsOf(raw['fields'], `${where}: fields`) },
    env: { ...fileEnv, ...envOf(raw['env'], `${where}: env`) },
    expected: expected as FieldMap[],
  };
  if (description !== undefined) tc.description = description;
  return tc;
}
