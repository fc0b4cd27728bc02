// sFlow v5: the Logstash codec's decoder and an encoder (for synth, properties and fuzzing).
export { SflowDecoder, resolveSflowOptions, type SflowDecoderOptions, type SflowDecoderHooks, type SflowLogFn, type SflowSink, type SflowSource } from './decoder.ts';
export { SflowTruncatedError, SflowAddressTypeError } from './errors.ts';
export { FLOW_RECORDS, COUNTER_RECORDS } from './layouts.ts';
export { DEFAULT_OPTIONAL_REMOVED, ALWAYS_REMOVED } from './removed-fields.ts';
