import { readdirSync, existsSync } from 'node:fs';
import { runCase, SHARED } from '/work/main/test/codec/netflow/corpus-helpers.ts';
const dirs = [`${SHARED}/corpus/logstash-netflow`, `${SHARED}/corpus/captures`];
const only = process.argv[2];
let pass = 0, total = 0;
for (const d of dirs) for (const f of readdirSync(d).filter((f) => f.endsWith('.expected.json')).sort()) {
  if (only && !f.includes(only)) continue;
  const pcap = `${d}/${f.replace('.expected.json', '.pcap')}`;
  if (!existsSync(pcap)) continue;
  total++;
  try {
    const r = await runCase(pcap, `${d}/${f}`, f.startsWith("pmacctta_10") || f.startsWith("pmacctta_111") ? { unknown_elements: "drop_template" } : {}, d.endsWith("captures"));
    if (r.diffs.length === 0) pass++;
    else console.log(`FAIL ${f} (${r.events}/${r.expectedEvents})\n   ` + r.diffs.slice(0, only ? 20 : 4).join('\n   '));
  } catch (e) { console.log(`ERROR ${f}: ${(e as Error).stack}`); }
}
console.log(`${pass}/${total} pass`);
