import { readUdpDatagrams } from './src/replay/datagrams.ts';
import { createNetflowDecoder } from './src/codec/netflow/decoder.ts';
const dec = createNetflowDecoder({}, { log: () => {} });
const keys = new Map<string, number>();
for await (const d of readUdpDatagrams(process.argv[2]!)) for (const f of dec.decode(d.payload, { host: d.src, port: d.srcPort })) for (const [k, v] of Object.entries(f.fields)) if (Array.isArray(v)) keys.set(k, (keys.get(k) ?? 0) + 1);
console.log(process.argv[2]!.split('/').pop(), [...keys]);
