// `flowstash synth`: writes a capture of synthesized exporter traffic (netscaler, softflowd, cisco-v9, v5).
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CaptureWriter } from '../capture/writer.ts';
import { profileNames, synthesize, type SynthOptions } from '../synth/synth.ts';
import { PROFILES } from '../synth/profiles/index.ts';
import { recordLines } from '../synth/records-file.ts';
import { parseServerNets, type ServerNet } from '../synth/server-net.ts';
import { writeFile } from 'node:fs/promises';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function seedValue(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 0xffffffff) throw new InvalidArgumentError('seed must be an integer within 0…4294967295.');
  return n;
}

function startValue(v: string): number {
  if (v === 'now') return Date.now() * 1000;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`cannot parse '${v}' as an ISO 8601 time (or 'now').`);
  return ms * 1000;
}

function serverNets(v: string): ServerNet[] {
  try {
    return parseServerNets(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 65535) throw new InvalidArgumentError('port must be within 1…65535.');
  return n;
}

interface SynthCliOptions {
  profile: string;
  flows: number;
  exporters: number;
  rate?: number;
  duration?: number;
  seed: number;
  ipv6?: boolean;
  output: string;
  dst?: string;
  port?: number;
  start?: number;
  maxPayload?: number;
  format: 'pcap' | 'pcapng';
  templateEvery?: number;
  records?: string;
  serverNet?: ServerNet[];
}

export async function run(args: string[]): Promise<number> {
  const profiles = PROFILES.map((p) => `  ${p.name.padEnd(10)} ${p.description} (udp ${p.defaultPort})`).join('\n');
  const cmd = new Command('flowstash synth')
    .description('Write a capture of synthesized flow exporter traffic (Ethernet/IP/UDP), deterministic for a given --seed.')
    .requiredOption('--profile <name>', `exporter profile: ${profileNames().join(', ')}`)
    .requiredOption('-o, --output <file>', 'capture file to write')
    .option('--flows <n>', 'flow records to generate', positiveInt('--flows'), 1000)
    .option('--exporters <k>', 'exporters (192.0.2.1, 192.0.2.2, …)', positiveInt('--exporters'), 1)
    .option('--rate <r>', 'flows per second over all exporters (default: flows/duration, else 100)', positiveNumber('--rate'))
    .option('--duration <s>', 'stop generating after this many seconds of traffic', positiveNumber('--duration'))
    .option('--seed <s>', 'PRNG seed', seedValue, 1)
    .option('--ipv6', 'exporters and collector over IPv6 (2001:db8::1… → 2001:db8::200)')
    .option('--dst <addr>', 'collector address (default 192.0.2.200, or 2001:db8::200 with --ipv6)')
    .option('--port <port>', 'collector UDP port (default 4739 for IPFIX, 2055 for v9 and v5)', port)
    .option('--start <time>', "capture start, ISO 8601 or 'now' (default 2025-01-01T00:00:00Z)", startValue)
    .option('--max-payload <bytes>', 'largest UDP payload', positiveInt('--max-payload'))
    .option('--template-every <n>', 're-send templates every n datagrams per exporter (and every 30 s)', positiveInt('--template-every'))
    .option('--format <fmt>', 'pcap or pcapng', 'pcap')
    .option('--server-net <cidrs>', 'draw servers from these networks, e.g. 81.2.69.142/31,89.160.20.112/28 (per family; default 198.51.100.0/24, 203.0.113.0/24)', serverNets)
    .option('--records <file>', 'also write every record sent (JSON Lines, wire order): the ground truth for checking a pipeline')
    .addHelpText('after', `\nProfiles:\n${profiles}\n`)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let o: SynthCliOptions;
  try {
    cmd.parse(args, { from: 'user' });
    o = cmd.opts<SynthCliOptions>();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  if (o.format !== 'pcap' && o.format !== 'pcapng') {
    process.stderr.write(`flowstash synth: --format must be pcap or pcapng, not '${o.format}'\n`);
    return 2;
  }
  const options: SynthOptions = {
    profile: o.profile,
    flows: o.flows,
    exporters: o.exporters,
    rate: o.rate,
    durationSec: o.duration,
    seed: o.seed,
    ipv6: o.ipv6,
    dst: o.dst,
    dstPort: o.port,
    startUs: o.start,
    maxPayload: o.maxPayload,
    templatePackets: o.templateEvery,
    serverNets: o.serverNet,
  };
  let result;
  try {
    result = synthesize(options);
  } catch (e) {
    process.stderr.write(`flowstash synth: ${(e as Error).message}\n`);
    return 2;
  }
  let writer: CaptureWriter;
  try {
    writer = await CaptureWriter.create(o.output, { format: o.format });
  } catch (e) {
    process.stderr.write(`flowstash synth: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    for (const p of result.packets) await writer.write({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.frame });
  } finally {
    await writer.close();
  }
  if (o.records) {
    try {
      await writeFile(o.records, recordLines(result.packets));
    } catch (e) {
      process.stderr.write(`flowstash synth: cannot write ${o.records}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const first = result.packets[0];
  const last = result.packets[result.packets.length - 1];
  const span = first && last ? last.tsSec - first.tsSec + (last.tsNsec - first.tsNsec) / 1e9 : 0;
  const bytes = result.packets.reduce((n, p) => n + p.payload.length, 0);
  process.stdout.write(
    `flowstash synth: wrote ${result.packets.length} packet${result.packets.length === 1 ? '' : 's'} to ${o.output} (${result.profile.name}, ${result.flowCount} flows, ` +
      `${o.exporters} exporter${o.exporters === 1 ? '' : 's'}, ${result.templateDatagrams} template sends, ${bytes} payload bytes, ${span.toFixed(3)} s)\n`,
  );
  return 0;
}
