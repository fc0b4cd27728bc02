// The stdin input's options (Logstash's `config :name, :validate => …` list).
import { defineInput, type OptionsFor } from '../../define.ts';

export const stdinSchema = defineInput('stdin', 'Read events from standard input (one per line)', {}, 'line');

export type StdinInputOptions = OptionsFor<typeof stdinSchema>;
