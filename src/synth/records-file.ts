// The ground truth of a synthesized capture: one JSON line per record, in wire order, so a pipeline's
// output can be checked against what was actually sent.
import type { FieldInput } from '../flow/netflow/encode/index.ts';
import type { SynthPacket } from './synth.ts';

function jsonValue(v: FieldInput): unknown {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}

export function recordLines(packets: readonly SynthPacket[]): string {
  const lines: string[] = [];
  packets.forEach((p, i) => {
    for (const r of p.records) {
      const values = Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, jsonValue(v)]));
      lines.push(JSON.stringify({ packet: i + 1, exporter: p.src, protocol: r.protocol, template: r.templateId, options: r.options, values }));
    }
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}
