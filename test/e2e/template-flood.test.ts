// A flood of spoofed exporters over loopback (127.66.x.y, 200 templates each) fills the collector's
// template cache (20,000); a real exporter that starts afterwards must still have its flows decoded
// at once — the cache frees the exporters heard from least recently — and the run stays quiet and
// counted. Then SIGINT ends it with the summary.
import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { flowstash, freePort } from './helpers.ts';
import { ipfix, ipv4, set, templateRecord, u16, u64 } from '../flow/netflow/build.ts';

const FIELDS = [
  { id: 8, length: 4 },
  { id: 7, length: 2 },
  { id: 1, length: 8 },
];

async function sendFrom(address: string, port: number, datagrams: Buffer[]): Promise<void> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, address, () => resolve());
  });
  for (const d of datagrams) await new Promise<void>((resolve, reject) => sock.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  sock.close();
}

describe('template flood over loopback', () => {
  it('100 spoofed exporters × 200 templates, then a real exporter: its flows come out; evictions counted; SIGINT drains', async () => {
    const port = await freePort();
    const run = flowstash(['-w', '1', '-e', `input { udp { host => "127.0.0.1" port => ${port} receive_buffer_bytes => 8388608 codec => netflow } } output { stdout { codec => json_lines } }`]);
    try {
      await run.waitFor(/UDP listener started/);
      const flood = ipfix([set(2, Buffer.concat(Array.from({ length: 200 }, (_, i) => templateRecord(256 + i, FIELDS))))]);
      // Paced a little: the point is the cache, not the kernel's socket buffer.
      for (let e = 0; e < 100; e++) {
        await sendFrom(`127.66.0.${e + 1}`, port, [flood]);
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 500));
      await sendFrom('127.0.0.9', port, [
        ipfix([set(2, templateRecord(300, FIELDS))]),
        ipfix([set(300, Buffer.concat([ipv4('10.0.0.1'), u16(443), u64(1234n)]))]),
      ]);
      await run.waitFor(/"sourceTransportPort":443/);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      const summary = /codec of input udp: (.*)/.exec(run.stderr)?.[1] ?? '';
      expect(summary).toMatch(/templates_new=20001/);
      expect(summary).toMatch(/templates_evicted=200\b/);
      expect(summary).toMatch(/exporters_evicted=1\b/);
      expect(summary).not.toMatch(/templates_rejected=[1-9]/);
      const flows = run.stdout.split('\n').filter((l) => l.includes('sourceTransportPort'));
      expect(flows).toHaveLength(1);
      expect(JSON.parse(flows[0]!).host).toMatchObject({ ip: '127.0.0.9' });
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
