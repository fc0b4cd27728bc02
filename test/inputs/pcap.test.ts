import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PcapInput } from '../../src/plugins/inputs/pcap/pcap.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { fakeRuntime } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-pcap-input-'));

/** ARP request frame: not IP at all, so not UDP. */
const arp = Buffer.concat([Buffer.from('ffffffffffff020000000001', 'hex'), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]);

function capture(name: string): string {
  const udp = (src: string, port: number, dstPort: number, text: string) =>
    buildUdpFrame({ src, dst: '192.0.2.200', srcPort: port, dstPort, payload: Buffer.from(text) });
  const frames = [
    udp('192.0.2.1', 50000, 2055, 'a1'),
    arp,
    udp('192.0.2.2', 50001, 4739, 'b1'),
    buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::200', srcPort: 50002, dstPort: 2055, payload: Buffer.from('c1') }),
    udp('192.0.2.1', 50000, 2055, 'a2'),
  ];
  const file = path.join(dir, name);
  writeFileSync(file, encodeCapture(frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, data }))));
  return file;
}

describe('pcap input', () => {
  it('feeds every UDP datagram to the codec in order with the original exporter as host; counts the rest', async () => {
    const file = capture('basic.pcap');
    const rt = fakeRuntime();
    const input = new PcapInput({ path: file, ecs_compatibility: 'disabled' });
    await input.run(rt.ctx);
    expect(rt.events.map((e) => [e.get('message'), e.get('host'), e.metadata['port']])).toEqual([
      ['a1', '192.0.2.1', 50000],
      ['b1', '192.0.2.2', 50001],
      ['c1', '2001:db8::1', 50002],
      ['a2', '192.0.2.1', 50000],
    ]);
    expect(input.counters()).toMatchObject({ packets: 5, datagrams: 4, events: 4, non_udp: 1, passes: 1, decode_failures: 0 });
    expect(rt.logs.some((l) => /4 UDP datagrams, 4 events, 1 non-UDP skipped/.test(l.msg))).toBe(true);
  });

  it('ECS default puts the exporter in [host][ip]; filter and loop apply', async () => {
    const file = capture('filter.pcap');
    const rt = fakeRuntime();
    const input = new PcapInput({ path: file, filter: 'udp port 2055 and ip', loop: 2, pps: 1000 });
    await input.run(rt.ctx);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['a1', 'a2', 'a1', 'a2']);
    expect(rt.events[0]!.get('[host][ip]')).toBe('192.0.2.1');
    expect(input.counters().passes).toBe(2);
  });

  it('a capture cut mid-record: everything before the fault is decoded, then a precise error', async () => {
    const file = capture('cut.pcap');
    const bytes = readFileSync(file);
    const cut = path.join(dir, 'cut-short.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const rt = fakeRuntime();
    const input = new PcapInput({ path: cut });
    await expect(input.run(rt.ctx)).rejects.toThrow(/cut-short\.pcap: packet 5 at byte offset \d+/);
    expect(rt.events.map((e) => e.get('message'))).toEqual(['a1', 'b1', 'c1']);
  });

  it('rejects contradictory pacing options naming the plugin', () => {
    expect(() => new PcapInput({ path: 'x.pcap', pps: 10, mbps: 5 })).toThrow('pcap input: pps and mbps are mutually exclusive: pick one speed mode');
    expect(() => new PcapInput({ path: '' })).toThrow('pcap input: `path` is required');
  });

  it('stops early when the pipeline shuts down', async () => {
    const file = capture('abort.pcap');
    const rt = fakeRuntime();
    const input = new PcapInput({ path: file, pps: 2 });
    const running = input.run(rt.ctx);
    setTimeout(() => rt.abort(), 100);
    await running;
    expect(rt.events.length).toBeLessThan(4);
  });
});
