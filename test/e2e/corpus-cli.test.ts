// Issue 5 through the CLI: every corpus case must come out of
//   flowstash -e 'input { pcap { path => "…" codec => netflow {} } } output { stdout { codec => json_lines } }'
// field for field as the real Logstash codec produced it. Several cases run per process (one `pcap`
// input each, tagged with add_field, each with its own codec instance), two processes at a time.
// The pcap input adds `host`, which the expected files lack: it is compared separately, per event,
// with the source address of the datagram that event was decoded from.
import { beforeAll, describe, expect, it } from 'vitest';
import { readUdpDatagrams } from '../../src/replay/datagram-source.ts';
import { NetflowCodec } from '../../src/plugins/codecs/netflow/codec.ts';
import type { NetflowOptions } from '../../src/flow/netflow/options.ts';
import {
  HAS_LISTS, HAVE_SHARED, SHARED, captureOptions, compareEvents, compareLogs, corpusCases, parseRaw, readExpected,
  type CorpusCase, type Raw,
} from '../codec/netflow/corpus-helpers.ts';
import { runFlowstash } from './helpers.ts';

if (!HAVE_SHARED) console.warn(`skipping the corpus-through-the-CLI tests: ${SHARED} is absent`);

const CASE_FIELD = 'flowstash_corpus_case';
const PARALLEL = 2;

interface Planned extends CorpusCase {
  options: Partial<NetflowOptions>;
  /** Logstash's log capture kept only some lines for the captures: expected ⊆ ours. */
  looseLogs: boolean;
}

interface BatchResult {
  code: number;
  stderr: string;
  /** Events per case, as parsed JSON with key order and number text kept. */
  events: Map<string, Raw[]>;
  /** Distinct codec warnings of the whole process, message text without the data suffix. */
  warnings: string[];
}

function configString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function optionValue(v: unknown): string {
  return typeof v === 'string' ? configString(v) : String(v);
}

function pipelineConfig(batch: Planned[]): string {
  const inputs = batch.map((c) => {
    const codecOpts = Object.entries(c.options).map(([k, v]) => `${k} => ${optionValue(v)}`).join(' ');
    return `  pcap { path => ${configString(c.pcap)} codec => netflow { ${codecOpts} } add_field => { ${configString(CASE_FIELD)} => ${configString(c.name)} } }`;
  });
  return `input {\n${inputs.join('\n')}\n}\noutput { stdout { codec => json_lines } }\n`;
}

const WARN_LINE = /^\[[^\]]*\]\[WARN \]\[flowstash\.codecs\.netflow\s*\] (.*?)(?: \{:.*\})?$/;

async function runBatch(batch: Planned[]): Promise<BatchResult> {
  // One worker: events of each input keep their order, as with Logstash's pipeline.ordered.
  const r = await runFlowstash(['-w', '1', '-e', pipelineConfig(batch)]);
  const events = new Map<string, Raw[]>(batch.map((c) => [c.name, []]));
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const ev = parseRaw(line);
    if (ev.t !== 'obj') throw new Error(`stdout line is not a JSON object: ${line.slice(0, 200)}`);
    const tag = ev.v.find(([k]) => k === CASE_FIELD)?.[1];
    if (tag?.t !== 'str' || !events.has(tag.v)) throw new Error(`event without a known ${CASE_FIELD}: ${line.slice(0, 200)}`);
    events.get(tag.v)!.push(ev);
  }
  const warnings = new Set<string>();
  for (const line of r.stderr.split('\n')) {
    const m = WARN_LINE.exec(line);
    if (m) warnings.add(m[1]!);
  }
  return { code: r.code, stderr: r.stderr, events, warnings: [...warnings] };
}

function batches<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function runAll(groups: Planned[][]): Promise<Map<Planned[], BatchResult>> {
  const results = new Map<Planned[], BatchResult>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const g = groups[next++]!;
      results.set(g, await runBatch(g));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}

/** The exporter address of each event the codec emits for this capture, in order. */
async function eventSources(c: Planned): Promise<string[]> {
  const codec = new NetflowCodec(c.options);
  const hosts: string[] = [];
  for await (const d of readUdpDatagrams(c.pcap)) codec.decode(d.payload, { host: d.src, port: d.srcPort }, () => hosts.push(d.src));
  return hosts;
}

function hostIp(ev: Raw): string | undefined {
  if (ev.t !== 'obj') return undefined;
  const host = ev.v.find(([k]) => k === 'host')?.[1];
  if (host?.t === 'str') return host.v;
  if (host?.t !== 'obj') return undefined;
  const ip = host.v.find(([k]) => k === 'ip')?.[1];
  return ip?.t === 'str' ? ip.v : undefined;
}

function withoutAddedFields(ev: Raw): Raw {
  return ev.t === 'obj' ? { t: 'obj', v: ev.v.filter(([k]) => k !== 'host' && k !== CASE_FIELD) } : ev;
}

const spec: Planned[] = corpusCases('logstash-netflow').map((c) => ({ ...c, options: {}, looseLogs: false }));
const captures: Planned[] = corpusCases('captures').map((c) => ({ ...c, options: captureOptions(c.name), looseLogs: true }));
// Spec cases and captures run in separate processes: their log expectations differ (exact vs subset).
const GROUPS = [...batches(spec, 14), ...batches(captures, 5)];

describe.skipIf(!HAVE_SHARED)('corpus through the CLI: flowstash -e pcap → netflow → stdout json_lines', () => {
  let results = new Map<Planned[], BatchResult>();
  beforeAll(async () => {
    results = await runAll(GROUPS);
  }, 180_000);

  it('covers the 54 spec cases and the captures with an expected.json', () => {
    expect(spec.length).toBe(54);
    expect(captures.length).toBeGreaterThan(0);
  });

  for (const group of GROUPS) {
    const names = group.map((c) => c.name);
    it(`process for ${names[0]} … ${names.at(-1)} exits 0 with the codec warnings Logstash logs`, () => {
      const r = results.get(group)!;
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      // Warnings of several inputs share one log: compare the union of the cases' expectations.
      const expected = [...new Set(group.flatMap((c) => readExpected(c.expected).logMessages))];
      if (group[0]!.looseLogs) {
        expect(compareLogs(expected, r.warnings, true)).toBeUndefined();
      } else {
        const sorted = (l: string[]) => [...l].sort();
        const asOurs = r.warnings.filter((w) => expected.some((e) => compareLogs([e], [w], false) === undefined));
        expect(sorted(asOurs), 'every warning is an expected one').toEqual(sorted(r.warnings));
        for (const e of expected) expect(compareLogs([e], r.warnings, true), e).toBeUndefined();
      }
    });
    for (const c of group) {
      it(c.name, async () => {
        const got = results.get(group)!.events.get(c.name)!;
        const sources = await eventSources(c);
        expect(got.map(hostIp)).toEqual(sources.slice(0, got.length));
        const diffs = compareEvents(readExpected(c.expected), got.map(withoutAddedFields), 'netflow', HAS_LISTS.has(c.name));
        expect(diffs).toEqual([]);
      });
    }
  }
});
