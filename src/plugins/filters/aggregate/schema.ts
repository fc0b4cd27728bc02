// The aggregate filter's options (logstash-filter-aggregate 2.10: lib/logstash/filters/aggregate.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, num, oneOf, required, str } from '../../schemas/dsl.ts';

export const aggregateSchema = defineFilter('aggregate', 'Aggregate information across events of a task', {
  task_id: required(str()),
  code: required(str()),
  map_action: oneOf(['create', 'update', 'create_or_update'], 'create_or_update'),
  end_of_task: bool(false),
  // Logstash declares it :string (the file is written at close, so it need not exist at start).
  aggregate_maps_path: str(),
  timeout: num(),
  inactivity_timeout: num(),
  timeout_code: str(),
  push_map_as_event_on_timeout: bool(false),
  push_previous_map_as_event: bool(false),
  timeout_timestamp_field: str(),
  timeout_task_id_field: str(),
  timeout_tags: arr([]),
});

export type AggregateFilterOptions = OptionsFor<typeof aggregateSchema>;
