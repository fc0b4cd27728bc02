// Decode throughput of the netflow codec on a capture: the capture's netflow datagrams decoded
// repeatedly (templates learnt in a first pass) into the Event objects the pipeline gets.
import { readUdpDatagrams } from '../../../replay/datagram-source.ts';
import type { Event } from '../../../event/event.ts';
import { NetflowCodec } from './codec.ts';
import type { NetflowOptions } from '../../../flow/netflow/options.ts';

export interface BenchDatagram {
  payload: Buffer;
  host: string;
  port: number;
}

/** The UDP datagrams of a capture whose payload starts like NetFlow v5/v9 or IPFIX. */
export async function loadNetflowDatagrams(file: string): Promise<BenchDatagram[]> {
  const out: BenchDatagram[] = [];
  for await (const d of readUdpDatagrams(file)) {
    if (d.payload.length < 4) continue;
    const v = d.payload.readUInt16BE(0);
    if (v === 5 || v === 9 || v === 10) out.push({ payload: d.payload, host: d.src, port: d.srcPort });
  }
  return out;
}

export interface DecodeBenchResult {
  datagrams: number;
  flowsPerPass: number;
  passes: number;
  flows: number;
  seconds: number;
  flowsPerSecond: number;
}

/** Decodes the datagrams again and again for about `seconds`, timing whole passes. */
export function benchDecode(datagrams: BenchDatagram[], seconds: number, options: Partial<NetflowOptions> = {}): DecodeBenchResult {
  const codec = new NetflowCodec(options, () => {});
  let sink = 0;
  const emit = (e: Event) => {
    sink++;
    void e;
  };
  // First pass: templates (and warm-up of the compiled decoders).
  for (const d of datagrams) codec.decode(d.payload, { host: d.host, port: d.port }, emit);
  const flowsPerPass = sink;
  sink = 0;
  let passes = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    for (const d of datagrams) codec.decode(d.payload, { host: d.host, port: d.port }, emit);
    passes++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget && flowsPerPass > 0);
  const secs = Number(elapsed) / 1e9;
  return {
    datagrams: datagrams.length,
    flowsPerPass,
    passes,
    flows: sink,
    seconds: secs,
    flowsPerSecond: secs > 0 ? sink / secs : 0,
  };
}
