// The file input's options (logstash-input-file 4.4).
import { defineInput, type OptionsFor } from '../../define.ts';
import { arr, bool, num, oneOf, required, str } from '../../schemas/dsl.ts';

export const fileInputSchema = defineInput('file', 'Stream events from files', {
  path: required(arr()),
  exclude: arr(),
  sincedb_path: str(),
  sincedb_write_interval: num(15),
  sincedb_clean_after: num(14),
  start_position: oneOf(['beginning', 'end'], 'end'),
  stat_interval: num(1),
  discover_interval: num(15),
  close_older: num(3600),
  ignore_older: num(),
  delimiter: str('\n'),
  max_open_files: num(),
  mode: oneOf(['tail', 'read'], 'tail'),
  file_completed_action: oneOf(['delete', 'log', 'log_and_delete'], 'delete'),
  file_completed_log_path: str(),
  file_chunk_size: num(32768),
  file_chunk_count: num(),
  file_sort_by: oneOf(['last_modified', 'path'], 'last_modified'),
  file_sort_direction: oneOf(['asc', 'desc'], 'asc'),
  exit_after_read: bool(false),
  check_archive_validity: bool(false),
});

export type FileInputOptions = OptionsFor<typeof fileInputSchema>;
