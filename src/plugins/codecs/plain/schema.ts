// The plain codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { str } from '../../schemas/dsl.ts';

export const plainSchema = defineCodec('plain', 'Text as-is (no delimiter)', { format: str(), charset: str('UTF-8') });

export type PlainCodecOptions = OptionsFor<typeof plainSchema>;
