import { readUdpDatagrams } from './src/replay/datagrams.ts';
import { createNetflowDecoder } from './src/codec/netflow/decoder.ts';
const dec = createNetflowDecoder({}, { log: () => {} });
let n = 0;
for await (const d of readUdpDatagrams(process.argv[2]!)) if ([9991, 9992, 2055, 4739].includes(d.dstPort)) n += dec.decode(d.payload, { host: d.src, port: d.srcPort }).length;
const s = dec.stats();
console.log(n, 'malformed', s.sets_malformed, 'notpl', s.data_sets_without_template);
