// The stdout output's options (Logstash's `config :name, :validate => …` list).
import { defineOutput, type OptionsFor } from '../../define.ts';

export const stdoutSchema = defineOutput('stdout', 'Print events to standard output', {}, 'rubydebug');

export type StdoutOutputOptions = OptionsFor<typeof stdoutSchema>;
