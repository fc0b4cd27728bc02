// Compiles one record decoder per template, once, when the template arrives: straight-line code
// reading each field at a constant offset (or after the variable-length fields before it) and one
// object literal with the keys in event order. Common kinds are inlined; the rest call helpers.
import { Float } from '../../event/values.ts';
import * as render from './render.ts';
import { timeValue, valueAt, varlenAt, type BareDecoder, type RecordHeader, type RecordRuntime } from './field-values.ts';
import { VARLEN, type FieldSpec } from './field-spec.ts';
import type { FieldMap } from '../../event/values.ts';

export type RecordDecoder = (b: Buffer, o: number, end: number, h: RecordHeader, rt: RecordRuntime) => FieldMap | null;

/** Which header keys precede the template fields in the event. */
export type HeaderShape = 'v9' | 'ipfix' | 'ipfix_flowset_id' | 'bare';

const HEADER_KEYS: Record<HeaderShape, [string, string][]> = {
  v9: [['version', 'h.version'], ['flow_seq_num', 'h.seq'], ['flowset_id', 'h.flowsetId']],
  ipfix: [['version', 'h.version']],
  ipfix_flowset_id: [['version', 'h.version'], ['flowset_id', 'h.flowsetId']],
  bare: [],
};

const HELPERS = { ...render, Float, timeValue, valueAt, varlenAt };

/** Fixed record length, or -1 when a field is variable-length. */
export function fixedLength(specs: readonly FieldSpec[]): number {
  let n = 0;
  for (const s of specs) {
    if (s.length === VARLEN) return -1;
    n += s.length;
  }
  return n;
}

/** Smallest possible record: fixed fields plus one prefix byte per variable-length field. */
export function minimumLength(specs: readonly FieldSpec[]): number {
  let n = 0;
  for (const s of specs) n += s.length === VARLEN ? 1 : s.length;
  return n;
}

function inlineValue(s: FieldSpec, q: string, i: number): string {
  const L = s.length;
  const slow = `R.valueAt(S[${i}].kind, b, ${q}, ${L}, h, rt)`;
  switch (s.kind) {
    case 'uint':
      if (L === 1) return `b[${q}]`;
      if (L === 2) return `((b[${q}] << 8) | b[${q} + 1])`;
      // Bounds were checked for the whole run of fixed fields: plain byte reads, no Buffer method call.
      if (L === 3) return `((b[${q}] << 16) | (b[${q} + 1] << 8) | b[${q} + 2])`;
      if (L === 4) return `(b[${q}] * 16777216 + ((b[${q} + 1] << 16) | (b[${q} + 2] << 8) | b[${q} + 3]))`;
      if (L === 5 || L === 6) return `b.readUIntBE(${q}, ${L})`;
      if (L === 8) return `R.u64At(b, ${q})`;
      if (L === 7) return `R.uintAt(b, ${q}, ${L})`;
      return slow;
    case 'ipv4':
      return L === 4 ? `R.ipv4At(b, ${q})` : slow;
    case 'ipv6':
      return L === 16 ? `R.ipv6At(b, ${q})` : slow;
    case 'mac':
      return L === 6 ? `R.macAt(b, ${q})` : slow;
    case 'latin1':
      return `R.trimmedLatin1(b, ${q}, ${L})`;
    case 'hex':
      return `R.hexAt(b, ${q}, ${L})`;
    case 'float':
      if (L === 4) return `new R.Float(b.readFloatBE(${q}))`;
      if (L === 8) return `new R.Float(b.readDoubleBE(${q}))`;
      return slow;
    default:
      return slow;
  }
}

function withTime(s: FieldSpec, expr: string, q: string, len: string): string {
  switch (s.time) {
    case 'none': return expr;
    case 'v9switched': return `R.v9Switched(h.uptime, h.unixSec, Number(${expr}))`;
    case 'seconds': return `R.secondsTs(${expr})`;
    case 'millis': return `R.millisTs(${expr})`;
    case 'ntp': return `R.ntpTs(b, ${q}, ${len})`;
  }
}

/** Builds the decoder for a template's fields. Fields with an empty name are read and dropped. */
export function compileRecordDecoder(specs: readonly FieldSpec[], shape: HeaderShape): RecordDecoder {
  const lines: string[] = [];
  const emitted = new Map<string, string[]>();
  for (const [k, expr] of HEADER_KEYS[shape]) emitted.set(k, [expr]);
  const headerKeys = new Set(HEADER_KEYS[shape].map(([k]) => k));
  const maybeAbsent = new Set<string>();
  let fixed = 0; // bytes since `p` known at compile time
  lines.push('let p = o;');

  // Group consecutive fixed-length fields so each group needs one bounds check.
  let i = 0;
  while (i < specs.length) {
    const s = specs[i]!;
    if (s.length !== VARLEN) {
      let run = 0;
      let j = i;
      while (j < specs.length && specs[j]!.length !== VARLEN) run += specs[j++]!.length;
      lines.push(`if (p + ${run} > end) return null;`);
      for (let k = i; k < j; k++) {
        const f = specs[k]!;
        const q = fixed === 0 ? 'p' : `p + ${fixed}`;
        // A zero-length string is "" (as in Logstash); a zero-length number has no value.
        const textual = f.kind === 'latin1' || f.kind === 'utf8' || f.kind === 'hex' || f.kind === 'ascii';
        if (f.name !== '' && f.kind !== 'skip' && (f.length > 0 || textual)) {
          const v = `v${k}`;
          const value = inlineValue(f, q, k);
          if (value.startsWith('R.valueAt')) maybeAbsent.add(v);
          lines.push(`const ${v} = ${withTime(f, value, q, String(f.length))};`);
          addKey(emitted, headerKeys, f.name, v);
        }
        fixed += f.length;
      }
      lines.push(`p += ${fixed};`);
      fixed = 0;
      i = j;
    } else {
      const v = `v${i}`;
      lines.push(`const w${i} = R.varlenAt(b, p, end);`);
      lines.push(`if (w${i} === undefined) return null;`);
      if (s.name !== '' && s.kind !== 'skip') {
        const q = `w${i}[1]`;
        const base = `R.valueAt(S[${i}].kind, b, ${q}, w${i}[0], h, rt)`;
        const expr = s.time === 'none' ? base : `R.timeValue(S[${i}].time, ${base}, b, ${q}, w${i}[0], h)`;
        lines.push(`const ${v} = ${expr};`);
        maybeAbsent.add(v);
        addKey(emitted, headerKeys, s.name, v);
      }
      lines.push(`p = w${i}[1] + w${i}[0];`);
      i++;
    }
  }
  lines.push('rt.pos = p;');
  const parts: string[] = [];
  for (const [k, vals] of emitted) {
    const key = k === '__proto__' ? '["__proto__"]' : JSON.stringify(k);
    parts.push(`${key}: ${vals.length === 1 ? vals[0] : `R.compact([${vals.join(', ')}])`}`);
  }
  lines.push(`const r = { ${parts.join(', ')} };`);
  // Slow-path values can be absent (a list that could not be decoded): drop the key then.
  for (const [k, vals] of emitted) {
    if (vals.length === 1 && maybeAbsent.has(vals[0]!)) lines.push(`if (r[${JSON.stringify(k)}] === undefined) delete r[${JSON.stringify(k)}];`);
  }
  lines.push('return r;');
  const body = lines.join('\n');
  const factory = new Function('R', 'S', `return function decodeRecord(b, o, end, h, rt) {\n${body}\n};`) as (
    r: unknown,
    s: readonly FieldSpec[],
  ) => RecordDecoder;
  const helpers = { ...HELPERS, compact };
  return factory(helpers, specs);
}

/** Values that may be undefined (slow-path kinds) are dropped from repeated-element arrays. */
function compact(vals: unknown[]): unknown[] {
  return vals.filter((v) => v !== undefined);
}

function addKey(emitted: Map<string, string[]>, headerKeys: Set<string>, name: string, v: string): void {
  const prev = emitted.get(name);
  if (prev === undefined) emitted.set(name, [v]);
  else if (headerKeys.has(name) && prev.length === 1 && prev[0]!.startsWith('h.')) prev[0] = v;
  else prev.push(v);
}

export type { BareDecoder };
