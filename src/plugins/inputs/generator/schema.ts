// The generator input's options (Logstash's `config :name, :validate => …` list).
import { defineInput, type OptionsFor } from '../../define.ts';
import { arr, num, str } from '../../schemas/dsl.ts';

export const generatorSchema = defineInput('generator', 'Generate test events', {
  message: str('Hello world!'),
  lines: arr(),
  count: num(0),
  threads: num(1),
});

export type GeneratorInputOptions = OptionsFor<typeof generatorSchema>;
