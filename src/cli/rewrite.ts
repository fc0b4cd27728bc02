// `flowstash rewrite`: tcprewrite's options, tcprewrite's output bytes (README: `flowstash rewrite`).
// Exit status: 0 done; 1 the input is damaged (everything readable before the fault was written)
// or cannot be read; 2 bad options; 130 SIGINT / 143 SIGTERM (the previous output is kept).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CaptureError } from '../capture/errors.ts';
import { rewriteCaptureFile, RewriteInterrupted } from '../rewrite/rewrite-file.ts';
import {
  defaultRewriteOptions,
  parseCidrMap,
  parseIntOption,
  parseMacOption,
  parsePortMap,
  parseTtl,
  RewriteOptionError,
  type RewriteOptions,
} from '../rewrite/options.ts';

interface RewriteCliOptions {
  infile: string;
  outfile: string;
  srcipmap?: string;
  dstipmap?: string;
  pnat: string[];
  enetDmac?: string;
  enetSmac?: string;
  portmap: string[];
  fixcsum?: boolean;
  mtu?: string;
  mtuTrunc?: boolean;
  ttl?: string;
  tos?: string;
  skipbroadcast?: boolean;
  fixlen?: string;
  enetVlan?: string;
  enetVlanTag?: string;
  enetVlanPri?: string;
  enetVlanCfi?: string;
  enetVlanProto?: string;
  filter?: string;
  correctMulticastMac?: boolean;
  seed?: string;
}

// Loaded through require: Node's ESM wrapper around this CommonJS package costs ~13 ms more of
// start-up, a visible share of a short `rewrite` run.
const { Command, CommanderError } = createRequire(import.meta.url)('commander') as typeof import('commander');
type Command = import('commander').Command;

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function buildCommand(): Command {
  return new Command('flowstash rewrite')
    .description('Rewrite the packets of a capture like tcprewrite 4.4.3: same options, same output bytes (classic pcap, µs, snaplen 65535).')
    .requiredOption('-i, --infile <file>', 'input capture (pcap or pcapng)')
    .requiredOption('-o, --outfile <file>', 'output pcap file')
    .option('-S, --srcipmap <map>', 'rewrite source addresses: CIDR:CIDR[,...] (IPv6 in brackets: [2001:db8::/32]:[fd00::/32])')
    .option('-D, --dstipmap <map>', 'rewrite destination addresses: CIDR:CIDR[,...]')
    .option('-N, --pnat <map>', 'pseudo-NAT source and destination: CIDR:CIDR[,...]; give twice for separate src/dst maps', collect, [])
    .option('--enet-dmac <mac>', 'set the destination MAC (MAC1[,MAC2]; MAC1 applies to every packet)')
    .option('--enet-smac <mac>', 'set the source MAC (MAC1[,MAC2]; MAC1 applies to every packet)')
    .option('-r, --portmap <map>', 'rewrite TCP/UDP ports: FROM:TO with FROM = port, LO-HI or A+B+C; comma-separated; repeatable', collect, [])
    .option('-C, --fixcsum', 'recompute IPv4 header and TCP/UDP/ICMP checksums')
    .option('-m, --mtu <n>', 'MTU for --mtu-trunc (default 1500)')
    .option('--mtu-trunc', 'truncate packets larger than the MTU')
    .option('--ttl <n>', 'set (N), raise (+N) or lower (-N) the IPv4 TTL / IPv6 hop limit')
    .option('--tos <n>', 'set the IPv4 TOS byte (0-255)')
    .option('-b, --skipbroadcast', 'do not rewrite multicast/broadcast addresses')
    .option('-F, --fixlen <mode>', 'for packets captured shorter than on the wire: pad, trunc or del')
    .option('--enet-vlan <mode>', 'add or del an 802.1Q tag')
    .option('--enet-vlan-tag <n>', 'VLAN id to add (0-4095)')
    .option('--enet-vlan-pri <n>', 'VLAN priority to add (0-7)')
    .option('--enet-vlan-cfi <n>', 'VLAN CFI to add (0-1)')
    .option('--enet-vlan-proto <p>', '802.1q (TPID 0x8100, default) or 802.1ad (0x88a8)')
    .option('--filter <expr>', 'keep only packets matching a pcap-filter expression (udp, host, net, port, vlan, and/or/not)')
    .option('--correct-multicast-mac', "derive multicast MACs per RFC 1112/2464 instead of reproducing tcprewrite 4.4.3's MAC side effects")
    .option('-s, --seed <n>', 'not supported (tcprewrite address randomisation)')
    .addHelpText('after', '\nExit status: 0 done, 1 input damaged or unreadable (packets before the fault are written), 2 bad options, 130 SIGINT / 143 SIGTERM (the output is written to a temporary file renamed at the end: an interrupted run leaves the previous output as it was).\n')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
}

/** Turns parsed CLI values into RewriteOptions; throws RewriteOptionError. */
export function toRewriteOptions(o: RewriteCliOptions): RewriteOptions {
  if (o.seed !== undefined) throw new RewriteOptionError('seed', o.seed, 'address randomisation is not supported; use --srcipmap/--dstipmap/--pnat');
  const r = defaultRewriteOptions();
  if (o.pnat.length > 2) throw new RewriteOptionError('pnat', o.pnat[2]!, 'may be given at most twice');
  if (o.pnat.length > 0 && (o.srcipmap !== undefined || o.dstipmap !== undefined)) {
    throw new RewriteOptionError('pnat', o.pnat[0]!, 'cannot be combined with --srcipmap/--dstipmap (as in tcprewrite)');
  }
  if (o.srcipmap !== undefined) r.srcIpMap = parseCidrMap('srcipmap', o.srcipmap);
  if (o.dstipmap !== undefined) r.dstIpMap = parseCidrMap('dstipmap', o.dstipmap);
  if (o.pnat.length > 0) {
    const m1 = parseCidrMap('pnat', o.pnat[0]!);
    r.pnat = [m1, o.pnat.length > 1 ? parseCidrMap('pnat', o.pnat[1]!) : m1];
  }
  if (o.enetDmac !== undefined) r.enetDmac = parseMacOption('enet-dmac', o.enetDmac);
  if (o.enetSmac !== undefined) r.enetSmac = parseMacOption('enet-smac', o.enetSmac);
  r.portMap = o.portmap.flatMap((p) => parsePortMap('portmap', p));
  r.fixCsum = o.fixcsum === true;
  if (o.mtu !== undefined) r.mtu = parseIntOption('mtu', o.mtu, 1, 262144);
  r.mtuTrunc = o.mtuTrunc === true;
  if (o.ttl !== undefined) r.ttl = parseTtl(o.ttl);
  if (o.tos !== undefined) r.tos = parseIntOption('tos', o.tos, 0, 255);
  r.skipBroadcast = o.skipbroadcast === true;
  if (o.fixlen !== undefined) {
    if (o.fixlen !== 'pad' && o.fixlen !== 'trunc' && o.fixlen !== 'del') throw new RewriteOptionError('fixlen', o.fixlen, 'expected pad, trunc or del');
    r.fixLen = o.fixlen;
  }
  const vlanDetail = o.enetVlanTag ?? o.enetVlanPri ?? o.enetVlanCfi ?? o.enetVlanProto;
  if (o.enetVlan === undefined) {
    if (vlanDetail !== undefined) throw new RewriteOptionError('enet-vlan-tag', vlanDetail, '--enet-vlan-tag/-pri/-cfi/-proto require --enet-vlan=add');
  } else {
    if (o.enetVlan !== 'add' && o.enetVlan !== 'del') throw new RewriteOptionError('enet-vlan', o.enetVlan, 'expected add or del');
    let tpid = 0x8100;
    if (o.enetVlanProto !== undefined) {
      if (o.enetVlanProto === '802.1q') tpid = 0x8100;
      else if (o.enetVlanProto === '802.1ad') tpid = 0x88a8;
      else throw new RewriteOptionError('enet-vlan-proto', o.enetVlanProto, 'expected 802.1q or 802.1ad');
    }
    r.vlan = {
      mode: o.enetVlan,
      tag: o.enetVlanTag !== undefined ? parseIntOption('enet-vlan-tag', o.enetVlanTag, 0, 4095) : null,
      pri: o.enetVlanPri !== undefined ? parseIntOption('enet-vlan-pri', o.enetVlanPri, 0, 7) : null,
      cfi: o.enetVlanCfi !== undefined ? parseIntOption('enet-vlan-cfi', o.enetVlanCfi, 0, 1) : null,
      tpid,
    };
  }
  r.filter = o.filter ?? null;
  r.correctMulticastMac = o.correctMulticastMac === true;
  return r;
}

/** Parses tcprewrite-style arguments (throws CommanderError or RewriteOptionError). */
export function parseRewriteArgs(args: string[], quiet = false): { infile: string; outfile: string; options: RewriteOptions } {
  const cmd = buildCommand();
  if (quiet) cmd.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(args, { from: 'user' });
  const o = cmd.opts<RewriteCliOptions>();
  return { infile: o.infile, outfile: o.outfile, options: toRewriteOptions(o) };
}

export async function run(args: string[]): Promise<number> {
  let o: { infile: string; outfile: string };
  let opts: RewriteOptions;
  try {
    const parsed = parseRewriteArgs(args);
    o = parsed;
    opts = parsed.options;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof RewriteOptionError) {
      process.stderr.write(`flowstash rewrite: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const a = statSync(o.infile);
    const b = statSync(o.outfile, { throwIfNoEntry: false });
    if (b && a.ino === b.ino && a.dev === b.dev) {
      process.stderr.write(`flowstash rewrite: --infile and --outfile are the same file (${o.outfile})\n`);
      return 2;
    }
  } catch {
    // openCapture reports a missing input precisely
  }
  // The output is written to a temporary file and renamed at the end: a signal removes the
  // temporary file and leaves the previous output as it was.
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    ac.abort(sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await rewriteCaptureFile(o.infile, o.outfile, opts, ac.signal);
    for (const w of report.warnings) process.stderr.write(`Warning: ${w}\n`);
    const s = report.stats;
    if (s.undecodable > 0) process.stderr.write(`Warning: ${s.undecodable} packet(s) could not be decoded and were written unchanged\n`);
    if (report.error) {
      process.stderr.write(`flowstash rewrite: ${report.error.message}\n`);
      process.stderr.write(`flowstash rewrite: wrote the ${s.written} packet(s) read before the fault to ${o.outfile}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof RewriteInterrupted) {
      const sig = String(ac.signal.reason);
      process.stderr.write(`flowstash rewrite: ${sig}: ${e.message}; nothing was written to ${o.outfile} (left as it was before the run)\n`);
      return sig === 'SIGTERM' ? 143 : 130;
    }
    // filter.ts (and node:dns) load only when --filter is given: no FilterError without it.
    const filterError = opts.filter !== null && e instanceof (await import('../packet/filter.ts')).FilterError;
    if (e instanceof CaptureError || filterError) {
      process.stderr.write(`flowstash rewrite: ${(e as Error).message}\n`);
      return filterError ? 2 : 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
