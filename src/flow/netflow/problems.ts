// What goes wrong while decoding, as data: a kind to count and match on (counters, fuzz signatures),
// where (exporter, domain, template, byte offset) and the text the Logstash codec's users read. The
// text is the whole message logged; the other fields only name what it already says.

export type FlowProblemKind =
  /** A datagram or message header that cannot be read (too short, impossible length or count). */
  | 'bad-header'
  /** A version not in the `versions` option, or one no decoder exists for. */
  | 'ignored-version'
  | 'unsupported-version'
  /** A message whose declared length or record count disagrees with the bytes received. */
  | 'length-mismatch'
  /** A set or flowset that cannot be decoded (bad length, reserved id, record overrun, list fault). */
  | 'malformed-set'
  /** A set id that is neither template, options template nor data. */
  | 'unsupported-set'
  /** Data records whose template is longer than their set (nothing decodable). */
  | 'template-longer-than-set'
  /** Data for a template not (yet) received. */
  | 'no-template'
  /** Held data (pending_data) given up. */
  | 'held-data-dropped'
  /** A template refused: bounds reached, or an element the policy cannot decode. */
  | 'template-rejected'
  | 'template-unsupported'
  /** A template decoded with a caveat (element definition, size the Logstash codec computes differently). */
  | 'template-caveat'
  /** Missing sequence numbers: records or packets lost between exporter and here. */
  | 'sequence-gap'
  /** The template cache file cannot be read in part, or written. */
  | 'cache-file'
  /** A fault inside the decoder itself (a bug): reported and counted, never thrown. */
  | 'decoder-failure';

export type FlowProblemLevel = 'info' | 'warn' | 'error';

export interface FlowProblem {
  kind: FlowProblemKind;
  level: FlowProblemLevel;
  /** The logged text. */
  message: string;
  /** Structured details logged with the text (as the Logstash codec logs them). */
  data?: Record<string, unknown>;
  exporter: string;
  /** Source id (v9) or observation domain (IPFIX). */
  domain?: number;
  templateId?: number;
  /** Byte offset in the datagram. */
  offset?: number;
}

export type ProblemSink = (problem: FlowProblem) => void;
