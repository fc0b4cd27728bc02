// `flowstash verify -f CONF TESTFILE|DIR…`: logstash-filter-verifier style test cases run in-process
// against the pipeline's filters and output conditionals (inputs replaced by the test input,
// outputs captured), with a field-by-field diff on mismatch and a branch coverage report.
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolveConfigPaths } from '../config/files.ts';
import { LOG_LEVELS, type LogLevel } from '../pipeline/log.ts';
import type { EcsCompatibility } from '../plugins/types.ts';
import { junitReport } from '../verify/junit.ts';
import { palette, renderCase, renderCoverage, renderSummary } from '../verify/render.ts';
import { runVerify, verifyPassed } from '../verify/runner.ts';

interface VerifyCliOptions {
  config: string[];
  color?: boolean;
  coverage: boolean;
  quiet: boolean;
  timezone: string;
  logLevel: LogLevel;
  clockMs?: number;
  pipelineEcsCompatibility?: EcsCompatibility;
  junit?: string;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function instant(v: string): number {
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 time such as 2025-01-01T00:00:00Z.');
  return ms;
}

function ecsMode(v: string): EcsCompatibility {
  const modes: readonly EcsCompatibility[] = ['disabled', 'v1', 'v8'];
  if (!modes.includes(v as EcsCompatibility)) throw new InvalidArgumentError(`expected one of ${modes.join(', ')}.`);
  return v as EcsCompatibility;
}

function logLevel(v: string): LogLevel {
  const l = v.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(l)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}.`);
  return l;
}

const EXAMPLES = `
Examples:
  flowstash verify -f conf/ipfix.conf conf/tests/
      every test file in conf/tests/ against conf/ipfix.conf
  flowstash verify -f conf/inputs.conf -f conf/filters/ -q tests/flows.yaml
      a pipeline split over a file and a directory; print only failures, coverage gaps and the summary
  flowstash verify -f 'conf/*.conf' --clock 2025-01-01T00:00:00Z --junit verify.xml tests/
      freeze the clock for events without a @timestamp; also write JUnit XML for CI

A test file (logstash-filter-verifier format, JSON or YAML) gives input lines or a capture
(input_capture: flows.pcap) and the events expected to reach the outputs; see
the README (Testing a pipeline). Exit status: 0 all cases passed, 1 a case failed or could not run,
2 usage error.
`;

export async function run(args: string[]): Promise<number> {
  const cmd = new Command('flowstash verify')
    .description(
      'Run logstash-filter-verifier test-case files (JSON or YAML; a directory runs every .json/.yaml/.yml in it) ' +
        "against a pipeline's filters and output conditionals, in-process: no network, no JVM.",
    )
    .argument('<test...>', 'test-case files or directories')
    .option(
      '-f, --path.config <path>',
      'pipeline config: file, glob or directory (required; repeat -f for several: their files are chained sorted by path, as flowstash run does)',
      collect,
    )
    .option('--color', 'colour the output even when stdout is not a terminal')
    .option('--no-color', 'never colour the output')
    .option('--no-coverage', 'do not report conditional branches no test case reached')
    .option('-q, --quiet', 'print only failing test cases, the coverage gaps and the summary', false)
    .option('--clock <time>', 'freeze the clock at this ISO 8601 time: events without a @timestamp get it (deterministic expected events)', instant)
    .option('--junit <file>', 'also write the results as JUnit XML (for CI)')
    .option('--timezone <zone>', 'TZ for the run (LFV runs Logstash with TZ=UTC)', 'UTC')
    .option('--pipeline.ecs_compatibility <mode>', 'disabled, v1 or v8 (default v8): field layout of ECS-aware plugins, as for flowstash -f', ecsMode)
    .option('--log.level <level>', 'pipeline log lines kept and shown with failing cases', logLevel, 'warn' as LogLevel)
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(flowstash verify --help lists the options, with examples)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let o: VerifyCliOptions;
  let tests: string[];
  try {
    cmd.parse(args, { from: 'user' });
    const raw = cmd.opts<Record<string, unknown>>();
    o = {
      config: (raw['path.config'] as string[] | undefined) ?? [],
      coverage: raw['coverage'] as boolean,
      quiet: raw['quiet'] as boolean,
      timezone: raw['timezone'] as string,
      logLevel: raw['log.level'] as LogLevel,
    };
    if (typeof raw['color'] === 'boolean') o.color = raw['color'];
    if (typeof raw['clock'] === 'number') o.clockMs = raw['clock'];
    if (typeof raw['junit'] === 'string') o.junit = raw['junit'];
    if (typeof raw['pipeline.ecs_compatibility'] === 'string') o.pipelineEcsCompatibility = raw['pipeline.ecs_compatibility'] as EcsCompatibility;
    tests = cmd.args;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  if (o.config.length === 0) {
    process.stderr.write('flowstash verify: give the pipeline to test with -f CONF (a file, glob or directory)\n');
    return 2;
  }
  // Checked per -f: a mistyped one among several would otherwise test a different pipeline without a word.
  const empty = o.config.filter((spec) => resolveConfigPaths([spec]).files.length === 0);
  if (empty.length > 0) {
    process.stderr.write(empty.map((spec) => `flowstash verify: -f ${spec}: no config file found there\n`).join(''));
    return 2;
  }
  // Date filters without a timezone use the machine's zone: fix it so results do not depend on the host.
  process.env['TZ'] = o.timezone;
  const colour = o.color ?? (process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined);
  const p = palette(colour);
  const out: string[] = [];
  const write = (lines: string[]): void => void process.stdout.write(lines.map((l) => l + '\n').join(''));
  const started = process.hrtime.bigint();
  let previousError: string | undefined;
  const report = await runVerify({
    configPaths: o.config,
    testPaths: tests,
    logLevel: o.logLevel,
    ...(o.clockMs !== undefined ? { clockMs: o.clockMs } : {}),
    ...(o.pipelineEcsCompatibility !== undefined ? { ecsCompatibility: o.pipelineEcsCompatibility } : {}),
    onCase: (tf, r) => {
      if (!(o.quiet && r.passed)) write(renderCase(tf, r, p, previousError));
      previousError = r.error;
    },
  });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  for (const f of report.files) if (f.error !== undefined) out.push(`${p.fail('☐')} ${f.error}`);
  if (o.coverage && report.coverage) out.push(...renderCoverage(report.coverage, p));
  if (o.junit !== undefined) {
    try {
      writeFileSync(o.junit, junitReport(report));
    } catch (e) {
      out.push(`${p.fail('☐')} cannot write the JUnit report ${o.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      write(out);
      return 1;
    }
  }
  out.push(renderSummary(report, p, ms));
  write(out);
  return verifyPassed(report) ? 0 : 1;
}
