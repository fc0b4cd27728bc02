import { loadNetflowDatagrams, benchDecode } from './src/codec/netflow/bench.ts';
const ds = await loadNetflowDatagrams(process.argv[2]!);
const r = benchDecode(ds, Number(process.argv[3] ?? 3));
console.log(ds.length, r);
