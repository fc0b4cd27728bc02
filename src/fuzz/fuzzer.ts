// `flowstash fuzz`: mutated captures through fresh codecs in a worker, findings grouped by
// signature, each minimized and written as a pcap reproducer.
import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { Prng } from '../synth/prng.ts';
import { drawSequence, loadCorpus, type FuzzCorpus } from './corpus.ts';
import { minimizeSequence } from './minimize.ts';
import { mutateSequence, type MutatorName } from './mutators.ts';
import { writeReproducer } from './reproducer.ts';
import { FuzzRunner, type RunnerOptions } from './runner.ts';
import type { CodecSpec, Finding, FuzzDatagram } from './types.ts';

export interface FuzzOptions {
  codecs: CodecSpec[];
  inputs: string[];
  /** Mutated sequences to run (default 10000 unless `seconds`). */
  iterations?: number;
  seconds?: number;
  seed?: number;
  /** Directory for reproducers (pcap + note) and findings.json. */
  out?: string;
  batchSize?: number;
  /** Test runs allowed per minimization (default 1500; hangs use at most 25). */
  minimizeTests?: number;
  runner?: Omit<RunnerOptions, 'codecs'>;
  onProgress?: (p: FuzzProgress) => void;
}

export interface FuzzProgress {
  iterations: number;
  elapsedMs: number;
  findings: number;
}

export interface FindingReport {
  signature: string;
  class: Finding['class'];
  codec: string;
  message: string;
  stack?: string;
  /** Iterations that hit this signature. */
  hits: number;
  firstIteration: number;
  mutations: MutatorName[];
  originalDatagrams: number;
  originalBytes: number;
  reproducer: FuzzDatagram[];
  minimizeTests: number;
  reproducerPath?: string;
}

export interface FuzzReport {
  iterations: number;
  datagrams: number;
  events: number;
  elapsedMs: number;
  /** Slow or memory-heavy runs that did not repeat when run again (not reported as findings). */
  unconfirmed: number;
  workerStarts: number;
  inputs: FuzzCorpus['files'];
  findings: FindingReport[];
}

interface Pending {
  iteration: number;
  sequence: FuzzDatagram[];
  mutations: MutatorName[];
}

export class FuzzInputError extends Error {}

export async function fuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const corpus = await loadCorpus(opts.inputs);
  const unreadable = corpus.files.filter((f) => f.datagrams === 0);
  if (corpus.streams.length === 0) {
    const why = unreadable.map((f) => `${f.path}: ${f.problems[0] ?? 'no UDP datagrams'}`).join('; ');
    throw new FuzzInputError(`no UDP datagrams to fuzz in the inputs (${why})`);
  }
  const rng = new Prng(opts.seed ?? 1);
  const runner = new FuzzRunner({ codecs: opts.codecs, ...opts.runner });
  const batchSize = opts.batchSize ?? 64;
  const iterationsWanted = opts.iterations ?? (opts.seconds !== undefined ? Infinity : 10000);
  const deadline = opts.seconds !== undefined ? Date.now() + opts.seconds * 1000 : Infinity;
  const findings = new Map<string, FindingReport & { sequence: FuzzDatagram[] }>();
  const report: FuzzReport = { iterations: 0, datagrams: 0, events: 0, elapsedMs: 0, unconfirmed: 0, workerStarts: 0, inputs: corpus.files, findings: [] };
  const t0 = Date.now();

  const confirm = async (seq: FuzzDatagram[], f: Finding): Promise<boolean> => {
    if (f.class === 'exception' || f.message.includes('did not finish') || f.message.includes('ran out of memory')) return true;
    for (let k = 0; k < 2; k++) {
      const r = await runner.run([seq]);
      if (!r.findings.some((x) => x.finding.class === f.class)) return false;
    }
    return true;
  };

  const record = async (p: Pending, f: Finding): Promise<void> => {
    const known = findings.get(f.signature);
    if (known) {
      known.hits++;
      return;
    }
    if (!(await confirm(p.sequence, f))) {
      report.unconfirmed++;
      return;
    }
    findings.set(f.signature, {
      signature: f.signature, class: f.class, codec: f.codec, message: f.message, stack: f.stack, hits: 1,
      firstIteration: p.iteration, mutations: p.mutations, originalDatagrams: p.sequence.length,
      originalBytes: p.sequence.reduce((n, d) => n + d.payload.length, 0), reproducer: p.sequence, minimizeTests: 0, sequence: p.sequence,
    });
  };

  const runAll = async (batch: Pending[]): Promise<void> => {
    let rest = batch;
    while (rest.length > 0) {
      const r = await runner.run(rest.map((p) => p.sequence));
      report.datagrams += r.datagrams;
      report.events += r.events;
      for (const sf of r.findings) await record(rest[sf.sequence]!, sf.finding);
      // A killed worker stops at the culprit; the sequences after it still need a run.
      rest = r.completed < rest.length ? rest.slice(r.completed + 1) : [];
    }
  };

  try {
    // Iteration 0: every exporter stream as captured, unmutated.
    await runAll(corpus.streams.map((s) => ({ iteration: 0, sequence: s.datagrams, mutations: [] })));
    let lastProgress = Date.now();
    while (report.iterations < iterationsWanted && Date.now() < deadline) {
      const n = Math.min(batchSize, iterationsWanted - report.iterations);
      const batch: Pending[] = [];
      for (let k = 0; k < n; k++) {
        const sequence = drawSequence(corpus, rng);
        const mutations = mutateSequence(sequence, rng, corpus.all);
        batch.push({ iteration: report.iterations + k + 1, sequence, mutations });
      }
      await runAll(batch);
      report.iterations += n;
      if (opts.onProgress && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        opts.onProgress({ iterations: report.iterations, elapsedMs: Date.now() - t0, findings: findings.size });
      }
    }
    report.elapsedMs = Date.now() - t0;

    // Minimize each finding: the same signature (class alone for hangs and memory) must still show.
    for (const f of findings.values()) {
      const matches = (x: Finding): boolean => (f.class === 'exception' ? x.signature === f.signature : x.class === f.class);
      const maxTests = f.class === 'exception' ? (opts.minimizeTests ?? 1500) : Math.min(25, opts.minimizeTests ?? 25);
      const { sequence, stats } = await minimizeSequence(
        f.sequence,
        async (seq) => (await runner.run([seq])).findings.some((x) => matches(x.finding)),
        maxTests,
      );
      f.reproducer = sequence;
      f.minimizeTests = stats.tests;
    }
  } finally {
    report.workerStarts = runner.starts;
    await runner.close();
  }

  report.findings = [...findings.values()].map(({ sequence: _s, ...rest }) => rest);
  if (opts.out && report.findings.length > 0) writeFindings(opts.out, report);
  return report;
}

function noteFor(f: FindingReport): string {
  return [
    `flowstash fuzz finding: ${f.class} in codec ${f.codec}`,
    `signature: ${f.signature}`,
    `message: ${f.message}`,
    `hits: ${f.hits} (first at iteration ${f.firstIteration}, mutations: ${f.mutations.join(', ') || 'none (unmutated capture)'})`,
    `minimized from ${f.originalDatagrams} datagrams / ${f.originalBytes} bytes to ${f.reproducer.length} datagrams / ${f.reproducer.reduce((n, d) => n + d.payload.length, 0)} bytes in ${f.minimizeTests} runs`,
    `replay: flowstash fuzz --codec ${f.codec} --input <this pcap> --iterations 0`,
    '',
    'datagrams (hex):',
    ...f.reproducer.map((d, i) => `  ${i} from ${d.host}:${d.port}: ${d.payload.toString('hex')}`),
    '',
    f.stack ? `stack:\n${f.stack}\n` : '',
  ].join('\n');
}

function writeFindings(dir: string, report: FuzzReport): void {
  mkdirSync(dir, { recursive: true });
  const counts: Record<string, number> = {};
  for (const f of report.findings) {
    counts[f.class] = (counts[f.class] ?? 0) + 1;
    f.reproducerPath = writeReproducer(dir, `${f.class}-${counts[f.class]}`, f.reproducer, noteFor(f));
  }
  const json = {
    ...report,
    findings: report.findings.map((f) => ({ ...f, reproducer: f.reproducer.map((d) => ({ host: d.host, port: d.port, hex: d.payload.toString('hex') })) })),
  };
  writeFileSync(join(dir, 'findings.json'), JSON.stringify(json, null, 2) + '\n');
}
