import { readUdpDatagrams } from './src/replay/datagrams.ts';
import { createNetflowDecoder } from './src/codec/netflow/decoder.ts';
import { jsonMap } from './src/pipeline/json.ts';
const dec = createNetflowDecoder({}, { log: (l, m, d) => console.log(l, m, d ? JSON.stringify(d) : '') });
for await (const d of readUdpDatagrams(process.argv[2]!)) for (const f of dec.decode(d.payload, { host: d.src })) console.log(f.timestamp.toString(), jsonMap(f.fields).slice(0, Number(process.argv[3] ?? 400)));
console.log(dec.stats());
