// The json codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { str } from '../../schemas/dsl.ts';

export const jsonSchema = defineCodec('json', 'One JSON document per event (no delimiter on output)', { charset: str('UTF-8'), target: str() });

export type JsonCodecOptions = OptionsFor<typeof jsonSchema>;
