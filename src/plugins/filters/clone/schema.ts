// The clone filter's options (logstash-filter-clone 4.2: lib/logstash/filters/clone.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr } from '../../schemas/dsl.ts';

export const cloneSchema = defineFilter('clone', 'Duplicate events', { clones: arr([]) });

export type CloneFilterOptions = OptionsFor<typeof cloneSchema>;
