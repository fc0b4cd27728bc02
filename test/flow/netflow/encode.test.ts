import { describe, expect, it } from 'vitest';
import {
  encodeIpfixMessage,
  encodeV5Packet,
  encodeV9Packet,
  EncodeError,
  ipfixField,
  IpfixExporterSession,
  V9ExporterSession,
  v9Field,
  type Template,
} from '../../../src/flow/netflow/encode/index.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';

const T: Template = {
  id: 256,
  fields: [
    { id: 8, length: 4, type: 'ipv4Address', name: 'src' },
    { id: 2, length: 3, type: 'unsigned64', name: 'packets' },
    { pen: 5951, id: 130, length: 65535, type: 'string', name: 'url' },
  ],
};

describe('IPFIX encoder', () => {
  it('writes header, template set and data set byte for byte', () => {
    const b = encodeIpfixMessage({
      exportTime: 0x01020304,
      sequenceNumber: 7,
      observationDomainId: 9,
      sets: [
        { type: 'template', templates: [T] },
        { type: 'data', template: T, records: [{ src: '10.0.0.1', packets: 0x010203, url: '/example' }] },
      ],
    });
    expect(b.toString('hex')).toBe(
      '000a' + b.length.toString(16).padStart(4, '0') + '01020304' + '00000007' + '00000009' +
        // template set: id 2, len 4+4+4+4+8 = 24
        '0002' + '0018' + '0100' + '0003' + '0008' + '0004' + '0002' + '0003' + '8082' + 'ffff' + '0000173f' +
        // data set: 4 + 4 + 3 + 1 + 8 = 20
        '0100' + '0014' + '0a000001' + '010203' + '08' + Buffer.from('/example').toString('hex'),
    );
  });

  it('uses the 3-byte varlen form from 255 bytes on, or always with varlenForm long', () => {
    const long = 'x'.repeat(255);
    const a = encodeIpfixMessage({ exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: [{ type: 'data', template: T, records: [['1.2.3.4', 1, long]] }] });
    expect(a.subarray(16 + 4 + 7, 16 + 4 + 10).toString('hex')).toBe('ff00ff');
    const b = encodeIpfixMessage(
      { exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: [{ type: 'data', template: T, records: [['1.2.3.4', 1, 'ab']] }] },
      { varlenForm: 'long' },
    );
    expect(b.subarray(16 + 4 + 7).toString('hex')).toBe('ff0002' + '6162');
  });

  it('encodes booleans as 1/2, signed reduced size, floats, MACs, IPv6 and NTP times', () => {
    const t: Template = {
      id: 300,
      fields: [
        { id: 1, length: 1, type: 'boolean' },
        { id: 2, length: 1, type: 'boolean' },
        { id: 3, length: 2, type: 'signed32' },
        { id: 4, length: 4, type: 'float64' },
        { id: 5, length: 6, type: 'macAddress' },
        { id: 6, length: 16, type: 'ipv6Address' },
        { id: 7, length: 8, type: 'dateTimeMicroseconds' },
        { id: 8, length: 8, type: 'dateTimeMilliseconds' },
      ],
    };
    const ts = new Timestamp(1478866159, 500_000_000);
    const b = encodeIpfixMessage({
      exportTime: 0,
      sequenceNumber: 0,
      observationDomainId: 0,
      sets: [{ type: 'data', template: t, records: [[true, false, -2, 1.5, '00:50:56:C0:00:01', '2001:db8::ffff:10.0.0.1', ts, ts]] }],
    });
    const d = b.subarray(20);
    expect(d.subarray(0, 4).toString('hex')).toBe('0102fffe');
    expect(d.readFloatBE(4)).toBe(1.5);
    expect(d.subarray(8, 14).toString('hex')).toBe('005056c00001');
    expect(d.subarray(14, 30).toString('hex')).toBe('20010db8000000000000ffff0a000001');
    expect(d.readUInt32BE(30)).toBe(1478866159 + 2208988800);
    expect(d.readUInt32BE(34)).toBe(2 ** 31);
    expect(d.readBigUInt64BE(38)).toBe(1478866159500n);
  });

  it('encodes basicList, subTemplateList and subTemplateMultiList (RFC 6313)', () => {
    const sub: Template = { id: 400, fields: [{ id: 7, length: 2, type: 'unsigned16' }] };
    const t: Template = {
      id: 401,
      fields: [
        { id: 291, length: 65535, type: 'basicList' },
        { id: 292, length: 65535, type: 'subTemplateList' },
        { id: 293, length: 65535, type: 'subTemplateMultiList' },
      ],
    };
    const b = encodeIpfixMessage({
      exportTime: 0,
      sequenceNumber: 0,
      observationDomainId: 0,
      sets: [
        {
          type: 'data',
          template: t,
          records: [[
            { kind: 'basicList', semantic: 'allOf', field: { pen: 29305, id: 8, length: 4, type: 'ipv4Address' }, values: ['1.1.1.1', '2.2.2.2'] },
            { kind: 'subTemplateList', semantic: 'exactlyOneOf', template: sub, records: [[80], [443]] },
            { kind: 'subTemplateMultiList', semantic: 'ordered', entries: [{ template: sub, records: [[53]] }] },
          ]],
        },
      ],
    });
    expect(b.subarray(20).toString('hex')).toBe(
      '11' + '03' + '8008' + '0004' + '00007279' + '01010101' + '02020202' +
        '07' + '01' + '0190' + '0050' + '01bb' +
        '07' + '04' + '0190' + '0006' + '0035',
    );
  });

  it('writes options templates, withdrawals and set padding', () => {
    const opt: Template = { id: 500, scopeFieldCount: 1, fields: [ipfixField('meteringProcessId'), ipfixField('samplingPacketInterval')] };
    const b = encodeIpfixMessage({
      exportTime: 0,
      sequenceNumber: 0,
      observationDomainId: 0,
      sets: [
        { type: 'optionsTemplate', templates: [opt] },
        { type: 'data', template: opt, records: [{ meteringProcessId: 1, samplingPacketInterval: 100 }], padding: 3 },
        { type: 'withdrawal', templateIds: [500, 2] },
      ],
    });
    expect(b.subarray(16).toString('hex')).toBe(
      '0003' + '0012' + '01f4' + '0002' + '0001' + '008f' + '0004' + '0131' + '0004' +
        '01f4' + '000f' + '00000001' + '00000064' + '000000' +
        '0002' + '000c' + '01f40000' + '00020000',
    );
  });

  it('takes types and names from the information model', () => {
    expect(ipfixField('netscalerHttpReqUrl')).toEqual({ pen: 5951, id: 130, length: 65535, type: 'string', name: 'netscalerHttpReqUrl' });
    expect(ipfixField('octetDeltaCount', 4)).toEqual({ id: 1, length: 4, type: 'unsigned64', name: 'octetDeltaCount' });
    const t: Template = { id: 256, fields: [{ id: 7, length: 2 }] };
    const b = encodeIpfixMessage({ exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: [{ type: 'data', template: t, records: [[443]] }] });
    expect(b.readUInt16BE(20)).toBe(443);
    expect(v9Field(8, 4)).toMatchObject({ id: 8, type: 'ipv4Address', name: 'ipv4_src_addr' });
  });

  it('says what, where and why on values it cannot encode', () => {
    const enc = (records: unknown[][], t: Template = T): Buffer =>
      encodeIpfixMessage({ exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: [{ type: 'data', template: t, records: records as never }] });
    expect(() => enc([['1.2.3.4', 2 ** 24, 'x']])).toThrow(/IPFIX set 0 record 0 template 256 field 1 \(packets, id 2, length 3\): value 16777216 does not fit in 3 unsigned byte\(s\)/);
    expect(() => enc([['1.2.3.400', 1, 'x']])).toThrow(/field 0 \(src, id 8, length 4\): expected an IPv4 address, got string "1.2.3.400"/);
    expect(() => enc([['1.2.3.4', 1]])).toThrow(/field 2 \(url, pen 5951 id 130, length 65535\): no value given/);
    expect(() => enc([[1]], { id: 256, fields: [{ pen: 424242, id: 1, length: 4 }] })).toThrow(/element type unknown/);
    expect(() => enc([[1]], { id: 12, fields: [{ id: 7, length: 2 }] })).not.toThrow(); // data set ids are not checked: tests need bad ones
    expect(() => encodeIpfixMessage({ exportTime: 0, sequenceNumber: 0, observationDomainId: 0, sets: [{ type: 'template', templates: [{ id: 12, fields: [] }] }] })).toThrow(EncodeError);
    expect(() => enc([['1.2.3.4', 1, 'x'.repeat(70000)]])).toThrow(/exceeds 65535/);
  });

  it('numbers messages by data records sent (RFC 7011 §3.1)', () => {
    const s = new IpfixExporterSession(3, 0xfffffffe);
    const m1 = s.encode(10, [{ type: 'template', templates: [T] }, { type: 'data', template: T, records: [['1.1.1.1', 1, ''], ['1.1.1.1', 2, '']] }]);
    const m2 = s.encode(11, [{ type: 'data', template: T, records: [['1.1.1.1', 1, '']] }]);
    expect([m1.readUInt32BE(8), m2.readUInt32BE(8), s.nextSequenceNumber]).toEqual([0xfffffffe, 0, 1]);
    expect(m2.readUInt32BE(12)).toBe(3);
  });
});

describe('NetFlow v9 encoder', () => {
  it('writes options templates with scope lengths in bytes and pads flowsets to 4 bytes', () => {
    const opt: Template = { id: 258, scopeFieldCount: 1, fields: [{ id: 1, length: 4, type: 'unsigned32' }, v9Field(48, 1)] };
    const s = new V9ExporterSession(0x11, 5);
    const b = s.encode(1000, 2000, [{ type: 'optionsTemplate', templates: [opt] }, { type: 'data', template: opt, records: [[7, 1]] }]);
    expect(b.toString('hex')).toBe(
      '0009' + '0002' + '000003e8' + '000007d0' + '00000005' + '00000011' +
        '0001' + '0014' + '0102' + '0004' + '0004' + '0001' + '0004' + '0030' + '0001' + '0000' +
        '0102' + '000c' + '00000007' + '01' + '000000',
    );
    expect(s.encode(1, 2, []).readUInt32BE(12)).toBe(6);
  });

  it('rejects enterprise fields', () => {
    expect(() => encodeV9Packet({ sysUptime: 0, unixSeconds: 0, sequenceNumber: 0, sourceId: 0, flowSets: [{ type: 'template', templates: [{ id: 256, fields: [{ pen: 9, id: 1, length: 4 }] }] }] })).toThrow(/no enterprise fields/);
  });
});

describe('NetFlow v5 encoder', () => {
  it('refuses more than 30 records and bad addresses with the record number', () => {
    const r = { srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', nextHop: '0.0.0.0', inputIf: 1, outputIf: 2, packets: 1, octets: 40, first: 0, last: 1, srcPort: 1, dstPort: 2, tcpFlags: 0, protocol: 6, tos: 0, srcAs: 0, dstAs: 0, srcMask: 0, dstMask: 0 };
    const p = { sysUptime: 0, unixSeconds: 0, unixNanos: 0, flowSequence: 0, engineType: 0, engineId: 0 };
    expect(() => encodeV5Packet({ ...p, records: new Array(31).fill(r) })).toThrow(/31 records: v5 carries 1…30/);
    expect(() => encodeV5Packet({ ...p, records: [r, { ...r, dstAddr: 'x' }] })).toThrow(/v5 record 1: dstAddr "x" is not an IPv4 address/);
    expect(() => encodeV5Packet({ ...p, records: [{ ...r, srcPort: 70000 }] })).toThrow(/srcPort 70000 outside 0…65535/);
  });
});
