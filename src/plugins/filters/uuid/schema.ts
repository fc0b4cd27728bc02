// The uuid filter's options (logstash-filter-uuid 3.0: lib/logstash/filters/uuid.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { bool, required, str } from '../../schemas/dsl.ts';

export const uuidSchema = defineFilter('uuid', 'Add a random UUID to a field', {
  target: required(str()),
  overwrite: bool(false),
});

export type UuidFilterOptions = OptionsFor<typeof uuidSchema>;
