// The null output's options (Logstash's `config :name, :validate => …` list).
import { defineOutput, type OptionsFor } from '../../define.ts';

export const nullSchema = defineOutput('null', 'Discard events', {});

export type NullOutputOptions = OptionsFor<typeof nullSchema>;
