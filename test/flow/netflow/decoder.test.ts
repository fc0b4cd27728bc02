// Where flowstash must be correct and the Logstash codec is not: hand-built messages, one behaviour each.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetflowDecoder, type LogLevel } from '../../../src/flow/netflow/decoder.ts';
import type { NetflowOptions } from '../../../src/flow/netflow/options.ts';
import { Float } from '../../../src/event/values.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { ipfix, ipv4, optionsTemplateRecord, set, templateRecord, u16, u32, u64, u8, v9, v9Template, varlen } from './build.ts';

const A = { host: '192.0.2.1', port: 4739 };
const B = { host: '192.0.2.2', port: 4739 };

function decoder(opts: Partial<NetflowOptions> = {}, clock?: { t: number }) {
  const logs: { level: LogLevel; message: string }[] = [];
  const dec = createNetflowDecoder(opts, { log: (level, message) => logs.push({ level, message }), now: clock ? () => clock.t : undefined });
  const warnings = () => logs.filter((l) => l.level === 'warn').map((l) => l.message);
  return { dec, logs, warnings };
}

const TPL = templateRecord(256, [
  { id: 8, length: 4 },
  { id: 7, length: 2 },
  { id: 1, length: 8 },
]);
const REC = Buffer.concat([ipv4('10.0.0.1'), u16(443), u64(1234n)]);

describe('IPFIX basics', () => {
  it('decodes template + data into Logstash-shaped fields', () => {
    const { dec } = decoder();
    const flows = dec.decode(ipfix([set(2, TPL), set(256, Buffer.concat([REC, REC]))]), A);
    expect(flows).toHaveLength(2);
    expect(flows[0]!.fields).toEqual({ version: 10, sourceIPv4Address: '10.0.0.1', sourceTransportPort: 443, octetDeltaCount: 1234 });
    expect(flows[0]!.timestamp.toString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('keeps uint64 values beyond 2^53 exact as bigint', () => {
    const { dec } = decoder();
    const rec = Buffer.concat([ipv4('10.0.0.1'), u16(1), u64(18446744073709551615n)]);
    const [f] = dec.decode(ipfix([set(2, TPL), set(256, rec)]), A);
    expect(f!.fields['octetDeltaCount']).toBe(18446744073709551615n);
  });

  it('adds flowset_id with include_flowset_id', () => {
    const { dec } = decoder({ include_flowset_id: true });
    const [f] = dec.decode(ipfix([set(2, TPL), set(256, REC)]), A);
    expect(Object.keys(f!.fields).slice(0, 2)).toEqual(['version', 'flowset_id']);
    expect(f!.fields['flowset_id']).toBe(256);
  });
});

describe('correct where the Logstash codec fails', () => {
  it('decodes a repeated element as an array under one name', () => {
    const { dec } = decoder();
    const tpl = templateRecord(300, [{ id: 7, length: 2 }, { id: 7, length: 2 }, { id: 4, length: 1 }]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(300, Buffer.concat([u16(1111), u16(2222), u8(6)]))]), A);
    expect(f!.fields).toEqual({ version: 10, sourceTransportPort: [1111, 2222], protocolIdentifier: 6 });
  });

  it('decodes unknown IANA and enterprise elements as ie<ID> / pen<PEN>_ie<ID> hex and keeps the rest', () => {
    const { dec, warnings } = decoder();
    const tpl = templateRecord(301, [{ id: 4, length: 1 }, { id: 32000, length: 2 }, { id: 5, length: 3, pen: 42359 }]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(301, Buffer.from([17, 0xab, 0xcd, 1, 2, 3]))]), A);
    expect(f!.fields).toEqual({ version: 10, protocolIdentifier: 17, ie32000: 'abcd', pen42359_ie5: '010203' });
    expect(warnings()).toEqual([]);
  });

  it('can reproduce the Logstash behaviour for unknown elements (drop the template, warn)', () => {
    const { dec, warnings } = decoder({ unknown_elements: 'drop_template' });
    const tpl = templateRecord(301, [{ id: 4, length: 1 }, { id: 5, length: 3, pen: 42359 }]);
    expect(dec.decode(ipfix([set(2, tpl), set(301, Buffer.from([17, 1, 2, 3]))]), A)).toEqual([]);
    expect(warnings()[0]).toBe('Unsupported enterprise');
    expect(warnings()[1]).toMatch(/^Can't \(yet\) decode flowset id 301 from observation domain id 0/);
  });

  it('decodes IANA elements above 433 that the Logstash codec lacks', () => {
    const { dec } = decoder();
    const tpl = templateRecord(302, [{ id: 434, length: 4 }]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(302, u32(0xfffffffe))]), A);
    expect(f!.fields).toEqual({ version: 10, mibObjectValueInteger: -2 });
  });

  it('decodes variable-length fields of every kind, with 1- and 3-byte length prefixes', () => {
    const { dec } = decoder();
    const long = 'x'.repeat(300);
    const tpl = templateRecord(303, [
      { id: 96, length: 65535 }, // applicationName (string)
      { id: 1, length: 65535 }, // octetDeltaCount as varlen (2 bytes inside)
      { id: 82, length: 65535 }, // interfaceName
      { id: 8, length: 65535 }, // sourceIPv4Address
    ]);
    const rec = Buffer.concat([varlen(Buffer.from('http')), varlen(u16(513)), varlen(Buffer.from(long)), varlen(ipv4('10.1.2.3'))]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(303, rec)]), A);
    expect(f!.fields).toEqual({ version: 10, applicationName: 'http', octetDeltaCount: 513, interfaceName: long, sourceIPv4Address: '10.1.2.3' });
  });

  it('replaces each non-ASCII character (and each invalid byte) of a variable-length string with ? like the Logstash codec', () => {
    const { dec } = decoder();
    const tpl = templateRecord(304, [{ id: 96, length: 65535 }]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(304, varlen(Buffer.from([0x61, 0x62, 0xc3, 0xa9, 0x63, 0xff, 0])))]), A);
    // ../shared/docs/reference/logstash-codec-netflow.md: "ab\xC3\xA9c\xFF" → "ab?c?".
    expect(f!.fields['applicationName']).toBe('ab?c?');
  });

  it('decodes reduced-size encoding for integer and float types', () => {
    const { dec } = decoder();
    const tpl = templateRecord(305, [{ id: 1, length: 3 }, { id: 2, length: 1 }, { id: 320, length: 4 }]);
    const rec = Buffer.concat([Buffer.from([1, 0, 0]), u8(9), Buffer.from(new Float32Array([1.5]).buffer).reverse()]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(305, rec)]), A);
    expect(f!.fields['octetDeltaCount']).toBe(65536);
    expect(f!.fields['packetDeltaCount']).toBe(9);
    expect(f!.fields['absoluteError']).toEqual(new Float(1.5));
  });

  it('accepts padding after records, after template records and at the end of the message', () => {
    const { dec, warnings } = decoder();
    const flows = dec.decode(ipfix([set(2, TPL, 8), set(256, Buffer.concat([REC, REC]), 16), Buffer.alloc(3)]), A);
    expect(flows).toHaveLength(2);
    expect(warnings()).toEqual([]);
  });

  it('registers every options template of a set', () => {
    const { dec } = decoder();
    const o1 = optionsTemplateRecord(400, [{ id: 149, length: 4 }], [{ id: 41, length: 8 }]);
    const o2 = optionsTemplateRecord(401, [{ id: 130, length: 4 }], [{ id: 42, length: 8 }]);
    const flows = dec.decode(ipfix([set(3, Buffer.concat([o1, o2])), set(400, Buffer.concat([u32(7), u64(5n)])), set(401, Buffer.concat([ipv4('192.0.2.1'), u64(9n)]))]), A);
    expect(flows.map((f) => f.fields)).toEqual([
      { version: 10, observationDomainId: 7, exportedMessageTotalCount: 5 },
      { version: 10, exporterIPv4Address: '192.0.2.1', exportedFlowRecordTotalCount: 9 },
    ]);
  });

  it('withdraws single templates and all templates without looping', () => {
    const { dec, warnings } = decoder();
    dec.decode(ipfix([set(2, TPL)]), A);
    expect(dec.decode(ipfix([set(2, templateRecord(256, [])), set(256, REC)]), A)).toEqual([]);
    expect(warnings()).toHaveLength(1);
    dec.decode(ipfix([set(2, TPL)]), A);
    expect(dec.decode(ipfix([set(256, REC)]), A)).toHaveLength(1);
    dec.decode(ipfix([set(2, Buffer.concat([u16(2), u16(0)]))]), A); // withdraw all
    expect(dec.decode(ipfix([set(256, REC)]), A)).toEqual([]);
    expect(dec.stats()['templates_withdrawn']).toBe(2);
  });

  it('expires templates after cache_ttl seconds', () => {
    const clock = { t: 1_000_000 };
    const { dec } = decoder({ cache_ttl: 10 }, clock);
    dec.decode(ipfix([set(2, TPL)]), A);
    clock.t += 9_000;
    expect(dec.decode(ipfix([set(256, REC)]), A)).toHaveLength(1);
    clock.t += 2_000;
    expect(dec.decode(ipfix([set(256, REC)]), A)).toHaveLength(0);
  });

  it('scopes templates per exporter address: same domain and id do not collide', () => {
    const { dec } = decoder();
    dec.decode(ipfix([set(2, TPL)]), A);
    dec.decode(ipfix([set(2, templateRecord(256, [{ id: 4, length: 1 }]))]), B);
    expect(dec.decode(ipfix([set(256, REC)]), A)[0]!.fields['sourceIPv4Address']).toBe('10.0.0.1');
    expect(dec.decode(ipfix([set(256, u8(6))]), B)[0]!.fields).toEqual({ version: 10, protocolIdentifier: 6 });
  });

  it('tracks sequence numbers per exporter and domain and counts lost records', () => {
    const { dec, logs } = decoder();
    dec.decode(ipfix([set(2, TPL), set(256, REC)], { seq: 0 }), A);
    dec.decode(ipfix([set(256, Buffer.concat([REC, REC]))], { seq: 1 }), A);
    dec.decode(ipfix([set(256, REC)], { seq: 10 }), A);
    dec.decode(ipfix([set(2, TPL), set(256, REC)], { seq: 500 }), B);
    expect(dec.stats()['sequence_gaps']).toBe(1);
    expect(dec.stats()['lost_records']).toBe(7);
    expect(logs.some((l) => /expected 3, got 10: 7 records lost/.test(l.message))).toBe(true);
  });

  it('holds data that arrives before its template with pending_data, bounded', () => {
    const { dec, warnings } = decoder({ pending_data: true, pending_data_bytes: 64 });
    expect(dec.decode(ipfix([set(256, REC)]), A)).toEqual([]);
    const flows = dec.decode(ipfix([set(2, TPL)]), A);
    expect(flows).toHaveLength(1);
    expect(flows[0]!.fields['octetDeltaCount']).toBe(1234);
    expect(warnings()).toEqual([]);
    dec.decode(ipfix([set(257, Buffer.alloc(40, 1))]), A);
    dec.decode(ipfix([set(258, Buffer.alloc(40, 1))]), A);
    expect(dec.stats()['pending_dropped']).toBe(1);
    expect(warnings()[0]).toMatch(/Dropped held data of flowset id 257 from exporter 192.0.2.1/);
  });

  it('decodes basicList and subTemplateList into arrays', () => {
    const { dec } = decoder();
    const inner = templateRecord(260, [{ id: 7, length: 2 }, { id: 11, length: 2 }]);
    const outer = templateRecord(261, [{ id: 291, length: 65535 }, { id: 292, length: 65535 }]);
    const basic = Buffer.concat([u8(3), u16(7), u16(2), u16(80), u16(443)]);
    const stl = Buffer.concat([u8(3), u16(260), u16(1), u16(2), u16(3), u16(4)]);
    const [f] = dec.decode(ipfix([set(2, Buffer.concat([inner, outer])), set(261, Buffer.concat([varlen(basic), varlen(stl)]))]), A);
    expect(f!.fields).toEqual({
      version: 10,
      basicList: [80, 443],
      subTemplateList: [
        { sourceTransportPort: 1, destinationTransportPort: 2 },
        { sourceTransportPort: 3, destinationTransportPort: 4 },
      ],
    });
  });

  it('limits list depth', () => {
    const { dec, warnings } = decoder({ max_list_depth: 1 });
    const inner = templateRecord(262, [{ id: 291, length: 65535 }]);
    const outer = templateRecord(263, [{ id: 292, length: 65535 }]);
    const basic = Buffer.concat([u8(3), u16(7), u16(2), u16(80)]);
    const stl = Buffer.concat([u8(3), u16(262), varlen(basic)]);
    const [f] = dec.decode(ipfix([set(2, Buffer.concat([inner, outer])), set(263, varlen(stl))]), A);
    expect(f!.fields).toEqual({ version: 10, subTemplateList: [{}] });
    expect(warnings()[0]).toMatch(/basicList nested deeper than 1/);
  });

  it('converts flowStart/End times by field name like the Logstash codec', () => {
    const { dec } = decoder();
    const tpl = templateRecord(264, [{ id: 150, length: 4 }, { id: 152, length: 8 }, { id: 154, length: 8 }, { id: 323, length: 8 }]);
    const ntp = (BigInt(1478866159 + 2208988800) << 32n) | 548760n;
    const rec = Buffer.concat([u32(1700000000), u64(1700000000123n), u64(ntp), u64(1700000000456n)]);
    const [f] = dec.decode(ipfix([set(2, tpl), set(264, rec)]), A);
    expect(String(f!.fields['flowStartSeconds'])).toBe('2023-11-14T22:13:20.000Z');
    expect(String(f!.fields['flowStartMilliseconds'])).toBe('2023-11-14T22:13:20.123Z');
    expect(String(f!.fields['flowStartMicroseconds'])).toBe('2016-11-11T12:09:19.000127768Z');
    expect(f!.fields['observationTimeMilliseconds']).toBe(1700000000456);
    // The Logstash codec stores Timestamp#to_iso8601 text, so rubydebug prints it quoted.
    expect(typeof f!.fields['flowStartSeconds']).toBe('string');
  });
});

describe('bad input', () => {
  it('reports a malformed set with exporter, set id, offset and reason, and still decodes the other sets', () => {
    const { dec, warnings } = decoder();
    const truncatedTemplate = set(2, Buffer.concat([u16(270), u16(5), u16(8), u16(4)]));
    const flows = dec.decode(ipfix([set(2, TPL), truncatedTemplate, set(256, REC)]), A);
    expect(flows).toHaveLength(1);
    expect(warnings()).toEqual([
      'Malformed IPFIX set from exporter 192.0.2.1 (observation domain 0): set id 2 at byte 40: template 270 declares 5 fields but the set ends after 1',
    ]);
    expect(dec.stats()['sets_malformed']).toBe(1);
  });

  it('stops at a set whose length overruns the message, keeping what came before', () => {
    const { dec, warnings } = decoder();
    const msg = ipfix([set(2, TPL), set(256, REC)]);
    const broken = Buffer.concat([msg, u16(256), u16(400), Buffer.alloc(8)]);
    broken.writeUInt16BE(broken.length, 2);
    expect(dec.decode(broken, A)).toHaveLength(1);
    expect(warnings()[0]).toMatch(/set id 256 at byte 54: set length 400 overruns the message \(12 bytes left\)/);
  });

  it('ignores versions not configured and warns like Logstash', () => {
    const { dec, warnings } = decoder({ versions: [10] });
    expect(dec.decode(v9([]), A)).toEqual([]);
    expect(warnings()).toEqual(['Ignoring Netflow version v9']);
    expect(dec.stats()['packets_ignored_version']).toBe(1);
  });

  it('caps fields per template', () => {
    const { dec } = decoder({ max_fields_per_template: 2 });
    dec.decode(ipfix([set(2, TPL), set(256, REC)]), A);
    expect(dec.stats()['templates_rejected']).toBe(1);
    expect(dec.stats()['flows']).toBe(0);
  });

  it('caps templates per exporter', () => {
    const { dec } = decoder({ max_templates_per_exporter: 1 });
    dec.decode(ipfix([set(2, Buffer.concat([TPL, templateRecord(257, [{ id: 4, length: 1 }])]))]), A);
    expect(dec.stats()['templates_rejected']).toBe(1);
  });
});

describe('NetFlow v9', () => {
  it('decodes template and data with v9 names and the +1 s switched-time arithmetic', () => {
    const { dec } = decoder();
    const tpl = set(0, v9Template(256, [{ id: 8, length: 4 }, { id: 1, length: 4 }, { id: 22, length: 4 }]));
    const data = set(256, Buffer.concat([ipv4('10.0.0.9'), u32(99), u32(99_000)]));
    const [f] = dec.decode(v9([tpl, data], { uptime: 100_500, time: 1700000000 }), A);
    expect(f!.fields).toEqual({
      version: 9, flow_seq_num: 0, flowset_id: 256, ipv4_src_addr: '10.0.0.9', in_bytes: 99,
      first_switched: new Timestamp(1700000000 - 1, 500_000_000).toString(),
    });
    expect(String(f!.fields['first_switched'])).toBe('2023-11-14T22:13:19.500Z');
  });

  it('decodes v9 fields the Logstash codec lacks under their IANA name', () => {
    const { dec } = decoder();
    const tpl = set(0, v9Template(257, [{ id: 70, length: 3 }]));
    const [f] = dec.decode(v9([tpl, set(257, Buffer.from([0, 0x01, 0x41, 0]))]), A);
    expect(f!.fields['mplsTopLabelStackSection']).toBe('000141');
  });

  describe('padding after records shorter than 4 bytes (RFC 3954 §5.3), told apart by the header count', () => {
    const tos = (records: number[], pad: number) => set(300, Buffer.concat([Buffer.from(records), Buffer.alloc(pad)]));
    const tpl1 = v9Template(300, [{ id: 5, length: 1 }]); // src_tos, 1 byte
    const tpl2 = v9Template(301, [{ id: 7, length: 2 }]); // l4_src_port, 2 bytes
    const values = (flows: { fields: Record<string, unknown> }[], name: string) => flows.map((f) => f.fields[name]);

    it('one 1-byte record and 3 padding bytes give one flow when the count says 2 records', () => {
      const { dec, warnings } = decoder();
      const flows = dec.decode(v9([set(0, tpl1), tos([6], 3)], { count: 2 }), A);
      expect(values(flows, 'src_tos')).toEqual([6]);
      expect(warnings()).toEqual([]);
      expect(dec.stats()['flows']).toBe(1);
    });

    it('keeps zero-valued records the count accounts for', () => {
      const { dec } = decoder();
      expect(values(dec.decode(v9([set(0, tpl1), tos([6, 0, 0], 1)], { count: 4 }), A), 'src_tos')).toEqual([6, 0, 0]);
      expect(values(dec.decode(v9([tos([0, 0, 0, 0], 0)], { count: 4 }), A), 'src_tos')).toEqual([0, 0, 0, 0]);
    });

    it('subtracts the records of the later flowsets of the packet', () => {
      const { dec } = decoder();
      dec.decode(v9([set(0, tpl1)], { count: 1 }), A);
      const tpl4 = v9Template(302, [{ id: 8, length: 4 }]);
      const addrs = set(302, Buffer.concat([ipv4('10.0.0.1'), ipv4('10.0.0.2')]));
      const flows = dec.decode(v9([tos([6, 0], 2), set(0, tpl4), addrs], { count: 5 }), A);
      expect(flows.map((f) => f.fields['src_tos'] ?? f.fields['ipv4_src_addr'])).toEqual([6, 0, '10.0.0.1', '10.0.0.2']);
    });

    it('applies to data held until its template arrives (pending_data)', () => {
      const { dec } = decoder({ pending_data: true });
      expect(dec.decode(v9([tos([6, 7], 2)], { count: 2 }), A)).toEqual([]);
      expect(values(dec.decode(v9([set(0, tpl1)], { count: 1 }), A), 'src_tos')).toEqual([6, 7]);
    });

    it('decodes every record that fits, like the Logstash codec, when the count contradicts the flowsets', () => {
      const { dec } = decoder();
      // An exporter counting flowsets instead of records: the count cannot tell records from padding.
      expect(values(dec.decode(v9([set(0, tpl1), tos([6], 3)], { count: 200 }), A), 'src_tos')).toEqual([6, 0, 0, 0]);
      expect(values(dec.decode(v9([tos([6, 7, 8, 9, 10], 3)], { count: 1 }), A), 'src_tos')).toEqual([6, 7, 8, 9, 10, 0, 0, 0]);
    });
  });
});

describe('template cache files', () => {
  it('writes the Logstash JSON format atomically (off the decoding path, final state on close) and reloads it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-cache-'));
    const { dec } = decoder({ cache_save_path: dir });
    dec.decode(ipfix([set(2, TPL)], { domain: 5 }), A);
    const file = path.join(dir, 'ipfix_templates.cache');
    // Nothing is written while decoding: the save is gathered and done later.
    expect(readdirSync(dir)).toEqual([]);
    await dec.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      '5|256': [['ip4_addr', 'sourceIPv4Address'], ['uint16', 'sourceTransportPort'], ['uint64', 'octetDeltaCount']],
    });
    expect(readdirSync(dir)).toEqual(['ipfix_templates.cache']);
    const again = decoder({ cache_save_path: dir }).dec;
    const [f] = again.decode(ipfix([set(256, REC)], { domain: 5 }), B);
    expect(f!.fields).toEqual({ version: 10, sourceIPv4Address: '10.0.0.1', sourceTransportPort: 443, octetDeltaCount: 1234 });
  });

  it('reads a cache written by the Logstash codec', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-cache-'));
    writeFileSync(
      path.join(dir, 'ipfix_templates.cache'),
      JSON.stringify({ '0|256': [['uint32', 'observationPointId'], ['skip', null, { length: 2 }], ['VarString', 'netscalerHttpReqUrl'], ['OctetArray', 'netscalerConnectionChainID', { initial_length: 2 }]] }),
    );
    const { dec } = decoder({ cache_save_path: dir });
    const [f] = dec.decode(ipfix([set(256, Buffer.concat([u32(7), u16(0), varlen(Buffer.from('/a')), Buffer.from([0xab, 0xcd])]))]), A);
    expect(f!.fields).toEqual({ version: 10, observationPointId: 7, netscalerHttpReqUrl: '/a', netscalerConnectionChainID: 'abcd' });
  });
});

describe('definition files', () => {
  it('merges netflow_definitions per id and ipfix_definitions per PEN like Logstash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-defs-'));
    writeFileSync(path.join(dir, 'nf.yaml'), '1:\n- 4\n- :my_bytes\n');
    writeFileSync(path.join(dir, 'ipfix.yaml'), '0:\n  7:\n  - :uint16\n  - :srcPort\n');
    const { dec } = decoder({ netflow_definitions: path.join(dir, 'nf.yaml'), ipfix_definitions: path.join(dir, 'ipfix.yaml'), unknown_elements: 'drop_template' });
    const [n] = dec.decode(v9([set(0, v9Template(256, [{ id: 1, length: 4 }])), set(256, u32(5))]), A);
    expect(n!.fields['my_bytes']).toBe(5);
    // PEN 0 replaced wholesale: sourceIPv4Address (8) is now unknown, so Logstash drops the template.
    expect(dec.decode(ipfix([set(2, TPL), set(256, REC)]), A)).toEqual([]);
    const [i] = dec.decode(ipfix([set(2, templateRecord(300, [{ id: 7, length: 2 }])), set(300, u16(53))]), A);
    expect(i!.fields).toEqual({ version: 10, srcPort: 53 });
  });
});
