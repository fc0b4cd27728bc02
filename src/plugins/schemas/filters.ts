// Filter plugin schemas (option lists of the current Logstash plugins).
import type { PluginSchema } from '../types.ts';
import { any, arr, bool, deprecated, fieldRef, hash, num, oneOf, path, required, str } from './dsl.ts';

const filter = (name: string, description: string, options: PluginSchema['options']): PluginSchema => ({
  kind: 'filter',
  name,
  description,
  options,
});

export const FILTER_SCHEMAS: PluginSchema[] = [
  filter('aggregate', 'Aggregate information across events of a task', {
    task_id: required(str()),
    code: str(),
    map_action: oneOf(['create', 'update', 'create_or_update'], 'create_or_update'),
    end_of_task: bool(false),
    aggregate_maps_path: path(),
    timeout: num(),
    inactivity_timeout: num(),
    timeout_code: str(),
    push_map_as_event_on_timeout: bool(false),
    push_previous_map_as_event: bool(false),
    timeout_timestamp_field: str(),
    timeout_task_id_field: str(),
    timeout_tags: arr([]),
  }),
];
