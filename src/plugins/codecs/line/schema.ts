// The line codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { str } from '../../schemas/dsl.ts';

export const lineSchema = defineCodec('line', 'Line-oriented text', { format: str(), charset: str('UTF-8'), delimiter: str('\n') });

export type LineCodecOptions = OptionsFor<typeof lineSchema>;
