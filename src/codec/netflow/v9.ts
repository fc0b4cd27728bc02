// NetFlow v9 (RFC 3954) messages: header, template / options template flowsets, data flowsets.
import { Timestamp } from '../../pipeline/timestamp.ts';
import type { TemplateFieldRef } from './field-spec.ts';
import type { RecordHeader } from './field-values.ts';
import { allZero, type DecoderCore } from './core.ts';
import type { FlowSink } from './decoder.ts';

export function decodeV9Message(core: DecoderCore, b: Buffer, host: string, sink: FlowSink): void {
  const len = b.length;
  if (len < 20) {
    core.counters.packets_malformed++;
    core.log('warn', `Invalid netflow packet received (NetFlow v9 header from ${host} needs 20 bytes, got ${len})`);
    return;
  }
  const uptime = b.readUInt32BE(4);
  const unixSec = b.readUInt32BE(8);
  const seq = b.readUInt32BE(12);
  const sourceId = b.readUInt32BE(16);
  const ts = new Timestamp(unixSec, 0);
  const h: RecordHeader = { version: 9, seq, flowsetId: 0, uptime, unixSec };
  let p = 20;
  while (p < len) {
    if (allZero(b, p, len)) break; // padding
    if (len - p < 4) {
      core.malformed(9, host, sourceId, -1, p, `${len - p} trailing bytes are too short for a flowset header`);
      break;
    }
    const id = b.readUInt16BE(p);
    let slen = b.readUInt16BE(p + 2);
    if (slen === 0 && id === 0) slen = len - p; // the Logstash codec reads a zero-length template flowset to the end
    if (slen < 4) {
      core.malformed(9, host, sourceId, id, p, `flowset length ${slen} is shorter than its 4-byte header`);
      break;
    }
    if (p + slen > len) {
      core.malformed(9, host, sourceId, id, p, `flowset length ${slen} overruns the datagram (${len - p} bytes left)`);
      break;
    }
    const start = p + 4;
    const end = p + slen;
    if (id === 0) v9Templates(core, b, start, end, host, sourceId, sink);
    else if (id === 1) v9OptionsTemplates(core, b, start, end, host, sourceId, sink);
    else if (id >= 256) {
      h.flowsetId = id;
      const t = core.templates.lookup(9, host, sourceId, id, core.now());
      if (t) core.decodeDataSet(t, 'v9', b, start, end, h, ts, host, sourceId, sink, start);
      else core.noTemplate(9, host, sourceId, id, b, start, end, h, ts);
    } else {
      core.counters.sets_unsupported++;
      core.log('warn', `Unsupported flowset id ${id}`, { exporter: host, offset: p });
    }
    p = end;
  }
  core.trackSequence(9, host, 'source id', sourceId, seq, 1, 'packets');
}

export function v9Templates(core: DecoderCore, b: Buffer, start: number, end: number, host: string, sourceId: number, sink: FlowSink): void {
  let q = start;
  while (end - q >= 4) {
    const tid = b.readUInt16BE(q);
    const count = b.readUInt16BE(q + 2);
    if (tid < 256) {
      if (!allZero(b, q, end)) core.malformed(9, host, sourceId, 0, q, `template id ${tid} is reserved (must be ≥ 256)`);
      return;
    }
    const next = q + 4 + count * 4;
    if (next > end) {
      core.malformed(9, host, sourceId, 0, q, `template ${tid} declares ${count} fields but the flowset ends ${end - q - 4} bytes later`);
      return;
    }
    if (count > core.options.max_fields_per_template) {
      core.counters.templates_rejected++;
      core.malformed(9, host, sourceId, 0, q, `template ${tid} has ${count} fields (max_fields_per_template is ${core.options.max_fields_per_template})`);
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
    const specs = core.buildSpecs(9, host, sourceId, tid, fields, 0);
    if (specs) core.registerTemplate(9, host, sourceId, tid, false, specs, sink, b.subarray(q, next));
    q = next;
  }
}

export function v9OptionsTemplates(core: DecoderCore, b: Buffer, start: number, end: number, host: string, sourceId: number, sink: FlowSink): void {
  let q = start;
  while (end - q >= 6) {
    const tid = b.readUInt16BE(q);
    const scopeLen = b.readUInt16BE(q + 2);
    const optLen = b.readUInt16BE(q + 4);
    if (tid < 256) {
      if (!allZero(b, q, end)) core.malformed(9, host, sourceId, 1, q, `options template id ${tid} is reserved (must be ≥ 256)`);
      return;
    }
    if (scopeLen % 4 !== 0 || optLen % 4 !== 0) {
      core.malformed(9, host, sourceId, 1, q, `options template ${tid}: scope length ${scopeLen} and option length ${optLen} must be multiples of 4`);
      return;
    }
    const next = q + 6 + scopeLen + optLen;
    if (next > end) {
      core.malformed(9, host, sourceId, 1, q, `options template ${tid} (${scopeLen + optLen} bytes of fields) overruns the flowset (${end - q - 6} bytes left)`);
      return;
    }
    const n = (scopeLen + optLen) / 4;
    if (n > core.options.max_fields_per_template) {
      core.counters.templates_rejected++;
      core.malformed(9, host, sourceId, 1, q, `options template ${tid} has ${n} fields (max_fields_per_template is ${core.options.max_fields_per_template})`);
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
    const specs = core.buildSpecs(9, host, sourceId, tid, [...scopes, ...opts], scopes.length);
    if (specs) core.registerTemplate(9, host, sourceId, tid, true, specs, sink, b.subarray(q, next));
    q = next;
  }
}
