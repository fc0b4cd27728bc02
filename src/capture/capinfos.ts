// Wireshark capinfos 4.0's summary of a capture: the same lines, the same number formatting
// (SI prefixes chosen by integer division, values truncated), times in local time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openCapture } from './open.ts';
import { LINKTYPE_IPFIX_MESSAGE } from './ipfix-file.ts';
import { type CaptureFileInfo, type CaptureInterface, type TsResolution } from './types.ts';
import { CaptureError } from './errors.ts';

/** What the first capinfos lines (names, sizes, times, rates) are computed from. */
export interface CaptureTotals {
  info: CaptureFileInfo;
  fileSize: number;
  packets: number;
  /** Σ original length (what capinfos calls data size). */
  dataBytes: number;
  /** Earliest and latest timestamps, in ns since the epoch (null without timestamped packets). */
  startNs: bigint | null;
  stopNs: bigint | null;
  /** Smallest and largest caplen among records captured shorter than on the wire. */
  inferredSnapMin: number | null;
  inferredSnapMax: number | null;
  packetsPerLinkType: Map<number, number>;
}

/** Everything capinfos prints about a file it has read. */
export interface CaptureSummary extends CaptureTotals {
  /** 'True', 'False', or 'Unknown' (a record without a timestamp). */
  strictTimeOrder: 'True' | 'False' | 'Unknown';
  sha256: string;
  ripemd160: string;
  sha1: string;
  /** The fault that stopped reading early, if any (the summary covers the packets before it). */
  error: CaptureError | null;
}

/** Reads a capture once for statistics and once for the hashes. Throws CaptureError if it cannot be opened. */
export async function summarizeCapture(path: string): Promise<CaptureSummary> {
  const totals = await readCaptureTotals(path);
  return { ...totals, ...(await hashFile(path)) };
}

/** Reads a capture once for statistics (no hashes). Throws CaptureError if it cannot be opened. */
export async function readCaptureTotals(path: string): Promise<Omit<CaptureSummary, 'sha256' | 'ripemd160' | 'sha1'>> {
  const reader = await openCapture(path);
  let packets = 0;
  let dataBytes = 0;
  let startNs: bigint | null = null;
  let stopNs: bigint | null = null;
  let prevNs: bigint | null = null;
  let order: CaptureSummary['strictTimeOrder'] = 'True';
  let snapMin: number | null = null;
  let snapMax: number | null = null;
  const perLink = new Map<number, number>();
  let error: CaptureError | null = null;
  try {
    for await (const p of reader) {
      packets++;
      dataBytes += p.len;
      perLink.set(p.linkType, (perLink.get(p.linkType) ?? 0) + 1);
      if (p.caplen < p.len) {
        snapMin = snapMin === null ? p.caplen : Math.min(snapMin, p.caplen);
        snapMax = snapMax === null ? p.caplen : Math.max(snapMax, p.caplen);
      }
      if (p.noTimestamp) {
        order = 'Unknown';
        continue;
      }
      const ns = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
      if (startNs === null || ns < startNs) startNs = ns;
      if (stopNs === null || ns > stopNs) stopNs = ns;
      if (prevNs !== null && ns < prevNs && order === 'True') order = 'False';
      prevNs = ns;
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  } finally {
    await reader.close();
  }
  return {
    info: reader.fileInfo,
    fileSize: (await stat(path)).size,
    packets,
    dataBytes,
    startNs,
    stopNs,
    strictTimeOrder: order,
    inferredSnapMin: snapMin,
    inferredSnapMax: snapMax,
    packetsPerLinkType: perLink,
    error,
  };
}

async function hashFile(path: string): Promise<{ sha256: string; ripemd160: string; sha1: string }> {
  const hs = [createHash('sha256'), createHash('ripemd160'), createHash('sha1')] as const;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) for (const h of hs) h.update(chunk as Buffer);
  return { sha256: hs[0].digest('hex'), ripemd160: hs[1].digest('hex'), sha1: hs[2].digest('hex') };
}

// --- formatting ---

/** Wiretap's encapsulation name, number and short name per LINKTYPE (capinfos "Encapsulation = "). */
const ENCAPSULATIONS: Record<number, [string, number, string]> = {
  0: ['NULL/Loopback', 15, 'null'],
  1: ['Ethernet', 1, 'ether'],
  9: ['PPP', 4, 'ppp'],
  10: ['FDDI with bit-swapped MAC addresses', 6, 'fddi-swapped'],
  12: ['Raw IP', 7, 'rawip'],
  14: ['Raw IP', 7, 'rawip'],
  50: ['PPP', 4, 'ppp'],
  101: ['Raw IP', 7, 'rawip'],
  104: ['Cisco HDLC', 28, 'chdlc'],
  105: ['IEEE 802.11 Wireless LAN', 20, 'ieee-802-11'],
  107: ['Frame Relay', 26, 'frelay'],
  108: ['OpenBSD loopback', 174, 'loop'],
  113: ['Linux cooked-mode capture v1', 25, 'linux-sll'],
  119: ['IEEE 802.11 plus Prism II monitor mode radio header', 21, 'ieee-802-11-prism'],
  127: ['IEEE 802.11 plus radiotap radio header', 23, 'ieee-802-11-radiotap'],
  138: ['Apple IP-over-IEEE 1394', 62, 'ap1394'],
  143: ['Data Over Cable Service Interface Specification', 33, 'docsis'],
  163: ['IEEE 802.11 plus AVS radio header', 24, 'ieee-802-11-avs'],
  192: ['Per-Packet Information header', 97, 'ppi'],
  201: ['Bluetooth H4 with linux header', 99, 'bluetooth-h4-linux'],
  220: ['USB packets with Linux header and padding', 115, 'usb-linux-mmap'],
  228: ['Raw IPv4', 129, 'rawip4'],
  229: ['Raw IPv6', 130, 'rawip6'],
  249: ['USB packets with USBPcap header', 152, 'usb-usbpcap'],
  251: ['Bluetooth Low Energy Link Layer', 154, 'bluetooth-le-ll'],
  252: ['Wireshark Upper PDU export', 155, 'wireshark-upper-pdu'],
  264: ['ISO 14443 contactless smartcard standards', 177, 'iso14443'],
  276: ['Linux cooked-mode capture v2', 210, 'linux-sll2'],
  [LINKTYPE_IPFIX_MESSAGE]: ['RFC 5655/RFC 5101 IPFIX', 128, 'ipfix'],
};

function encapsulation(linkType: number): [string, number, string] {
  const known = ENCAPSULATIONS[linkType];
  if (known) return known;
  if (linkType >= 147 && linkType <= 162) return [`USER ${linkType - 147}`, 45 + linkType - 147, `user${linkType - 147}`];
  return [`Unknown encapsulation (LINKTYPE ${linkType})`, -1, 'unknown'];
}

const PRECISION_NAMES: Record<number, string> = { 0: 'seconds', 1: 'deciseconds', 2: 'centiseconds', 3: 'milliseconds', 6: 'microseconds', 9: 'nanoseconds' };

/** Wiretap's precision for a resolution: the coarsest of 0,1,2,3,6,9 digits not finer than it. */
export function precisionDigits(res: TsResolution): number {
  const digits = res.base === 10 ? res.exponent : Math.floor(res.exponent * Math.log10(2));
  for (const p of [9, 6, 3, 2, 1, 0]) if (digits >= p) return p;
  return 0;
}

function ticksPerSecond(res: TsResolution): string {
  return (res.base === 10 ? 10n ** BigInt(res.exponent) : 1n << BigInt(res.exponent)).toString();
}

type Unit = 'bytes' | 'bits/s' | 'bytes/s' | 'packets/s' | 'none';
const UNIT_TEXT: Record<Unit, [string, string]> = {
  bytes: [' bytes', 'B'],
  'bits/s': [' bits/s', 'bps'],
  'bytes/s': [' bytes/s', 'Bps'],
  'packets/s': [' packets/s', 'packets/s'],
  none: ['', ''],
};

/** Wireshark's format_size (SI): the largest prefix whose integer quotient is at least 10. */
export function formatSize(value: number, unit: Unit): string {
  const n = Math.trunc(value);
  const [long, short] = UNIT_TEXT[unit];
  const prefixes: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [div, p] of prefixes) if (Math.trunc(n / div) >= 10) return `${Math.trunc(n / div)} ${p}${short}`;
  return `${n}${long}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS[.fraction]` in local time, the fraction truncated to `digits`. */
export function formatLocalTime(ns: bigint, digits: number): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns - sec * 1_000_000_000n;
  const d = new Date(Number(sec) * 1000);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return digits === 0 ? base : `${base}.${pad(Number(frac), 9).slice(0, digits)}`;
}

function nsToSeconds(ns: bigint): number {
  const sec = ns / 1_000_000_000n;
  return Number(sec) + Number(ns - sec * 1_000_000_000n) / 1e9;
}

function formatDuration(ns: bigint, digits: number): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns - sec * 1_000_000_000n;
  const text = digits === 0 ? `${sec}` : `${sec}.${pad(Number(frac), 9).slice(0, digits)}`;
  return `${text} ${ns === 1_000_000_000n ? 'second' : 'seconds'}`;
}

function fileType(info: CaptureFileInfo): string {
  if (info.format === 'pcapng') return 'Wireshark/... - pcapng';
  if (info.format === 'ipfix') return 'IPFIX File Format';
  return info.precision === 'nano' ? 'Wireshark/tcpdump/... - nanosecond pcap' : 'Wireshark/tcpdump/... - pcap';
}

/** The file's timestamp precision digits, or -1 when interfaces differ ("per-packet"). */
function filePrecision(info: CaptureFileInfo): number {
  if (info.format === 'pcap') return info.precision === 'nano' ? 9 : 6;
  const all = new Set(info.interfaces.map((i) => precisionDigits(i.tsResolution)));
  if (all.size === 0) return 6;
  return all.size === 1 ? [...all][0]! : -1;
}

/** capinfos' lines for one file (no trailing blank line). */
export function formatSummary(s: CaptureSummary, displayName: string): string {
  const lines = totalsLines(s, displayName);
  const row = rowWriter(lines);
  row('SHA256:', s.sha256);
  row('RIPEMD160:', s.ripemd160);
  row('SHA1:', s.sha1);
  row('Strict time order:', s.strictTimeOrder);
  const shb = s.info.sections[0];
  if (shb) {
    if (shb.hardware !== undefined) row('Capture hardware:', shb.hardware);
    if (shb.os !== undefined) row('Capture oper-sys:', shb.os);
    if (shb.application !== undefined) row('Capture application:', shb.application);
    for (const c of shb.comments) row('Capture comment:', c);
  }
  lines.push(`Number of interfaces in file: ${s.info.interfaces.length}`);
  for (const iface of s.info.interfaces) lines.push(...interfaceLines(iface));
  return lines.join('\n');
}

/**
 * capinfos' lines up to the average packet rate (no hashes, no interfaces), one per line with a
 * trailing newline: what `flowstash capture` prints about the file it has just written.
 */
export function formatTotals(s: CaptureTotals, displayName: string): string {
  return totalsLines(s, displayName).map((l) => l + '\n').join('');
}

function rowWriter(lines: string[]): (label: string, value: string) => void {
  return (label, value) => {
    lines.push(`${label.padEnd(21)}${value}`);
  };
}

function totalsLines(s: CaptureTotals, displayName: string): string[] {
  const info = s.info;
  const lines: string[] = [];
  const row = rowWriter(lines);
  row('File name:', displayName);
  row('File type:', fileType(info));
  const encaps = [...new Set(info.interfaces.map((i) => i.linkType))];
  if (encaps.length > 1) {
    row('File encapsulation:', 'Per packet');
    lines.push('Encapsulation in use by packets (# of pkts):');
    for (const [lt, count] of s.packetsPerLinkType) lines.push(`${' '.repeat(21)}${encapsulation(lt)[0]} (${count})`);
  } else {
    row('File encapsulation:', encapsulation(encaps[0] ?? info.linkType)[0]);
  }
  const prec = filePrecision(info);
  const digits = prec < 0 ? 9 : prec;
  lines.push(`File timestamp precision:  ${prec < 0 ? 'per-packet (-1)' : `${PRECISION_NAMES[prec]} (${prec})`}`);
  const snap = info.format === 'pcap' ? info.snaplen : 0;
  row('Packet size limit:', `file hdr: ${snap === 0 ? '(not set)' : `${snap} bytes`}`);
  if (s.inferredSnapMin !== null && s.inferredSnapMax !== null) {
    row(
      'Packet size limit:',
      s.inferredSnapMin === s.inferredSnapMax
        ? `inferred: ${s.inferredSnapMin} bytes`
        : `inferred: ${s.inferredSnapMin} bytes - ${s.inferredSnapMax} bytes (range)`,
    );
  }
  row('Number of packets:', formatSize(s.packets, 'none'));
  row('File size:', formatSize(s.fileSize, 'bytes'));
  row('Data size:', formatSize(s.dataBytes, 'bytes'));
  const durationNs = s.startNs !== null && s.stopNs !== null ? s.stopNs - s.startNs : null;
  row('Capture duration:', durationNs === null ? 'n/a' : formatDuration(durationNs, digits));
  row('First packet time:', s.startNs === null ? 'n/a' : formatLocalTime(s.startNs, digits));
  row('Last packet time:', s.stopNs === null ? 'n/a' : formatLocalTime(s.stopNs, digits));
  // capinfos subtracts the two times as doubles of seconds since the epoch; so do we, so that
  // truncated rates come out identical (6 packets over 5 ms is "1199 packets/s" there).
  const seconds = s.startNs === null || s.stopNs === null ? 0 : nsToSeconds(s.stopNs) - nsToSeconds(s.startNs);
  const rate = (x: number): number => (seconds > 0 ? x / seconds : 0);
  row('Data byte rate:', formatSize(rate(s.dataBytes), 'bytes/s'));
  row('Data bit rate:', formatSize(rate(s.dataBytes * 8), 'bits/s'));
  row('Average packet size:', `${(s.packets > 0 ? s.dataBytes / s.packets : 0).toFixed(2)} bytes`);
  row('Average packet rate:', formatSize(rate(s.packets), 'packets/s'));
  return lines;
}

function interfaceLines(i: CaptureInterface): string[] {
  const ind = ' '.repeat(21);
  const out = [`Interface #${i.id} info:`];
  if (i.name !== undefined) out.push(`${ind}Name = ${i.name}`);
  if (i.description !== undefined) out.push(`${ind}Description = ${i.description}`);
  const [name, num, short] = encapsulation(i.linkType);
  out.push(`${ind}Encapsulation = ${name} (${num} - ${short})`);
  if (i.hardware !== undefined) out.push(`${ind}Hardware = ${i.hardware}`);
  out.push(`${ind}Capture length = ${i.snaplen}`);
  if (i.fcsLen >= 0) out.push(`${ind}FCS length = ${i.fcsLen}`);
  const p = precisionDigits(i.tsResolution);
  out.push(`${ind}Time precision = ${PRECISION_NAMES[p]} (${p})`);
  out.push(`${ind}Time ticks per second = ${ticksPerSecond(i.tsResolution)}`);
  if (i.tsresolOption !== undefined) out.push(`${ind}Time resolution = 0x${i.tsresolOption.toString(16).padStart(2, '0')}`);
  if (i.filter !== undefined) out.push(`${ind}Filter string = ${i.filter}`);
  if (i.os !== undefined) out.push(`${ind}Operating system = ${i.os}`);
  out.push(`${ind}Number of stat entries = ${i.statEntries}`);
  out.push(`${ind}Number of packets = ${i.packets}`);
  return out;
}
