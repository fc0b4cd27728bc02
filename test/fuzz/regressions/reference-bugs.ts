// The Logstash netflow codec's known hangs and crashes (shared/docs/reference/logstash-codec-netflow.md
// §3, §4, §6), rebuilt with the encoder: the flowstash decoder must get through each of them.
import { encodeIpfixMessage, encodeV9Packet, type IpfixSet, type Template } from '../../../src/flow/netflow/encode/index.ts';
import type { FuzzDatagram } from '../../../src/fuzz/types.ts';
import type { Regression } from './index.ts';

const HOST = '192.0.2.1';

function ipfix(sets: IpfixSet[], sequenceNumber = 0): FuzzDatagram {
  return { host: HOST, port: 50000, payload: encodeIpfixMessage({ exportTime: 1700000000, sequenceNumber, observationDomainId: 0, sets }) };
}

const T256: Template = { id: 256, fields: [{ id: 8, length: 4, type: 'ipv4Address' }, { id: 2, length: 8, type: 'unsigned64' }] };
const ZERO: Template = { id: 257, fields: [{ id: 1, length: 0, type: 'unsigned64' }, { id: 2, length: 0, type: 'unsigned64' }] };
const SELF_LIST: Template = { id: 300, fields: [{ id: 292, length: 65535, type: 'subTemplateList' }] };
const DEEP_LIST = (depth: number): Uint8Array => {
  // subTemplateList of template 300 nested `depth` times: 0x04 semantic, 0x012c template, then the inner list as varlen.
  let inner = Buffer.from([0x04, 0x01, 0x2c]);
  for (let i = 0; i < depth; i++) {
    const prefix = inner.length < 255 ? Buffer.from([inner.length]) : Buffer.from([255, inner.length >> 8, inner.length & 255]);
    inner = Buffer.concat([Buffer.from([0x04, 0x01, 0x2c]), prefix, inner]);
  }
  return inner;
};

export const REFERENCE_BUG_CASES: Regression[] = [
  {
    name: 'ipfix-data-after-withdrawal',
    origin: 'reference: a template with field count 0 registers an empty struct and data for it loops forever',
    status: 'fixed',
    datagrams: [
      ipfix([{ type: 'template', templates: [T256] }, { type: 'data', template: T256, records: [['10.0.0.1', 5]] }]),
      ipfix([{ type: 'withdrawal', templateIds: [256] }, { type: 'raw', setId: 256, body: Buffer.alloc(24, 1) }], 1),
    ],
  },
  {
    name: 'ipfix-zero-length-fields',
    origin: 'reference: records of zero bytes (every field length 0)',
    status: 'fixed',
    datagrams: [ipfix([{ type: 'template', templates: [ZERO] }, { type: 'raw', setId: 257, body: Buffer.alloc(16) }])],
  },
  {
    name: 'v9-zero-length-fields',
    origin: 'reference: a v9 template whose fields are all zero-length raises ZeroDivisionError',
    status: 'fixed',
    datagrams: [
      {
        host: HOST,
        port: 50000,
        payload: encodeV9Packet({ sysUptime: 1, unixSeconds: 1700000000, sequenceNumber: 0, sourceId: 0, flowSets: [{ type: 'template', templates: [ZERO] }, { type: 'raw', flowSetId: 257, body: Buffer.alloc(12) }] }),
      },
    ],
  },
  {
    name: 'ipfix-netscaler-uint15',
    origin: 'reference: NetScaler IE 538 is typed :uint15, an unregistered BinData type (uncaught)',
    status: 'fixed',
    datagrams: [
      ipfix([
        { type: 'template', templates: [{ id: 258, fields: [{ pen: 5951, id: 538, length: 2, type: 'unsigned16' }, { id: 7, length: 2, type: 'unsigned16' }] }] },
        { type: 'raw', setId: 258, body: Buffer.from('00070050', 'hex') },
      ]),
    ],
  },
  {
    name: 'ipfix-duplicate-field',
    origin: "reference: a field repeated in one template raises NameError (field 'x' is defined multiple times)",
    status: 'fixed',
    datagrams: [
      ipfix([
        { type: 'template', templates: [{ id: 259, fields: [{ id: 7, length: 2, type: 'unsigned16' }, { id: 7, length: 2, type: 'unsigned16' }] }] },
        { type: 'raw', setId: 259, body: Buffer.from('00500051', 'hex') },
      ]),
    ],
  },
  {
    name: 'ipfix-varlen-overrun',
    origin: 'variable-length prefix (3-byte form) pointing past the end of the set',
    status: 'fixed',
    datagrams: [
      ipfix([
        { type: 'template', templates: [{ id: 260, fields: [{ id: 82, length: 65535, type: 'string' }] }] },
        { type: 'raw', setId: 260, body: Buffer.from('ffffff6162', 'hex') },
      ]),
    ],
  },
  {
    name: 'ipfix-self-nested-subtemplatelist',
    origin: 'subTemplateList whose template contains itself, nested 200 deep (recursion bound)',
    status: 'fixed',
    datagrams: [ipfix([{ type: 'template', templates: [SELF_LIST] }, { type: 'raw', setId: 300, body: (() => {
      const list = DEEP_LIST(200);
      return Buffer.concat([list.length < 255 ? Buffer.from([list.length]) : Buffer.from([255, list.length >> 8, list.length & 255]), list]);
    })() }])],
  },
  {
    name: 'ipfix-set-length-edges',
    origin: 'set lengths 0, 3 and 0xffff; message length larger than the datagram',
    status: 'fixed',
    datagrams: [
      { host: HOST, port: 50000, payload: Buffer.from('000a0018' + '6553f100' + '00000000' + '00000000' + '01000000' + '02000003', 'hex') },
      { host: HOST, port: 50000, payload: Buffer.from('000affff' + '6553f100' + '00000000' + '00000000' + '0100ffff' + '00', 'hex') },
    ],
  },
];
