// Entry point: `flowstash [run] …` (Logstash's flags) or `flowstash <subcommand> …`.
// Each subcommand lives in its own module exporting `run(args): Promise<number>` (the exit code),
// loaded only when used so the common path starts fast.

export interface SubcommandInfo {
  name: string;
  summary: string;
}

export const SUBCOMMANDS: SubcommandInfo[] = [
  { name: 'run', summary: 'run a pipeline (default): -f PATH | -e STRING, -t, -r, -w, -b, --log.level' },
  { name: 'fmt', summary: 'print a config in canonical form' },
  { name: 'rewrite', summary: 'rewrite a capture like tcprewrite (address/port/MAC maps, checksums)' },
  { name: 'replay', summary: 'replay a capture over real UDP sockets on this machine, paced like tcpreplay' },
  { name: 'capinfos', summary: 'summarise captures like Wireshark capinfos' },
  { name: 'capture', summary: 'listen on a UDP port and write what arrives to a pcap' },
  { name: 'synth', summary: 'synthesize exporter traffic (netscaler, softflowd, cisco-v9, v5) into a pcap' },
  { name: 'fuzz', summary: 'fuzz the codecs of a pipeline with mutated captures' },
  { name: 'verify', summary: 'run logstash-filter-verifier style test cases against a pipeline' },
  { name: 'bench', summary: 'benchmarks (bench decode FILE.pcap)' },
];

type CommandModule = { run(args: string[]): Promise<number> };

export async function main(argv: string[]): Promise<void> {
  // `flowstash … | head` closes the pipe early: that is the reader's choice, not a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  let name = 'run';
  let args = argv;
  const first = argv[0];
  if (first !== undefined && SUBCOMMANDS.some((c) => c.name === first)) {
    name = first;
    args = argv.slice(1);
  } else if (first === 'help' || (argv.length === 1 && (first === '--help' || first === '-h'))) {
    process.stdout.write(usage());
    return;
  }
  const mod = (await import(`./${name}.ts`)) as CommandModule;
  const code = await mod.run(args);
  // Never process.exit() here: pending pipe writes would be lost. Let the streams drain.
  process.exitCode = code;
}

export function usage(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.name.length));
  return (
    'Usage: flowstash [run] (-f PATH | -e STRING) [options]\n' +
    '       flowstash <command> [options]\n\nCommands:\n' +
    SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
    '\n\nRun `flowstash <command> --help` for a command\'s options.\n'
  );
}
