// A capinfos-style (Wireshark 4.0) summary of a capture flowstash has just written: the same line
// labels and number formatting (SI prefixes chosen so the truncated quotient is >= 10).

export interface CaptureSummaryInput {
  file: string;
  format: 'pcap' | 'pcapng';
  nano: boolean;
  packets: number;
  fileSize: number;
  /** Σ original frame lengths. */
  dataSize: number;
  first?: { tsSec: number; tsNsec: number };
  last?: { tsSec: number; tsNsec: number };
  snaplen: number;
}

const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P'];

/** capinfos' format_size: `1524 kB`, `9999 bytes`; `short` and `long` are the units with and without a prefix. */
export function formatSize(value: number, long: string, short: string): string {
  let v = Math.floor(value);
  let i = 0;
  while (i + 1 < PREFIXES.length && Math.floor(v / 1000) >= 10) {
    v = Math.floor(v / 1000);
    i++;
  }
  if (i === 0) return `${Math.floor(value)} ${long}`;
  // Re-derive from the original value so truncation happens once.
  return `${Math.floor(value / 1000 ** i)} ${PREFIXES[i]}${short}`;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Local time with the file's precision digits, as capinfos prints it. */
export function formatLocalTime(tsSec: number, tsNsec: number, digits: 6 | 9): string {
  const d = new Date(tsSec * 1000);
  const frac = digits === 9 ? pad(tsNsec, 9) : pad(Math.floor(tsNsec / 1000), 6);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${frac}`
  );
}

export function formatCaptureSummary(s: CaptureSummaryInput): string {
  const digits: 6 | 9 = s.nano ? 9 : 6;
  const durNs =
    s.first && s.last ? (s.last.tsSec - s.first.tsSec) * 1e9 + (s.last.tsNsec - s.first.tsNsec) : 0;
  const durSec = durNs / 1e9;
  const durText = s.nano
    ? `${Math.floor(durNs / 1e9)}.${pad(durNs % 1e9, 9)}`
    : `${Math.floor(durNs / 1e9)}.${pad(Math.floor((durNs % 1e9) / 1000), 6)}`;
  const type =
    s.format === 'pcapng' ? 'Wireshark/... - pcapng' : s.nano ? 'Wireshark/tcpdump/... - nanosecond pcap' : 'Wireshark/tcpdump/... - pcap';
  const rate = (x: number): number => (durSec > 0 ? x / durSec : 0);
  const lines = [
    `File name:           ${s.file}`,
    `File type:           ${type}`,
    `File encapsulation:  Ethernet`,
    `File timestamp precision:  ${s.nano ? 'nanoseconds (9)' : 'microseconds (6)'}`,
    `Packet size limit:   file hdr: ${s.snaplen} bytes`,
    `Number of packets:   ${formatSize(s.packets, '', '')}`.trimEnd(),
    `File size:           ${formatSize(s.fileSize, 'bytes', 'B')}`,
    `Data size:           ${formatSize(s.dataSize, 'bytes', 'B')}`,
    `Capture duration:    ${durText} seconds`,
  ];
  if (s.first && s.last) {
    lines.push(`First packet time:   ${formatLocalTime(s.first.tsSec, s.first.tsNsec, digits)}`);
    lines.push(`Last packet time:    ${formatLocalTime(s.last.tsSec, s.last.tsNsec, digits)}`);
  } else {
    lines.push('First packet time:   n/a', 'Last packet time:    n/a');
  }
  lines.push(
    `Data byte rate:      ${formatSize(rate(s.dataSize), 'bytes/s', 'Bps')}`,
    `Data bit rate:       ${formatSize(rate(s.dataSize * 8), 'bits/s', 'bps')}`,
    `Average packet size: ${s.packets > 0 ? (s.dataSize / s.packets).toFixed(2) : '0.00'} bytes`,
    `Average packet rate: ${formatSize(rate(s.packets), 'packets/s', 'packets/s')}`,
  );
  return lines.map((l) => l + '\n').join('');
}
