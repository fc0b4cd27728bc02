// The json_lines codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { num, str } from '../../schemas/dsl.ts';

export const jsonLinesSchema = defineCodec('json_lines', 'Newline-delimited JSON', {
  charset: str('UTF-8'),
  delimiter: str('\n'),
  decode_size_limit_bytes: num(536870912),
  target: str(),
});

export type JsonLinesCodecOptions = OptionsFor<typeof jsonLinesSchema>;
