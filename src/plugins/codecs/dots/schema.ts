// The dots codec's options (Logstash's `config :name, :validate => …` list).
import { defineCodec, type OptionsFor } from '../../define.ts';

export const dotsSchema = defineCodec('dots', 'One dot per event', {});

export type DotsCodecOptions = OptionsFor<typeof dotsSchema>;
