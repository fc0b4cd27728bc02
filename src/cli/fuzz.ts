// `flowstash fuzz`: fuzzes the codecs of a pipeline (or one named codec) with mutated captures.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { glob } from '../config/files.ts';
import { loadPipelineConfig } from '../config/pipeline-config.ts';
import type { Statement } from '../config/ast.ts';
import { defaultCodecOptions } from '../fuzz/codecs.ts';
import { isEmulated } from '../plugins/registry.ts';
import { fuzz, FuzzInputError, type FuzzReport } from '../fuzz/fuzzer.ts';
import type { CodecSpec } from '../fuzz/types.ts';

function count(name: string, allowZero: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || (!allowZero && n === 0)) {
      throw new InvalidArgumentError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer.`);
    }
    return n;
  };
}

function seconds(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--seconds must be a positive number.');
  return n;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

interface FuzzCliOptions {
  config?: string[];
  codec?: string;
  input: string[];
  iterations?: number;
  seconds?: number;
  seed: number;
  out: string;
  progress: boolean;
}

/** Every codec of the pipeline's inputs (plugins inside conditionals included), once per name+options. */
async function codecsOfConfig(paths: string[]): Promise<CodecSpec[]> {
  const config = await loadPipelineConfig({ paths });
  const specs: CodecSpec[] = [];
  const seen = new Set<string>();
  const walk = (stmts: Statement[]): void => {
    for (const s of stmts) {
      if (s.type === 'branch') {
        for (const c of s.clauses) walk(c.body);
        if (s.elseBody) walk(s.elseBody);
        continue;
      }
      const input = config.plugin(s);
      const codec = input.options.codec as { name: string; options: Record<string, unknown> } | undefined;
      if (!codec) continue;
      const options = Object.fromEntries(Object.entries(codec.options).filter(([k]) => k !== 'id' && k !== 'enable_metric'));
      const key = `${codec.name}|${JSON.stringify(options)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const loc = s.loc ? `${s.loc.file ?? paths[0]}:${s.loc.line}:${s.loc.column}` : paths[0];
      specs.push({ name: codec.name, options: codec.options, origin: `${loc} input ${s.name}` });
    }
  };
  walk(config.inputs);
  return specs;
}

function expandInputs(patterns: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of patterns) {
    const abs = resolve(p);
    const matches = /[*?[{]/.test(p) ? glob(abs).sort() : existsSync(abs) ? [abs] : [];
    if (matches.length === 0) missing.push(p);
    files.push(...matches);
  }
  return { files: [...new Set(files)], missing };
}

function summary(r: FuzzReport, out: string): string {
  const rate = r.elapsedMs > 0 ? Math.round((r.iterations * 1000) / r.elapsedMs) : r.iterations;
  const lines = [
    `flowstash fuzz: ${r.iterations} iterations in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate} iterations/s), ` +
      `${r.datagrams} datagrams decoded, ${r.events} events, ${r.inputs.length} inputs, worker started ${r.workerStarts}×`,
  ];
  if (r.unconfirmed) lines.push(`  ${r.unconfirmed} slow/memory-heavy run(s) did not repeat and are not reported`);
  if (r.findings.length === 0) lines.push('  no findings');
  for (const f of r.findings) {
    lines.push(
      `  ${f.class.toUpperCase()} (${f.hits} hit${f.hits === 1 ? '' : 's'}): ${f.message}`,
      `    signature: ${f.signature}`,
      `    reproducer: ${f.reproducerPath ?? '(not written)'} (${f.reproducer.length} datagram${f.reproducer.length === 1 ? '' : 's'}, ` +
        `${f.reproducer.reduce((n, d) => n + d.payload.length, 0)} bytes)`,
    );
  }
  if (r.findings.length) lines.push(`  details: ${resolve(out, 'findings.json')}`);
  for (const i of r.inputs) for (const p of i.problems) lines.push(`  warning: ${i.path}: ${p}`);
  return lines.join('\n') + '\n';
}

export async function run(args: string[]): Promise<number> {
  const cmd = new Command('flowstash fuzz')
    .description('Feed mutated datagrams of real captures to the codecs of a pipeline and report exceptions, hangs and memory growth with minimized pcap reproducers.')
    .option('-f, --config <path>', 'pipeline config: fuzz the codecs of its inputs (repeatable)', collect, [])
    .option('--codec <name>', 'fuzz one codec by name (e.g. netflow)')
    .requiredOption('--input <capture...>', 'capture files (pcap/pcapng) or globs')
    .option('--iterations <n>', 'mutated sequences to run (0: only the captures as they are)', count('--iterations', true))
    .option('--seconds <s>', 'run for this long instead', seconds)
    .option('--seed <s>', 'PRNG seed (the run is repeatable with the same seed and inputs)', count('--seed', true), 1)
    .option('--out <dir>', 'directory for reproducers and findings.json', 'fuzz-findings')
    .option('--no-progress', 'no progress lines on stderr')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let o: FuzzCliOptions;
  try {
    cmd.parse(args, { from: 'user' });
    o = cmd.opts<FuzzCliOptions>();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const err = (msg: string, code = 2): number => {
    process.stderr.write(`flowstash fuzz: ${msg}\n`);
    return code;
  };
  const configs = o.config ?? [];
  if ((configs.length > 0) === (o.codec !== undefined)) return err('give either -f CONFIG or --codec NAME (one of them)');
  if (o.iterations !== undefined && o.seconds !== undefined) return err('give --iterations or --seconds, not both');
  let codecs: CodecSpec[];
  if (o.codec !== undefined) {
    if (!isEmulated('codec', o.codec)) return err(`unknown codec '${o.codec}' (or not implemented by flowstash)`);
    codecs = [{ name: o.codec, options: defaultCodecOptions(o.codec), origin: `--codec ${o.codec}` }];
  } else {
    try {
      codecs = await codecsOfConfig(configs);
    } catch (e) {
      return err((e as Error).message, 1);
    }
    const missing = codecs.filter((c) => !isEmulated('codec', c.name));
    if (missing.length) return err(`cannot fuzz codec(s) flowstash does not implement: ${missing.map((c) => `${c.name} (${c.origin})`).join(', ')}`, 1);
    if (codecs.length === 0) return err(`the inputs of ${configs.join(', ')} use no codec`, 1);
  }
  const { files, missing } = expandInputs(o.input);
  if (missing.length) return err(`no such capture: ${missing.join(', ')}`);
  const progress = o.progress
    ? (p: { iterations: number; elapsedMs: number; findings: number }): void => {
        const rate = Math.round((p.iterations * 1000) / Math.max(1, p.elapsedMs));
        process.stderr.write(`fuzz: ${p.iterations} iterations, ${rate}/s, ${p.findings} finding(s)\n`);
      }
    : undefined;
  let report: FuzzReport;
  try {
    report = await fuzz({ codecs, inputs: files, iterations: o.iterations, seconds: o.seconds, seed: o.seed, out: o.out, onProgress: progress });
  } catch (e) {
    if (e instanceof FuzzInputError) return err(e.message, 1);
    // The worker could not start or load the codec: say so instead of a stack trace.
    return err(`fuzzing stopped: ${(e as Error).message}`, 1);
  }
  process.stdout.write(summary(report, o.out));
  return report.findings.length > 0 ? 1 : 0;
}
