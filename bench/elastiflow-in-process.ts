// The full ElastiFlow conf.d built in this process with its IPFIX udp input replaced by a feeder:
// the capture's datagrams decoded as the udp input decodes them (exporter n from 127.0.0.n, as
// `replay --exporters loopback` delivers them), outputs handed to a sink instead of written.
// Shared by bench/elastiflow.ts --in-process and bench/elasticsearch-dry-run.ts.
import path from 'node:path';
import type { Event } from '../src/event/event.ts';
import type { OutputSink, Pipeline } from '../src/pipeline/pipeline.ts';
import type { InputContext } from '../src/plugins/types.ts';
import { elastiflowEnv, ELASTIFLOW } from '../test/e2e/elastiflow-helpers.ts';

export interface Datagram {
  payload: Buffer;
  host: string;
}

export interface InProcessOptions {
  capture: string;
  batchSize: number;
  /** The compiled modules (dist/) instead of the sources, so a --cpu-prof names real lines. */
  dist: boolean;
  /** Pushes what it likes; `decode` turns a datagram into the udp input's events. */
  feed(ctx: InputContext, datagrams: Datagram[], decode: (d: Datagram) => Event[]): Promise<void>;
  outputs: OutputSink;
}

export interface InProcessPipeline {
  pipeline: Pipeline;
  datagrams: Datagram[];
  /** Removes the temp dir of GeoIP names. */
  cleanup(): void;
}

export async function elastiflowInProcess(o: InProcessOptions): Promise<InProcessPipeline> {
  const mod = (m: string): string => (o.dist ? `../dist/${m}.js` : `../src/${m}.ts`);
  const { loadPipelineConfig } = (await import(mod('config/pipeline-config'))) as typeof import('../src/config/pipeline-config.ts');
  const { Pipeline } = (await import(mod('pipeline/pipeline'))) as typeof import('../src/pipeline/pipeline.ts');
  const { PipelineLogger } = (await import(mod('pipeline/log'))) as typeof import('../src/pipeline/log.ts');
  const { readUdpDatagrams } = (await import(mod('replay/datagram-source'))) as typeof import('../src/replay/datagram-source.ts');
  const { DatagramDecoder } = (await import(mod('plugins/inputs/udp/udp-events'))) as typeof import('../src/plugins/inputs/udp/udp-events.ts');
  const { rmSync } = await import('node:fs');
  const { env, ports, dir } = await elastiflowEnv();
  const config = await loadPipelineConfig({ paths: [path.join(ELASTIFLOW, 'conf.d/*.conf')], env });
  const udp = config.inputs
    .flatMap((s) => (s.type === 'plugin' ? [config.plugin(s)] : []))
    .find((p) => p.name === 'udp' && String(p.options['port']) === String(ports.ipfixUdp));
  if (!udp) throw new Error('bench: the IPFIX udp input was not found in ElastiFlow conf.d');
  const datagrams: Datagram[] = [];
  const exporters = new Map<string, string>();
  for await (const d of readUdpDatagrams(o.capture)) {
    if (!exporters.has(d.src)) exporters.set(d.src, `127.0.0.${exporters.size + 1}`);
    datagrams.push({ payload: Buffer.from(d.payload), host: exporters.get(d.src)! });
  }
  const log = new PipelineLogger('bench', 'warn', { write: (l) => void process.stderr.write(l) });
  const pipeline = await Pipeline.build(
    config,
    { workers: 1, batchSize: o.batchSize, batchDelayMs: 50, log, ecsCompatibility: 'disabled', dryRun: true },
    {
      inputs: [
        {
          replaces: udp.id,
          input: {
            run: (ctx) => {
              const decoder = new DatagramDecoder(ctx, 'host', 'udp');
              return o.feed(ctx, datagrams, (d) => decoder.decode(d.payload, d.host, ports.ipfixUdp));
            },
          },
        },
      ],
      outputs: o.outputs,
    },
  );
  return { pipeline, datagrams, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
