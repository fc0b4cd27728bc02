import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Prng } from '../../src/synth/prng.ts';
import { applyMutator, MUTATOR_NAMES, mutateSequence, MAX_DATAGRAM } from '../../src/fuzz/mutators.ts';
import { viewDatagram } from '../../src/fuzz/structure.ts';
import { minimizeSequence } from '../../src/fuzz/minimize.ts';
import { normalizeMessage, risenProblemKind, signatureOf } from '../../src/fuzz/signature.ts';
import { reproducerCapture } from '../../src/fuzz/reproducer.ts';
import { fuzz } from '../../src/fuzz/fuzzer.ts';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { synthesize } from '../../src/synth/synth.ts';
import type { CodecSpec, FuzzDatagram } from '../../src/fuzz/types.ts';

const FAULTY: CodecSpec = { name: 'faulty', options: {}, origin: 'test', module: pathToFileURL(join(__dirname, 'fixtures/faulty-codec.ts')).href };

const SAMPLE: readonly FuzzDatagram[] = synthesize({ profile: 'softflowd', flows: 400, seed: 2 }).packets.map((p) => ({ payload: p.payload, host: p.src, port: p.srcPort }));

/** A fresh copy (mutators replace entries; payload buffers are never written in place). */
function sample(): FuzzDatagram[] {
  return SAMPLE.map((d) => ({ ...d }));
}

async function datagramsOf(file: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const d of readUdpDatagrams(file)) out.push(d.payload);
  return out;
}

describe('datagram structure', () => {
  it('finds the sets and length fields of an IPFIX message', () => {
    const p = sample()[0]!.payload;
    const v = viewDatagram(p);
    expect(v.version).toBe(10);
    expect(v.sets.map((s) => s.id).slice(0, 2)).toEqual([2, 3]);
    expect(v.lengthFields).toContain(2);
    expect(v.lengthFields).toContain(18);
    expect(v.sets.reduce((n, s) => n + s.length, 16)).toBe(p.length);
  });

  it('never throws on arbitrary bytes', () => {
    const rng = new Prng(9);
    for (let i = 0; i < 2000; i++) {
      const b = rng.bytes(rng.int(0, 80));
      if (rng.bool(0.5) && b.length >= 2) b.writeUInt16BE(rng.pick([5, 9, 10]), 0);
      expect(() => viewDatagram(b)).not.toThrow();
    }
  });
});

describe('mutators', () => {
  it('are deterministic for a seed and keep datagrams bounded', () => {
    const run = (seed: number): string[] => {
      const rng = new Prng(seed);
      const out: string[] = [];
      for (let i = 0; i < 200; i++) {
        const seq = sample().slice(0, 4);
        mutateSequence(seq, rng, sample());
        out.push(seq.map((d) => d.payload.toString('hex')).join('/'));
      }
      return out;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it.each(MUTATOR_NAMES)('%s changes the sequence', (name) => {
    const rng = new Prng(11);
    let changed = 0;
    for (let i = 0; i < 40; i++) {
      const base = sample().slice(0, 3);
      const seq = [...base];
      if (applyMutator(name, seq, rng, sample())) {
        const before = base.map((d) => d.payload.toString('hex')).join('/');
        const after = seq.map((d) => d.payload.toString('hex')).join('/');
        if (before !== after) changed++;
      }
      for (const d of seq) expect(d.payload.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    }
    expect(changed).toBeGreaterThan(10);
  });
});

describe('minimizer', () => {
  it('reduces datagrams and bytes to what still fails', async () => {
    const seq: FuzzDatagram[] = sample().slice(0, 5);
    const bad = Buffer.from(seq[3]!.payload);
    bad[100] = 0xab;
    bad[7] = 0xcd;
    seq[3] = { ...seq[3]!, payload: bad };
    const fails = async (s: FuzzDatagram[]): Promise<boolean> => s.some((d) => d.payload.includes(0xab) && d.payload.includes(0xcd));
    const { sequence, stats } = await minimizeSequence(seq, fails, 5000);
    expect(sequence.length).toBe(1);
    expect(sequence[0]!.payload.length).toBe(2);
    expect(await fails(sequence)).toBe(true);
    expect(stats.tests).toBeLessThan(5000);
  });
});

describe('signatures', () => {
  it('group messages that differ only in numbers and quoted values', () => {
    expect(normalizeMessage("offset 17 'abc' 0x1F")).toBe(normalizeMessage("offset 900 'x' 0xff"));
    expect(signatureOf('exception', 'netflow', 'RangeError: offset 3', 'RangeError\n    at f (/w/src/codec/netflow/decoder.ts:12:3)')).toBe(
      'exception | netflow | RangeError: offset N | src/codec/netflow/decoder.ts:12',
    );
  });

  it('key a logged error on the problem kind the codec counted for it', () => {
    const seen = new Map<string, number>();
    // A warning logged before: its counter rose, and the next log call must not blame it.
    expect(risenProblemKind({ packets: 3, 'problem_bad-header': 1 }, seen)).toBe('bad-header');
    expect(risenProblemKind({ packets: 4, 'problem_bad-header': 1, 'problem_decoder-failure': 1 }, seen)).toBe('decoder-failure');
    expect(risenProblemKind({ packets: 5, 'problem_bad-header': 1, 'problem_decoder-failure': 1 }, seen)).toBeUndefined();
    expect(risenProblemKind(undefined, seen)).toBeUndefined();
    const logged = 'logged error: Netflow decoder failed on a datagram from 10.0.0.1: x is undefined';
    expect(signatureOf('exception', 'netflow', logged, undefined, 'decoder-failure')).toBe(
      `exception | netflow | problem decoder-failure | ${normalizeMessage(logged)}`,
    );
  });
});

describe('fuzz() with planted faults', () => {
  it('finds an exception, minimizes it and writes a readable pcap reproducer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    try {
      const input = join(dir, 'in.pcap');
      const seq = sample().slice(0, 3);
      const evil = Buffer.concat([Buffer.from([0xee, 1, 2, 3]), Buffer.alloc(60, 7), Buffer.from([0x42]), Buffer.alloc(20)]);
      writeFileSync(input, reproducerCapture([...seq, { ...seq[0]!, payload: evil }]));
      const out = join(dir, 'out');
      const report = await fuzz({ codecs: [FAULTY], inputs: [input], iterations: 0, seed: 1, out, runner: { slowMs: 5000 } });
      expect(report.findings).toHaveLength(1);
      const f = report.findings[0]!;
      expect(f.class).toBe('exception');
      expect(f.message).toBe('RangeError: planted fault: offset 64');
      expect(f.signature).toMatch(/^exception \| faulty \| RangeError: planted fault: offset N \| test\/fuzz\/fixtures\/faulty-codec\.ts:\d+$/);
      expect(f.reproducer.map((d) => d.payload.toString('hex'))).toEqual(['ee42']);
      expect(existsSync(f.reproducerPath!)).toBe(true);
      expect((await datagramsOf(f.reproducerPath!)).map((b) => b.toString('hex'))).toEqual(['ee42']);
      expect(readFileSync(join(out, 'exception-1.txt'), 'utf8')).toMatch(/replay: flowstash fuzz --codec faulty/);
      expect(JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')).findings[0].reproducer[0].hex).toBe('ee42');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kills a hang, reports it, and carries on with the remaining sequences', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    try {
      const input = join(dir, 'in.pcap');
      const seq = sample().slice(0, 2);
      writeFileSync(input, reproducerCapture([...seq, { ...seq[0]!, payload: Buffer.from([0xdd, 0, 0, 0]), host: '192.0.2.9' }]));
      const report = await fuzz({ codecs: [FAULTY], inputs: [input], iterations: 6, seed: 3, runner: { killMs: 300 }, minimizeTests: 3 });
      const hang = report.findings.find((f) => f.class === 'hang');
      expect(hang?.message).toMatch(/did not finish within 300 ms/);
      expect(report.iterations).toBe(6);
      expect(report.workerStarts).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports slow datagrams (confirmed by re-running) and memory spikes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    try {
      const input = join(dir, 'in.pcap');
      const d = sample()[0]!;
      writeFileSync(input, reproducerCapture([{ ...d, payload: Buffer.from([0xbb, 1]) }, { ...d, host: '192.0.2.7', payload: Buffer.from([0xcc, 1]) }]));
      const report = await fuzz({ codecs: [FAULTY], inputs: [input], iterations: 0, seed: 3, minimizeTests: 2 });
      expect(report.findings.map((f) => f.class).sort()).toEqual(['hang', 'memory']);
      expect(report.findings.find((f) => f.class === 'hang')!.message).toMatch(/took more than 100 ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
