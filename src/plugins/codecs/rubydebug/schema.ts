// The rubydebug codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { bool } from '../../schemas/dsl.ts';

export const rubydebugSchema = defineCodec('rubydebug', 'Ruby-style pretty print (amazing_print)', { metadata: bool(false) });

export type RubydebugCodecOptions = OptionsFor<typeof rubydebugSchema>;
