// Decoding of single values outside the compiled fast path: variable-length fields, the v9
// structured types, and RFC 6313 lists (basicList, subTemplateList, subTemplateMultiList).
import { Float, type FieldMap, type FieldValue } from '../../event/values.ts';
import type { Timestamp } from '../../event/timestamp.ts';
import {
  rubyAsciiString, trimmedLatin1, hexAt, intAt, ipv4At, ipv6At, macAt, uintAt, bigUintAt, utf8Trimmed,
  millisTs, ntpTs, secondsTs, v9Switched,
} from './render.ts';
import { ipfixFieldSpec, VARLEN, type FieldKind, type FieldSpec, type TimeConv } from './field-spec.ts';
import type { Definitions } from './definitions.ts';

/** What a record decoder needs at run time besides the bytes. */
export interface RecordHeader {
  version: number;
  seq: number;
  flowsetId: number;
  uptime: number;
  unixSec: number;
}

/** Access to the templates of the record's exporter and domain (for subTemplate lists). */
export interface ListContext {
  lookupBare(templateId: number): BareDecoder | undefined;
  defs: Definitions;
  dropUnknown: boolean;
  maxDepth: number;
  /** Problems found inside lists (reported once per record by the caller). */
  problems: string[];
}

export type BareDecoder = (b: Buffer, o: number, end: number, h: RecordHeader, rt: RecordRuntime) => FieldMap | null;

export interface RecordRuntime {
  /** Offset after the record just decoded. */
  pos: number;
  depth: number;
  lists: ListContext | undefined;
}

/** Value of `kind` from `len` bytes at `o` (len already resolved from a varlen prefix if needed). */
export function valueAt(kind: FieldKind, b: Buffer, o: number, len: number, h: RecordHeader, rt: RecordRuntime): FieldValue | undefined {
  switch (kind) {
    case 'uint':
      if (len === 0) return undefined;
      return len <= 8 ? uintAt(b, o, len) : bigUintAt(b, o, len);
    case 'int':
      if (len === 0) return undefined;
      return len <= 8 ? intAt(b, o, len) : hexAt(b, o, len);
    case 'float':
      if (len === 4) return new Float(b.readFloatBE(o));
      if (len === 8) return new Float(b.readDoubleBE(o));
      return hexAt(b, o, len);
    case 'bool':
      if (len !== 1) return hexAt(b, o, len);
      return b[o] === 1 ? true : b[o] === 2 ? false : b[o]!;
    case 'ipv4':
      return len === 4 ? ipv4At(b, o) : hexAt(b, o, len);
    case 'ipv6':
      return len === 16 ? ipv6At(b, o) : hexAt(b, o, len);
    case 'mac':
      return len === 6 ? macAt(b, o) : hexAt(b, o, len);
    case 'latin1':
      return trimmedLatin1(b, o, len);
    case 'ascii':
      return rubyAsciiString(b, o, len);
    case 'utf8':
      return utf8Trimmed(b, o, len);
    case 'hex':
      return hexAt(b, o, len);
    case 'skip':
      return undefined;
    case 'fwdstatus':
      if (len < 1) return undefined;
      return { status: b[o]! >> 6, reason: b[o]! & 63 };
    case 'mplsstack':
      if (len < 4) return hexAt(b, o, len);
      return {
        label: (b[o]! << 12) | (b[o + 1]! << 4) | (b[o + 2]! >> 4),
        experimental: (b[o + 2]! >> 1) & 7,
        bottom_of_stack: b[o + 2]! & 1,
        ttl: b[o + 3]!,
      };
    case 'aclasa':
      if (len !== 12) return hexAt(b, o, len);
      return hexAt(b, o, 4) + '-' + hexAt(b, o + 4, 4) + '-' + hexAt(b, o + 8, 4);
    case 'appid':
      return applicationId(b, o, len);
    case 'basicList':
      return basicList(b, o, len, h, rt);
    case 'subTemplateList':
      return subTemplateList(b, o, len, h, rt);
    case 'subTemplateMultiList':
      return subTemplateMultiList(b, o, len, h, rt);
  }
}

export function timeValue(time: TimeConv, v: FieldValue | undefined, b: Buffer, o: number, len: number, h: RecordHeader): FieldValue | undefined {
  if (v === undefined || (typeof v !== 'number' && typeof v !== 'bigint')) return v;
  switch (time) {
    case 'none': return v;
    case 'v9switched': return v9Switched(h.uptime, h.unixSec, Number(v));
    case 'seconds': return secondsTs(v);
    case 'millis': return millisTs(v);
    case 'ntp': return ntpTs(b, o, len);
  }
}

/** `<engine>..<selector>`; engine 20 (PANA-L7-PEN) at 7–9 bytes: `20..<pen>..<selector>`. */
export function applicationId(b: Buffer, o: number, len: number): string {
  if (len < 2) return hexAt(b, o, len);
  const engine = b[o]!;
  if (engine === 20 && len >= 7 && len <= 9) {
    const pen = b.readUInt32BE(o + 1);
    const sel = b.readUIntBE(o + 5, len - 5);
    return `20..${pen}..${sel}`;
  }
  const sel = len - 1 <= 8 ? uintAt(b, o + 1, len - 1) : bigUintAt(b, o + 1, len - 1);
  return `${engine}..${sel}`;
}

/** Reads an RFC 7011 variable-length prefix at p; returns [length, dataOffset] or undefined when it overruns. */
export function varlenAt(b: Buffer, p: number, end: number): [number, number] | undefined {
  if (p >= end) return undefined;
  let n = b[p]!;
  p += 1;
  if (n === 255) {
    if (p + 2 > end) return undefined;
    n = b.readUInt16BE(p);
    p += 2;
  }
  if (p + n > end) return undefined;
  return [n, p];
}

function listProblem(rt: RecordRuntime, msg: string): undefined {
  rt.lists?.problems.push(msg);
  return undefined;
}

function basicList(b: Buffer, o: number, len: number, h: RecordHeader, rt: RecordRuntime): FieldValue | undefined {
  const ctx = rt.lists;
  if (!ctx) return hexAt(b, o, len);
  if (rt.depth >= ctx.maxDepth) return listProblem(rt, `basicList nested deeper than ${ctx.maxDepth}`);
  if (len < 5) return listProblem(rt, `basicList of ${len} bytes is shorter than its 5-byte header`);
  const end = o + len;
  const rawId = b.readUInt16BE(o + 1);
  const elemLen = b.readUInt16BE(o + 3);
  let p = o + 5;
  let pen = 0;
  if (rawId & 0x8000) {
    if (p + 4 > end) return listProblem(rt, 'basicList header truncated before its enterprise number');
    pen = b.readUInt32BE(p);
    p += 4;
  }
  const id = rawId & 0x7fff;
  const r = ipfixFieldSpec({ pen, id, length: elemLen }, ctx.defs, false, []);
  if (!('spec' in r)) return undefined;
  const spec: FieldSpec = r.spec;
  const out: FieldValue[] = [];
  rt.depth++;
  try {
    while (p < end) {
      let n = elemLen;
      let q = p;
      if (elemLen === VARLEN) {
        const v = varlenAt(b, p, end);
        if (!v) return listProblem(rt, `basicList element at byte ${p - o} overruns the list`);
        [n, q] = v;
      } else if (elemLen === 0 || q + n > end) {
        if (elemLen !== 0) listProblem(rt, `basicList element at byte ${p - o} overruns the list`);
        break;
      }
      const v = timeValue(spec.time, valueAt(spec.kind, b, q, n, h, rt), b, q, n, h);
      if (v !== undefined) out.push(v);
      p = q + n;
    }
  } finally {
    rt.depth--;
  }
  return out;
}

function subTemplateRecords(b: Buffer, p: number, end: number, tid: number, h: RecordHeader, rt: RecordRuntime, out: FieldValue[]): void {
  const ctx = rt.lists!;
  const dec = ctx.lookupBare(tid);
  if (!dec) {
    listProblem(rt, `subTemplateList refers to template ${tid}, which this exporter has not defined`);
    return;
  }
  rt.depth++;
  try {
    while (p < end) {
      const saved = rt.pos;
      const rec = dec(b, p, end, h, rt);
      const next = rt.pos;
      rt.pos = saved;
      if (rec === null || next <= p) break;
      out.push(rec);
      p = next;
    }
  } finally {
    rt.depth--;
  }
}

function subTemplateList(b: Buffer, o: number, len: number, h: RecordHeader, rt: RecordRuntime): FieldValue | undefined {
  const ctx = rt.lists;
  if (!ctx) return hexAt(b, o, len);
  if (rt.depth >= ctx.maxDepth) return listProblem(rt, `subTemplateList nested deeper than ${ctx.maxDepth}`);
  if (len < 3) return listProblem(rt, `subTemplateList of ${len} bytes is shorter than its 3-byte header`);
  const out: FieldValue[] = [];
  subTemplateRecords(b, o + 3, o + len, b.readUInt16BE(o + 1), h, rt, out);
  return out;
}

function subTemplateMultiList(b: Buffer, o: number, len: number, h: RecordHeader, rt: RecordRuntime): FieldValue | undefined {
  const ctx = rt.lists;
  if (!ctx) return hexAt(b, o, len);
  if (rt.depth >= ctx.maxDepth) return listProblem(rt, `subTemplateMultiList nested deeper than ${ctx.maxDepth}`);
  if (len < 1) return listProblem(rt, 'subTemplateMultiList without its semantic byte');
  const end = o + len;
  let p = o + 1;
  const out: FieldValue[] = [];
  while (p + 4 <= end) {
    const tid = b.readUInt16BE(p);
    const l = b.readUInt16BE(p + 2);
    if (l < 4 || p + l > end) {
      listProblem(rt, `subTemplateMultiList entry at byte ${p - o} has length ${l} beyond the list`);
      break;
    }
    subTemplateRecords(b, p + 4, p + l, tid, h, rt, out);
    p += l;
  }
  return out;
}

export type { FieldMap };
