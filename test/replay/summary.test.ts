import { describe, expect, it } from 'vitest';
import { formatDuration, formatReplaySummary, type ReplayStats } from '../../src/replay/summary.ts';

const base: ReplayStats = {
  packetsSent: 10,
  bytesSent: 460,
  durationUs: 20204,
  flows: 1,
  flowPackets: 10,
  nonFlowPackets: 0,
  failed: 0,
  truncated: 0,
  retriedEnobufs: 0,
  retriedEagain: 0,
  device: 'lo',
};

describe('tcpreplay summary', () => {
  it('reproduces tcpreplay 4.4 output for its documented sample', () => {
    expect(formatReplaySummary(base)).toBe(
      'Actual: 10 packets (460 bytes) sent in 0.020204 seconds\n' +
        'Rated: 22767.7 Bps, 0.182 Mbps, 494.95 pps\n' +
        'Flows: 1 flows, 49.49 fps, 10 unique flow packets, 0 unique non-flow packets\n' +
        'Statistics for network device: lo\n' +
        '\tSuccessful packets:        10\n' +
        '\tFailed packets:            0\n' +
        '\tTruncated packets:         0\n' +
        '\tRetried packets (ENOBUFS): 0\n' +
        '\tRetried packets (EAGAIN):  0\n',
    );
  });

  it('prints 2 decimals for Mbps >= 1 and seconds >= 1, truncating', () => {
    const out = formatReplaySummary({ ...base, packetsSent: 3000, bytesSent: 4_500_000, durationUs: 2_999_999 });
    expect(out).toContain('sent in 2.99 seconds');
    // 4.5e6 B / 2.999999 s = 1500000.5 Bps -> 12.000004 Mbps -> 12.00
    expect(out).toContain('Rated: 1500000.5 Bps, 12.00 Mbps, 1000.00 pps');
  });

  it('prints only the device statistics when nothing was sent', () => {
    const out = formatReplaySummary({ ...base, packetsSent: 0, bytesSent: 0, failed: 4 });
    expect(out.startsWith('Statistics for network device: lo\n')).toBe(true);
    expect(out).toContain('\tFailed packets:            4\n');
  });

  it('formats durations like tcpreplay', () => {
    expect(formatDuration(0)).toBe('0.000000');
    expect(formatDuration(999_999)).toBe('0.999999');
    expect(formatDuration(1_000_000)).toBe('1.00');
    expect(formatDuration(61_239_999)).toBe('61.23');
  });
});
