// Packs pre-encoded records into IPFIX messages / v9 packets no larger than the payload limit.
import {
  encodeIpfixMessage,
  encodeIpfixRecords,
  encodeV9Packet,
  encodeV9Records,
  IPFIX_HEADER_LENGTH,
  V9_HEADER_LENGTH,
  type IpfixSet,
  type RecordInput,
  type Template,
  type V9FlowSet,
  type FieldInput,
} from '../flow/netflow/encode/index.ts';
import type { ExportBatch, GeneratedRecord } from './types.ts';

export interface PendingRecord {
  template: Template;
  values: RecordInput;
}

/** One datagram and how many of the given records (in order) it carries. */
export interface PackedDatagram {
  payload: Buffer;
  count: number;
}

function countOf(runs: Run[]): number {
  let n = 0;
  for (const r of runs) n += r.bodies.length;
  return n;
}

/** The batch a profile returns: each datagram with the records it carries (options = a template with scope fields). */
export function exportBatch(packed: PackedDatagram[], pending: PendingRecord[], exporter: number, protocol: 'ipfix' | 'v9'): ExportBatch {
  const records: GeneratedRecord[] = pending.map((p) => ({
    exporter,
    protocol,
    templateId: p.template.id,
    options: (p.template.scopeFieldCount ?? 0) > 0,
    values: p.values as Record<string, FieldInput>,
  }));
  return splitRecords(packed, records);
}

/** Gives each datagram its slice of the records. */
export function splitRecords<T>(packed: PackedDatagram[], records: T[]): { payload: Buffer; records: T[] }[] {
  let at = 0;
  return packed.map((p) => {
    const slice = records.slice(at, at + p.count);
    at += p.count;
    return { payload: p.payload, records: slice };
  });
}

interface Run {
  templateId: number;
  bodies: Buffer[];
  size: number;
}

/** Groups consecutive records of one template into runs and splits them into messages by size. */
function planMessages(
  records: PendingRecord[],
  encode: (t: Template, v: RecordInput) => Buffer,
  firstOverhead: number,
  overhead: number,
  setSize: (bodyLen: number) => number,
  maxPayload: number,
): Run[][] {
  const messages: Run[][] = [];
  let current: Run[] = [];
  let used = firstOverhead;
  for (const r of records) {
    const body = encode(r.template, r.values);
    const last = current[current.length - 1];
    const grow =
      last && last.templateId === r.template.id ? setSize(last.size + body.length) - setSize(last.size) : setSize(body.length);
    if (used + grow > maxPayload && current.length > 0) {
      messages.push(current);
      current = [];
      used = overhead;
    }
    const tail = current[current.length - 1];
    if (tail && tail.templateId === r.template.id) {
      used += setSize(tail.size + body.length) - setSize(tail.size);
      tail.bodies.push(body);
      tail.size += body.length;
    } else {
      used += setSize(body.length);
      current.push({ templateId: r.template.id, bodies: [body], size: body.length });
    }
  }
  if (current.length > 0 || messages.length === 0) messages.push(current);
  return messages;
}

/** IPFIX: template sets (if any) lead the first message; records follow in order. */
export function packIpfix(
  templateSets: IpfixSet[],
  records: PendingRecord[],
  maxPayload: number,
  encode: (sets: IpfixSet[]) => Buffer,
): PackedDatagram[] {
  const templateBytes = templateSets.length ? encodeIpfixMessage({ exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: templateSets }).length - IPFIX_HEADER_LENGTH : 0;
  const plan = planMessages(
    records,
    (t, v) => encodeIpfixRecords(t, [v]),
    IPFIX_HEADER_LENGTH + templateBytes,
    IPFIX_HEADER_LENGTH,
    (n) => 4 + n,
    maxPayload,
  );
  return plan.map((runs, i) => {
    const sets: IpfixSet[] = runs.map((run) => ({
      type: 'raw',
      setId: run.templateId,
      body: run.bodies.length === 1 ? run.bodies[0]! : Buffer.concat(run.bodies),
      recordCount: run.bodies.length,
    }));
    return { payload: encode(i === 0 ? [...templateSets, ...sets] : sets), count: countOf(runs) };
  });
}

/** v9: template flowsets (if any) lead the first packet; data flowsets are padded to 4 bytes. */
export function packV9(
  templateFlowSets: V9FlowSet[],
  records: PendingRecord[],
  maxPayload: number,
  encode: (flowSets: V9FlowSet[]) => Buffer,
): PackedDatagram[] {
  const templateBytes = templateFlowSets.length
    ? encodeV9Packet({ sysUptime: 0, unixSeconds: 0, sequenceNumber: 0, sourceId: 0, flowSets: templateFlowSets }).length - V9_HEADER_LENGTH
    : 0;
  const plan = planMessages(
    records,
    (t, v) => encodeV9Records(t, [v]),
    V9_HEADER_LENGTH + templateBytes,
    V9_HEADER_LENGTH,
    (n) => 4 + n + ((4 - ((4 + n) % 4)) % 4),
    maxPayload,
  );
  return plan.map((runs, i) => {
    const sets: V9FlowSet[] = runs.map((run) => ({
      type: 'raw',
      flowSetId: run.templateId,
      body: run.bodies.length === 1 ? run.bodies[0]! : Buffer.concat(run.bodies),
      recordCount: run.bodies.length,
    }));
    return { payload: encode(i === 0 ? [...templateFlowSets, ...sets] : sets), count: countOf(runs) };
  });
}
