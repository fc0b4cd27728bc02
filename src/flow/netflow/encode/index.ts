// The netflow encoder: IPFIX (RFC 7011, lists RFC 6313), NetFlow v9 (RFC 3954) and v5.
//
//   const t = { id: 256, fields: [{ id: 8, length: 4, type: 'ipv4Address', name: 'sourceIPv4Address' }] };
//   encodeIpfixMessage({ exportTime, sequenceNumber: 0, observationDomainId: 1,
//     sets: [{ type: 'template', templates: [t] }, { type: 'data', template: t, records: [{ sourceIPv4Address: '10.0.0.1' }] }] });
export * from './types.ts';
export { EncodeError } from './errors.ts';
export { ByteWriter } from './byte-writer.ts';
export {
  encodeFieldValue,
  encodeRecord,
  naturalLength,
  ntpFromTimestamp,
  ntpToBigint,
  parseIpv4,
  parseIpv6,
  resolveFieldType,
  NTP_UNIX_OFFSET,
  type ElementTypeLookup,
  type FieldEncodeOptions,
} from './field-values.ts';
export * from './ipfix.ts';
export * from './v9.ts';
export * from './v5.ts';
export { ipfixField, v9Field, ipfixTypeLookup, v9TypeLookup } from './elements.ts';
