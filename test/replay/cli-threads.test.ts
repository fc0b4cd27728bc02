// `flowstash replay --threads N` end to end: real process, real sockets on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptureWriter } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { flowstash } from '../e2e/helpers.ts';

const EXPORTERS = 4;
const PER_EXPORTER = 250;
let dir: string;
let capture: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flowstash-threads-'));
  capture = path.join(dir, 'interleaved.pcap');
  const w = await CaptureWriter.create(capture);
  for (let i = 0; i < PER_EXPORTER; i++) {
    for (let e = 0; e < EXPORTERS; e++) {
      const payload = Buffer.from(`${e}:${i}`);
      const data = buildUdpFrame({ src: `10.1.0.${e + 1}`, dst: '192.0.2.9', srcPort: 0, dstPort: 2055, payload });
      // 10 µs apart: -x 100 spreads the run over a few ms of real scheduling.
      const t = (i * EXPORTERS + e) * 10_000;
      await w.write({ tsSec: 1_700_000_000, tsNsec: t, data });
    }
  }
  await w.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function receive(run: (port: number) => Promise<{ code: number; stdout: string; stderr: string }>) {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const got: { payload: string; from: string }[] = [];
  sock.on('message', (m, r) => got.push({ payload: m.toString(), from: r.address }));
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  const out = await run(sock.address().port);
  for (let i = 0; i < 200 && got.length < EXPORTERS * PER_EXPORTER; i++) await new Promise((r) => setTimeout(r, 5));
  sock.close();
  return { ...out, got };
}

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const s = flowstash(args);
  const code = await s.exited;
  return { code, stdout: s.stdout, stderr: s.stderr };
}

describe('flowstash replay --threads', () => {
  for (const [label, speed] of [['--topspeed', ['--topspeed']], ['-x 100', ['-x', '100']]] as const) {
    it(`2 threads, ${label}: every exporter's datagrams arrive in capture order from its own address; all counted`, async () => {
      const r = await receive((port) =>
        runCli(['replay', capture, '--to', `127.0.0.1:${port}`, '--exporters', 'loopback', '--threads', '2', ...speed]),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Actual: ${EXPORTERS * PER_EXPORTER} packets`);
      expect(r.stdout).toMatch(/Successful packets:\s+1000\n/);
      expect(r.got.length).toBe(EXPORTERS * PER_EXPORTER);
      for (let e = 0; e < EXPORTERS; e++) {
        const mine = r.got.filter((g) => g.payload.startsWith(`${e}:`));
        expect(mine.map((g) => Number(g.payload.split(':')[1]))).toEqual(Array.from({ length: PER_EXPORTER }, (_, i) => i));
        expect(new Set(mine.map((g) => g.from))).toEqual(new Set([`127.0.0.${e + 2}`]));
      }
    });
  }

  it('rejects a bad --threads value with exit 2 and the reason', async () => {
    const r = await runCli(['replay', capture, '--to', '127.0.0.1:9', '--threads', 'two']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--threads must be a whole number from 0 to 64, got 'two'");
  });

  it('--limit with threads sends exactly that many', async () => {
    const r = await receive((port) => runCli(['replay', capture, '--to', `127.0.0.1:${port}`, '--threads', '2', '--topspeed', '-L', '37']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Actual: 37 packets');
    expect(r.got.length).toBe(37);
  });
});

describe('flowstash replay --pps (timer and blocking sleeps, spin only at the end)', () => {
  for (const threads of ['0', '1']) {
    it(`--threads ${threads}: every datagram of a rated replay arrives, in order, all counted`, async () => {
      // 4000 pps: 250 µs apart, the range where each wait is a sub-millisecond blocking sleep.
      const r = await receive((port) => runCli(['replay', capture, '--to', `127.0.0.1:${port}`, '--pps', '4000', '--threads', threads]));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Successful packets:\\s+${EXPORTERS * PER_EXPORTER}\\b`));
      expect(r.got).toHaveLength(EXPORTERS * PER_EXPORTER);
      for (let e = 0; e < EXPORTERS; e++) {
        const mine = r.got.filter((g) => g.payload.startsWith(`${e}:`)).map((g) => Number(g.payload.split(':')[1]));
        expect(mine).toEqual(Array.from({ length: PER_EXPORTER }, (_, i) => i));
      }
    }, 120_000);
  }
});
