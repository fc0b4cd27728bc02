import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';
import { internetChecksum, pseudoHeaderSum } from '../../src/packet/checksum.ts';
import { decodeFrame } from '../../src/packet/decode.ts';
import { compileFilter, compileFilterResolving, FilterError, matchFrame } from '../../src/packet/filter.ts';
import { CaptureWriter } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';

const udp4 = buildUdpFrame({ src: '10.1.2.3', dst: '192.168.7.9', srcPort: 50000, dstPort: 4739, payload: Buffer.from('abc') });
const udp6 = buildUdpFrame({ src: '2001:db8::1', dst: 'fd00::9', srcPort: 53, dstPort: 2055, payload: Buffer.from('xyz') });
const tagged = (f: Buffer, ...vids: number[]) =>
  Buffer.concat([f.subarray(0, 12), ...vids.map((v) => Buffer.from([0x81, 0, v >> 8, v & 0xff])), f.subarray(12)]);
const tcp4 = (() => {
  const b = Buffer.from(udp4);
  b[14 + 9] = 6;
  return b;
})();
const icmp4 = (() => {
  const b = Buffer.from(udp4);
  b[14 + 9] = 1;
  return b;
})();

const m = (expr: string, frame: Buffer) => matchFrame(compileFilter(expr), 1, frame);

describe('filter expressions', () => {
  const table: [string, Buffer, boolean][] = [
    ['udp', udp4, true],
    ['udp', tcp4, false],
    ['tcp', tcp4, true],
    ['icmp', icmp4, true],
    ['ip', udp4, true],
    ['ip6', udp4, false],
    ['ip6 and udp', udp6, true],
    ['host 10.1.2.3', udp4, true],
    ['src host 10.1.2.3', udp4, true],
    ['dst host 10.1.2.3', udp4, false],
    ['src and dst host 10.1.2.3', udp4, false],
    ['src or dst host 192.168.7.9', udp4, true],
    ['net 10.0.0.0/8', udp4, true],
    ['dst net 192.168.0.0/16', udp4, true],
    ['dst net 192.168', udp4, true],
    ['net 10.0.0.0/9', udp4, true],
    ['net 10.128.0.0/9', udp4, false],
    ['net 2001:db8::/32', udp6, true],
    ['host fd00::9', udp6, true],
    ['ip host fd00::9', udp6, false],
    ['port 4739', udp4, true],
    ['udp port 4739', udp4, true],
    ['tcp port 4739', udp4, false],
    ['src port 4739', udp4, false],
    ['dst port 4739', udp4, true],
    ['portrange 4000-5000', udp4, true],
    ['portrange 1-1000', udp6, true],
    ['udp and port 4739 and (host 1.1.1.1 or host 10.1.2.3)', udp4, true],
    ['host 1.1.1.1 or 10.1.2.3', udp4, true],
    ['port 80 or 4739', udp4, true],
    ['not udp', udp4, false],
    ['! tcp && udp', udp4, true],
    ['tcp or udp and port 1', udp4, false], // left-assoc: (tcp or udp) and port 1
    ['port 1 and tcp or udp', udp4, true], // (port 1 and tcp) or udp
    ['udp', tagged(udp4, 10), false],
    ['vlan', tagged(udp4, 10), true],
    ['vlan 10 and udp port 4739', tagged(udp4, 10), true],
    ['vlan 11 and udp', tagged(udp4, 10), false],
    ['vlan and udp', tagged(udp4, 10, 20), false],
    ['vlan 10 and vlan 20 and host 10.1.2.3', tagged(udp4, 10, 20), true],
    ['vlan', udp4, false],
  ];
  for (const [expr, frame, want] of table) {
    it(`${expr} → ${want}`, () => expect(m(expr, frame)).toBe(want));
  }

  it('does not see ports in non-first fragments, and sees them in the first', () => {
    const first = Buffer.from(udp4);
    first.writeUInt16BE(0x2000, 14 + 6);
    const later = Buffer.from(udp4);
    later.writeUInt16BE(0x0002, 14 + 6);
    expect(m('udp port 4739', first)).toBe(true);
    expect(m('udp', later)).toBe(true);
    expect(m('udp port 4739', later)).toBe(false);
  });

  const errors: [string, RegExp][] = [
    ['udp and', /column 8: expression ends where a primitive was expected/],
    ['(udp', /column 5: expected '\)' to close the '\(' at column 1/],
    ['udp)', /column 4: '\)' without a matching '\('/],
    ['port x', /column 6: 'x' is not a port number/],
    ['port 70000', /column 6: port 70000 is out of range 0-65535/],
    ['portrange 5', /column 11: '5' is not a port range A-B/],
    ['net 10.0.0.0/33', /column 5: '10.0.0.0\/33' is not a valid network/],
    ['udp port', /column 9: expected a port number after 'port'/],
    ['udp $ tcp', /column 5: unexpected character '\$'/],
    ['ether host 1.2.3.4', /column 1: 'ether' is not supported/],
    ['icmp port 3', /column 1: 'icmp' has no ports/],
    ['udp tcp', /column 5: unexpected 'tcp' after a complete expression/],
    ['', /column 1: empty expression/],
  ];
  for (const [expr, re] of errors) {
    it(`rejects '${expr}' with a column`, () => {
      expect(() => compileFilter(expr)).toThrow(FilterError);
      expect(() => compileFilter(expr)).toThrow(re);
    });
  }

  it('resolves host names', async () => {
    const f = await compileFilterResolving('host localhost');
    const lo = buildUdpFrame({ src: '127.0.0.1', dst: '127.0.0.1', srcPort: 1, dstPort: 2, payload: Buffer.alloc(0) });
    expect(f(decodeFrame(1, lo), lo)).toBe(true);
    await expect(compileFilterResolving('host no-such-host.invalid')).rejects.toThrow(/column 6: cannot resolve host name 'no-such-host.invalid'/);
  });
});

describe('frame builder and writer', () => {
  it('builds frames whose IP and UDP checksums verify', () => {
    for (const f of [udp4, udp6, buildUdpFrame({ src: '1.2.3.4', dst: '5.6.7.8', srcPort: 9, dstPort: 9, payload: Buffer.alloc(1001, 3), vlan: 5 })]) {
      const d = decodeFrame(1, f);
      if (d.ipVersion === 4) expect(internetChecksum(f, d.ipOffset, d.ipOffset + 20)).toBe(0);
      const ulen = f.readUInt16BE(d.l4Offset + 4);
      expect(internetChecksum(f, d.l4Offset, d.l4Offset + ulen, pseudoHeaderSum(f, d.ipVersion as 4 | 6, d.srcOffset, 17, ulen))).toBe(0);
    }
  });

  it('streams pcap and pcapng files that read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-w-'));
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = join(dir, `out.${format}`);
      const w = await CaptureWriter.create(file, { format, precision: 'nano' });
      for (let i = 0; i < 3000; i++) await w.write({ tsSec: 1000 + i, tsNsec: i, data: udp4 });
      await w.close();
      const { packets, error } = await readAllPackets(await openCapture(file));
      expect(error).toBeNull();
      expect(packets.length).toBe(3000);
      expect(packets[2999]).toMatchObject({ tsSec: 3999, tsNsec: 2999, caplen: udp4.length });
    }
  });
});
