// NetFlow v9 (RFC 3954) messages: header, template / options template flowsets, data flowsets.
import { Timestamp } from '../../event/timestamp.ts';
import type { TemplateFieldRef } from './field-spec.ts';
import type { RecordHeader } from './field-values.ts';
import { allZero, type DecoderCore, type MessageContext } from './core.ts';
import type { FlowSink } from './decoder.ts';

export function decodeV9Message(core: DecoderCore, b: Buffer, host: string, sink: FlowSink): void {
  const len = b.length;
  if (len < 20) {
    core.counters.packets_malformed++;
    core.problem({ kind: 'bad-header', level: 'warn', exporter: host, offset: 0, message: `Invalid netflow packet received (NetFlow v9 header from ${host} needs 20 bytes, got ${len})` });
    return;
  }
  const uptime = b.readUInt32BE(4);
  const unixSec = b.readUInt32BE(8);
  const seq = b.readUInt32BE(12);
  const sourceId = b.readUInt32BE(16);
  const count = b.readUInt16BE(2);
  const ts = new Timestamp(unixSec, 0);
  const h: RecordHeader = { version: 9, seq, flowsetId: 0, uptime, unixSec };
  const msg: MessageContext = { version: 9, host, domain: sourceId, header: h, timestamp: ts, sink };
  let p = 20;
  let records = 0; // template, options template and data records so far: the header count's terms
  let later: LaterRecords | undefined; // only records under 4 bytes need it
  while (p < len) {
    if (allZero(b, p, len)) break; // padding
    if (len - p < 4) {
      core.malformed(msg, -1, p, `${len - p} trailing bytes are too short for a flowset header`);
      break;
    }
    const id = b.readUInt16BE(p);
    let slen = b.readUInt16BE(p + 2);
    if (slen === 0 && id === 0) slen = len - p; // the Logstash codec reads a zero-length template flowset to the end
    if (slen < 4) {
      core.malformed(msg, id, p, `flowset length ${slen} is shorter than its 4-byte header`);
      break;
    }
    if (p + slen > len) {
      core.malformed(msg, id, p, `flowset length ${slen} overruns the datagram (${len - p} bytes left)`);
      break;
    }
    const start = p + 4;
    const end = p + slen;
    if (id === 0) records += v9Templates(core, msg, b, start, end);
    else if (id === 1) records += v9OptionsTemplates(core, msg, b, start, end);
    else if (id >= 256) {
      h.flowsetId = id;
      const t = core.templates.lookup(9, host, sourceId, id, core.now());
      if (t) {
        let max = Infinity;
        if (t.fixedLength > 0 && t.fixedLength < 4) {
          later ??= new LaterRecords(core, b, host, sourceId);
          max = v9RecordLimit(count - records - later.from(end), t.fixedLength, end - start);
        }
        records += core.decodeDataSet(t, 'v9', msg, { bytes: b, start, end }, max);
      } else {
        core.noTemplate(msg, { bytes: b, start, end }, () => count - records - (later ??= new LaterRecords(core, b, host, sourceId)).from(end));
      }
    } else {
      core.counters.sets_unsupported++;
      core.problem({ kind: 'unsupported-set', level: 'warn', exporter: host, domain: sourceId, offset: p, message: `Unsupported flowset id ${id}`, data: { exporter: host, offset: p } });
    }
    p = end;
  }
  core.trackSequence(9, host, 'source id', sourceId, seq, 1, 'packets');
}

/** Decodes a template flowset; returns the number of template records in it. */
export function v9Templates(core: DecoderCore, msg: MessageContext, b: Buffer, start: number, end: number): number {
  const { host, domain: sourceId } = msg;
  let q = start;
  let records = 0;
  while (end - q >= 4) {
    const tid = b.readUInt16BE(q);
    const count = b.readUInt16BE(q + 2);
    if (tid < 256) {
      if (!allZero(b, q, end)) core.malformed(msg, 0, q, `template id ${tid} is reserved (must be ≥ 256)`);
      return records;
    }
    const next = q + 4 + count * 4;
    if (next > end) {
      core.malformed(msg, 0, q, `template ${tid} declares ${count} fields but the flowset ends ${end - q - 4} bytes later`);
      return records;
    }
    records++;
    if (count > core.options.max_fields_per_template) {
      core.counters.templates_rejected++;
      core.malformed(msg, 0, q, `template ${tid} has ${count} fields (max_fields_per_template is ${core.options.max_fields_per_template})`);
      q = next;
      continue;
    }
    if (core.templates.refreshIfSame(9, host, sourceId, tid, b, q, next, core.now())) {
      core.counters.templates_refreshed++;
      q = next;
      continue;
    }
    const fields: TemplateFieldRef[] = [];
    for (let r = q + 4; r < next; r += 4) fields.push({ pen: 0, id: b.readUInt16BE(r), length: b.readUInt16BE(r + 2) });
    const specs = core.buildSpecs(msg, tid, fields, 0);
    if (specs) core.registerTemplate(msg, tid, false, specs, b.subarray(q, next));
    q = next;
  }
  return records;
}

/** Decodes an options template flowset; returns the number of options template records in it. */
export function v9OptionsTemplates(core: DecoderCore, msg: MessageContext, b: Buffer, start: number, end: number): number {
  const { host, domain: sourceId } = msg;
  let q = start;
  let records = 0;
  while (end - q >= 6) {
    const tid = b.readUInt16BE(q);
    const scopeLen = b.readUInt16BE(q + 2);
    const optLen = b.readUInt16BE(q + 4);
    if (tid < 256) {
      if (!allZero(b, q, end)) core.malformed(msg, 1, q, `options template id ${tid} is reserved (must be ≥ 256)`);
      return records;
    }
    if (scopeLen % 4 !== 0 || optLen % 4 !== 0) {
      core.malformed(msg, 1, q, `options template ${tid}: scope length ${scopeLen} and option length ${optLen} must be multiples of 4`);
      return records;
    }
    const next = q + 6 + scopeLen + optLen;
    if (next > end) {
      core.malformed(msg, 1, q, `options template ${tid} (${scopeLen + optLen} bytes of fields) overruns the flowset (${end - q - 6} bytes left)`);
      return records;
    }
    records++;
    const n = (scopeLen + optLen) / 4;
    if (n > core.options.max_fields_per_template) {
      core.counters.templates_rejected++;
      core.malformed(msg, 1, q, `options template ${tid} has ${n} fields (max_fields_per_template is ${core.options.max_fields_per_template})`);
      q = next;
      continue;
    }
    if (core.templates.refreshIfSame(9, host, sourceId, tid, b, q, next, core.now())) {
      core.counters.templates_refreshed++;
      core.counters.options_templates++;
      q = next;
      continue;
    }
    const fields: TemplateFieldRef[] = [];
    for (let r = q + 6; r < next; r += 4) fields.push({ pen: 0, id: b.readUInt16BE(r), length: b.readUInt16BE(r + 2) });
    const scopeCount = scopeLen / 4;
    // Zero-length scope fields are dropped before the scope/option split is applied.
    const scopes = fields.slice(0, scopeCount).filter((f) => f.length > 0);
    const opts = fields.slice(scopeCount);
    const specs = core.buildSpecs(msg, tid, [...scopes, ...opts], scopes.length);
    if (specs) core.registerTemplate(msg, tid, true, specs, b.subarray(q, next));
    q = next;
  }
  return records;
}

/** The fewest and most records of `size` bytes a data flowset body of `len` bytes can hold (up to 3 bytes are padding). */
function recordRange(len: number, size: number): [number, number] {
  return [Math.ceil(Math.max(0, len - 3) / size), Math.floor(len / size)];
}

/**
 * How many records to decode from a data flowset body of `len` bytes whose records are `size` bytes,
 * when the packet header's count (template, options template and data records of the whole packet)
 * leaves `owed` records for it. Records of 4 bytes or more cannot be confused with the up-to-3
 * padding bytes (RFC 3954 §5.3): all that fit are records. Shorter ones can, and the count tells them
 * apart. When the count contradicts the flowset (exporters that count something else), every record
 * that fits is decoded, as the Logstash codec does.
 */
export function v9RecordLimit(owed: number, size: number, len: number): number {
  if (size === 0 || size >= 4) return Infinity;
  const [fewest, most] = recordRange(len, size);
  return owed >= fewest && owed <= most ? owed : most;
}

/**
 * The fewest records the flowsets from a flowset boundary to the end of the datagram hold, with the
 * record sizes of the templates they define or the cache holds (data without a known template counts
 * 0). Scanned once per packet, on first need (only records under 4 bytes need it).
 */
class LaterRecords {
  private suffix: Map<number, number> | undefined;

  constructor(
    private readonly core: DecoderCore,
    private readonly b: Buffer,
    private readonly host: string,
    private readonly sourceId: number,
  ) {}

  from(p: number): number {
    this.suffix ??= this.scan(p);
    return this.suffix.get(p) ?? 0;
  }

  private scan(p: number): Map<number, number> {
    const { b, core } = this;
    const len = b.length;
    const counts: [number, number][] = []; // flowset start, fewest records in it
    const defined = new Map<number, number>(); // template id → record size, for templates in this packet
    while (len - p >= 4) {
      const id = b.readUInt16BE(p);
      const slen = id === 0 && b.readUInt16BE(p + 2) === 0 ? len - p : b.readUInt16BE(p + 2);
      if (slen < 4 || p + slen > len) break;
      const start = p + 4;
      const end = p + slen;
      let n = 0;
      if (id === 0 || id === 1) {
        const head = id === 0 ? 4 : 6;
        for (let q = start; end - q >= head && b.readUInt16BE(q) >= 256; ) {
          const next = id === 0 ? q + 4 + b.readUInt16BE(q + 2) * 4 : q + 6 + b.readUInt16BE(q + 2) + b.readUInt16BE(q + 4);
          if (next > end) break;
          let size = 0;
          for (let r = q + head; r + 4 <= next; r += 4) size += b.readUInt16BE(r + 2);
          defined.set(b.readUInt16BE(q), size);
          n++;
          q = next;
        }
      } else if (id >= 256) {
        const size = defined.get(id) ?? core.templates.lookup(9, this.host, this.sourceId, id, core.now())?.fixedLength ?? 0;
        if (size > 0) n = size >= 4 ? Math.floor((end - start) / size) : recordRange(end - start, size)[0];
      }
      counts.push([p, n]);
      p = end;
    }
    const suffix = new Map<number, number>([[p, 0]]);
    let total = 0;
    for (let i = counts.length - 1; i >= 0; i--) suffix.set(counts[i]![0], (total += counts[i]![1]));
    return suffix;
  }
}
