// `flowstash capture`: the first step without tcpdump or root. Listens on a UDP port and writes
// every datagram as an Ethernet/IP/UDP frame rebuilt from the real sender and the receive time,
// so the file can be rewritten, replayed and decoded like one taken with `tcpdump -s0 -w`.
// Exit status: 0 done; 1 cannot listen or cannot write; 2 bad options.
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { RemoteInfo } from 'node:dgram';
import { Command, CommanderError, Option } from 'commander';
import { CaptureWriter } from '../capture/writer.ts';
import { buildUdpFrame } from '../packet/frame-builder.ts';
import { listenUdp, senderAddress, UdpListenError, type BoundUdpSocket } from '../plugins/inputs/udp/udp-socket.ts';
import { formatTotals, readCaptureTotals } from '../capture/capinfos.ts';

interface CaptureCliOptions {
  host: string;
  port: string;
  count?: string;
  duration?: string;
  write: string;
  format?: 'pcap' | 'pcapng';
  nano?: boolean;
  quiet?: boolean;
}

function buildCommand(): Command {
  return new Command('flowstash capture')
    .description(
      'Listen on a UDP port and write every datagram received to a pcap/pcapng file, with ' +
        'Ethernet/IP/UDP headers rebuilt from the real sender address and port and the receive time.',
    )
    .option('--host <addr>', 'address to listen on (IPv4 or IPv6)', '0.0.0.0')
    .requiredOption('--port <n>', 'UDP port to listen on')
    .option('-c, --count <n>', 'stop after this many datagrams')
    .option('--duration <s>', 'stop after this many seconds')
    .requiredOption('-w, --write <file>', 'output capture (.pcapng writes pcapng, anything else pcap)')
    .addOption(new Option('--format <f>', 'force the file format').choices(['pcap', 'pcapng']))
    .option('--nano', 'nanosecond timestamps (pcap) instead of microseconds')
    .option('-q, --quiet', 'no summary')
    .addHelpText('after', '\nStops on -c, --duration, or Ctrl-C. Exit status: 0 done, 1 cannot listen or write, 2 bad options.\n')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
}

function positive(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a positive ${integer ? 'whole ' : ''}number, got '${v}'`);
  }
  return n;
}

/**
 * The destination address written into frames. The socket API does not say which local address
 * a datagram was sent to, so a wildcard listener records a loopback sender's datagrams as sent to
 * loopback, and others as sent to this machine's first external address of that family.
 */
export function frameDestination(bound: string, sender: string): string {
  const senderIs6 = isIPv6(sender);
  const wildcard = bound === '0.0.0.0' || bound === '::';
  if (!wildcard && isIPv6(bound) === senderIs6) return bound;
  if (senderIs6) {
    if (sender === '::1') return '::1';
  } else if (sender.startsWith('127.')) return '127.0.0.1';
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (!a.internal && (senderIs6 ? a.family === 'IPv6' : a.family === 'IPv4')) return a.address;
    }
  }
  return senderIs6 ? '::1' : '127.0.0.1';
}

/** Wall-clock time with sub-millisecond precision, split like capture timestamps. */
function receiveTime(): { tsSec: number; tsNsec: number } {
  const ms = performance.timeOrigin + performance.now();
  const tsSec = Math.floor(ms / 1000);
  return { tsSec, tsNsec: Math.min(999_999_999, Math.round((ms - tsSec * 1000) * 1e6)) };
}

export async function run(args: string[]): Promise<number> {
  const cmd = buildCommand();
  let o: CaptureCliOptions;
  let port: number;
  let count: number | undefined;
  let duration: number | undefined;
  try {
    cmd.parse(args, { from: 'user' });
    o = cmd.opts<CaptureCliOptions>();
    port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got '${o.port}'`);
    count = positive('-c', o.count, true);
    duration = positive('--duration', o.duration, false);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`flowstash capture: ${(e as Error).message}\n`);
    return 2;
  }
  const format = o.format ?? (o.write.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap');

  let writer: CaptureWriter;
  try {
    writer = await CaptureWriter.create(o.write, {
      format,
      precision: o.nano ? 'nano' : 'micro',
      linkType: 1,
      snaplen: 262144,
      interfaces: format === 'pcapng' ? [{ linkType: 1, snaplen: 262144, name: `udp:${port}` }] : undefined,
      application: 'flowstash capture',
    });
  } catch (e) {
    process.stderr.write(`flowstash capture: ${(e as Error).message}\n`);
    return 1;
  }

  let written = 0;
  let received = 0;
  let chain: Promise<void> = Promise.resolve();
  let writeError: Error | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  let boundAddress = o.host;
  let ipId = 0;

  const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    received++;
    if (count !== undefined && written >= count) return;
    const when = receiveTime();
    const src = senderAddress(rinfo);
    const frame = buildUdpFrame({
      src,
      dst: frameDestination(boundAddress, src),
      srcPort: rinfo.port,
      dstPort: port,
      payload: msg,
      ipId: (ipId = (ipId + 1) & 0xffff),
      dontFragment: false,
    });
    written++;
    chain = chain.then(() => writer.write({ ...when, data: frame })).catch((e: Error) => {
      writeError ??= e;
      finish();
    });
    if (count !== undefined && written >= count) finish();
  };

  let bound: BoundUdpSocket;
  try {
    bound = await listenUdp({ host: o.host, port }, onMessage);
  } catch (e) {
    await writer.close().catch(() => undefined);
    const msg = e instanceof UdpListenError ? e.message.replace(/^udp input/, 'flowstash capture') : (e as Error).message;
    process.stderr.write(`${msg}\n`);
    return 1;
  }
  boundAddress = bound.address;
  port = bound.port;
  if (!o.quiet) {
    process.stderr.write(
      `flowstash capture: listening on ${isIPv6(bound.address) ? `[${bound.address}]` : bound.address}:${bound.port}, writing ${o.write}` +
        `${count !== undefined ? `, stopping after ${count} datagrams` : ''}${duration !== undefined ? `, for ${duration} s` : ''}` +
        ' (Ctrl-C to stop)\n',
    );
  }
  const timer = duration !== undefined ? setTimeout(finish, duration * 1000) : undefined;
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  await finished;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  await bound.socket.close().catch(() => undefined);
  await chain;
  try {
    await writer.close();
  } catch (e) {
    writeError ??= e as Error;
  }
  if (writeError) {
    process.stderr.write(`flowstash capture: ${writeError.message}\n`);
    return 1;
  }
  if (!o.quiet) {
    // The summary is capinfos' reading of the file as written, so the two always agree.
    const totals = await readCaptureTotals(o.write).catch((e: Error) => e);
    if (totals instanceof Error) {
      process.stderr.write(`flowstash capture: ${totals.message}\n`);
      return 1;
    }
    process.stdout.write(formatTotals(totals, o.write));
    if (received > written) process.stdout.write(`Not written (after -c):  ${received - written}\n`);
  }
  return 0;
}

