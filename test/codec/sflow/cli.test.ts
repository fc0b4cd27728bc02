// Issue 17 through the CLI: every sflow corpus capture, read by the pcap input with `codec => sflow`
//   flowstash -e 'input { pcap { path => "…" codec => sflow } } output { stdout { codec => json_lines } }'
// gives the real codec's events field for field. All cases run in one process (one pcap input each,
// tagged with add_field, each with its own codec). @timestamp is the decode time there (as in
// Logstash), so it is only checked to be a timestamp; `host` is the pcap input's sender address
// unless the codec set it (extended URL record), as with Logstash's udp input; ECS is disabled on the
// input because the codec installs only on Logstash ≤ 7.9, where that is the only mode.
import { describe, expect, it } from 'vitest';
import { runFlowstash } from '../../e2e/helpers.ts';
import { compareRaw, parseRaw, type Raw } from '../netflow/corpus-helpers.ts';
import { HAVE_SFLOW_CORPUS, SFLOW_CORPUS, compareLogs, readExpected, runSflowCase, sflowCases } from './corpus-helpers.ts';

if (!HAVE_SFLOW_CORPUS) console.warn(`skipping the sflow corpus-through-the-CLI test: ${SFLOW_CORPUS} is absent`);

const CASE_FIELD = 'flowstash_corpus_case';
const WARN_LINE = /^\[[^\]]*\]\[WARN \]\[flowstash\.codecs\.sflow\s*\] (.*?)(?: \{:.*\})?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function quoted(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

describe.skipIf(!HAVE_SFLOW_CORPUS)('sflow corpus through the CLI (pcap input)', () => {
  it('every capture gives the expected events', async () => {
    const cases = sflowCases();
    expect(cases.length).toBeGreaterThanOrEqual(5);
    const inputs = cases.map((c) => `  pcap { path => ${quoted(c.pcap)} codec => sflow ecs_compatibility => disabled add_field => { ${quoted(CASE_FIELD)} => ${quoted(c.name)} } }`);
    const config = `input {\n${inputs.join('\n')}\n}\noutput { stdout { codec => json_lines } }\n`;
    // One worker: each input's events keep their order, as with Logstash's pipeline.ordered.
    const r = await runFlowstash(['-w', '1', '-e', config]);
    expect(r.code, r.stderr).toBe(0);
    const got = new Map<string, Raw[]>(cases.map((c) => [c.name, []]));
    for (const line of r.stdout.split('\n')) {
      if (line === '') continue;
      const ev = parseRaw(line);
      if (ev.t !== 'obj') throw new Error(`not a JSON object: ${line.slice(0, 200)}`);
      const tag = ev.v.find(([k]) => k === CASE_FIELD)?.[1];
      if (tag?.t !== 'str' || !got.has(tag.v)) throw new Error(`event without a known ${CASE_FIELD}: ${line.slice(0, 200)}`);
      got.get(tag.v)!.push(ev);
    }
    const warnings: string[] = [];
    for (const line of r.stderr.split('\n')) {
      const m = WARN_LINE.exec(line);
      if (m) warnings.push(m[1]!);
    }
    const diffs: string[] = [];
    let matched = 0;
    for (const c of cases) {
      const caseDiffs: string[] = [];
      const exp = readExpected(c.expected);
      // Events flowstash recovers from datagrams the codec drops (default malformed_datagrams =>
      // decode) are the documented difference: the in-process run says which ones they are.
      const flags = (await runSflowCase(c)).recoveredFlags;
      const all = got.get(c.name)!;
      if (all.length !== flags.length) caseDiffs.push(`${c.name}: ${all.length} events through the CLI, ${flags.length} in-process`);
      const events = all.filter((_, i) => !flags[i]);
      if (events.length !== exp.events.length) caseDiffs.push(`${c.name}: expected ${exp.events.length} events, got ${events.length}`);
      for (let i = 0; i < Math.min(events.length, exp.events.length); i++) {
        const ev = events[i] as Extract<Raw, { t: 'obj' }>;
        const ts = ev.v.find(([k]) => k === '@timestamp')?.[1];
        if (ts?.t !== 'str' || !ISO.test(ts.v)) caseDiffs.push(`${c.name} event ${i + 1}: @timestamp is not a timestamp`);
        const e = exp.events[i] as Extract<Raw, { t: 'obj' }>;
        const strip = (o: Extract<Raw, { t: 'obj' }>): Raw => ({ t: 'obj', v: o.v.filter(([k]) => k !== '@timestamp' && k !== CASE_FIELD) });
        compareRaw(strip(e), strip(ev), `${c.name} event ${i + 1}`, caseDiffs);
      }
      // Warnings of all inputs share stderr: each case's expected messages must be there.
      compareLogs(exp.log_messages.map((m) => m.replace(/^datagram \d+: warn: /, '')).filter((m, i, a) => a.indexOf(m) === i), warnings, caseDiffs);
      if (caseDiffs.length === 0) matched++;
      diffs.push(...caseDiffs);
    }
    expect(diffs, diffs.slice(0, 30).join('\n')).toEqual([]);
    expect(matched).toBe(cases.length);
  }, 120_000);
});
