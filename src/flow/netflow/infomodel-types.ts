// Types of the information model table (kept apart so the generated file has no logic).

/** IANA abstract data types (RFC 7012 §3.1, RFC 6313). */
export type AbstractType =
  | 'unsigned8' | 'unsigned16' | 'unsigned32' | 'unsigned64'
  | 'signed8' | 'signed16' | 'signed32' | 'signed64'
  | 'float32' | 'float64' | 'boolean' | 'macAddress' | 'octetArray' | 'string'
  | 'dateTimeSeconds' | 'dateTimeMilliseconds' | 'dateTimeMicroseconds' | 'dateTimeNanoseconds'
  | 'ipv4Address' | 'ipv6Address' | 'basicList' | 'subTemplateList' | 'subTemplateMultiList';

/**
 * The Logstash codec's YAML decoding types. 'uint' is a bare integer in netflow.yaml (unsigned,
 * template length wins, the number is the default length); '' means the Logstash codec lacks the element.
 */
export type LogstashType =
  | '' | 'uint' | 'uint8' | 'uint15' | 'uint16' | 'uint24' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float' | 'double' | 'ip4_addr' | 'ip6_addr' | 'mac_addr' | 'string' | 'octetarray' | 'skip'
  | 'forwarding_status' | 'application_id' | 'acl_id_asa' | 'mpls_label_stack_octets';

/** [pen, id, name, abstract type, Logstash type, Logstash default length, source] */
export type GeneratedRow = readonly [number, number, string, string, string, number, string];
