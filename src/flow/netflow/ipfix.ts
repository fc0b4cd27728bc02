// IPFIX (RFC 7011) messages: header, template / options template sets (with withdrawal), data sets.
import { Timestamp } from '../../event/timestamp.ts';
import type { TemplateFieldRef } from './field-spec.ts';
import type { RecordHeader } from './field-values.ts';
import { allZero, type DecoderCore, type MessageContext } from './core.ts';
import type { FlowSink } from './decoder.ts';

export function decodeIpfixMessage(core: DecoderCore, b: Buffer, host: string, sink: FlowSink): void {
  const len = b.length;
  if (len < 16) {
    core.counters.packets_malformed++;
    core.problem({ kind: 'bad-header', level: 'warn', exporter: host, offset: 0, message: `Invalid IPFIX packet received (message header from ${host} needs 16 bytes, got ${len})` });
    return;
  }
  const msgLen = b.readUInt16BE(2);
  const exportTime = b.readUInt32BE(4);
  const seq = b.readUInt32BE(8);
  const domain = b.readUInt32BE(12);
  let end = msgLen;
  if (msgLen < 16) {
    core.counters.packets_malformed++;
    core.problem({ kind: 'bad-header', level: 'warn', exporter: host, domain, offset: 2, message: `Invalid IPFIX packet received (message length ${msgLen} from ${host} is shorter than the 16-byte header)` });
    return;
  }
  if (msgLen > len) {
    core.counters.packets_malformed++;
    core.problem({
      kind: 'length-mismatch', level: 'warn', exporter: host, domain, offset: 2,
      message: `IPFIX message from ${host} (observation domain ${domain}) declares ${msgLen} bytes but the datagram has ${len}; decoding what is there`,
    });
    end = len;
  }
  const ts = new Timestamp(exportTime, 0);
  const h: RecordHeader = { version: 10, seq, flowsetId: 0, uptime: 0, unixSec: exportTime };
  const msg: MessageContext = { version: 10, host, domain, header: h, timestamp: ts, sink };
  const shape = core.ipfixShape();
  let p = 16;
  let records = 0;
  let countable = true;
  while (p < end) {
    if (end - p < 4) {
      if (!allZero(b, p, end)) core.malformed(msg, -1, p, `${end - p} trailing bytes are too short for a set header`);
      break;
    }
    const id = b.readUInt16BE(p);
    const slen = b.readUInt16BE(p + 2);
    if (slen < 4) {
      if (!allZero(b, p, end)) core.malformed(msg, id, p, `set length ${slen} is shorter than its 4-byte header`);
      countable = false;
      break;
    }
    if (p + slen > end) {
      core.malformed(msg, id, p, `set length ${slen} overruns the message (${end - p} bytes left)`);
      countable = false;
      break;
    }
    const start = p + 4;
    const setEnd = p + slen;
    if (id === 2 || id === 3) ipfixTemplates(core, msg, b, start, setEnd, id === 3);
    else if (id >= 256) {
      h.flowsetId = id;
      const t = core.templates.lookup(10, host, domain, id, core.now());
      if (t) records += core.decodeDataSet(t, shape, msg, { bytes: b, start, end: setEnd });
      else {
        countable = false;
        core.noTemplate(msg, { bytes: b, start, end: setEnd });
      }
    } else {
      core.counters.sets_unsupported++;
      core.problem({ kind: 'unsupported-set', level: 'warn', exporter: host, domain, offset: p, message: `Unsupported flowset id ${id}`, data: { exporter: host, offset: p } });
    }
    p = setEnd;
  }
  core.trackSequence(10, host, 'observation domain', domain, seq, countable ? records : undefined, 'records');
}

export function ipfixTemplates(core: DecoderCore, msg: MessageContext, b: Buffer, start: number, end: number, options: boolean): void {
  const { host, domain } = msg;
  const setId = options ? 3 : 2;
  let q = start;
  while (end - q >= 4) {
    const tid = b.readUInt16BE(q);
    const count = b.readUInt16BE(q + 2);
    if (count === 0) {
      // Withdrawal: one template, or all templates (or options templates) when the id is the set id.
      if (tid === setId) {
        const n = core.templates.withdrawAll(10, host, domain, options);
        core.counters.templates_withdrawn += n;
        core.log('debug', `Exporter ${host} (observation domain ${domain}) withdrew all ${options ? 'options ' : ''}templates (${n})`);
      } else if (tid >= 256) {
        if (core.templates.withdraw(10, host, domain, tid)) core.counters.templates_withdrawn++;
        core.log('debug', `Exporter ${host} (observation domain ${domain}) withdrew template ${tid}`);
      } else if (!allZero(b, q, end)) {
        core.malformed(msg, setId, q, `withdrawal of reserved template id ${tid}`);
        return;
      } else return; // padding
      q += 4;
      continue;
    }
    if (tid < 256) {
      if (!allZero(b, q, end)) core.malformed(msg, setId, q, `template id ${tid} is reserved (must be ≥ 256)`);
      return;
    }
    let r = q + 4;
    let scopeCount = 0;
    if (options) {
      if (end - q < 6) {
        core.malformed(msg, setId, q, `options template ${tid} header is truncated`);
        return;
      }
      scopeCount = b.readUInt16BE(q + 4);
      r = q + 6;
      if (scopeCount === 0 || scopeCount > count) {
        core.malformed(msg, setId, q, `options template ${tid} has scope field count ${scopeCount} (must be 1..${count})`);
        return;
      }
    }
    const fields: TemplateFieldRef[] = [];
    for (let i = 0; i < count; i++) {
      if (r + 4 > end) {
        core.malformed(msg, setId, q, `template ${tid} declares ${count} fields but the set ends after ${i}`);
        return;
      }
      const raw = b.readUInt16BE(r);
      const flen = b.readUInt16BE(r + 2);
      r += 4;
      let pen = 0;
      if (raw & 0x8000) {
        if (r + 4 > end) {
          core.malformed(msg, setId, q, `template ${tid} field ${i + 1} lacks its enterprise number (set ends)`);
          return;
        }
        pen = b.readUInt32BE(r);
        r += 4;
      }
      if (fields.length < core.options.max_fields_per_template) fields.push({ pen, id: raw & 0x7fff, length: flen });
    }
    if (count > core.options.max_fields_per_template) {
      core.counters.templates_rejected++;
      core.malformed(msg, setId, q, `template ${tid} has ${count} fields (max_fields_per_template is ${core.options.max_fields_per_template})`);
    } else if (core.templates.refreshIfSame(10, host, domain, tid, b, q, r, core.now())) {
      core.counters.templates_refreshed++;
      if (options) core.counters.options_templates++;
    } else {
      const specs = core.buildSpecs(msg, tid, fields, scopeCount);
      if (specs) core.registerTemplate(msg, tid, options, specs, b.subarray(q, r));
    }
    q = r;
  }
}
