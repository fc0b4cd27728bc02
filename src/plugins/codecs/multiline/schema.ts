// The multiline codec's options (logstash-codec-multiline 3.1: lib/logstash/codecs/multiline.rb).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { arr, bool, bytes, num, oneOf, required, str } from '../../schemas/dsl.ts';

export const multilineSchema = defineCodec('multiline', 'Merge lines into one event', {
  pattern: required(str()),
  what: required(oneOf(['previous', 'next'])),
  negate: bool(false),
  patterns_dir: arr([]),
  charset: str('UTF-8'),
  max_lines: num(500),
  max_bytes: bytes('10 MiB'),
  multiline_tag: str('multiline'),
  auto_flush_interval: num(),
});

export type MultilineCodecOptions = OptionsFor<typeof multilineSchema>;
