// Runs test-case files against a pipeline: each test case gets a freshly built pipeline (nothing
// leaks between cases), its input replaced by the test input, its outputs captured; the captured
// events are compared with the expected ones. Branch hits of every case are collected for the
// coverage report.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PluginNode, Statement } from '../config/ast.ts';
import { ConfigError, loadPipelineConfig, type PipelineConfig, type ValidatedPlugin } from '../config/pipeline-config.ts';
import { deepClone, type Event } from '../event/event.ts';
import { type BranchArm, conditionalArms, type HarnessInput, type HarnessResult, runPipelineHarness } from '../pipeline/harness.ts';
import type { LogLevel } from '../pipeline/log.ts';
import type { EcsCompatibility } from '../plugins/types.ts';
import type { FieldMap, FieldValue } from '../event/values.ts';
import { actualMap, compareEvent, type FieldDifference } from './compare.ts';
import { loadTestFile, TEST_FILE_EXTENSIONS, type TestCase, TestFileError, type TestFile } from './testfile.ts';

export interface EventResult {
  /** 1-based position in the expected / actual lists. */
  index: number;
  expected?: FieldMap;
  actual?: FieldMap;
  differences: FieldDifference[];
}

export interface CaseResult {
  testcase: TestCase;
  passed: boolean;
  /** One entry per position up to the longer of expected and actual. */
  events: EventResult[];
  expectedCount: number;
  actualCount: number;
  /** Why the case could not run (invalid config with this env, bad codec, unreadable capture ...). */
  error?: string;
  /** Warnings and errors the pipeline logged while running the case. */
  log: string[];
}

export interface FileResult {
  file: string;
  /** The file could not be read or is not a valid test file (no case ran). */
  error?: string;
  /** The parsed file (absent when `error` is set). */
  testFile?: TestFile;
  cases: CaseResult[];
}

export interface BranchCoverage {
  arm: BranchArm;
  hits: number;
}

export interface VerifyReport {
  files: FileResult[];
  /** Every conditional arm of the config's filter and output sections with its hit count; undefined when the config never loaded. */
  coverage?: BranchCoverage[];
  casesPassed: number;
  casesFailed: number;
  eventsCompared: number;
}

export interface VerifyOptions {
  /** -f values (files, globs, directories) as loadPipelineConfig takes them. */
  configPaths: string[];
  /** Test files or directories. */
  testPaths: string[];
  /** Base environment for ${VAR} (default process.env); test `env` goes over it. */
  env?: Record<string, string | undefined>;
  logLevel?: LogLevel;
  /** Freeze the clock at this instant (ms since the epoch) while a case runs: events made without a @timestamp get it. */
  clockMs?: number;
  /** `pipeline.ecs_compatibility` (default v8), as `flowstash --pipeline.ecs_compatibility` sets it. */
  ecsCompatibility?: EcsCompatibility;
  /** Called when a test case finished (progressive output). */
  onCase?: (file: TestFile, result: CaseResult) => void;
}

/** The test files named by the arguments: files as given, directories' .json/.yaml/.yml files sorted by name. */
export function expandTestPaths(paths: string[]): { files: string[]; problems: { path: string; message: string }[] } {
  const files: string[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const p of paths) {
    if (!existsSync(p)) {
      problems.push({ path: p, message: `${p}: no such test file or directory` });
      continue;
    }
    if (statSync(p).isDirectory()) {
      const found = readdirSync(p)
        .filter((f) => TEST_FILE_EXTENSIONS.includes(path.extname(f).toLowerCase()))
        .sort()
        .map((f) => path.join(p, f))
        .filter((f) => statSync(f).isFile());
      if (found.length === 0) problems.push({ path: p, message: `${p}: the directory holds no test files (${TEST_FILE_EXTENSIONS.join(', ')})` });
      files.push(...found);
    } else if (path.extname(p).toLowerCase() === '.conf') {
      // `-f a.conf b.conf tests/` reads b.conf as a test file: say how to give several configs.
      problems.push({ path: p, message: `${p}: this is a pipeline config, not a test file: give each config with its own -f, e.g. -f ${p}` });
    } else {
      files.push(p);
    }
  }
  return { files, problems };
}

function inputPlugins(stmts: Statement[]): PluginNode[] {
  return stmts.flatMap((s) =>
    s.type === 'plugin' ? [s] : [...s.clauses.flatMap((c) => inputPlugins(c.body)), ...inputPlugins(s.elseBody ?? [])],
  );
}

/** Remembers loaded configs and codecs per environment: a test case's env may change ${VAR} values. */
class ConfigCache {
  private readonly configs = new Map<string, Promise<PipelineConfig>>();
  private readonly codecs = new Map<string, Promise<ValidatedPlugin>>();
  /** The first config that loaded: the one the coverage report lists branches of. */
  firstLoaded: PipelineConfig | undefined;

  constructor(
    private readonly configPaths: string[],
    private readonly baseEnv: Record<string, string | undefined>,
  ) {}

  private env(extra: Record<string, string>): Record<string, string | undefined> {
    return { ...this.baseEnv, ...extra };
  }

  config(extra: Record<string, string>): Promise<PipelineConfig> {
    const key = JSON.stringify(extra);
    let hit = this.configs.get(key);
    if (!hit) {
      hit = loadPipelineConfig({ paths: this.configPaths, env: this.env(extra) }).then((c) => {
        this.firstLoaded ??= c;
        return c;
      });
      this.configs.set(key, hit);
    }
    return hit;
  }

  /** A codec written as config text (`json_lines`, `csv { separator => ";" }`), validated like an input's codec. */
  codec(text: string, extra: Record<string, string>, file: string): Promise<ValidatedPlugin> {
    const key = JSON.stringify([text, extra]);
    let hit = this.codecs.get(key);
    if (!hit) {
      hit = (async () => {
        try {
          const config = await loadPipelineConfig({ configString: `input { generator { codec => ${text} } }\noutput { null {} }`, env: this.env(extra) });
          const node = inputPlugins(config.inputs)[0];
          const codec = node ? config.plugin(node).options['codec'] : undefined;
          if (!codec || typeof codec !== 'object') throw new ConfigError('no codec found');
          const name = (codec as ValidatedPlugin).name;
          if (name === 'rubydebug' || name === 'dots') {
            throw new ConfigError(`${name} only encodes; the test input needs a codec that decodes (json_lines, line, netflow …)`);
          }
          return codec as ValidatedPlugin;
        } catch (e) {
          const msg = (e as Error).message;
          // Positions would point into the wrapper text, not at anything the user wrote.
          const why = /Expected one of/.test(msg)
            ? 'it does not parse as a codec (a name such as json_lines, or name { option => value … })'
            : msg.replace(/<config string>:\d+:\d+: /g, '');
          throw new TestFileError(`${file}: codec '${text}' is not a valid codec setting: ${why}`);
        }
      })();
      this.codecs.set(key, hit);
    }
    return hit;
  }
}

interface InputSettings {
  codec: ValidatedPlugin | string;
  /** The stood-in input's type/tags/add_field/ECS options (capture input only). */
  options?: Record<string, unknown>;
}

/**
 * The pipeline input a capture stands in for (`input_plugin` by id, else the first input): the
 * capture takes its codec (unless the file gives one), type, tags, add_field and ECS settings.
 */
function modelInput(tf: TestFile, config: PipelineConfig): ValidatedPlugin | undefined {
  const inputs = inputPlugins(config.inputs).map((n) => config.plugin(n));
  if (tf.inputPlugin === undefined) return inputs[0];
  const found = inputs.find((p) => p.id === tf.inputPlugin);
  if (!found) {
    const ids = inputs.map((p) => `'${p.id}' (${p.name})`).join(', ') || 'none';
    throw new TestFileError(`${tf.path}: input_plugin '${tf.inputPlugin}' is not the id of an input of the pipeline; its inputs: ${ids}`);
  }
  return found;
}

async function inputSettings(tf: TestFile, tc: TestCase, config: PipelineConfig, cache: ConfigCache): Promise<InputSettings> {
  const model = tc.input.kind === 'capture' ? modelInput(tf, config) : undefined;
  const settings: InputSettings = { codec: 'line' };
  if (tf.codec !== undefined) settings.codec = await cache.codec(tf.codec, tc.env, tf.path);
  else if (tc.input.kind === 'capture') {
    const codec = model?.options['codec'];
    if (!codec) {
      throw new TestFileError(
        `${tf.path}: testcase #${tc.index}: a capture input needs a codec: give 'codec' (e.g. netflow { versions => [10] }) or a pipeline with an input`,
      );
    }
    settings.codec = codec as ValidatedPlugin;
  }
  if (model) settings.options = model.options;
  return settings;
}

/** Sets the test's fields the way add_field does (a value already there becomes a list). */
function fieldSetter(fields: FieldMap): ((event: Event) => void) | undefined {
  const entries = Object.entries(fields);
  if (entries.length === 0) return undefined;
  return (event) => {
    for (const [ref, value] of entries) {
      const existing = event.get(ref);
      const fresh = deepClone(value);
      if (existing === undefined) event.set(ref, fresh);
      else event.set(ref, [...(Array.isArray(existing) ? existing : [existing]), fresh] as FieldValue);
    }
  };
}

async function runCase(
  tf: TestFile,
  tc: TestCase,
  cache: ConfigCache,
  hits: Map<string, number>,
  logLevel: LogLevel,
  ecsCompatibility: EcsCompatibility | undefined,
): Promise<CaseResult> {
  const result: CaseResult = { testcase: tc, passed: false, events: [], expectedCount: tc.expected.length, actualCount: 0, log: [] };
  let config: PipelineConfig;
  let settings: InputSettings;
  try {
    config = await cache.config(tc.env);
    settings = await inputSettings(tf, tc, config, cache);
  } catch (e) {
    result.error = (e as Error).message;
    return result;
  }
  const input: HarnessInput = {
    codec: settings.codec,
    source:
      tc.input.kind === 'lines'
        ? { kind: 'lines', lines: tc.input.lines }
        : { kind: 'capture', path: tc.input.capture.path, ...(tc.input.capture.filter !== undefined ? { filter: tc.input.capture.filter } : {}) },
  };
  if (settings.options) input.options = settings.options;
  const decorate = fieldSetter(tc.fields);
  if (decorate) input.decorate = decorate;
  let run: HarnessResult;
  try {
    run = await runPipelineHarness(config, input, {
      logLevel,
      ...(ecsCompatibility ? { ecsCompatibility } : {}),
      onBranch: (arm) => hits.set(arm.key, (hits.get(arm.key) ?? 0) + 1),
    });
  } catch (e) {
    result.error = (e as Error).message;
    return result;
  }
  result.log = run.log;
  if (run.inputError !== undefined) {
    result.error = `the test input failed: ${run.inputError}`;
    return result;
  }
  const passedThrough = new Map<Event, string[]>();
  if (tf.exportOutputs) {
    for (const o of run.outputs) for (const e of o.events) passedThrough.set(e, [...(passedThrough.get(e) ?? []), o.id]);
  }
  result.actualCount = run.events.length;
  const n = Math.max(run.events.length, tc.expected.length);
  for (let i = 0; i < n; i++) {
    const event = run.events[i];
    const expected = tc.expected[i];
    const withMetadata = tf.exportMetadata || (expected !== undefined && Object.prototype.hasOwnProperty.call(expected, '@metadata'));
    const extra = tf.exportOutputs && event ? { __lfv_out_passed: passedThrough.get(event) ?? [] } : undefined;
    const actual = event ? actualMap(event, withMetadata, extra) : undefined;
    const er: EventResult = { index: i + 1, differences: [] };
    if (expected) er.expected = expected;
    if (actual) er.actual = actual;
    if (expected && actual) er.differences = compareEvent(expected, actual, { ignore: tf.ignore, exportMetadata: tf.exportMetadata });
    result.events.push(er);
  }
  result.passed = run.events.length === tc.expected.length && result.events.every((e) => e.differences.length === 0);
  return result;
}

/** Runs `fn` with Date.now() frozen at `clockMs` (nothing else runs in a verify process meanwhile). */
async function withClock<T>(clockMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (clockMs === undefined) return fn();
  const realNow = Date.now;
  Date.now = () => clockMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/** Runs every test case of every test file; never throws for bad input (errors are in the report). */
export async function runVerify(opts: VerifyOptions): Promise<VerifyReport> {
  const cache = new ConfigCache(opts.configPaths, opts.env ?? process.env);
  const hits = new Map<string, number>();
  const report: VerifyReport = { files: [], casesPassed: 0, casesFailed: 0, eventsCompared: 0 };
  const { files, problems } = expandTestPaths(opts.testPaths);
  for (const p of problems) report.files.push({ file: p.path, error: p.message, cases: [] });
  for (const file of files) {
    const fr: FileResult = { file, cases: [] };
    report.files.push(fr);
    let tf: TestFile;
    try {
      tf = loadTestFile(file);
    } catch (e) {
      if (!(e instanceof TestFileError)) throw e;
      fr.error = e.message;
      continue;
    }
    fr.testFile = tf;
    for (const tc of tf.testcases) {
      const r = await withClock(opts.clockMs, () => runCase(tf, tc, cache, hits, opts.logLevel ?? 'warn', opts.ecsCompatibility));
      fr.cases.push(r);
      if (r.passed) report.casesPassed++;
      else report.casesFailed++;
      report.eventsCompared += r.events.filter((e) => e.expected && e.actual).length;
      opts.onCase?.(tf, r);
    }
  }
  const config = cache.firstLoaded ?? (await cache.config({}).catch(() => undefined));
  if (config) report.coverage = conditionalArms(config).map((arm) => ({ arm, hits: hits.get(arm.key) ?? 0 }));
  return report;
}

/** True when nothing failed: every case passed and every file and path was usable. */
export function verifyPassed(report: VerifyReport): boolean {
  return report.casesFailed === 0 && report.files.every((f) => f.error === undefined) && report.files.some((f) => f.cases.length > 0);
}
