// sFlow decode throughput: flow samples per second through the sflow decoder (events' fields built)
// and through the codec (Event objects), on one core, for the pmacct sfprobe captures of the corpus
// and a synthesized switch capture (`synth --profile sflow`). Target: ≥ 500k flow samples/s.
//   npx tsx bench/sflow-decode.ts [--seconds N]
// No sFlow decoder for Node is installed to compare with, so there is no ratio column.
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readUdpDatagrams } from '../src/replay/datagram-source.ts';
import { SflowDecoder } from '../src/flow/sflow/index.ts';
import { SflowCodec } from '../src/plugins/codecs/sflow/sflow.ts';
import { synthesize } from '../src/synth/synth.ts';
import { Timestamp } from '../src/event/timestamp.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus/sflow');
const TARGET = 500_000;
const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 2;

interface Input {
  name: string;
  datagrams: { payload: Buffer; host: string }[];
}

async function corpusInput(name: string): Promise<Input | undefined> {
  const file = path.join(CORPUS, `${name}.pcap`);
  if (!existsSync(file)) return undefined;
  const datagrams: Input['datagrams'] = [];
  for await (const d of readUdpDatagrams(file)) datagrams.push({ payload: Buffer.from(d.payload), host: d.src });
  return { name, datagrams };
}

function synthInput(): Input {
  const res = synthesize({ profile: 'sflow', flows: 20_000, exporters: 4, seed: 3 });
  return { name: 'synth --profile sflow (20k flows)', datagrams: res.packets.map((p) => ({ payload: p.payload, host: p.src })) };
}

interface Rate {
  /** Flow samples per wall-clock second. */
  wall: number;
  /** Flow samples per second of this process's CPU time (user + system, all its threads): the rate
   * one uncontended core gives, which stays meaningful when other processes share the machine. */
  cpu: number;
}

/** Runs `pass` repeatedly for `seconds`. */
function measure(pass: () => number, seconds: number): Rate {
  for (let i = 0; i < 3; i++) pass(); // warm-up
  let flows = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    flows += pass();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(Math.round(seconds * 1e9)));
  const cpu = process.cpuUsage(cpu0);
  return { wall: flows / (Number(elapsed) / 1e9), cpu: flows / ((cpu.user + cpu.system) / 1e6) };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const inputs = [await corpusInput('sfprobe-rate8'), await corpusInput('sfprobe-agent6'), synthInput()].filter((x): x is Input => x !== undefined);
if (inputs.length < 3) console.log(`(${CORPUS} is absent: corpus captures skipped)`);
const ts = new Timestamp(1_767_225_600, 0);
console.log(`sflow decode, one core, ${SECONDS} s per row; load before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
console.log('flows/s: per wall-clock second, and per CPU-second of this process (= one uncontended core)');
console.log('input                                  datagrams  flow samples/pass   decoder wall/s    decoder cpu/s    codec wall/s     codec cpu/s');
let worst = Infinity;
for (const input of inputs) {
  const decoder = new SflowDecoder({}, { now: () => ts });
  let perPass = 0;
  const decoderPass = (): number => {
    let n = 0;
    for (const d of input.datagrams) decoder.decodeInto(d.payload, d, (f) => (n += f['sflow_type'] === 'flow_sample' ? 1 : 0));
    return n;
  };
  perPass = decoderPass();
  const decoderRate = measure(decoderPass, SECONDS);
  const codec = new SflowCodec({}, undefined, () => ts);
  const codecPass = (): number => {
    let n = 0;
    for (const d of input.datagrams) codec.decode(d.payload, d, (e) => (n += e.data['sflow_type'] === 'flow_sample' ? 1 : 0));
    return n;
  };
  const codecRate = measure(codecPass, SECONDS);
  worst = Math.min(worst, codecRate.cpu);
  console.log(
    `${input.name.padEnd(38)} ${String(input.datagrams.length).padStart(9)}  ${String(perPass).padStart(17)}  ` +
      [decoderRate.wall, decoderRate.cpu, codecRate.wall, codecRate.cpu].map((r) => fmt(r).padStart(14)).join('   '),
  );
}
console.log(`lowest codec rate per CPU-second ${fmt(worst)} flow samples/s — target ${fmt(TARGET)} on one core: ${worst >= TARGET ? 'met' : 'NOT met'}`);
console.log(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
