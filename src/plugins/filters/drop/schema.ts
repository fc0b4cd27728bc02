// The drop filter's options (Logstash's `config :name, :validate => …` list).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { num } from '../../schemas/dsl.ts';

export const dropSchema = defineFilter('drop', 'Drop events', { percentage: num(100) });

export type DropFilterOptions = OptionsFor<typeof dropSchema>;
