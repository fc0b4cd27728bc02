// `flowstash bench decode FILE.pcap [--seconds N]`: netflow codec throughput on a capture.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { benchDecode, loadNetflowDatagrams } from '../plugins/codecs/netflow/bench.ts';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--seconds must be a positive number.');
  return n;
}

export async function run(args: string[]): Promise<number> {
  let status = 0;
  let done: Promise<number> | undefined;
  const program = new Command('flowstash bench')
    .description('Benchmarks')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  program
    .command('decode')
    .description("Decode a capture's NetFlow/IPFIX datagrams repeatedly (templates first) into pipeline events")
    .argument('<file>', 'pcap or pcapng capture')
    .option('--seconds <n>', 'how long to measure', positiveNumber, 5)
    .option('--target <name>', 'target field of the events', 'netflow')
    .action((file: string, o: { seconds: number; target: string }) => {
      done = decodeCommand(file, o.seconds, o.target);
    });
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  if (!done) {
    process.stderr.write('flowstash bench: say which benchmark, e.g. `flowstash bench decode FILE.pcap`\n');
    return 2;
  }
  status = await done;
  return status;
}

async function decodeCommand(file: string, seconds: number, target: string): Promise<number> {
  let datagrams;
  try {
    datagrams = await loadNetflowDatagrams(file);
  } catch (e) {
    process.stderr.write(`flowstash bench decode: ${(e as Error).message}\n`);
    return 1;
  }
  if (datagrams.length === 0) {
    process.stderr.write(`flowstash bench decode: ${file} holds no NetFlow v5/v9 or IPFIX datagrams\n`);
    return 1;
  }
  const r = benchDecode(datagrams, seconds, { target });
  if (r.flowsPerPass === 0) {
    process.stderr.write(`flowstash bench decode: no flows decoded from ${file} (no templates for its data?)\n`);
    return 1;
  }
  const rows: [string, string][] = [
    ['capture', file],
    ['netflow datagrams', String(r.datagrams)],
    ['flows per pass', String(r.flowsPerPass)],
    ['passes', String(r.passes)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  process.stdout.write(`decoded ${r.flows} flows in ${r.seconds.toFixed(3)} s (${Math.round(r.flowsPerSecond)} flows/s)\n`);
  return 0;
}
