// Runs an sflow corpus capture through one decoder and compares with the .expected.json the real
// Logstash codec produced: event count, key order, value types and values, warning texts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readUdpDatagrams } from '../../../src/replay/datagram-source.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { jsonMap } from '../../../src/event/json.ts';
import type { FieldMap } from '../../../src/event/values.ts';
import { SflowDecoder, type SflowDecoderOptions } from '../../../src/flow/sflow/index.ts';
import { compareRaw, parseRaw, type Raw } from '../netflow/corpus-helpers.ts';

export const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const SFLOW_CORPUS = path.join(SHARED, 'corpus', 'sflow');
export const HAVE_SFLOW_CORPUS = existsSync(SFLOW_CORPUS);

export interface SflowCase {
  name: string;
  pcap: string;
  expected: string;
}

export function sflowCases(): SflowCase[] {
  if (!HAVE_SFLOW_CORPUS) return [];
  return readdirSync(SFLOW_CORPUS)
    .filter((f) => f.endsWith('.pcap'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.pcap'.length);
      return { name, pcap: path.join(SFLOW_CORPUS, f), expected: path.join(SFLOW_CORPUS, `${name}.expected.json`) };
    })
    .filter((c) => existsSync(c.expected));
}

export interface ExpectedFile {
  codec: Partial<SflowDecoderOptions>;
  datagrams: number;
  event_count: number;
  log_messages: string[];
  /** Events as parsed with key order and number text kept. */
  events: Raw[];
}

export function readExpected(file: string): ExpectedFile {
  const text = readFileSync(file, 'utf8');
  const plain = JSON.parse(text) as { codec?: Partial<SflowDecoderOptions>; datagrams: number; event_count: number; log_messages: string[] };
  const raw = parseRaw(text);
  if (raw.t !== 'obj') throw new Error(`${file}: not a JSON object`);
  const events = raw.v.find(([k]) => k === 'events')?.[1];
  if (events?.t !== 'arr') throw new Error(`${file}: no events array`);
  return { codec: plain.codec ?? {}, datagrams: plain.datagrams, event_count: plain.event_count, log_messages: plain.log_messages, events: events.v };
}

export interface Datagram {
  payload: Buffer;
  src: string;
  srcPort: number;
  /** Capture time. */
  ts: Timestamp;
}

export async function readDatagrams(pcap: string): Promise<Datagram[]> {
  const out: Datagram[] = [];
  for await (const dg of readUdpDatagrams(pcap)) {
    out.push({ payload: Buffer.from(dg.payload), src: dg.src, srcPort: dg.srcPort, ts: new Timestamp(dg.tsSec, dg.tsNsec) });
  }
  return out;
}

export interface SflowCaseResult {
  diffs: string[];
  /** Events compared with the expected ones (all but the recovered ones). */
  events: number;
  expectedEvents: number;
  /** Events flowstash decoded from datagrams the codec dropped (its `Invalid sflow packet` ones). */
  recovered: number;
  /** Per event in output order: true when it came from a datagram the codec dropped. */
  recoveredFlags: boolean[];
  logs: string[];
}

/** Every expected message, in order, among ours (flowstash may say more). */
export function compareLogs(expected: string[], got: string[], diffs: string[]): void {
  let j = 0;
  for (const m of expected) {
    while (j < got.length && got[j] !== m) j++;
    if (j === got.length) {
      diffs.push(`log message missing or out of order: ${m}`);
      return;
    }
    j++;
  }
}

/** Datagram numbers (from 1) the codec dropped whole, per its log. */
function droppedDatagrams(logs: string[]): Set<number> {
  const out = new Set<number>();
  for (const l of logs) {
    const m = /^datagram (\d+): warn: Invalid sflow packet received/.exec(l);
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/**
 * Runs one case in-process: one decoder for the whole capture, @timestamp pinned to the capture
 * time. With `malformed_datagrams => decode` (the default) the events flowstash recovers from
 * datagrams the codec dropped are set aside (they are the documented difference) and every other
 * event must match; with `drop` every event must match as it is.
 */
export async function runSflowCase(c: SflowCase, malformed: 'decode' | 'drop' = 'decode'): Promise<SflowCaseResult> {
  const exp = readExpected(c.expected);
  const datagrams = await readDatagrams(c.pcap);
  const dropped = droppedDatagrams(exp.log_messages);
  let current: Datagram | undefined;
  let n = 0;
  const logs: string[] = [];
  const decoder = new SflowDecoder({ ...exp.codec, malformed_datagrams: malformed }, {
    now: () => current!.ts,
    log: (level, message) => logs.push(`datagram ${n}: ${level}: ${message}`),
  });
  const events: FieldMap[] = [];
  const recoveredFlags: boolean[] = [];
  for (const dg of datagrams) {
    current = dg;
    n++;
    decoder.decodeInto(dg.payload, { host: dg.src, port: dg.srcPort }, (f) => {
      // What Logstash's udp input adds (ECS off): the sender, only when the event has no host.
      if (f['host'] === undefined) f['host'] = dg.src;
      recoveredFlags.push(dropped.has(n));
      if (!dropped.has(n)) events.push(f);
    });
  }
  const diffs: string[] = [];
  if (datagrams.length !== exp.datagrams) diffs.push(`datagrams: expected ${exp.datagrams}, got ${datagrams.length}`);
  if (events.length !== exp.events.length) diffs.push(`event count: expected ${exp.events.length}, got ${events.length}`);
  for (let i = 0; i < Math.min(events.length, exp.events.length); i++) {
    compareRaw(exp.events[i]!, parseRaw(jsonMap(events[i]!)), `event ${i + 1}`, diffs);
  }
  compareLogs(exp.log_messages, logs, diffs);
  const recovered = recoveredFlags.filter(Boolean).length;
  if (malformed === 'drop' && recovered > 0) diffs.push(`${recovered} events from datagrams the codec drops, with malformed_datagrams => drop`);
  return { diffs, events: events.length, expectedEvents: exp.events.length, recovered, recoveredFlags, logs };
}
