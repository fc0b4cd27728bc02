// Shared fixtures for the verify tests: a scratch directory with configs and test files, a capture
// built with the project's netflow encoder and pcap writer, and the CLI run with stdout captured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { encodeIpfixMessage, type Template } from '../../src/flow/netflow/encode/index.ts';
import { encodeCapture } from '../../src/capture/writer.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { run } from '../../src/cli/verify.ts';

export class Scratch {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'flowstash-verify-'));
  file(name: string, text: string | Buffer): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, text);
    return p;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const FLOW_TEMPLATE: Template = {
  id: 256,
  fields: [
    { id: 8, length: 4, name: 'sourceIPv4Address' },
    { id: 12, length: 4, name: 'destinationIPv4Address' },
    { id: 11, length: 2, name: 'destinationTransportPort' },
    { id: 1, length: 8, name: 'octetDeltaCount' },
  ],
};

/** One IPFIX datagram per exporter: template + the given flows, exported at 2025-01-01T00:00:10Z. */
export function ipfixCapture(exporters: { address: string; flows: [string, string, number, number][] }[]): Buffer {
  const exportTime = Date.UTC(2025, 0, 1, 0, 0, 10) / 1000;
  return encodeCapture(
    exporters.map((e, i) => {
      const payload = encodeIpfixMessage({
        exportTime,
        sequenceNumber: 0,
        observationDomainId: 1,
        sets: [
          { type: 'template', templates: [FLOW_TEMPLATE] },
          { type: 'data', template: FLOW_TEMPLATE, records: e.flows },
        ],
      });
      const frame = buildUdpFrame({ src: e.address, dst: '192.0.2.200', srcPort: 50000 + i, dstPort: 4739, payload });
      return { tsSec: exportTime, tsNsec: 0, data: frame };
    }),
  );
}

/** Runs `flowstash verify ARGS` in-process; returns its exit code and what it printed. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
