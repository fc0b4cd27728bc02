// Runs a capture through one decoder and compares the events with an .expected.json produced by
// the real Logstash codec: count, @timestamp, key order, value types and values, warning texts.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readUdpDatagrams } from '../../../src/replay/datagram-source.ts';
import { NetflowCodec } from '../../../src/plugins/codecs/netflow/codec.ts';
import type { NetflowOptions } from '../../../src/flow/netflow/options.ts';
import type { Event } from '../../../src/event/event.ts';
import { jsonMap } from '../../../src/event/json.ts';

export const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const HAVE_SHARED = existsSync(SHARED);

// ---- a JSON reader that keeps key order and exact number text ----
export type Raw = { t: 'num'; text: string } | { t: 'str'; v: string } | { t: 'lit'; v: boolean | null } | { t: 'arr'; v: Raw[] } | { t: 'obj'; v: [string, Raw][] };

export function parseRaw(text: string): Raw {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const value = (): Raw => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const v: [string, Raw][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', v };
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // :
        v.push([k, value()]);
        ws();
        if (text[i++] === '}') return { t: 'obj', v };
      }
    }
    if (c === '[') {
      i++;
      const v: Raw[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', v };
      }
      for (;;) {
        v.push(value());
        ws();
        if (text[i++] === ']') return { t: 'arr', v };
      }
    }
    if (c === '"') return { t: 'str', v: str() };
    if (text.startsWith('true', i)) return (i += 4), { t: 'lit', v: true };
    if (text.startsWith('false', i)) return (i += 5), { t: 'lit', v: false };
    if (text.startsWith('null', i)) return (i += 4), { t: 'lit', v: null };
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) throw new Error(`bad JSON at ${i}`);
    i += m[0].length;
    return { t: 'num', text: m[0] };
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  return value();
}

function show(r: Raw): string {
  switch (r.t) {
    case 'num': return r.text;
    case 'str': return JSON.stringify(r.v);
    case 'lit': return String(r.v);
    case 'arr': return `[${r.v.map(show).join(',')}]`;
    case 'obj': return `{${r.v.map(([k, v]) => `${JSON.stringify(k)}:${show(v)}`).join(',')}}`;
  }
}

function isFloatText(s: string): boolean {
  return /[.eE]/.test(s);
}

export function compareRaw(exp: Raw, got: Raw, where: string, diffs: string[]): void {
  if (diffs.length > 20) return;
  if (exp.t !== got.t) {
    diffs.push(`${where}: expected ${show(exp)}, got ${show(got)}`);
    return;
  }
  switch (exp.t) {
    case 'num': {
      const g = (got as typeof exp).text;
      const same = isFloatText(exp.text) || isFloatText(g) ? isFloatText(exp.text) === isFloatText(g) && Number(exp.text) === Number(g) : exp.text === g;
      if (!same) diffs.push(`${where}: expected ${exp.text}, got ${g}`);
      return;
    }
    case 'str':
    case 'lit':
      if (exp.v !== (got as typeof exp).v) diffs.push(`${where}: expected ${show(exp)}, got ${show(got)}`);
      return;
    case 'arr': {
      const g = (got as typeof exp).v;
      if (g.length !== exp.v.length) diffs.push(`${where}: expected ${exp.v.length} items, got ${g.length}`);
      for (let i = 0; i < Math.min(g.length, exp.v.length); i++) compareRaw(exp.v[i]!, g[i]!, `${where}[${i}]`, diffs);
      return;
    }
    case 'obj': {
      const g = (got as typeof exp).v;
      const ek = exp.v.map(([k]) => k);
      const gk = g.map(([k]) => k);
      if (ek.join('\u0000') !== gk.join('\u0000')) {
        const missing = ek.filter((k) => !gk.includes(k));
        const extra = gk.filter((k) => !ek.includes(k));
        diffs.push(
          missing.length || extra.length
            ? `${where}: missing keys [${missing.join(', ')}], extra keys [${extra.join(', ')}]`
            : `${where}: key order differs: expected ${ek.join(',')} got ${gk.join(',')}`,
        );
      }
      const gm = new Map(g);
      for (const [k, v] of exp.v) {
        const gv = gm.get(k);
        if (gv !== undefined) compareRaw(v, gv, `${where}.${k}`, diffs);
      }
    }
  }
}

export interface CaseResult {
  diffs: string[];
  events: number;
  expectedEvents: number;
}

/** The warning text Logstash logged, without its level prefix and empty data suffix. */
export function normaliseExpectedLog(m: string): string {
  return m.replace(/^(WARN|warn): /, '').replace(/ \[\]$/, '');
}

export async function runCase(
  pcap: string,
  expectedFile: string,
  options: Partial<NetflowOptions> = {},
  looseLogs = false,
  ignoreListFields = false,
): Promise<CaseResult> {
  const warns: string[] = [];
  const codec = new NetflowCodec(options, (level, message) => {
    if (level === 'warn' || level === 'error') warns.push(message);
  });
  const events: Event[] = [];
  for await (const d of readUdpDatagrams(pcap)) codec.decode(d.payload, { host: d.src, port: d.srcPort }, (e) => events.push(e));
  const expected = readExpected(expectedFile);
  const got = events.map((e) => parseRaw(jsonMap(e.toObject())));
  const diffs = compareEvents(expected, got, options.target ?? 'netflow', ignoreListFields);
  const logDiff = compareLogs(expected.logMessages, warns, looseLogs);
  if (logDiff) diffs.push(logDiff);
  return { diffs, events: events.length, expectedEvents: expected.eventCount };
}

export interface ExpectedCase {
  eventCount: number;
  logMessages: string[];
  /** The events, key order and number text kept. */
  events: Raw[];
}

export function readExpected(expectedFile: string): ExpectedCase {
  const text = readFileSync(expectedFile, 'utf8');
  const plain = JSON.parse(text) as { event_count: number; log_messages: string[] };
  const raw = parseRaw(text) as { t: 'obj'; v: [string, Raw][] };
  const events = (raw.v.find(([k]) => k === 'events')![1] as { t: 'arr'; v: Raw[] }).v;
  return { eventCount: plain.event_count, logMessages: plain.log_messages, events };
}

/** Field-for-field differences between the expected events and `got` (events as parsed JSON). */
export function compareEvents(expected: ExpectedCase, got: Raw[], target = 'netflow', ignoreListFields = false): string[] {
  const diffs: string[] = [];
  if (got.length !== expected.eventCount) diffs.push(`event count: expected ${expected.eventCount}, got ${got.length}`);
  for (let i = 0; i < Math.min(got.length, expected.events.length); i++) {
    const g = ignoreListFields ? withoutListFields(got[i]!, target) : got[i]!;
    compareRaw(expected.events[i]!, withVersionFirst(g, expected.events[i]!), `event ${i}`, diffs);
    if (diffs.length > 20) break;
  }
  return diffs;
}

/** Our warning `w` is the expected Logstash message `e` (which may add the data as ` [{...}]`). */
export function sameWarning(e: string, w: string): boolean {
  return e === w || e.startsWith(w + ' [');
}

/**
 * The spec cases' expectations list each distinct message once, in order of first appearance: they
 * must match exactly. The capture expectations come from a Logstash run whose log capture kept only
 * some lines: there every distinct expected message must be among ours. Returns a difference or undefined.
 */
export function compareLogs(expectedMessages: string[], warns: string[], loose: boolean): string | undefined {
  const exp = expectedMessages.map(normaliseExpectedLog);
  const uniqueWarns = [...new Set(warns)];
  const same = loose
    ? [...new Set(exp)].every((e) => warns.some((w) => sameWarning(e, w)))
    : exp.length === uniqueWarns.length && exp.every((e, i) => sameWarning(e, uniqueWarns[i]!));
  return same ? undefined : `log messages: expected ${JSON.stringify(exp.slice(0, 5))} (${exp.length}), got ${JSON.stringify(uniqueWarns.slice(0, 5))} (${uniqueWarns.length})`;
}

export interface CorpusCase {
  name: string;
  pcap: string;
  expected: string;
}

/** The cases of corpus/<dir> that have both a capture and an .expected.json, by name. */
export function corpusCases(dir: 'logstash-netflow' | 'captures'): CorpusCase[] {
  const d = path.join(SHARED, 'corpus', dir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => ({ name: f.replace('.expected.json', ''), expected: path.join(d, f), pcap: path.join(d, f.replace('.expected.json', '.pcap')) }))
    .filter((c) => existsSync(c.pcap));
}

// Captures whose templates hold an element the Logstash codec does not define: it drops those
// templates, flowstash decodes them. Compared with the Logstash behaviour switched on.
export const LOGSTASH_DROPS_TEMPLATE = /^pmacctta_(101|102|111)-/;
// Logstash skips RFC 6313 lists; flowstash decodes them (checked in decoder.test.ts).
export const HAS_LISTS = new Set(['49_ipfix_yaf_basic_with_applabel']);

/** The codec options a capture case is compared with. */
export function captureOptions(name: string): Partial<NetflowOptions> {
  return LOGSTASH_DROPS_TEMPLATE.test(name) ? { unknown_elements: 'drop_template' } : {};
}

/** The expected files list @timestamp then the target and omit @version in some captures; align to them. */
function withVersionFirst(got: Raw, exp: Raw): Raw {
  if (got.t !== 'obj' || exp.t !== 'obj') return got;
  const keys = exp.v.map(([k]) => k);
  if (keys.includes('@version')) return got;
  return { t: 'obj', v: got.v.filter(([k]) => k !== '@version') };
}

const LIST_FIELD = /^(reverse)?(basicList|subTemplateList|subTemplateMultiList)$/i;

/** RFC 6313 lists are decoded by flowstash and skipped by Logstash: drop them before comparing. */
function withoutListFields(got: Raw, target: string): Raw {
  if (got.t !== 'obj') return got;
  return {
    t: 'obj',
    v: got.v.map(([k, v]): [string, Raw] =>
      k === target && v.t === 'obj' ? [k, { t: 'obj', v: v.v.filter(([f]) => !LIST_FIELD.test(f)) }] : [k, v],
    ),
  };
}
